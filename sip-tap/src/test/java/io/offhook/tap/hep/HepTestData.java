package io.offhook.tap.hep;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Fixtures and a HEP3 chunk builder for the tests of this package. */
final class HepTestData {
    static final String V3_IPV4 = "kamailio-5.6-hepv3-ipv4-options.hex";
    static final String V3_IPV4_REPLY = "kamailio-5.6-hepv3-ipv4-reply.hex";
    static final String V3_IPV6 = "kamailio-5.6-hepv3-ipv6-options.hex";
    static final String V2_IPV4 = "kamailio-5.6-hepv2-ipv4-options.hex";
    static final String V2_IPV6 = "kamailio-5.6-hepv2-ipv6-options.hex";
    static final String V1_IPV4 = "kamailio-5.6-hepv1-ipv4-options.hex";
    static final String V1_IPV6 = "kamailio-5.6-hepv1-ipv6-options.hex";
    static final List<String> ALL = List.of(V3_IPV4, V3_IPV4_REPLY, V3_IPV6, V2_IPV4, V2_IPV6, V1_IPV4, V1_IPV6);

    static final String INVITE = "INVITE sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n"
            + "Max-Forwards: 70\r\n"
            + "To: Bob <sip:bob@example.com>\r\n"
            + "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
            + "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
            + "CSeq: 314159 INVITE\r\n"
            + "Contact: <sip:alice@192.0.2.10>\r\n"
            + "Content-Length: 0\r\n\r\n";

    private HepTestData() {
    }

    static byte[] fixture(String name) {
        try (InputStream in = HepTestData.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One HEP3 chunk: vendor, type and value (the length is computed). */
    record Chunk(int vendor, int type, byte[] value) {
        static Chunk of(int type, byte[] value) {
            return new Chunk(0, type, value);
        }

        static Chunk uint(int type, long value, int width) {
            byte[] b = new byte[width];
            for (int i = 0; i < width; i++) {
                b[i] = (byte) (value >>> (8 * (width - 1 - i)));
            }
            return new Chunk(0, type, b);
        }

        static Chunk text(int type, String value) {
            return new Chunk(0, type, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Splits a well-formed HEP3 packet into its chunks. */
    static List<Chunk> chunks(byte[] hep3) {
        List<Chunk> out = new ArrayList<>();
        int total = (hep3[4] & 0xFF) << 8 | (hep3[5] & 0xFF);
        int pos = 6;
        for (int guard = 0; pos < total && guard < 1000; guard++) {
            int vendor = (hep3[pos] & 0xFF) << 8 | (hep3[pos + 1] & 0xFF);
            int type = (hep3[pos + 2] & 0xFF) << 8 | (hep3[pos + 3] & 0xFF);
            int length = (hep3[pos + 4] & 0xFF) << 8 | (hep3[pos + 5] & 0xFF);
            byte[] value = new byte[length - 6];
            System.arraycopy(hep3, pos + 6, value, 0, value.length);
            out.add(new Chunk(vendor, type, value));
            pos += length;
        }
        return out;
    }

    /** Builds a HEP3 packet with "HEP3", the right total length and the chunks in the order given. */
    static byte[] hep3(List<Chunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'H', 'E', 'P', '3', 0, 0});
        for (Chunk c : chunks) {
            int length = 6 + c.value().length;
            out.writeBytes(new byte[] {(byte) (c.vendor() >>> 8), (byte) c.vendor(), (byte) (c.type() >>> 8),
                (byte) c.type(), (byte) (length >>> 8), (byte) length});
            out.writeBytes(c.value());
        }
        byte[] bytes = out.toByteArray();
        bytes[4] = (byte) (bytes.length >>> 8);
        bytes[5] = (byte) bytes.length;
        return bytes;
    }
}
