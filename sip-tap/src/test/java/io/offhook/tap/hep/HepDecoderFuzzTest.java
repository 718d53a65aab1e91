package io.offhook.tap.hep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.offhook.tap.hep.HepTestData.Chunk;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz targets for the HEP decoder (a network input anyone on the allow-list can send). Run as regression tests on
 * every build (seeds: the Kamailio fixtures and the inputs under {@code HepDecoderFuzzTestInputs/}); fuzzed by
 * {@code scripts/fuzz hep} and {@code scripts/fuzz hep-roundtrip}.
 */
class HepDecoderFuzzTest {
    /** Junk put around the packet, so that a read outside {@code [offset, offset + length)} shows. */
    private static final int MARGIN = 7;

    static Stream<byte[]> fixtures() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : HepTestData.ALL) {
            seeds.add(HepTestData.fixture(name));
        }
        byte[] stream = HepTestData.fixture(HepTestData.V3_TCP_STREAM);
        seeds.add(stream);
        seeds.add(compressedPacket(HepTestData.INVITE.getBytes(StandardCharsets.US_ASCII), true));
        seeds.add(compressedPacket(HepTestData.INVITE.getBytes(StandardCharsets.US_ASCII), false));
        return seeds.stream();
    }

    /**
     * Any bytes: the decoder answers with a packet or a {@link HepException}, nothing else; a packet's payload lies
     * inside the bytes it was given (or is an inflated copy no larger than {@link HepDecoder#MAX_INFLATED_PAYLOAD});
     * whatever decodes also {@link HepDecoder#looksLikeHep looks like HEP} (the capture reader decodes only that);
     * and decoding does not depend on where in an array the packet lies.
     */
    @MethodSource("fixtures")
    @FuzzTest(maxDuration = "20s")
    void decodeAnyBytes(byte[] input) {
        byte[] framed = new byte[input.length + 2 * MARGIN];
        Arrays.fill(framed, (byte) 'H');
        System.arraycopy(input, 0, framed, MARGIN, input.length);

        HepPacket alone = decodeOrNull(input, 0, input.length);
        HepPacket inside = decodeOrNull(framed, MARGIN, input.length);
        boolean looks = HepDecoder.looksLikeHep(framed, MARGIN, input.length);
        assertEquals(HepDecoder.looksLikeHep(input, 0, input.length), looks);
        if (alone == null) {
            assertEquals(null, inside, "decodes inside a larger array only");
            return;
        }
        assertNotNull(inside, "decodes alone only");
        assertTrue(looks, "decodes but does not look like HEP, so the capture reader would never decode it");
        checkPacket(alone, input, 0, input.length);
        checkPacket(inside, framed, MARGIN, input.length);
        assertArrayEquals(payload(alone), payload(inside));
        assertEquals(alone.toString(), inside.toString());
        SipPacket sip = alone.toSipPacket(123);
        assertEquals(alone.payloadLength(), sip.length());
    }

    private static HepPacket decodeOrNull(byte[] data, int offset, int length) {
        try {
            return HepDecoder.decode(data, offset, length);
        } catch (HepException e) {
            assertNotNull(e.reason());
            assertTrue(e.offset() >= 0 && e.offset() <= length, "offset " + e.offset() + " outside the packet");
            return null;
        }
    }

    private static void checkPacket(HepPacket p, byte[] data, int offset, int length) {
        assertTrue(p.version() >= 1 && p.version() <= 3);
        assertTrue(p.payloadLength() > 0, "empty payload accepted");
        if (p.data() == data) {
            assertTrue(p.payloadOffset() >= offset && p.payloadOffset() + p.payloadLength() <= offset + length,
                    "payload [" + p.payloadOffset() + ", +" + p.payloadLength() + ") outside the packet");
        } else {
            assertEquals(3, p.version(), "only a HEP3 compressed payload gets a fresh array");
            assertEquals(0, p.payloadOffset());
            assertEquals(p.data().length, p.payloadLength());
            assertTrue(p.payloadLength() <= HepDecoder.MAX_INFLATED_PAYLOAD, "inflated past the limit");
        }
    }

    private static byte[] payload(HepPacket p) {
        return Arrays.copyOfRange(p.data(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
    }

    /**
     * What {@link HepEncoder} writes, the decoder reads back: addresses, ports, transport, time, capture id, auth
     * key and payload, in HEPv3 and HEPv2; and a HEP3 packet whose payload is gzip- or zlib-compressed gives the
     * same payload back.
     */
    @FuzzTest(maxDuration = "20s")
    void encodeThenDecode(FuzzedDataProvider in) throws HepException {
        byte[] source = address(in);
        byte[] destination = address(in);
        Transport transport = in.pickValue(new Transport[] {Transport.UDP, Transport.TCP, Transport.SCTP,
            Transport.TLS});
        int sourcePort = in.consumeInt(0, 0xFFFF);
        int destinationPort = in.consumeInt(0, 0xFFFF);
        long time = in.consumeLong(0, 0xFFFF_FFFFL * 1_000_000L + 999_999L);
        int captureId = in.consumeInt();
        String authKey = in.consumeBoolean() ? in.consumeString(64) : null;
        boolean compress = in.consumeBoolean();
        boolean gzip = in.consumeBoolean();
        byte[] payload = in.consumeRemainingAsBytes();
        if (payload.length == 0) {
            payload = new byte[] {'x'};
        }
        SipPacket packet = new SipPacket(time, transport, source, sourcePort, destination, destinationPort, payload,
                0, payload.length);

        byte[] v3;
        try {
            v3 = HepEncoder.encodeV3(packet, captureId, authKey);
        } catch (IllegalArgumentException tooLarge) {
            return; // more than a HEP3 packet can hold: the encoder refuses, as it says
        }
        HepPacket back = HepDecoder.decode(v3, 0, v3.length);
        assertSame(v3, back.data());
        assertEquals(3, back.version());
        assertSameAsSent(packet, back, payload);
        assertEquals(Integer.toUnsignedLong(captureId), back.captureId());
        assertEquals(authKey == null ? null : asDecoded(authKey), back.authKey());

        // HEPv2 holds one family; an IPv4-mapped IPv6 address is an IPv4 address to the encoder (InetAddress).
        int sourceLength = packet.sourceAddress() == null ? 0 : packet.sourceAddress().getAddress().length;
        int destinationLength = packet.destinationAddress() == null ? 0
                : packet.destinationAddress().getAddress().length;
        if (sourceLength == destinationLength || sourceLength == 0 || destinationLength == 0) {
            byte[] v2 = HepEncoder.encodeV2(packet, captureId);
            HepPacket back2 = HepDecoder.decode(v2, 0, v2.length);
            assertEquals(2, back2.version());
            assertSameAsSent(packet, back2, payload);
            assertEquals(captureId & 0xFFFF, back2.captureId());
        }

        if (compress && payload.length <= HepDecoder.MAX_INFLATED_PAYLOAD) {
            byte[] zipped = compressedPacket(payload, gzip);
            if (zipped.length <= 0xFFFF) {
                HepPacket inflated = HepDecoder.decode(zipped, 0, zipped.length);
                assertArrayEquals(payload, payload(inflated));
            }
        }
    }

    /** A text chunk as the decoder gives it back: UTF-8, trailing NULs dropped (C agents count the terminator). */
    private static String asDecoded(String text) {
        String s = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == 0) {
            end--;
        }
        return s.substring(0, end);
    }

    private static void assertSameAsSent(SipPacket sent, HepPacket back, byte[] payload) {
        SipPacket got = back.toSipPacket(-5);
        assertEquals(sent.transport(), got.transport());
        assertEquals(sent.sourcePort(), got.sourcePort());
        assertEquals(sent.destinationPort(), got.destinationPort());
        assertEquals(sent.timeMicros(), got.timeMicros());
        if (sent.sourceAddress() != null) {
            assertEquals(sent.sourceAddress(), got.sourceAddress());
        }
        if (sent.destinationAddress() != null) {
            assertEquals(sent.destinationAddress(), got.destinationAddress());
        }
        assertArrayEquals(payload, payload(back));
    }

    private static byte[] address(FuzzedDataProvider in) {
        return switch (in.consumeInt(0, 2)) {
            case 0 -> new byte[0];
            case 1 -> Arrays.copyOf(in.consumeBytes(4), 4);
            default -> Arrays.copyOf(in.consumeBytes(16), 16);
        };
    }

    /** A HEP3 packet (UDP, IPv4) whose only payload is {@code payload} compressed in chunk 16. */
    static byte[] compressedPacket(byte[] payload, boolean gzip) {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        // Streams that make their own Deflater end it on close (a Deflater passed in would hold native memory
        // until a GC).
        try (var out = gzip ? new GZIPOutputStream(zipped) : new DeflaterOutputStream(zipped)) {
            out.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HepTestData.hep3(List.of(Chunk.uint(HepDecoder.CHUNK_IP_FAMILY, HepPacket.FAMILY_IPV4, 1),
                Chunk.uint(HepDecoder.CHUNK_IP_PROTOCOL, HepPacket.IPPROTO_UDP, 1),
                Chunk.uint(HepDecoder.CHUNK_PROTOCOL_TYPE, HepPacket.PAYLOAD_SIP, 1),
                Chunk.of(HepDecoder.CHUNK_COMPRESSED_PAYLOAD, zipped.toByteArray())));
    }
}
