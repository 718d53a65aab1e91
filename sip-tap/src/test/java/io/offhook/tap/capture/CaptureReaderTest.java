package io.offhook.tap.capture;

import static io.offhook.tap.capture.Frames.ascii;
import static io.offhook.tap.capture.Frames.ethernet;
import static io.offhook.tap.capture.Frames.ipv4;
import static io.offhook.tap.capture.Frames.ipv6;
import static io.offhook.tap.capture.Frames.tcp;
import static io.offhook.tap.capture.Frames.udp;
import static io.offhook.tap.capture.SipText.options;
import static io.offhook.tap.capture.SipText.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Capture containers: detection, records, time stamps, damage and what is not a capture at all. */
class CaptureReaderTest {
    private static final long SECONDS = 1_700_000_000L;

    private final List<SipPacket> packets = new ArrayList<>();
    private final DropCounters drops = new DropCounters();

    private static byte[] sipFrame(String callId) {
        return ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, ascii(options(callId)))));
    }

    private CaptureSummary read(byte[] file) throws IOException {
        return new CaptureReader().read(new ByteArrayInputStream(file), "test.cap", packets::add, drops);
    }

    @ParameterizedTest(name = "big-endian {0}, magic {1}")
    @CsvSource({"true, a1b2c3d4", "false, a1b2c3d4", "true, a1b23c4d", "false, a1b23c4d"})
    void classicPcapInBothByteOrdersAndResolutions(boolean bigEndian, String magicHex) throws IOException {
        int magic = Integer.parseUnsignedInt(magicHex, 16);
        boolean nanos = magic == PcapFile.MAGIC_NANO;
        byte[] file = CaptureWriter.pcap(bigEndian, magic, 1)
                .record(SECONDS, nanos ? 123_456_789 : 123_456, sipFrame("a"))
                .record(SECONDS + 1, nanos ? 999_999_999 : 999_999, sipFrame("b"))
                .bytes();
        CaptureSummary summary = read(file);
        assertEquals(List.of(options("a"), options("b")), texts(packets));
        assertEquals(SECONDS * 1_000_000 + 123_456, packets.get(0).timeMicros());
        assertEquals((SECONDS + 1) * 1_000_000 + 999_999, packets.get(1).timeMicros());
        assertEquals(new CaptureSummary("test.cap", CaptureFormat.PCAP, 2, 2, SECONDS * 1_000_000 + 123_456,
                (SECONDS + 1) * 1_000_000 + 999_999, file.length), summary);
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void modifiedPcapHasLongerRecordHeaders() throws IOException {
        CaptureWriter w = CaptureWriter.pcap(false, PcapFile.MAGIC_MODIFIED, 1);
        byte[] frame = sipFrame("m");
        Frames.Out out = new Frames.Out();
        out.bytes(w.bytes());
        // the record header in little-endian: seconds, microseconds, lengths, then ifindex, protocol, type, pad
        out.u32(Integer.reverseBytes((int) SECONDS)).u32(Integer.reverseBytes(5)).u32(Integer.reverseBytes(
                frame.length)).u32(Integer.reverseBytes(frame.length)).u32(0).u32(0).bytes(frame);
        read(out.toByteArray());
        assertEquals(List.of(options("m")), texts(packets));
        assertEquals(SECONDS * 1_000_000 + 5, packets.get(0).timeMicros());
    }

    @Test
    void pcapLinkTypeIgnoresTheFcsBits() throws IOException {
        read(CaptureWriter.pcap(true, PcapFile.MAGIC_MICRO, 0x14000000 | 1).record(1, 0, sipFrame("a")).bytes());
        assertEquals(List.of(options("a")), texts(packets));
    }

    @ParameterizedTest(name = "big-endian {0}")
    @ValueSource(booleans = {true, false})
    void pcapngWithEveryPacketBlock(boolean bigEndian) throws IOException {
        long micros = SECONDS * 1_000_000 + 42;
        byte[] file = CaptureWriter.pcapng(bigEndian)
                .unknownBlock(0x00000bad, 10)
                .interfaceDescription(1, -1, 0)
                .enhancedPacket(0, micros, sipFrame("epb"))
                .simplePacket(sipFrame("spb"))
                .obsoletePacket(0, micros + 7, sipFrame("opb"))
                .unknownBlock(5, 24) // interface statistics: skipped
                .bytes();
        CaptureSummary summary = read(file);
        assertEquals(List.of(options("epb"), options("spb"), options("opb")), texts(packets));
        assertEquals(List.of(micros, micros, micros + 7), packets.stream().map(SipPacket::timeMicros).toList(),
                "a simple packet block has the time of the packet before it");
        assertEquals(CaptureFormat.PCAPNG, summary.format());
        assertEquals(3, summary.records());
        assertEquals(3, summary.sipMessages());
        assertEquals(file.length, summary.bytes());
        assertEquals(Map.of(), drops.snapshot());
    }

    @ParameterizedTest(name = "if_tsresol {0}, if_tsoffset {2}")
    @CsvSource({
        "-1, 1700000000123456, 0, 1700000000123456",
        "6, 1700000000123456, 0, 1700000000123456",
        "9, 1700000000123456789, 0, 1700000000123456",
        "3, 1700000000123, 0, 1700000000123000",
        "0, 1700000000, 0, 1700000000000000",
        // 2^-10 seconds: 1700000000 s and 512/1024 s
        "138, 1740800000512, 0, 1700000000500000",
        // 2^-20 seconds: 1 s and 1/4 s
        "148, 1310720, 0, 1250000",
        // 2^-50 seconds: 3 s and a half, through the arbitrary-precision path
        "178, 3940649673949184, 0, 3500000",
        "6, 123, 1700000000, 1700000000000123",
    })
    void pcapngTimeResolutions(int tsresol, String timestamp, long tsoffset, long expectedMicros) throws IOException {
        byte[] file = CaptureWriter.pcapng(false)
                .interfaceDescription(101, tsresol, tsoffset)
                .enhancedPacket(0, Long.parseUnsignedLong(timestamp),
                        ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, ascii(options("t")))))
                .bytes();
        read(file);
        assertEquals(1, packets.size());
        assertEquals(expectedMicros, packets.get(0).timeMicros());
    }

    @Test
    void pcapngSectionsHaveTheirOwnByteOrderAndInterfaces() throws IOException {
        byte[] file = CaptureWriter.pcapng(false)
                .interfaceDescription(1, -1, 0)
                .interfaceDescription(113, -1, 0)
                .enhancedPacket(1, 10, Frames.sll(0x0800, ipv4("192.0.2.1", "192.0.2.2", 17,
                        udp(5062, 5060, ascii(options("sll"))))))
                .enhancedPacket(0, 11, sipFrame("eth"))
                .section(true)
                .interfaceDescription(229, 9, 0)
                .enhancedPacket(0, 12_000, ipv6("::1", "::2", 17, udp(5062, 5060, ascii(options("ip6")))))
                .enhancedPacket(1, 13_000, sipFrame("no such interface in this section"))
                .section(false)
                .interfaceDescription(147, -1, 0)
                .enhancedPacket(0, 14, sipFrame("unsupported link type"))
                .bytes();
        read(file);
        assertEquals(List.of(options("sll"), options("eth"), options("ip6")), texts(packets));
        assertEquals(List.of(10L, 11L, 12L), packets.stream().map(SipPacket::timeMicros).toList());
        assertEquals(Map.of(DropReason.CAPTURE_TRUNCATED, 1L, DropReason.UNSUPPORTED_LINK_TYPE, 1L),
                drops.snapshot());
    }

    @Test
    void aPacketBlockClaimingMoreThanItHoldsIsCountedAndSkipped() throws IOException {
        byte[] file = CaptureWriter.pcapng(true)
                .interfaceDescription(1, -1, 0)
                .enhancedPacketLying(0, sipFrame("liar"), 5000)
                .enhancedPacket(0, 1, sipFrame("next"))
                .bytes();
        read(file);
        assertEquals(List.of(options("next")), texts(packets));
        assertEquals(Map.of(DropReason.CAPTURE_TRUNCATED, 1L), drops.snapshot());
    }

    @Test
    void aBlockWithAnImpossibleLengthEndsTheReading() throws IOException {
        CaptureWriter w = CaptureWriter.pcapng(false).interfaceDescription(1, -1, 0)
                .enhancedPacket(0, 1, sipFrame("a"));
        int second = w.bytes().length;
        byte[] file = w.enhancedPacket(0, 2, sipFrame("b")).enhancedPacket(0, 3, sipFrame("c")).bytes();
        file[second + 4] = 13; // block length 13: not a multiple of 4
        read(file);
        assertEquals(List.of(options("a")), texts(packets));
        assertEquals(Map.of(DropReason.CAPTURE_TRUNCATED, 1L), drops.snapshot());
    }

    @Test
    void aTrailerThatDisagreesEndsTheReading() throws IOException {
        CaptureWriter w = CaptureWriter.pcapng(true).interfaceDescription(1, -1, 0);
        byte[] file = w.enhancedPacket(0, 1, sipFrame("a")).enhancedPacket(0, 2, sipFrame("b")).bytes();
        int firstEnd = w.recordEnds().get(2);
        file[firstEnd - 1] ^= 4; // the first packet block's trailing length
        read(file);
        assertEquals(List.of(), texts(packets));
        assertEquals(Map.of(DropReason.CAPTURE_TRUNCATED, 1L), drops.snapshot());
    }

    @Test
    void aPcapRecordLongerThanAnyRecordCanBeEndsTheReading() throws IOException {
        CaptureWriter w = CaptureWriter.pcap(true, PcapFile.MAGIC_MICRO, 1).record(1, 0, sipFrame("a"));
        int second = w.bytes().length;
        byte[] file = w.record(2, 0, sipFrame("b")).bytes();
        file[second + 8] = 0x7f; // captured length of about 2 GB
        read(file);
        assertEquals(List.of(options("a")), texts(packets));
        assertEquals(Map.of(DropReason.CAPTURE_TRUNCATED, 1L), drops.snapshot());
    }

    @Test
    void aRecordCutBySnaplenIsCountedNotMisread() throws IOException {
        byte[] full = sipFrame("long");
        byte[] file = CaptureWriter.pcap(false, PcapFile.MAGIC_MICRO, 1)
                .record(1, 0, Arrays.copyOf(full, 60), full.length)
                .record(2, 0, sipFrame("short"))
                .bytes();
        read(file);
        assertEquals(List.of(options("short")), texts(packets));
        assertEquals(Map.of(DropReason.CAPTURE_TRUNCATED, 1L), drops.snapshot());
    }

    /** Three records of UDP, then a TCP message split over two records. */
    private static CaptureWriter fourRecords(CaptureWriter w, boolean pcapng) {
        String m = SipText.invite("tcp", false);
        byte[] first = tcp(40000, 5060, 100, Frames.PSH_ACK, ascii(m.substring(0, 90)));
        byte[] second = tcp(40000, 5060, 190, Frames.PSH_ACK, ascii(m.substring(90)));
        List<byte[]> frames = List.of(sipFrame("a"), sipFrame("b"),
                ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 6, first)),
                ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 6, second)));
        for (int i = 0; i < frames.size(); i++) {
            if (pcapng) {
                w.enhancedPacket(0, i, frames.get(i));
            } else {
                w.record(i, 0, frames.get(i));
            }
        }
        return w;
    }

    @ParameterizedTest(name = "pcapng {0}")
    @ValueSource(booleans = {false, true})
    void aFileCutAnywhereGivesEveryCompleteRecordAndCountsTheCut(boolean pcapng) throws IOException {
        CaptureWriter w = pcapng
                ? fourRecords(CaptureWriter.pcapng(false).interfaceDescription(1, -1, 0), true)
                : fourRecords(CaptureWriter.pcap(false, PcapFile.MAGIC_MICRO, 1), false);
        byte[] file = w.bytes();
        List<Integer> ends = w.recordEnds();
        // for each packet record (by its end offset), how many SIP messages it completes
        int headerRecords = pcapng ? 2 : 1;
        int[] messagesAfter = {1, 2, 2, 3};
        for (int cut = 4; cut <= file.length; cut++) {
            packets.clear();
            DropCounters cutDrops = new DropCounters();
            CaptureSummary s = new CaptureReader().read(new ByteArrayInputStream(Arrays.copyOf(file, cut)), "cut",
                    packets::add, cutDrops);
            int complete = 0;
            for (int i = headerRecords; i < ends.size(); i++) {
                if (ends.get(i) <= cut) {
                    complete = i - headerRecords + 1;
                }
            }
            boolean atBoundary = ends.contains(cut);
            int expectedMessages = complete == 0 ? 0 : messagesAfter[complete - 1];
            assertEquals(complete, s.records(), "records, cut at " + cut);
            assertEquals(expectedMessages, packets.size(), "messages, cut at " + cut);
            long gaps = complete == 3 ? 1 : 0; // the TCP message's first half without its second
            assertEquals(atBoundary ? 0 : 1, cutDrops.get(DropReason.CAPTURE_TRUNCATED), "cut at " + cut);
            assertEquals(gaps, cutDrops.get(DropReason.TCP_GAP), "cut at " + cut);
            assertEquals(cut, s.bytes());
        }
    }

    @Test
    void randomBytesAfterAValidHeaderNeverThrow() throws IOException {
        Random random = new Random(20240611L);
        byte[] pcapHeader = CaptureWriter.pcap(false, PcapFile.MAGIC_MICRO, 1).bytes();
        byte[] pcapngHeader = CaptureWriter.pcapng(false).interfaceDescription(1, -1, 0).bytes();
        for (int i = 0; i < 300; i++) {
            byte[] garbage = new byte[random.nextInt(2000)];
            random.nextBytes(garbage);
            byte[] header = i % 2 == 0 ? pcapHeader : pcapngHeader;
            CaptureSummary s = read(Frames.concat(header, garbage));
            assertTrue(s.records() >= 0);
        }
        assertTrue(drops.total() > 0, "garbage is counted");
    }

    @Test
    void damagedBytesInsideAValidFileNeverThrow() throws IOException {
        Random random = new Random(77L);
        byte[] pcapng = fourRecords(CaptureWriter.pcapng(true).interfaceDescription(1, -1, 0), true).bytes();
        byte[] pcap = fourRecords(CaptureWriter.pcap(true, PcapFile.MAGIC_NANO, 1), false).bytes();
        for (int i = 0; i < 400; i++) {
            byte[] file = (i % 2 == 0 ? pcapng : pcap).clone();
            for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                int at = 12 + random.nextInt(file.length - 12); // the magic numbers stay intact
                file[at] = (byte) random.nextInt(256);
            }
            read(file);
        }
        assertTrue(packets.size() > 0, "most damaged files still hold messages");
    }

    @Test
    void aTextFileIsNotACapture() {
        byte[] text = "Lorem ipsum dolor sit amet\n".getBytes(StandardCharsets.US_ASCII);
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> read(text));
        assertEquals("test.cap is not a pcap or pcapng capture file: it starts with 4c 6f 72 65 6d 20 69 70 73 75"
                + " 6d 20 64 6f 6c 6f (\"Lorem ipsum dolo\")", e.getMessage());
    }

    @Test
    void emptyShortAndCompressedInputsAreNotCaptures() {
        assertEquals("test.cap is empty, not a capture file",
                assertThrows(CaptureFormatException.class, () -> read(new byte[0])).getMessage());
        assertEquals("test.cap is not a capture file: it has only 2 bytes: d4 c3 (\"..\")",
                assertThrows(CaptureFormatException.class,
                        () -> read(new byte[] {(byte) 0xd4, (byte) 0xc3})).getMessage());
        String gzip = assertThrows(CaptureFormatException.class,
                () -> read(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0})).getMessage();
        assertTrue(gzip.startsWith("test.cap starts like gzip but its gzip header is damaged or cut short"), gzip);
        String xz = assertThrows(CaptureFormatException.class,
                () -> read(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4})).getMessage();
        assertTrue(xz.endsWith("it looks xz-compressed: decompress it first (gzip is read as it is)"), xz);
        String zstd = assertThrows(CaptureFormatException.class,
                () -> read(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0})).getMessage();
        assertTrue(zstd.endsWith("it looks zstd-compressed: decompress it first (gzip is read as it is)"), zstd);
        String text = assertThrows(CaptureFormatException.class,
                () -> read(gzip("hello, not a capture\n".getBytes(StandardCharsets.US_ASCII)))).getMessage();
        assertTrue(text.startsWith("test.cap (decompressed with gzip) is not a pcap or pcapng capture file: it"
                + " starts with 68 65 6c 6c"), text);
        byte[] badPcapng = CaptureWriter.pcapng(false).bytes();
        badPcapng[8] = 0x55;
        String pcapng = assertThrows(CaptureFormatException.class, () -> read(badPcapng)).getMessage();
        assertTrue(pcapng.startsWith("test.cap is not a capture file: it starts like pcapng"), pcapng);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(data);
        }
        return b.toByteArray();
    }

    private static byte[] captureFixture(String name) throws IOException {
        try (InputStream in = CaptureReaderTest.class.getResourceAsStream("/captures/" + name)) {
            return in.readAllBytes();
        }
    }

    /** What a read delivered, comparable: each packet's time and bytes. */
    private static List<String> delivered(List<SipPacket> packets) {
        return packets.stream().map(p -> p.timeMicros() + " " + new String(p.data(), p.offset(), p.length(),
                StandardCharsets.ISO_8859_1)).toList();
    }

    /**
     * Real captures, gzip-compressed whole or in two members one after the other (what concatenating two .gz
     * files gives), read as the plain files are: the same packets, records and (decompressed) bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"basic-call.pcap", "basic-call.pcapng", "busy-hep.pcap", "tcp-call.pcap"})
    void gzipCompressedCapturesAreReadAsThePlainOnes(String name) throws IOException {
        byte[] plain = captureFixture(name);
        CaptureSummary expected = read(plain);
        List<String> expectedPackets = delivered(packets);
        assertTrue(expectedPackets.size() > 5, name);
        int half = plain.length / 2;
        byte[] first = gzip(Arrays.copyOf(plain, half));
        byte[] second = gzip(Arrays.copyOfRange(plain, half, plain.length));
        byte[] twoMembers = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, twoMembers, first.length, second.length);
        for (byte[] compressed : List.of(gzip(plain), twoMembers)) {
            packets.clear();
            CaptureSummary summary = read(compressed);
            assertEquals(expectedPackets, delivered(packets), name);
            assertEquals(expected, summary, name);
        }
        assertEquals(0, drops.get(DropReason.CAPTURE_TRUNCATED), name);
    }

    /**
     * A gzip capture cut short anywhere after its header, or with a byte damaged, gives a prefix of what the whole
     * file gives, counts the damage, and never fails the read.
     */
    @Test
    void aDamagedGzipCaptureGivesWhatCameBeforeTheDamage() throws IOException {
        byte[] plain = captureFixture("basic-call.pcap");
        read(plain);
        List<String> whole = delivered(packets);
        byte[] compressed = gzip(plain);
        for (int cut = 10; cut < compressed.length; cut += 7) {
            packets.clear();
            DropCounters cutDrops = new DropCounters();
            try {
                new CaptureReader().read(new ByteArrayInputStream(Arrays.copyOf(compressed, cut)), "cut.pcap.gz",
                        packets::add, cutDrops);
            } catch (CaptureFormatException e) {
                // Cut before the capture's first four bytes came out: the cut is what the error says.
                assertTrue(e.getMessage().matches("cut\\.pcap\\.gz: the gzip stream is cut short or damaged after [0-3]"
                        + " decompressed bytes \\(.*\\); no capture could be read from it"), e.getMessage());
                continue;
            }
            List<String> got = delivered(packets);
            assertEquals(whole.subList(0, got.size()), got, "cut at " + cut);
            assertTrue(cutDrops.get(DropReason.CAPTURE_TRUNCATED) >= 1, "cut at " + cut);
        }
        Random random = new Random(11);
        for (int i = 0; i < 50; i++) {
            byte[] damaged = compressed.clone();
            damaged[10 + random.nextInt(damaged.length - 10)] ^= (byte) (1 + random.nextInt(255));
            DropCounters damagedDrops = new DropCounters();
            try {
                new CaptureReader().read(new ByteArrayInputStream(damaged), "damaged.pcap.gz", p -> { },
                        damagedDrops);
            } catch (CaptureFormatException e) {
                // The damage made the decompressed start no capture, or came before it: refused, naming why.
                assertTrue(e.getMessage().startsWith("damaged.pcap.gz (decompressed with gzip) is not")
                        || e.getMessage().startsWith("damaged.pcap.gz: the gzip stream is cut short or damaged")
                        || e.getMessage().startsWith("damaged.pcap.gz starts like gzip but its gzip header"),
                        e.getMessage());
                continue;
            }
            assertTrue(damagedDrops.total() >= 1, "damage " + i + " not counted");
        }
    }

    /**
     * Input (found by the {@code capture} fuzz target): a gzip capture whose deflate data is damaged 1,365 bytes in
     * ("invalid distance too far back"). How much comes out before such damage depends on how the reads are cut,
     * since the inflater gives up the piece it was working on: the reader delivers the records before it, no more
     * than one-byte reads get out of it, counts the damage once and does not fail.
     */
    @Test
    void gzipDamagedWhereReadSizesDecideTheOutput() throws IOException {
        byte[] input;
        try (InputStream in = CaptureReaderTest.class.getResourceAsStream(
                "CaptureReaderFuzzTestInputs/readAnyBytes/gzip-damaged-where-read-sizes-decide-the-output")) {
            input = in.readAllBytes();
        }
        int most = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(input))) {
            while (in.read(new byte[1], 0, 1) > 0) {
                most++;
            }
        } catch (ZipException e) {
            assertEquals("invalid distance too far back", e.getMessage());
        }
        CaptureSummary summary = read(input);
        assertTrue(summary.records() > 0 && summary.bytes() <= most, summary + " against " + most);
        assertEquals(summary.sipMessages(), packets.size());
        assertTrue(drops.get(DropReason.CAPTURE_TRUNCATED) >= 1);
    }

    @Test
    void progressIsReportedEverySoManyRecordsAndAtTheEnd() throws IOException {
        CaptureWriter w = CaptureWriter.pcap(true, PcapFile.MAGIC_MICRO, 1);
        for (int i = 0; i < 25; i++) {
            w.record(i, 0, sipFrame("p" + i));
        }
        byte[] file = w.bytes();
        List<long[]> reports = new ArrayList<>();
        CaptureReader reader = new CaptureReader(ReassemblyLimits.DEFAULTS,
                (records, bytes) -> reports.add(new long[] {records, bytes}), 10);
        CaptureSummary s = reader.read(new ByteArrayInputStream(file), "p", packets::add, drops);
        assertEquals(List.of(10L, 20L, 25L), reports.stream().map(r -> r[0]).toList());
        assertEquals(file.length, reports.get(2)[1]);
        assertEquals(w.recordEnds().get(10), (int) reports.get(0)[1]);
        assertEquals(25, s.sipMessages());
        assertEquals(0, s.firstTimeMicros());
        assertEquals(24_000_000, s.lastTimeMicros());
    }

    @Test
    void anEmptyCaptureHasAnEmptySummary() throws IOException {
        byte[] file = CaptureWriter.pcapng(true).bytes();
        assertEquals(new CaptureSummary("test.cap", CaptureFormat.PCAPNG, 0, 0, 0, 0, file.length), read(file));
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void tcpStreamsLeftOpenAreFinishedAtTheEndOfTheFile() throws IOException {
        String m1 = options("a");
        String m3 = options("c");
        byte[] file = CaptureWriter.pcap(false, PcapFile.MAGIC_MICRO, 101)
                .record(1, 0, ipv4("192.0.2.1", "192.0.2.2", 6, tcp(1, 5060, 1, Frames.PSH_ACK, ascii(m1))))
                .record(2, 0, ipv4("192.0.2.1", "192.0.2.2", 6,
                        tcp(1, 5060, 1 + m1.length() + 50, Frames.PSH_ACK, ascii(m3))))
                .bytes();
        CaptureSummary s = read(file);
        assertEquals(List.of(m1, m3), texts(packets));
        assertEquals(Transport.TCP, packets.get(1).transport());
        assertEquals(2, s.sipMessages());
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), drops.snapshot());
    }

    @Test
    void aFileIsReadThroughThePathAdapter(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("two.pcap");
        Files.write(file, CaptureWriter.pcap(true, PcapFile.MAGIC_MICRO, 1).record(1, 0, sipFrame("a"))
                .record(2, 0, sipFrame("b")).bytes());
        CaptureSummary s = new CaptureReader().read(file, packets::add, drops);
        assertEquals(file.toString(), s.name());
        assertEquals(List.of(options("a"), options("b")), texts(packets));
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a capture");
        CaptureFormatException e = assertThrows(CaptureFormatException.class,
                () -> new CaptureReader().read(text, packets::add, drops));
        assertTrue(e.getMessage().startsWith(text + " is not a pcap or pcapng capture file"), e.getMessage());
    }
}
