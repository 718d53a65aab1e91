package io.offhook.tap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.offhook.tap.hep.HepDecoder;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz targets for the capture reader (a file an operator replays, possibly cut short or damaged) and for TCP
 * reassembly (bytes a capture saw on the wire). Run as regression tests on every build (seeds: the small real
 * captures and the inputs under {@code CaptureReaderFuzzTestInputs/}); fuzzed by {@code scripts/fuzz capture} and
 * {@code scripts/fuzz tcp}.
 */
class CaptureReaderFuzzTest {
    /** Small limits, so that fuzzing reaches them: 2 KiB per stream, 4 streams, 4 segments held. */
    private static final ReassemblyLimits LIMITS = new ReassemblyLimits(2048, 4, 4);
    private static final int PCAP_RECORD_HEADER = 16;
    /**
     * Shared over inputs so that its log lines stay rate-limited (a fresh one logs its first drop, which would make
     * logging the cost of every input); each input reads the difference.
     */
    private static final DropCounters DROPS = new DropCounters();

    static Stream<byte[]> captures() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("basic-call.pcap", "basic-call.pcapng", "refresh-hep.pcap", "tcp-call.pcap",
                "busy-hep.pcap", "deregister.pcap", "fragmented-call.pcap", "vxlan-basic-call.pcap")) {
            try (InputStream in = CaptureReaderFuzzTest.class.getResourceAsStream("/captures/" + name)) {
                seeds.add(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // A compressed capture too, so that the fuzzer starts inside the gzip path.
        ByteArrayOutputStream gzip = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gzip)) {
            out.write(seeds.get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        seeds.add(gzip.toByteArray());
        return seeds.stream();
    }

    /**
     * Any bytes as a capture file: either {@link CaptureFormatException} (only when the file does not start like
     * pcap or pcapng) or a summary, never another exception; the reader stops within the input (records at most
     * one per 16 bytes, position at most the input length); every packet it delivers is non-empty and no larger
     * than the input (or than an inflated HEP payload may be); what it delivers is what it counts. Bytes that start
     * like gzip are held to {@link #readGzip} instead.
     */
    @MethodSource("captures")
    @FuzzTest(maxDuration = "20s")
    void readAnyBytes(byte[] input) throws IOException {
        if (input.length >= 2 && (input[0] & 0xff) == 0x1f && (input[1] & 0xff) == 0x8b) {
            readGzip(input);
            return;
        }
        List<SipPacket> packets = new ArrayList<>();
        CaptureSummary summary;
        try {
            summary = new CaptureReader(LIMITS, (records, bytes) -> { }, 1000)
                    .read(new ByteArrayInputStream(input), "fuzz.pcap", packets::add, DROPS);
        } catch (CaptureFormatException e) {
            assertTrue(e.getMessage().startsWith("fuzz.pcap "), "the message names the file: " + e.getMessage());
            assertTrue(!startsLikeCapture(input), "a capture's start was refused: " + e.getMessage());
            return;
        }
        assertTrue(startsLikeCapture(input), "read something that does not start like a capture");
        assertTrue(summary.bytes() <= input.length, "read past the end");
        assertTrue(summary.records() <= input.length / PCAP_RECORD_HEADER, "more records than bytes allow");
        assertEquals(packets.size(), summary.sipMessages(), "delivered and counted differ");
        for (SipPacket p : packets) {
            assertTrue(p.length() > 0, "empty SIP packet delivered");
            assertTrue(p.length() <= Math.max(input.length, HepDecoder.MAX_INFLATED_PAYLOAD), "packet too large");
        }
    }

    /**
     * Bytes that start like gzip: read as they are, they give exactly what the same number of their decompressed
     * bytes gives read as a plain file (the same packets, records and byte count), and all of them when the gzip
     * stream is whole; where it is damaged, no more than comes out before the damage (how much of the last piece
     * before it the inflater gives up depends on how the reads are cut, so the reader's share is compared, not
     * assumed). Refusals name the file and the gzip problem or the decompressed start. Inputs that inflate past
     * 256 KiB are left out (a compression bomb is an operator's own file, read in a stream; here it would only slow
     * the fuzzer down).
     */
    private static void readGzip(byte[] input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean damaged = false;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(input))) {
            // One byte a call: all that comes out before the damage, however the reader's reads are cut.
            byte[] one = new byte[1];
            while (in.read(one, 0, 1) > 0) {
                out.write(one[0]);
                if (out.size() > 256 * 1024) {
                    return;
                }
            }
        } catch (EOFException | ZipException e) {
            if (out.size() == 0 && headerDamaged(input)) {
                CaptureFormatException refused = assertThrows(CaptureFormatException.class,
                        () -> readInto(input, new ArrayList<>()));
                assertTrue(refused.getMessage().startsWith("fuzz.pcap starts like gzip"), refused.getMessage());
                return;
            }
            damaged = true;
        }
        byte[] whole = out.toByteArray();
        List<SipPacket> fromGzip = new ArrayList<>();
        CaptureSummary gzip;
        try {
            gzip = readInto(input, fromGzip);
        } catch (CaptureFormatException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith("fuzz.pcap (decompressed with gzip) is ")
                    || m.startsWith("fuzz.pcap: the gzip stream is cut short or damaged after"), m);
            if (!damaged) {
                assertThrows(CaptureFormatException.class, () -> readInto(whole, new ArrayList<>()),
                        "the gzip is refused, its whole decompressed bytes are not: " + m);
            }
            return;
        }
        assertTrue(gzip.bytes() <= whole.length, "more came out of the gzip than it holds");
        if (!damaged) {
            assertEquals(whole.length, gzip.bytes(), "a whole gzip stream was not read to its end");
        }
        List<SipPacket> fromPlain = new ArrayList<>();
        CaptureSummary plain = readInto(Arrays.copyOf(whole, (int) gzip.bytes()), fromPlain);
        assertEquals(plain, gzip, "gzip and its decompressed bytes read differently");
        assertEquals(fromPlain.size(), fromGzip.size());
        for (int i = 0; i < fromPlain.size(); i++) {
            SipPacket a = fromPlain.get(i);
            SipPacket b = fromGzip.get(i);
            assertEquals(a.timeMicros(), b.timeMicros());
            assertTrue(Arrays.equals(a.data(), a.offset(), a.offset() + a.length(), b.data(), b.offset(),
                    b.offset() + b.length()), "packet " + i + " differs");
        }
    }

    /** Whether the gzip header itself (RFC 1952 2.3) cannot be read: what the reader refuses before any data. */
    private static boolean headerDamaged(byte[] input) {
        try {
            new GZIPInputStream(new ByteArrayInputStream(input)).close();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static CaptureSummary readInto(byte[] bytes, List<SipPacket> packets) throws IOException {
        return new CaptureReader(LIMITS, (records, n) -> { }, 1000)
                .read(new ByteArrayInputStream(bytes), "fuzz.pcap", packets::add, DROPS);
    }

    /** A pcap magic number, or a pcapng Section Header Block type followed by a byte-order magic. */
    private static boolean startsLikeCapture(byte[] input) {
        if (input.length < 4) {
            return false;
        }
        int magic = Bytes.i32(input, 0, true);
        if (PcapFile.isMagic(magic)) {
            return true;
        }
        if (magic != PcapngFile.SECTION_HEADER) {
            return false;
        }
        if (input.length < 12) {
            return true; // cut short inside the first block: counted, not refused
        }
        int order = Bytes.i32(input, 8, true);
        return order == 0x1a2b3c4d || order == Integer.reverseBytes(0x1a2b3c4d);
    }

    /**
     * One TCP direction carrying SIP messages, cut into segments at fuzzed places and delivered in order with
     * retransmissions and overlaps, or (lossy) with segments lost, swapped and reset. In order, every message
     * within the limits comes out exactly once, in order, and only the over-large ones are dropped; lossy, what
     * comes out is still, in order, what was sent or (where a loss took a request's start) its tail from a point that
     * looks like a start line: a loss never glues two messages together. A reset makes the
     * reassembler forget the connection, so after one the order starts again where the bytes sent after it start.
     * Sequence numbers start anywhere, so they wrap around.
     */
    @FuzzTest(maxDuration = "20s")
    void reassembleStream(FuzzedDataProvider in) {
        List<String> sent = new ArrayList<>();
        List<Integer> sentEnd = new ArrayList<>(); // where each sent message ends in the stream
        StringBuilder stream = new StringBuilder();
        int oversized = 0;
        int count = in.consumeInt(1, 6);
        for (int i = 0; i < count; i++) {
            String callId = "c" + i + "@fuzz";
            String message = switch (in.consumeInt(0, 3)) {
                case 0 -> SipText.options(callId);
                case 1 -> SipText.invite(callId, in.consumeBoolean());
                case 2 -> SipText.okWithoutLength(callId);
                default -> {
                    String body = "x".repeat(in.consumeInt(0, LIMITS.maxStreamBytes() + 256));
                    yield SipText.options(callId).replace("Content-Length: 0", "Content-Length: " + body.length())
                            + body;
                }
            };
            if (in.consumeBoolean()) {
                stream.append("\r\n\r\n"); // keep-alive (RFC 5626)
            }
            stream.append(message);
            if (message.length() > LIMITS.maxStreamBytes()) {
                oversized++;
            } else {
                sent.add(message);
                sentEnd.add(stream.length());
            }
        }
        byte[] bytes = stream.toString().getBytes(StandardCharsets.ISO_8859_1);
        boolean lossy = in.consumeBoolean();
        boolean syn = lossy ? in.consumeBoolean() : true;
        int isn = in.consumeInt();

        long tooLargeBefore = DROPS.get(DropReason.SIP_TOO_LARGE);
        long dropsBefore = DROPS.total();
        List<String> received = new ArrayList<>();
        // Each RST starts an epoch: the reassembler forgets the connection, so what it sees after the reset
        // (retransmissions of earlier bytes among it) is a connection the capture joined mid-stream.
        List<Integer> epochOf = new ArrayList<>();
        List<Integer> epochStart = new ArrayList<>(List.of(0));
        TcpReassembler tcp = new TcpReassembler(LIMITS, DROPS, "fuzz", new TcpReassembler.Sink() {
            @Override
            public void sip(FlowKey flow, long timeMicros, byte[] message) {
                received.add(new String(message, StandardCharsets.ISO_8859_1));
                epochOf.add(epochStart.size() - 1);
            }

            @Override
            public void hep(FlowKey flow, long timeMicros, byte[] frame) {
                fail("no HEP was sent");
            }
        });
        FlowKey flow = new FlowKey(Frames.addr("10.0.0.1"), 40000, Frames.addr("10.0.0.2"), 5060);
        long time = 1;
        if (syn) {
            tcp.segment(flow, time++, isn, Segment.SYN, new byte[0], 0, 0);
        }
        int base = isn + 1;
        List<int[]> segments = new ArrayList<>();
        for (int at = 0; at < bytes.length; ) {
            // Once the input is used up, the rest goes in one segment (else 1-byte segments make inputs slow).
            int length = in.remainingBytes() > 0 ? Math.min(bytes.length - at, in.consumeInt(1, 700))
                    : bytes.length - at;
            segments.add(new int[] {at, length});
            at += length;
        }
        for (int i = 0; i < segments.size(); i++) {
            int[] s = segments.get(i);
            int action = in.consumeInt(0, lossy ? 5 : 2);
            switch (action) {
                case 1 -> { // retransmitted: sent twice
                    send(tcp, flow, time++, base, bytes, epochStart, s[0], s[1]);
                    send(tcp, flow, time++, base, bytes, epochStart, s[0], s[1]);
                }
                case 2 -> { // an overlapping retransmission of earlier bytes, then the segment
                    int back = Math.min(s[0], in.consumeInt(0, 300));
                    send(tcp, flow, time++, base, bytes, epochStart, s[0] - back, back + s[1]);
                }
                case 3 -> { } // lost
                case 4 -> { // swapped with the next one
                    if (i + 1 < segments.size()) {
                        int[] next = segments.get(i + 1);
                        send(tcp, flow, time++, base, bytes, epochStart, next[0], next[1]);
                    }
                    send(tcp, flow, time++, base, bytes, epochStart, s[0], s[1]);
                    i++;
                }
                case 5 -> {
                    tcp.segment(flow, time++, base + s[0], Segment.RST, new byte[0], 0, 0);
                    epochStart.add(Integer.MAX_VALUE); // lowered to the first byte sent after the reset
                }
                default -> send(tcp, flow, time++, base, bytes, epochStart, s[0], s[1]);
            }
        }
        if (in.consumeBoolean()) {
            tcp.segment(flow, time++, base + bytes.length, Segment.FIN, new byte[0], 0, 0);
        }
        tcp.finish(time);
        assertTrue(tcp.streamCount() == 0, "a stream outlived finish()");

        if (!lossy) {
            assertEquals(sent, received, "in-order delivery lost or changed a message");
            assertEquals(oversized, DROPS.get(DropReason.SIP_TOO_LARGE) - tooLargeBefore, "over-large messages");
            assertEquals(oversized, DROPS.total() - dropsBefore, "drops in an in-order stream");
        } else {
            // After a loss the stream resumes at the next line that looks like a start line: that may be the tail
            // of a request whose start was lost ("IONS sip:bob@... SIP/2.0" of an OPTIONS), as documented. After a
            // reset the order starts again at the message holding the first byte sent after it: a retransmission of
            // bytes from before the reset may deliver a message a second time (SIP tolerates copies; the pipeline's
            // de-duplication drops them), never a glued or cut one.
            int next = 0;
            for (int r = 0; r < received.size(); r++) {
                String message = received.get(r);
                int epoch = epochOf.get(r);
                if (epoch > 0 && (r == 0 || epochOf.get(r - 1) != epoch)) {
                    next = 0;
                    while (next < sent.size() && sentEnd.get(next) <= epochStart.get(epoch)) {
                        next++;
                    }
                }
                while (next < sent.size() && !sent.get(next).endsWith(message)) {
                    next++;
                }
                assertTrue(next < sent.size(), "delivered a message (or the tail of one) that was not sent, or out"
                        + " of order:\n" + message);
                next++;
            }
        }
    }

    /** Sends bytes {@code [at, at + length)}, noting the lowest offset sent in the current epoch. */
    private static void send(TcpReassembler tcp, FlowKey flow, long time, int base, byte[] bytes,
            List<Integer> epochStart, int at, int length) {
        int last = epochStart.size() - 1;
        epochStart.set(last, Math.min(epochStart.get(last), at));
        tcp.segment(flow, time, base + at, Frames.PSH_ACK, bytes, at, length);
    }
}
