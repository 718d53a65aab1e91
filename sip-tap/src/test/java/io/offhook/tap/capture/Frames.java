package io.offhook.tap.capture;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds link-layer frames for tests: IPv4/IPv6 packets carrying UDP or TCP, wrapped in any supported link type. */
final class Frames {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH_ACK = 0x18;
    static final int ACK = 0x10;

    private Frames() {
    }

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        Out o = new Out();
        o.u16(sourcePort).u16(destinationPort).u16(8 + payload.length).u16(0).bytes(payload);
        return o.toByteArray();
    }

    static byte[] tcp(int sourcePort, int destinationPort, int seq, int flags, byte[] payload) {
        Out o = new Out();
        o.u16(sourcePort).u16(destinationPort).u32(seq).u32(0).u8(5 << 4).u8(flags).u16(65535).u16(0).u16(0)
                .bytes(payload);
        return o.toByteArray();
    }

    /** IPv4 with the given protocol; {@code optionWords} 4-byte words of NOP options; {@code fragment} raw field. */
    static byte[] ipv4(String source, String destination, int protocol, byte[] l4, int optionWords, int fragment) {
        Out o = new Out();
        int headerLength = 20 + optionWords * 4;
        o.u8(0x40 | headerLength / 4).u8(0).u16(headerLength + l4.length).u16(1).u16(fragment).u8(64).u8(protocol)
                .u16(0).bytes(addr(source)).bytes(addr(destination));
        for (int i = 0; i < optionWords * 4; i++) {
            o.u8(1); // NOP
        }
        return o.bytes(l4).toByteArray();
    }

    static byte[] ipv4(String source, String destination, int protocol, byte[] l4) {
        return ipv4(source, destination, protocol, l4, 0, 0x4000);
    }

    /**
     * IPv6; {@code extensions} are next-header values of 8-byte extension headers (hop-by-hop 0, routing 43,
     * destination options 60, fragment 44) inserted before the transport header.
     */
    static byte[] ipv6(String source, String destination, int protocol, byte[] l4, int... extensions) {
        Out ext = new Out();
        for (int i = 0; i < extensions.length; i++) {
            int next = i + 1 < extensions.length ? extensions[i + 1] : protocol;
            ext.u8(next).u8(0).u16(0).u32(0);
        }
        byte[] e = ext.toByteArray();
        Out o = new Out();
        o.u32(0x60000000).u16(e.length + l4.length).u8(extensions.length > 0 ? extensions[0] : protocol).u8(64)
                .bytes(addr(source)).bytes(addr(destination)).bytes(e).bytes(l4);
        return o.toByteArray();
    }

    /**
     * The fragments of one IPv4 datagram (RFC 791): {@code l4} cut at the given offsets (multiples of 8, rising),
     * each fragment a whole IPv4 packet with identification {@code id}.
     */
    static List<byte[]> ipv4Fragments(String source, String destination, int protocol, int id, byte[] l4,
                                                int... cuts) {
        List<byte[]> out = new ArrayList<>();
        for (int[] piece : pieces(l4.length, cuts)) {
            int from = piece[0];
            int to = piece[1];
            int field = from / 8 | (to < l4.length ? 0x2000 : 0);
            Out o = new Out();
            o.u8(0x45).u8(0).u16(20 + to - from).u16(id).u16(field).u8(64).u8(protocol).u16(0)
                    .bytes(addr(source)).bytes(addr(destination)).bytes(Arrays.copyOfRange(l4, from, to));
            out.add(o.toByteArray());
        }
        return out;
    }

    /**
     * The fragments of one IPv6 datagram (RFC 8200 section 4.5): {@code l4} cut at the given offsets (multiples of 8,
     * rising), each fragment an IPv6 packet with a hop-by-hop header (unfragmentable part) then a fragment header.
     */
    static List<byte[]> ipv6Fragments(String source, String destination, int protocol, int id, byte[] l4,
                                                int... cuts) {
        List<byte[]> out = new ArrayList<>();
        for (int[] piece : pieces(l4.length, cuts)) {
            int from = piece[0];
            int to = piece[1];
            Out o = new Out();
            o.u32(0x60000000).u16(8 + 8 + to - from).u8(0).u8(64).bytes(addr(source)).bytes(addr(destination));
            o.u8(44).u8(0).u16(0).u32(0); // hop-by-hop, next: fragment
            o.u8(protocol).u8(0).u16(from | (to < l4.length ? 1 : 0)).u32(id);
            out.add(o.bytes(Arrays.copyOfRange(l4, from, to)).toByteArray());
        }
        return out;
    }

    /** [from, to) of each piece of {@code length} bytes cut at {@code cuts}. */
    private static List<int[]> pieces(int length, int... cuts) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i <= cuts.length; i++) {
            out.add(new int[] {i == 0 ? 0 : cuts[i - 1], i == cuts.length ? length : cuts[i]});
        }
        return out;
    }

    static byte[] ethernet(int etherType, byte[] payload, int... vlanTypes) {
        Out o = new Out();
        o.bytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        for (int tpid : vlanTypes) {
            o.u16(tpid).u16(100);
        }
        return o.u16(etherType).bytes(payload).toByteArray();
    }

    static byte[] sll(int protocol, byte[] payload) {
        Out o = new Out();
        o.u16(0).u16(1).u16(6).bytes(new byte[8]).u16(protocol);
        return o.bytes(payload).toByteArray();
    }

    static byte[] sll2(int protocol, byte[] payload) {
        Out o = new Out();
        o.u16(protocol).u16(0).u32(1).u16(1).u8(0).u8(6).bytes(new byte[8]);
        return o.bytes(payload).toByteArray();
    }

    static byte[] loopback(int family, boolean bigEndian, byte[] payload) {
        Out o = new Out();
        if (bigEndian) {
            o.u32(family);
        } else {
            o.u32(Integer.reverseBytes(family));
        }
        return o.bytes(payload).toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        Out o = new Out();
        for (byte[] p : parts) {
            o.bytes(p);
        }
        return o.toByteArray();
    }

    /** A big-endian byte writer. */
    static final class Out extends ByteArrayOutputStream {
        Out u8(int v) {
            write(v);
            return this;
        }

        Out u16(int v) {
            write(v >>> 8);
            write(v);
            return this;
        }

        Out u32(int v) {
            u16(v >>> 16);
            return u16(v & 0xffff);
        }

        Out bytes(byte[] b) {
            write(b, 0, b.length);
            return this;
        }
    }
}
