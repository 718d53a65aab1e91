package io.offhook.tap.hep;

import static io.offhook.tap.packet.DropReason.HEP_BAD_CHUNK;
import static io.offhook.tap.packet.DropReason.HEP_NO_PAYLOAD;
import static io.offhook.tap.packet.DropReason.HEP_TRUNCATED;
import static io.offhook.tap.packet.DropReason.HEP_UNKNOWN_VERSION;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Decodes HEP versions 1, 2 and 3 from a byte array. Stateless and thread-safe; never throws anything but
 * {@link HepException} for bad input (an {@link IndexOutOfBoundsException} only for an offset/length outside the
 * array, which is a caller bug).
 *
 * <p><b>HEPv3</b> ("HEP3" or "EEP3", then a u16 total length, then chunks of u16 vendor, u16 type, u16 length
 * including the 6-byte chunk header; all integers in network byte order). Chunks may come in any order; unknown
 * chunk types and all vendor-specific chunks are skipped; when a chunk repeats, the last one wins. Integer chunks
 * are read at the width they were sent (1, 2 or 4 bytes). A compressed payload (chunk 16, gzip or zlib/deflate) is
 * inflated up to {@link #MAX_INFLATED_PAYLOAD} bytes; a plain payload (chunk 15) takes precedence when both exist.
 * Bytes after the declared total length are ignored.
 *
 * <p><b>HEPv1/v2</b> (no written specification; this follows the C structures of Kamailio's {@code hep.h} and
 * what Kamailio 5.6.3 siptrace was seen to send): u8 version, u8 header length, u8 family (2 or 10), u8 IP
 * protocol, u16 source port, u16 destination port (network byte order), source and destination address (4 or 16
 * bytes each); version 2 then has a 12-byte time header: u32 seconds, u32 microseconds, u16 capture id and 2 bytes
 * of padding, all three in <em>little-endian</em> order (Kamailio writes the times with {@code to_le()} and the
 * capture id in host order, i.e. little-endian on x86); the rest is the SIP payload. The header length byte counts
 * the first two parts only (16 for IPv4, 40 for IPv6); a value that also counts the time header (28, 52) is
 * accepted too. Like Kamailio's own receiver, the payload offset is computed from the family, not from that byte.
 */
public final class HepDecoder {
    /** Largest SIP payload a compressed payload chunk may inflate to; a HEP packet itself is at most 64 KiB. */
    public static final int MAX_INFLATED_PAYLOAD = 256 * 1024;

    /** Size of the HEPv3 header ("HEP3" + u16 total length) and of a chunk header. */
    static final int V3_HEADER_LENGTH = 6;
    static final int CHUNK_HEADER_LENGTH = 6;
    /** Size of the HEPv2 time header: u32 seconds, u32 microseconds, u16 capture id, 2 bytes padding. */
    static final int V2_TIME_LENGTH = 12;

    /** Generic (vendor 0) chunk types the tap reads. */
    static final int CHUNK_IP_FAMILY = 1;
    static final int CHUNK_IP_PROTOCOL = 2;
    static final int CHUNK_IPV4_SOURCE = 3;
    static final int CHUNK_IPV4_DESTINATION = 4;
    static final int CHUNK_IPV6_SOURCE = 5;
    static final int CHUNK_IPV6_DESTINATION = 6;
    static final int CHUNK_SOURCE_PORT = 7;
    static final int CHUNK_DESTINATION_PORT = 8;
    static final int CHUNK_TIME_SECONDS = 9;
    static final int CHUNK_TIME_MICROS = 10;
    static final int CHUNK_PROTOCOL_TYPE = 11;
    static final int CHUNK_CAPTURE_ID = 12;
    static final int CHUNK_AUTH_KEY = 14;
    static final int CHUNK_PAYLOAD = 15;
    static final int CHUNK_COMPRESSED_PAYLOAD = 16;
    static final int CHUNK_CORRELATION_ID = 17;

    private static final byte[] MAGIC_HEP3 = {'H', 'E', 'P', '3'};
    private static final byte[] MAGIC_EEP3 = {'E', 'E', 'P', '3'};
    /** The two magics as big-endian ints, compared with one read (the decoder runs once per mirrored packet). */
    private static final int MAGIC_HEP3_INT = 'H' << 24 | 'E' << 16 | 'P' << 8 | '3';
    private static final int MAGIC_EEP3_INT = 'E' << 24 | 'E' << 16 | 'P' << 8 | '3';

    /** Network-order reads of two and four bytes: one bounds check each instead of one per byte. */
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private HepDecoder() {
    }

    /**
     * A cheap test whether the bytes look like HEP rather than plain SIP or other traffic: the "HEP3"/"EEP3"
     * magic, or a plausible HEPv1/v2 header (version 1 or 2, family 2 or 10, a header length that fits the family,
     * and enough bytes for that header). SIP never starts with a byte below 0x20, so there is no overlap with it.
     */
    public static boolean looksLikeHep(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length >= 4 && hasV3Magic(data, offset)) {
            return true;
        }
        if (length < 4) {
            return false;
        }
        int version = data[offset] & 0xFF;
        if (version != 1 && version != 2) {
            return false;
        }
        int addressLength = v2AddressLength(data[offset + 2] & 0xFF);
        if (addressLength == 0) {
            return false;
        }
        int fixed = 4 + 4 + 2 * addressLength;
        int headerLength = data[offset + 1] & 0xFF;
        if (headerLength != fixed && headerLength != fixed + V2_TIME_LENGTH) {
            return false;
        }
        return length >= fixed + (version == 2 ? V2_TIME_LENGTH : 0);
    }

    /**
     * Decodes one HEP packet.
     *
     * @param data holds the packet; the returned packet refers to it (no copy), so the caller hands it over
     * @throws HepException for anything that is not a usable HEP packet, with the reason to count it under
     */
    public static HepPacket decode(byte[] data, int offset, int length) throws HepException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length == 0) {
            throw new HepException(HEP_TRUNCATED, "empty packet", 0);
        }
        if (length >= 4 && hasV3Magic(data, offset)) {
            return decodeV3(data, offset, length);
        }
        int first = data[offset] & 0xFF;
        if (first == 1 || first == 2) {
            return decodeV2(data, offset, length);
        }
        if (length < 4 && isV3MagicPrefix(data, offset, length)) {
            throw new HepException(HEP_TRUNCATED, "HEP3 magic cut off after " + length + " bytes", length);
        }
        throw new HepException(HEP_UNKNOWN_VERSION,
                "neither \"HEP3\" nor a HEPv1/v2 version byte: first byte 0x" + Integer.toHexString(first), 0);
    }

    private static HepPacket decodeV3(byte[] d, int base, int length) throws HepException {
        if (length < V3_HEADER_LENGTH) {
            throw new HepException(HEP_TRUNCATED, "HEP3 header needs 6 bytes, got " + length, length);
        }
        int total = u16(d, base + 4);
        if (total < V3_HEADER_LENGTH) {
            throw new HepException(HEP_BAD_CHUNK, "HEP3 total length " + total + " is shorter than its header", 4);
        }
        if (total > length) {
            throw new HepException(HEP_TRUNCATED,
                    "HEP3 total length " + total + " but only " + length + " bytes", length);
        }
        int family = 0;
        int protocol = 0;
        int sourcePort = 0;
        int destinationPort = 0;
        int payloadType = 0;
        long captureId = 0;
        long seconds = -1;
        long micros = 0;
        byte[] source4 = null;
        byte[] destination4 = null;
        byte[] source6 = null;
        byte[] destination6 = null;
        String authKey = null;
        String correlationId = null;
        int payloadAt = -1;
        int payloadLength = 0;
        int compressedAt = -1;
        int compressedLength = 0;
        int compressedChunk = 0;

        int pos = V3_HEADER_LENGTH;
        while (pos < total) {
            if (total - pos < CHUNK_HEADER_LENGTH) {
                throw new HepException(HEP_BAD_CHUNK, "chunk header cut off: " + (total - pos)
                        + " bytes left before the total length " + total, pos);
            }
            int vendorAndType = (int) INTS.get(d, base + pos);
            int vendor = vendorAndType >>> 16;
            int type = vendorAndType & 0xFFFF;
            int chunkLength = u16(d, base + pos + 4);
            if (chunkLength < CHUNK_HEADER_LENGTH) {
                throw new HepException(HEP_BAD_CHUNK, "chunk " + vendor + "/" + type + " has length "
                        + chunkLength + ", shorter than its 6-byte header", pos);
            }
            if (chunkLength > total - pos) {
                throw new HepException(HEP_BAD_CHUNK, "chunk " + vendor + "/" + type + " of length "
                        + chunkLength + " runs past the total length " + total, pos);
            }
            int value = base + pos + CHUNK_HEADER_LENGTH;
            int valueLength = chunkLength - CHUNK_HEADER_LENGTH;
            if (vendor == 0) {
                switch (type) {
                    case CHUNK_IP_FAMILY:
                        family = (int) uint(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_IP_PROTOCOL:
                        protocol = (int) uint(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_IPV4_SOURCE:
                        source4 = address(d, value, valueLength, 4, type, pos);
                        break;
                    case CHUNK_IPV4_DESTINATION:
                        destination4 = address(d, value, valueLength, 4, type, pos);
                        break;
                    case CHUNK_IPV6_SOURCE:
                        source6 = address(d, value, valueLength, 16, type, pos);
                        break;
                    case CHUNK_IPV6_DESTINATION:
                        destination6 = address(d, value, valueLength, 16, type, pos);
                        break;
                    case CHUNK_SOURCE_PORT:
                        sourcePort = port(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_DESTINATION_PORT:
                        destinationPort = port(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_TIME_SECONDS:
                        seconds = uint(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_TIME_MICROS:
                        micros = uint(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_PROTOCOL_TYPE:
                        payloadType = (int) uint(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_CAPTURE_ID:
                        captureId = uint(d, value, valueLength, type, pos);
                        break;
                    case CHUNK_AUTH_KEY:
                        authKey = text(d, value, valueLength);
                        break;
                    case CHUNK_PAYLOAD:
                        payloadAt = value;
                        payloadLength = valueLength;
                        break;
                    case CHUNK_COMPRESSED_PAYLOAD:
                        compressedAt = value;
                        compressedLength = valueLength;
                        compressedChunk = pos;
                        break;
                    case CHUNK_CORRELATION_ID:
                        correlationId = text(d, value, valueLength);
                        break;
                    default:
                        break; // a generic chunk the tap has no use for (MOS, VLAN, node name...)
                }
            }
            pos += chunkLength;
        }

        byte[] payloadArray = d;
        if (payloadAt < 0 && compressedAt >= 0) {
            payloadArray = inflate(d, compressedAt, compressedLength, compressedChunk);
            payloadAt = 0;
            payloadLength = payloadArray.length;
        }
        if (payloadAt < 0 || payloadLength == 0) {
            throw new HepException(HEP_NO_PAYLOAD,
                    payloadAt < 0 ? "no payload chunk" : "empty payload chunk", total);
        }
        boolean ipv6 = family == HepPacket.FAMILY_IPV6 || (source4 == null && destination4 == null);
        byte[] source = ipv6 ? firstOf(source6, source4) : firstOf(source4, source6);
        byte[] destination = ipv6 ? firstOf(destination6, destination4) : firstOf(destination4, destination6);
        long time = seconds < 0 ? HepPacket.UNKNOWN_TIME : seconds * 1_000_000L + micros;
        return new HepPacket(3, family, protocol, source, sourcePort, destination, destinationPort, time,
                payloadType, captureId, authKey, correlationId, payloadArray, payloadAt, payloadLength);
    }

    private static HepPacket decodeV2(byte[] d, int base, int length) throws HepException {
        int version = d[base] & 0xFF;
        if (length < 4) {
            throw new HepException(HEP_TRUNCATED, "HEPv" + version + " header cut off after " + length + " bytes",
                    length);
        }
        int headerLength = d[base + 1] & 0xFF;
        int family = d[base + 2] & 0xFF;
        int protocol = d[base + 3] & 0xFF;
        int addressLength = v2AddressLength(family);
        if (addressLength == 0) {
            throw new HepException(HEP_UNKNOWN_VERSION, "HEPv" + version + " with address family " + family
                    + ", neither 2 (IPv4) nor 10 (IPv6)", 2);
        }
        int fixed = 4 + 4 + 2 * addressLength;
        if (headerLength != fixed && headerLength != fixed + V2_TIME_LENGTH) {
            throw new HepException(HEP_UNKNOWN_VERSION, "HEPv" + version + " header length " + headerLength
                    + " does not fit family " + family + " (expected " + fixed + ")", 1);
        }
        int header = fixed + (version == 2 ? V2_TIME_LENGTH : 0);
        if (length < header) {
            throw new HepException(HEP_TRUNCATED, "HEPv" + version + " header needs " + header + " bytes, got "
                    + length, length);
        }
        if (length == header) {
            throw new HepException(HEP_NO_PAYLOAD, "HEPv" + version + " packet without payload", header);
        }
        int sourcePort = u16(d, base + 4);
        int destinationPort = u16(d, base + 6);
        byte[] source = address(d, base + 8, addressLength);
        byte[] destination = address(d, base + 8 + addressLength, addressLength);
        long time = HepPacket.UNKNOWN_TIME;
        long captureId = 0;
        if (version == 2) {
            int t = base + fixed;
            time = u32le(d, t) * 1_000_000L + u32le(d, t + 4);
            captureId = (d[t + 8] & 0xFF) | (d[t + 9] & 0xFF) << 8;
        }
        return new HepPacket(version, family, protocol, source, sourcePort, destination, destinationPort, time,
                HepPacket.PAYLOAD_SIP, captureId, null, null, d, base + header, length - header);
    }

    private static byte[] inflate(byte[] d, int at, int length, int chunkOffset) throws HepException {
        if (length >= 2 && (d[at] & 0xFF) == 0x1F && (d[at + 1] & 0xFF) == 0x8B) {
            return gunzip(d, at, length, chunkOffset);
        }
        boolean zlibHeader = length >= 2 && (d[at] & 0x0F) == 8
                && (((d[at] & 0xFF) << 8) | (d[at + 1] & 0xFF)) % 31 == 0;
        Inflater inflater = new Inflater(!zlibHeader);
        try {
            inflater.setInput(d, at, length);
            byte[] out = new byte[Math.min(MAX_INFLATED_PAYLOAD + 1, Math.max(1024, length * 4))];
            int count = 0;
            while (!inflater.finished()) { // each round fills at least one byte or leaves the loop
                if (count == out.length) {
                    if (out.length > MAX_INFLATED_PAYLOAD) {
                        throw tooLarge(chunkOffset);
                    }
                    out = Arrays.copyOf(out, Math.min(MAX_INFLATED_PAYLOAD + 1, out.length * 2));
                }
                int n = inflater.inflate(out, count, out.length - count);
                if (n == 0 && !inflater.finished()) {
                    throw new HepException(HEP_BAD_CHUNK, "compressed payload ends early"
                            + (inflater.needsDictionary() ? " or needs a dictionary" : ""), chunkOffset);
                }
                count += n;
            }
            if (count > MAX_INFLATED_PAYLOAD) {
                throw tooLarge(chunkOffset);
            }
            return Arrays.copyOf(out, count);
        } catch (DataFormatException e) {
            throw new HepException(HEP_BAD_CHUNK, "compressed payload is not valid deflate data: "
                    + e.getMessage(), chunkOffset);
        } finally {
            inflater.end();
        }
    }

    private static byte[] gunzip(byte[] d, int at, int length, int chunkOffset) throws HepException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(d, at, length), 512)) {
            byte[] out = in.readNBytes(MAX_INFLATED_PAYLOAD + 1);
            if (out.length > MAX_INFLATED_PAYLOAD) {
                throw tooLarge(chunkOffset);
            }
            return out;
        } catch (IOException e) {
            throw new HepException(HEP_BAD_CHUNK, "compressed payload is not valid gzip data: " + e.getMessage(),
                    chunkOffset);
        }
    }

    private static HepException tooLarge(int chunkOffset) {
        return new HepException(HEP_BAD_CHUNK, "compressed payload inflates past " + MAX_INFLATED_PAYLOAD
                + " bytes", chunkOffset);
    }

    private static long uint(byte[] d, int at, int length, int type, int chunkOffset) throws HepException {
        switch (length) {
            case 1:
                return d[at] & 0xFF;
            case 2:
                return u16(d, at);
            case 4:
                return (int) INTS.get(d, at) & 0xFFFF_FFFFL;
            default:
                throw new HepException(HEP_BAD_CHUNK, "chunk type " + type + " holds " + length
                        + " bytes, expected an integer of 1, 2 or 4 bytes", chunkOffset);
        }
    }

    private static int port(byte[] d, int at, int length, int type, int chunkOffset) throws HepException {
        long port = uint(d, at, length, type, chunkOffset);
        if (port > 0xFFFF) {
            throw new HepException(HEP_BAD_CHUNK, "chunk type " + type + " holds port " + port, chunkOffset);
        }
        return (int) port;
    }

    private static byte[] address(byte[] d, int at, int length, int expected, int type, int chunkOffset)
            throws HepException {
        if (length != expected) {
            throw new HepException(HEP_BAD_CHUNK, "address chunk type " + type + " holds " + length
                    + " bytes, expected " + expected, chunkOffset);
        }
        return address(d, at, length);
    }

    /** The address of {@code length} (4 or 16) bytes at {@code at}: shared when IPv4 (see {@link Ipv4Addresses}). */
    private static byte[] address(byte[] d, int at, int length) {
        return length == 4 ? Ipv4Addresses.of((int) INTS.get(d, at)) : Arrays.copyOfRange(d, at, at + length);
    }

    /** A string chunk; trailing NUL bytes (C agents sometimes count the terminator) are dropped. */
    private static String text(byte[] d, int at, int length) {
        int end = at + length;
        while (end > at && d[end - 1] == 0) {
            end--;
        }
        return new String(d, at, end - at, StandardCharsets.UTF_8);
    }

    private static byte[] firstOf(byte[] preferred, byte[] other) {
        if (preferred != null) {
            return preferred;
        }
        return other != null ? other : new byte[0];
    }

    private static int v2AddressLength(int family) {
        if (family == HepPacket.FAMILY_IPV4) {
            return 4;
        }
        return family == HepPacket.FAMILY_IPV6 ? 16 : 0;
    }

    /** Whether the four bytes at {@code at} (which the caller knows are there) are "HEP3" or "EEP3". */
    private static boolean hasV3Magic(byte[] d, int at) {
        int magic = (int) INTS.get(d, at);
        return magic == MAGIC_HEP3_INT || magic == MAGIC_EEP3_INT;
    }

    private static boolean isV3MagicPrefix(byte[] d, int at, int length) {
        return Arrays.equals(d, at, at + length, MAGIC_HEP3, 0, length)
                || Arrays.equals(d, at, at + length, MAGIC_EEP3, 0, length);
    }

    private static int u16(byte[] d, int at) {
        return (short) SHORTS.get(d, at) & 0xFFFF;
    }

    private static long u32le(byte[] d, int at) {
        return (d[at] & 0xFFL) | (d[at + 1] & 0xFFL) << 8 | (d[at + 2] & 0xFFL) << 16 | (d[at + 3] & 0xFFL) << 24;
    }
}
