package io.offhook.tap.hep;

import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes a {@link SipPacket} as HEP, the way Kamailio's siptrace does (same chunk order and byte orders, see
 * {@link HepDecoder}). The tap itself only receives HEP; this exists so tests, benchmarks and the lab can produce
 * realistic HEP without a proxy. Stateless and thread-safe.
 */
public final class HepEncoder {
    private HepEncoder() {
    }

    /**
     * HEPv3: family, IP protocol, addresses (left out when the packet has none), ports, time, protocol type SIP,
     * capture id, the auth key when given, and the payload.
     *
     * @param captureId capture agent id, written as an unsigned 32-bit number
     * @param authKey the auth key chunk's text, or {@code null} for none
     * @throws IllegalArgumentException if the packet does not fit the 16-bit HEP3 length
     */
    public static byte[] encodeV3(SipPacket packet, int captureId, String authKey) {
        Objects.requireNonNull(packet, "packet");
        InetAddress source = packet.sourceAddress();
        InetAddress destination = packet.destinationAddress();
        byte[] src = source == null ? null : source.getAddress();
        byte[] dst = destination == null ? null : destination.getAddress();
        boolean ipv6 = (src != null ? src.length : dst != null ? dst.length : 4) == 16;

        ByteArrayOutputStream out = new ByteArrayOutputStream(packet.length() + 128);
        out.writeBytes(new byte[] {'H', 'E', 'P', '3', 0, 0});
        chunk(out, HepDecoder.CHUNK_IP_FAMILY, ipv6 ? HepPacket.FAMILY_IPV6 : HepPacket.FAMILY_IPV4, 1);
        chunk(out, HepDecoder.CHUNK_IP_PROTOCOL, ipProtocol(packet.transport()), 1);
        if (src != null) {
            chunk(out, src.length == 16 ? HepDecoder.CHUNK_IPV6_SOURCE : HepDecoder.CHUNK_IPV4_SOURCE,
                    src, 0, src.length);
        }
        if (dst != null) {
            chunk(out, dst.length == 16 ? HepDecoder.CHUNK_IPV6_DESTINATION : HepDecoder.CHUNK_IPV4_DESTINATION,
                    dst, 0, dst.length);
        }
        chunk(out, HepDecoder.CHUNK_SOURCE_PORT, packet.sourcePort(), 2);
        chunk(out, HepDecoder.CHUNK_DESTINATION_PORT, packet.destinationPort(), 2);
        chunk(out, HepDecoder.CHUNK_TIME_SECONDS, packet.timeMicros() / 1_000_000L, 4);
        chunk(out, HepDecoder.CHUNK_TIME_MICROS, packet.timeMicros() % 1_000_000L, 4);
        chunk(out, HepDecoder.CHUNK_PROTOCOL_TYPE, HepPacket.PAYLOAD_SIP, 1);
        chunk(out, HepDecoder.CHUNK_CAPTURE_ID, Integer.toUnsignedLong(captureId), 4);
        if (authKey != null) {
            byte[] key = authKey.getBytes(StandardCharsets.UTF_8);
            chunk(out, HepDecoder.CHUNK_AUTH_KEY, key, 0, key.length);
        }
        chunk(out, HepDecoder.CHUNK_PAYLOAD, packet.data(), packet.offset(), packet.length());
        byte[] bytes = out.toByteArray();
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("HEP3 packet of " + bytes.length + " bytes exceeds 65535");
        }
        bytes[4] = (byte) (bytes.length >>> 8);
        bytes[5] = (byte) bytes.length;
        return bytes;
    }

    /**
     * HEPv2 as Kamailio writes it: the fixed header with the addresses (0.0.0.0 when the packet has none), then
     * seconds, microseconds and the 16-bit capture id in little-endian order with 2 bytes of padding, then the
     * payload.
     *
     * @throws IllegalArgumentException if the two addresses are of different families
     */
    public static byte[] encodeV2(SipPacket packet, int captureId) {
        Objects.requireNonNull(packet, "packet");
        InetAddress source = packet.sourceAddress();
        InetAddress destination = packet.destinationAddress();
        byte[] src = source == null ? null : source.getAddress();
        byte[] dst = destination == null ? null : destination.getAddress();
        int addressLength = src != null ? src.length : dst != null ? dst.length : 4;
        src = src != null ? src : new byte[addressLength];
        dst = dst != null ? dst : new byte[addressLength];
        if (src.length != dst.length) {
            throw new IllegalArgumentException("HEPv2 needs both addresses in one family: " + packet);
        }
        int fixed = 8 + 2 * addressLength;
        ByteArrayOutputStream out = new ByteArrayOutputStream(fixed + HepDecoder.V2_TIME_LENGTH + packet.length());
        out.write(2);
        out.write(fixed);
        out.write(addressLength == 16 ? HepPacket.FAMILY_IPV6 : HepPacket.FAMILY_IPV4);
        out.write(ipProtocol(packet.transport()));
        writeBigEndian(out, packet.sourcePort(), 2);
        writeBigEndian(out, packet.destinationPort(), 2);
        out.writeBytes(src);
        out.writeBytes(dst);
        writeLittleEndian(out, packet.timeMicros() / 1_000_000L, 4);
        writeLittleEndian(out, packet.timeMicros() % 1_000_000L, 4);
        writeLittleEndian(out, captureId, 2);
        writeLittleEndian(out, 0, 2);
        out.write(packet.data(), packet.offset(), packet.length());
        return out.toByteArray();
    }

    /** The IP protocol number HEP uses for a transport; WebSocket shares Kamailio's TLS marker, OTHER is 0. */
    static int ipProtocol(Transport transport) {
        switch (transport) {
            case UDP:
                return HepPacket.IPPROTO_UDP;
            case TCP:
                return HepPacket.IPPROTO_TCP;
            case SCTP:
                return HepPacket.IPPROTO_SCTP;
            case TLS:
            case WS:
                return HepPacket.IPPROTO_TLS_KAMAILIO;
            default:
                return 0;
        }
    }

    private static void chunk(ByteArrayOutputStream out, int type, long value, int width) {
        writeBigEndian(out, 0, 2);
        writeBigEndian(out, type, 2);
        writeBigEndian(out, HepDecoder.CHUNK_HEADER_LENGTH + width, 2);
        writeBigEndian(out, value, width);
    }

    private static void chunk(ByteArrayOutputStream out, int type, byte[] value, int offset, int length) {
        writeBigEndian(out, 0, 2);
        writeBigEndian(out, type, 2);
        writeBigEndian(out, HepDecoder.CHUNK_HEADER_LENGTH + length, 2);
        out.write(value, offset, length);
    }

    private static void writeBigEndian(ByteArrayOutputStream out, long value, int width) {
        for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long value, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
