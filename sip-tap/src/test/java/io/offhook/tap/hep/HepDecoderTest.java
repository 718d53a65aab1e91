package io.offhook.tap.hep;

import static io.offhook.tap.hep.HepTestData.Chunk;
import static io.offhook.tap.hep.HepTestData.chunks;
import static io.offhook.tap.hep.HepTestData.fixture;
import static io.offhook.tap.hep.HepTestData.hep3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HEP v1/v2/v3 decoding (HEP3 Network Protocol Specification rev. 37; v1/v2 as Kamailio 5.6 sends them), against
 * real Kamailio datagrams and built packets.
 */
class HepDecoderTest {
    private static final byte[] LOOPBACK4 = {127, 0, 0, 1};
    private static final byte[] LOOPBACK6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private static String options(String host, int ipVersion) {
        return "OPTIONS sip:probe@" + host + ":25060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":25070;branch=z9hG4bK-hep" + ipVersion + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@" + host + ">;tag=abc\r\n"
                + "To: <sip:probe@" + host + ">\r\n"
                + "Call-ID: hepv-probe-" + ipVersion + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String payload(HepPacket p) {
        return new String(p.data(), p.payloadOffset(), p.payloadLength(), StandardCharsets.UTF_8);
    }

    private static HepPacket decode(byte[] data) throws HepException {
        return HepDecoder.decode(data, 0, data.length);
    }

    private static HepException decodeFails(byte[] data) {
        return assertThrows(HepException.class, () -> decode(data));
    }

    // ---- real Kamailio 5.6 datagrams ----

    @Test
    void kamailioHepV3Ipv4() throws Exception {
        HepPacket p = decode(fixture(HepTestData.V3_IPV4));
        assertEquals(3, p.version());
        assertEquals(HepPacket.FAMILY_IPV4, p.ipFamily());
        assertEquals(17, p.ipProtocol());
        assertArrayEquals(LOOPBACK4, p.sourceAddress());
        assertEquals(25070, p.sourcePort());
        assertArrayEquals(LOOPBACK4, p.destinationAddress());
        assertEquals(25060, p.destinationPort());
        assertEquals(0x6b0727c5L * 1_000_000L + 0xf53f, p.timeMicros());
        assertEquals(1, p.payloadType());
        assertTrue(p.isSip());
        assertEquals(2001, p.captureId());
        assertNull(p.authKey());
        assertNull(p.correlationId());
        assertEquals(options("127.0.0.1", 4), payload(p));
    }

    /**
     * IPv4 address arrays are shared between packets (Ipv4Addresses): with far more addresses than its table has
     * slots, in an order that makes them collide, each packet still has its own addresses, and what a caller does
     * to the arrays it gets changes no packet.
     */
    @Test
    void sharedIpv4AddressesStayRightAndCannotBeChanged() throws Exception {
        Random random = new Random(4);
        List<Chunk> base = chunks(fixture(HepTestData.V3_IPV4));
        for (int i = 0; i < 20_000; i++) {
            byte[] source = new byte[4];
            byte[] destination = new byte[4];
            random.nextBytes(source);
            random.nextBytes(destination);
            List<Chunk> chunks = new ArrayList<>();
            for (Chunk c : base) {
                chunks.add(c.type() == HepDecoder.CHUNK_IPV4_SOURCE ? Chunk.of(c.type(), source)
                        : c.type() == HepDecoder.CHUNK_IPV4_DESTINATION ? Chunk.of(c.type(), destination) : c);
            }
            HepPacket p = decode(hep3(chunks));
            assertArrayEquals(source, p.sourceAddress());
            assertArrayEquals(destination, p.destinationAddress());
            p.sourceAddress()[0] ^= 1;
            p.destinationAddress()[3] ^= 1;
            assertArrayEquals(source, p.sourceAddress());
            assertArrayEquals(destination, p.destinationAddress());
            assertEquals(InetAddress.getByAddress(source), p.toSipPacket().sourceAddress());
            // The next packet from the same source gets the same bytes.
            assertArrayEquals(source, decode(hep3(chunks)).sourceAddress());
        }
    }

    @Test
    void kamailioHepV3ReplyItGeneratedItself() throws Exception {
        HepPacket p = decode(fixture(HepTestData.V3_IPV4_REPLY));
        assertEquals(25060, p.sourcePort());
        assertEquals(25070, p.destinationPort());
        assertTrue(payload(p).startsWith("SIP/2.0 200 OK\r\n"));
        assertTrue(payload(p).endsWith("\r\n\r\n"));
    }

    @Test
    void kamailioHepV3Ipv6() throws Exception {
        HepPacket p = decode(fixture(HepTestData.V3_IPV6));
        assertEquals(HepPacket.FAMILY_IPV6, p.ipFamily());
        assertArrayEquals(LOOPBACK6, p.sourceAddress());
        assertArrayEquals(LOOPBACK6, p.destinationAddress());
        assertEquals(options("[::1]", 6), payload(p));
        SipPacket sip = p.toSipPacket();
        assertEquals(InetAddress.getByName("::1"), sip.sourceAddress());
        assertEquals(Transport.UDP, sip.transport());
    }

    @Test
    void kamailioHepV2Ipv4HasLittleEndianTimeAndCaptureId() throws Exception {
        HepPacket p = decode(fixture(HepTestData.V2_IPV4));
        assertEquals(2, p.version());
        assertEquals(HepPacket.FAMILY_IPV4, p.ipFamily());
        assertEquals(17, p.ipProtocol());
        assertArrayEquals(LOOPBACK4, p.sourceAddress());
        assertEquals(25070, p.sourcePort());
        assertEquals(25060, p.destinationPort());
        // bytes c4 27 07 6b / 59 14 02 00 / d1 07: little-endian on the wire
        assertEquals(0x6b0727c4L * 1_000_000L + 0x021459, p.timeMicros());
        assertEquals(2001, p.captureId());
        assertTrue(p.isSip());
        assertEquals(28, p.payloadOffset());
        assertEquals(options("127.0.0.1", 4), payload(p));
    }

    @Test
    void kamailioHepV2Ipv6() throws Exception {
        HepPacket p = decode(fixture(HepTestData.V2_IPV6));
        assertEquals(HepPacket.FAMILY_IPV6, p.ipFamily());
        assertArrayEquals(LOOPBACK6, p.sourceAddress());
        assertArrayEquals(LOOPBACK6, p.destinationAddress());
        assertEquals(2001, p.captureId());
        assertEquals(52, p.payloadOffset());
        assertEquals(options("[::1]", 6), payload(p));
    }

    @Test
    void kamailioHepV1HasNoTime() throws Exception {
        HepPacket p4 = decode(fixture(HepTestData.V1_IPV4));
        assertEquals(1, p4.version());
        assertEquals(HepPacket.UNKNOWN_TIME, p4.timeMicros());
        assertEquals(0, p4.captureId());
        assertEquals(16, p4.payloadOffset());
        assertEquals(options("127.0.0.1", 4), payload(p4));
        assertEquals(0, p4.toSipPacket().timeMicros());
        assertEquals(42, p4.toSipPacket(42).timeMicros());

        HepPacket p6 = decode(fixture(HepTestData.V1_IPV6));
        assertArrayEquals(LOOPBACK6, p6.sourceAddress());
        assertEquals(40, p6.payloadOffset());
        assertEquals(options("[::1]", 6), payload(p6));
    }

    @Test
    void toSipPacketSharesThePayload() throws Exception {
        byte[] data = fixture(HepTestData.V3_IPV4);
        HepPacket p = decode(data);
        SipPacket sip = p.toSipPacket();
        assertTrue(sip.data() == data, "no copy");
        assertEquals(p.payloadOffset(), sip.offset());
        assertEquals(p.payloadLength(), sip.length());
        assertEquals(p.timeMicros(), sip.timeMicros());
        assertEquals(InetAddress.getByName("127.0.0.1"), sip.destinationAddress());
        assertEquals(25060, sip.destinationPort());
    }

    @Test
    void decodesAtAnOffsetInsideALargerBuffer() throws Exception {
        byte[] hep = fixture(HepTestData.V2_IPV4);
        byte[] buffer = new byte[hep.length + 100];
        Arrays.fill(buffer, (byte) 0x55);
        System.arraycopy(hep, 0, buffer, 37, hep.length);
        HepPacket p = HepDecoder.decode(buffer, 37, hep.length);
        assertEquals(options("127.0.0.1", 4), payload(p));
        assertTrue(HepDecoder.looksLikeHep(buffer, 37, hep.length));
    }

    // ---- chunk order, unknown and vendor chunks ----

    /**
     * Every one of the 8! orders of the address, port, family, protocol, type and payload chunks, each with the
     * time and capture-id chunks in front, then seeded shuffles of all 11 chunks: the result never changes.
     */
    @Test
    void chunkOrderDoesNotMatter() throws Exception {
        List<Chunk> all = chunks(fixture(HepTestData.V3_IPV4));
        assertEquals(11, all.size());
        HepPacket expected = decode(hep3(all));
        List<Chunk> fixed = new ArrayList<>();
        List<Chunk> permuted = new ArrayList<>();
        for (Chunk c : all) {
            boolean timeOrId = c.type() == HepDecoder.CHUNK_TIME_SECONDS || c.type() == HepDecoder.CHUNK_TIME_MICROS
                    || c.type() == HepDecoder.CHUNK_CAPTURE_ID;
            (timeOrId ? fixed : permuted).add(c);
        }
        assertEquals(8, permuted.size());
        int[] count = {0};
        permute(permuted, 0, order -> {
            List<Chunk> chunks = new ArrayList<>(fixed);
            chunks.addAll(order);
            assertSame(expected, decodeUnchecked(hep3(chunks)));
            count[0]++;
        });
        assertEquals(40320, count[0]);

        Random random = new Random(20261125);
        for (int i = 0; i < 5000; i++) {
            List<Chunk> shuffled = new ArrayList<>(all);
            Collections.shuffle(shuffled, random);
            assertSame(expected, decode(hep3(shuffled)));
        }
    }

    private interface OrderCheck {
        void check(List<Chunk> order);
    }

    private static void permute(List<Chunk> list, int k, OrderCheck check) {
        if (k == list.size()) {
            check.check(list);
            return;
        }
        for (int i = k; i < list.size(); i++) {
            Collections.swap(list, k, i);
            permute(list, k + 1, check);
            Collections.swap(list, k, i);
        }
    }

    private static HepPacket decodeUnchecked(byte[] data) {
        try {
            return decode(data);
        } catch (HepException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static void assertSame(HepPacket expected, HepPacket actual) {
        assertEquals(expected.version(), actual.version());
        assertEquals(expected.ipFamily(), actual.ipFamily());
        assertEquals(expected.ipProtocol(), actual.ipProtocol());
        assertArrayEquals(expected.sourceAddress(), actual.sourceAddress());
        assertEquals(expected.sourcePort(), actual.sourcePort());
        assertArrayEquals(expected.destinationAddress(), actual.destinationAddress());
        assertEquals(expected.destinationPort(), actual.destinationPort());
        assertEquals(expected.timeMicros(), actual.timeMicros());
        assertEquals(expected.payloadType(), actual.payloadType());
        assertEquals(expected.captureId(), actual.captureId());
        assertEquals(expected.authKey(), actual.authKey());
        assertEquals(expected.correlationId(), actual.correlationId());
        assertEquals(payload(expected), payload(actual));
    }

    @Test
    void unknownAndVendorChunksAreSkipped() throws Exception {
        byte[] original = fixture(HepTestData.V3_IPV4);
        HepPacket expected = decode(original);
        List<Chunk> chunks = new ArrayList<>(chunks(original));
        // a vendor chunk reusing the payload and capture-id type numbers must not be read as ours
        chunks.add(0, new Chunk(2, HepDecoder.CHUNK_PAYLOAD, "not the payload".getBytes(StandardCharsets.UTF_8)));
        chunks.add(3, new Chunk(5, HepDecoder.CHUNK_CAPTURE_ID, new byte[] {0, 0, 0, 9}));
        chunks.add(5, Chunk.text(0x0022, "GEO location")); // a generic type the tap does not use
        chunks.add(7, Chunk.of(0, new byte[0])); // type 0 with an empty value
        chunks.add(Chunk.uint(0x0013, 0xFFFF_FFFFL, 4));
        chunks.add(Chunk.text(0x7FFF, "from a future revision"));
        assertSame(expected, decode(hep3(chunks)));
    }

    @Test
    void readsAuthKeyAndCorrelationIdAndKeepsTheKeyOutOfToString() throws Exception {
        List<Chunk> chunks = new ArrayList<>(chunks(fixture(HepTestData.V3_IPV4)));
        chunks.add(2, Chunk.text(HepDecoder.CHUNK_AUTH_KEY, "s3cret-key\0"));
        chunks.add(Chunk.text(HepDecoder.CHUNK_CORRELATION_ID, "hepv-probe-4"));
        HepPacket p = decode(hep3(chunks));
        assertEquals("s3cret-key", p.authKey());
        assertEquals("hepv-probe-4", p.correlationId());
        assertFalse(p.toString().contains("s3cret"), p.toString());
        assertTrue(p.toString().contains("auth key set"), p.toString());
    }

    @Test
    void lastOfARepeatedChunkWins() throws Exception {
        List<Chunk> chunks = new ArrayList<>(chunks(fixture(HepTestData.V3_IPV4)));
        chunks.add(Chunk.uint(HepDecoder.CHUNK_SOURCE_PORT, 5080, 2));
        assertEquals(5080, decode(hep3(chunks)).sourcePort());
    }

    @Test
    void integerChunksAreReadAtTheWidthTheyWereSent() throws Exception {
        List<Chunk> chunks = List.of(
                Chunk.uint(HepDecoder.CHUNK_IP_FAMILY, 2, 2),
                Chunk.uint(HepDecoder.CHUNK_IP_PROTOCOL, 6, 4),
                Chunk.uint(HepDecoder.CHUNK_SOURCE_PORT, 5060, 4),
                Chunk.uint(HepDecoder.CHUNK_DESTINATION_PORT, 5061, 2),
                Chunk.uint(HepDecoder.CHUNK_CAPTURE_ID, 0xFFFF_FFFEL, 4),
                Chunk.uint(HepDecoder.CHUNK_TIME_SECONDS, 0xFFFF_FFFFL, 4),
                Chunk.uint(HepDecoder.CHUNK_PROTOCOL_TYPE, 1, 1),
                Chunk.text(HepDecoder.CHUNK_PAYLOAD, HepTestData.INVITE));
        HepPacket p = decode(hep3(chunks));
        assertEquals(Transport.TCP, p.transport());
        assertEquals(5060, p.sourcePort());
        assertEquals(0xFFFF_FFFEL, p.captureId());
        assertEquals(0xFFFF_FFFFL * 1_000_000L, p.timeMicros());
        assertEquals(0, p.sourceAddress().length, "no address chunk");
        assertEquals(null, p.toSipPacket().sourceAddress());
    }

    @Test
    void missingTimeAndTypeAreReportedAsSuch() throws Exception {
        HepPacket p = decode(hep3(List.of(Chunk.text(HepDecoder.CHUNK_PAYLOAD, HepTestData.INVITE))));
        assertEquals(HepPacket.UNKNOWN_TIME, p.timeMicros());
        assertEquals(0, p.payloadType());
        assertFalse(p.isSip());
        assertEquals(Transport.OTHER, p.transport());
        assertEquals(1234, p.toSipPacket(1234).timeMicros());
    }

    @Test
    void nonSipPayloadTypeDecodesButIsNotSip() throws Exception {
        List<Chunk> chunks = new ArrayList<>();
        for (Chunk c : chunks(fixture(HepTestData.V3_IPV4))) {
            chunks.add(c.type() == HepDecoder.CHUNK_PROTOCOL_TYPE ? Chunk.uint(c.type(), 100, 1) : c);
        }
        HepPacket p = decode(hep3(chunks));
        assertEquals(100, p.payloadType());
        assertFalse(p.isSip());
    }

    @Test
    void acceptsTheEep3Magic() throws Exception {
        byte[] data = fixture(HepTestData.V3_IPV4);
        data[0] = 'E';
        assertEquals(options("127.0.0.1", 4), payload(decode(data)));
        assertTrue(HepDecoder.looksLikeHep(data, 0, data.length));
    }

    @Test
    void ignoresBytesAfterTheTotalLength() throws Exception {
        byte[] hep = fixture(HepTestData.V3_IPV4);
        byte[] padded = Arrays.copyOf(hep, hep.length + 7);
        assertEquals(options("127.0.0.1", 4), payload(decode(padded)));
    }

    @Test
    void acceptsAV2HeaderLengthThatCountsTheTimeHeader() throws Exception {
        byte[] data = fixture(HepTestData.V2_IPV4);
        data[1] = 28;
        HepPacket p = decode(data);
        assertEquals(28, p.payloadOffset());
        assertEquals(2001, p.captureId());
    }

    // ---- compressed payload ----

    private static byte[] withCompressedPayload(byte[] compressed, boolean alsoPlain) {
        List<Chunk> chunks = new ArrayList<>();
        for (Chunk c : chunks(fixture(HepTestData.V3_IPV4))) {
            if (c.type() != HepDecoder.CHUNK_PAYLOAD || alsoPlain) {
                chunks.add(c);
            }
        }
        chunks.add(3, Chunk.of(HepDecoder.CHUNK_COMPRESSED_PAYLOAD, compressed));
        return hep3(chunks);
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data, boolean zlibHeader) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, !zlibHeader);
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, deflater)) {
            d.write(data);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    @Test
    void inflatesGzipZlibAndRawDeflatePayloads() throws Exception {
        byte[] sip = HepTestData.INVITE.getBytes(StandardCharsets.UTF_8);
        for (byte[] compressed : List.of(gzip(sip), deflate(sip, true), deflate(sip, false))) {
            HepPacket p = decode(withCompressedPayload(compressed, false));
            assertEquals(HepTestData.INVITE, payload(p));
            assertEquals(0, p.payloadOffset());
            assertEquals(25060, p.destinationPort());
        }
    }

    @Test
    void aPlainPayloadWinsOverACompressedOne() throws Exception {
        byte[] sip = HepTestData.INVITE.getBytes(StandardCharsets.UTF_8);
        HepPacket p = decode(withCompressedPayload(gzip(sip), true));
        assertEquals(options("127.0.0.1", 4), payload(p));
    }

    @Test
    void rejectsDamagedOrOversizedCompressedPayloads() throws Exception {
        byte[] sip = HepTestData.INVITE.getBytes(StandardCharsets.UTF_8);
        byte[] gz = gzip(sip);
        byte[] zl = deflate(sip, true);
        byte[] bomb = gzip(new byte[HepDecoder.MAX_INFLATED_PAYLOAD + 1]);
        byte[] zlibBomb = deflate(new byte[HepDecoder.MAX_INFLATED_PAYLOAD + 1], true);
        assertTrue(bomb.length < 2000, "a small packet that inflates past the cap");
        List<byte[]> bad = List.of(
                Arrays.copyOf(gz, gz.length / 2),
                Arrays.copyOf(zl, zl.length / 2),
                new byte[] {0x1F, (byte) 0x8B, 8, 0, 1, 2, 3},
                "plainly not compressed at all".getBytes(StandardCharsets.UTF_8),
                new byte[0],
                bomb,
                zlibBomb);
        for (byte[] compressed : bad) {
            HepException e = decodeFails(withCompressedPayload(compressed, false));
            assertEquals(DropReason.HEP_BAD_CHUNK, e.reason(), e.getMessage());
        }
        assertTrue(decodeFails(withCompressedPayload(bomb, false)).getMessage().contains("inflates past"));
    }

    // ---- bad input ----

    @ParameterizedTest
    @ValueSource(strings = {HepTestData.V3_IPV4, HepTestData.V3_IPV6, HepTestData.V3_IPV4_REPLY})
    void v3TruncatedAtEveryOffsetIsTruncated(String name) {
        byte[] data = fixture(name);
        for (int n = 0; n < data.length; n++) {
            byte[] cut = Arrays.copyOf(data, n);
            HepException e = decodeFails(cut);
            assertEquals(DropReason.HEP_TRUNCATED, e.reason(), "cut at " + n + ": " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {HepTestData.V3_IPV4, HepTestData.V3_IPV6})
    void v3CutAtEveryOffsetWithAConsistentTotalLengthIsABadChunkOrHasNoPayload(String name) {
        byte[] data = fixture(name);
        List<Integer> boundaries = new ArrayList<>();
        int pos = 6;
        for (Chunk c : chunks(data)) {
            boundaries.add(pos);
            pos += 6 + c.value().length;
        }
        for (int n = 6; n < data.length; n++) {
            byte[] cut = Arrays.copyOf(data, n);
            cut[4] = (byte) (n >>> 8);
            cut[5] = (byte) n;
            HepException e = decodeFails(cut);
            DropReason expected = boundaries.contains(n) ? DropReason.HEP_NO_PAYLOAD : DropReason.HEP_BAD_CHUNK;
            assertEquals(expected, e.reason(), "cut at " + n + ": " + e.getMessage());
        }
    }

    /** HEPv1/v2 have no length field: a cut inside the header fails; a cut in the payload only shortens it. */
    @ParameterizedTest
    @ValueSource(strings = {HepTestData.V2_IPV4, HepTestData.V2_IPV6, HepTestData.V1_IPV4, HepTestData.V1_IPV6})
    void v2TruncatedAtEveryOffset(String name) throws Exception {
        byte[] data = fixture(name);
        int header = decode(data).payloadOffset();
        for (int n = 0; n < data.length; n++) {
            byte[] cut = Arrays.copyOf(data, n);
            if (n < header) {
                assertEquals(DropReason.HEP_TRUNCATED, decodeFails(cut).reason(), "cut at " + n);
            } else if (n == header) {
                assertEquals(DropReason.HEP_NO_PAYLOAD, decodeFails(cut).reason(), "cut at " + n);
            } else {
                assertEquals(n - header, decode(cut).payloadLength());
            }
        }
    }

    @Test
    void namesTheProblemAndItsOffset() {
        byte[] data = fixture(HepTestData.V3_IPV4);
        // the second chunk (IP protocol) starts at byte 13; its length field (7) is at bytes 17-18
        data[13 + 4] = 0;
        data[13 + 5] = 5;
        HepException e = decodeFails(data);
        assertEquals(DropReason.HEP_BAD_CHUNK, e.reason());
        assertEquals(13, e.offset());
        assertTrue(e.getMessage().contains("length 5") && e.getMessage().contains("at byte 13"), e.getMessage());
        assertEquals(0, e.getStackTrace().length, "no stack trace");
    }

    @Test
    void specificBadPackets() {
        byte[] sip = HepTestData.INVITE.getBytes(StandardCharsets.UTF_8);
        assertEquals(DropReason.HEP_UNKNOWN_VERSION, decodeFails(sip).reason());
        assertEquals(DropReason.HEP_TRUNCATED, decodeFails(new byte[0]).reason());
        assertEquals(DropReason.HEP_TRUNCATED, decodeFails(new byte[] {'H', 'E', 'P'}).reason());
        assertEquals(DropReason.HEP_TRUNCATED, decodeFails(new byte[] {'H', 'E', 'P', '3', 0}).reason());
        assertEquals(DropReason.HEP_BAD_CHUNK, decodeFails(new byte[] {'H', 'E', 'P', '3', 0, 5}).reason());
        assertEquals(DropReason.HEP_NO_PAYLOAD, decodeFails(new byte[] {'H', 'E', 'P', '3', 0, 6}).reason());
        assertEquals(DropReason.HEP_UNKNOWN_VERSION, decodeFails(new byte[] {4, 16, 2, 17, 0, 0}).reason());
        assertEquals(DropReason.HEP_TRUNCATED, decodeFails(new byte[] {2, 16}).reason());

        byte[] badFamily = fixture(HepTestData.V2_IPV4);
        badFamily[2] = 7;
        assertEquals(DropReason.HEP_UNKNOWN_VERSION, decodeFails(badFamily).reason());
        byte[] badHeaderLength = fixture(HepTestData.V2_IPV4);
        badHeaderLength[1] = 40;
        assertEquals(DropReason.HEP_UNKNOWN_VERSION, decodeFails(badHeaderLength).reason());

        List<Chunk> base = List.of(Chunk.text(HepDecoder.CHUNK_PAYLOAD, HepTestData.INVITE));
        List<List<Chunk>> badChunks = List.of(
                List.of(Chunk.of(HepDecoder.CHUNK_IPV4_SOURCE, new byte[5])),
                List.of(Chunk.of(HepDecoder.CHUNK_IPV6_DESTINATION, new byte[4])),
                List.of(Chunk.uint(HepDecoder.CHUNK_SOURCE_PORT, 70000, 4)),
                List.of(Chunk.of(HepDecoder.CHUNK_TIME_SECONDS, new byte[3])),
                List.of(Chunk.of(HepDecoder.CHUNK_IP_FAMILY, new byte[0])),
                List.of(Chunk.of(HepDecoder.CHUNK_CAPTURE_ID, new byte[8])));
        for (List<Chunk> extra : badChunks) {
            List<Chunk> chunks = new ArrayList<>(extra);
            chunks.addAll(base);
            HepException e = decodeFails(hep3(chunks));
            assertEquals(DropReason.HEP_BAD_CHUNK, e.reason(), e.getMessage());
            assertEquals(6, e.offset());
        }
        assertEquals(DropReason.HEP_NO_PAYLOAD,
                decodeFails(hep3(List.of(Chunk.of(HepDecoder.CHUNK_PAYLOAD, new byte[0])))).reason());
        assertEquals(DropReason.HEP_NO_PAYLOAD,
                decodeFails(hep3(List.of(Chunk.uint(HepDecoder.CHUNK_PROTOCOL_TYPE, 1, 1)))).reason());
    }

    /** Random bytes and random damage to real packets: a packet or a HepException, nothing else, ever. */
    @Test
    void garbageNeverThrowsAnythingButHepException() {
        Random random = new Random(42);
        List<byte[]> seeds = new ArrayList<>();
        for (String name : HepTestData.ALL) {
            seeds.add(fixture(name));
        }
        int decoded = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] data;
            if (i % 3 == 0) {
                data = new byte[random.nextInt(120)];
                random.nextBytes(data);
                if (i % 2 == 0 && data.length >= 4) {
                    System.arraycopy(new byte[] {'H', 'E', 'P', '3'}, 0, data, 0, 4);
                } else if (data.length > 0 && i % 5 == 0) {
                    data[0] = (byte) (1 + random.nextInt(2));
                }
            } else {
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                data = Arrays.copyOf(seed, seed.length);
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(Math.min(data.length, i % 2 == 0 ? 64 : data.length));
                    data[at] = (byte) random.nextInt(256);
                }
            }
            HepDecoder.looksLikeHep(data, 0, data.length);
            try {
                decode(data);
                decoded++;
            } catch (HepException expected) {
                assertTrue(expected.getMessage().contains("(at byte "), expected.getMessage());
            } catch (RuntimeException e) {
                fail("input " + Arrays.toString(data) + " threw " + e, e);
            }
        }
        assertTrue(decoded > 0, "some damaged packets are still decodable");
    }

    // ---- looksLikeHep ----

    @Test
    void looksLikeHep() {
        for (String name : HepTestData.ALL) {
            byte[] data = fixture(name);
            assertTrue(HepDecoder.looksLikeHep(data, 0, data.length), name);
        }
        byte[] sip = HepTestData.INVITE.getBytes(StandardCharsets.UTF_8);
        assertFalse(HepDecoder.looksLikeHep(sip, 0, sip.length));
        byte[] response = "SIP/2.0 200 OK\r\n".getBytes(StandardCharsets.UTF_8);
        assertFalse(HepDecoder.looksLikeHep(response, 0, response.length));
        assertFalse(HepDecoder.looksLikeHep(new byte[0], 0, 0));
        assertFalse(HepDecoder.looksLikeHep(new byte[] {'H', 'E', 'P'}, 0, 3));
        byte[] v2 = fixture(HepTestData.V2_IPV4);
        assertFalse(HepDecoder.looksLikeHep(v2, 0, 20), "too short for the v2 header with time");
        byte[] wrongLength = fixture(HepTestData.V2_IPV4);
        wrongLength[1] = 17;
        assertFalse(HepDecoder.looksLikeHep(wrongLength, 0, wrongLength.length));
        byte[] wrongFamily = fixture(HepTestData.V1_IPV6);
        wrongFamily[2] = 2;
        assertFalse(HepDecoder.looksLikeHep(wrongFamily, 0, wrongFamily.length));
        byte[] keepAlive = {0, 0, 0, 0};
        assertFalse(HepDecoder.looksLikeHep(keepAlive, 0, 4));
    }

    // ---- HepPacket ----

    @Test
    void transportFromIpProtocol() {
        assertEquals(Transport.UDP, packetWithProtocol(17).transport());
        assertEquals(Transport.TCP, packetWithProtocol(6).transport());
        assertEquals(Transport.SCTP, packetWithProtocol(132).transport());
        assertEquals(Transport.TLS, packetWithProtocol(22).transport());
        assertEquals(Transport.OTHER, packetWithProtocol(0).transport());
        assertEquals(Transport.OTHER, packetWithProtocol(99).transport());
    }

    private static HepPacket packetWithProtocol(int protocol) {
        return new HepPacket(3, 2, protocol, LOOPBACK4, 1, LOOPBACK4, 2, 0, 1, 0, null, null, new byte[1], 0, 1);
    }

    @Test
    void packetValidatesItself() {
        byte[] one = new byte[1];
        assertThrows(IllegalArgumentException.class,
                () -> new HepPacket(4, 2, 17, LOOPBACK4, 1, LOOPBACK4, 2, 0, 1, 0, null, null, one, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new HepPacket(3, 2, 17, new byte[5], 1, LOOPBACK4, 2, 0, 1, 0, null, null, one, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new HepPacket(3, 2, 17, LOOPBACK4, 65536, LOOPBACK4, 2, 0, 1, 0, null, null, one, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new HepPacket(3, 2, 17, LOOPBACK4, 1, LOOPBACK4, 2, -2, 1, 0, null, null, one, 0, 1));
        assertThrows(IndexOutOfBoundsException.class,
                () -> new HepPacket(3, 2, 17, LOOPBACK4, 1, LOOPBACK4, 2, 0, 1, 0, null, null, one, 0, 2));
    }
}
