package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.Transport;
import java.util.Arrays;

/**
 * Takes a captured frame apart down to UDP or TCP: link layer, IPv4/IPv6, transport header. Stateless: the same
 * decoder serves capture files and live capture; the one piece of state, the IP fragments waiting for the rest of
 * their datagram, is the caller's {@link IpReassembler}. Every frame it cannot use is counted with the reason and a
 * detail naming the input ({@code source} and record number); nothing is thrown for bad bytes.
 *
 * <p>Traffic mirrored to a remote collector arrives in a tunnel, which is taken off: VXLAN (RFC 7348, UDP port
 * 4789, as AWS VPC Traffic Mirroring and Azure vTAP send it), GRE (RFC 2784 and 2890: Ethernet, IPv4 or IPv6 inside)
 * and ERSPAN types I to III (GRE protocols 0x88be and 0x22eb, as Cisco, Arista and Linux switches send it;
 * draft-foschiano-erspan), at most {@link #MAX_TUNNELS} deep. The SIP packet then carries the inner addresses.
 * Carrier links are read too: VLAN and QinQ tags, MPLS label stacks (RFC 3032) and PPPoE sessions (RFC 2516).
 *
 * <p>Checksums are not verified, because captures taken on the sending host carry offloaded, not yet computed
 * checksums.
 */
final class FrameDecoder {
    /** BSD loopback: a 4-byte address family in the byte order of the capturing host. */
    static final int LINKTYPE_NULL = 0;
    static final int LINKTYPE_ETHERNET = 1;
    /** DLT_RAW on most systems (values 12 and 14 appear in old files and in live capture). */
    static final int DLT_RAW_12 = 12;
    static final int DLT_RAW_14 = 14;
    static final int LINKTYPE_RAW = 101;
    /** OpenBSD loopback: like NULL but the family is always in network byte order. */
    static final int LINKTYPE_LOOP = 108;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_IPV4 = 228;
    static final int LINKTYPE_IPV6 = 229;
    static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int MAX_VLAN_TAGS = 8;
    private static final int MAX_IPV6_EXTENSIONS = 16;
    /** Tunnels inside tunnels taken off at most; a mirror's tunnel holds the traffic itself, not more tunnels. */
    static final int MAX_TUNNELS = 3;
    /** VXLAN's IANA port (RFC 7348). */
    static final int VXLAN_PORT = 4789;
    private static final int ETHERTYPE_TRANSPARENT_BRIDGING = 0x6558;
    private static final int ETHERTYPE_ERSPAN_1_2 = 0x88be;
    private static final int ETHERTYPE_ERSPAN_3 = 0x22eb;
    private static final int ETHERTYPE_MPLS = 0x8847;
    private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
    private static final int ETHERTYPE_PPPOE_SESSION = 0x8864;
    private static final int PPP_IPV4 = 0x0021;
    private static final int PPP_IPV6 = 0x0057;
    private static final int MAX_MPLS_LABELS = 8;

    private static final int PROTO_HOP_BY_HOP = 0;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ROUTING = 43;
    private static final int PROTO_FRAGMENT = 44;
    private static final int PROTO_GRE = 47;
    private static final int PROTO_AH = 51;
    private static final int PROTO_DEST_OPTIONS = 60;

    private FrameDecoder() {
    }

    /** Whether frames of this link-layer type can be decoded at all. */
    static boolean supports(int linkType) {
        return switch (linkType) {
            case LINKTYPE_NULL, LINKTYPE_ETHERNET, DLT_RAW_12, DLT_RAW_14, LINKTYPE_RAW, LINKTYPE_LOOP,
                    LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2 -> true;
            default -> false;
        };
    }

    /**
     * @param source names the input for drop details (file name, interface)
     * @param record the 1-based record number within the source, for drop details
     * @param fragments holds IP fragments until their datagram is complete
     * @return the UDP datagram or TCP segment (of a datagram this fragment completed, too), or {@code null} when
     *     the frame was counted as a drop or is a fragment of a datagram not yet complete
     */
    static Segment decode(int linkType, byte[] b, int off, int len, long timeMicros, DropCounters drops,
                          String source, long record, IpReassembler fragments) {
        Frame f = new Frame(b, off + len, timeMicros, drops, source, record, fragments, 0);
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                return f.ethernet(off);
            }
            case LINKTYPE_LINUX_SLL -> {
                if (len < 16) {
                    return f.drop(DropReason.BAD_FRAME, "Linux cooked (SLL) frame of " + len + " bytes");
                }
                return f.etherType(Bytes.u16(b, off + 14), off + 16);
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (len < 20) {
                    return f.drop(DropReason.BAD_FRAME, "Linux cooked (SLL2) frame of " + len + " bytes");
                }
                return f.etherType(Bytes.u16(b, off), off + 20);
            }
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                if (len < 4) {
                    return f.drop(DropReason.BAD_FRAME, "loopback frame of " + len + " bytes");
                }
                int family = Bytes.i32(b, off, true);
                if (linkType == LINKTYPE_NULL && (family & 0xffff) == 0) {
                    family = Bytes.i32(b, off, false);
                }
                return switch (family) {
                    case 2 -> f.ipv4(off + 4);
                    case 10, 24, 28, 30 -> f.ipv6(off + 4);
                    default -> f.drop(DropReason.NOT_UDP_OR_TCP, "loopback address family " + family);
                };
            }
            case DLT_RAW_12, DLT_RAW_14, LINKTYPE_RAW -> {
                return f.ip(off);
            }
            case LINKTYPE_IPV4 -> {
                return f.ipv4(off);
            }
            case LINKTYPE_IPV6 -> {
                return f.ipv6(off);
            }
            default -> {
                return f.drop(DropReason.UNSUPPORTED_LINK_TYPE, "link-layer type " + linkType);
            }
        }
    }

    /** The state of decoding one frame: the bytes, where they end, where to report a drop, where fragments go. */
    private record Frame(byte[] b, int end, long timeMicros, DropCounters drops, String source, long record,
                         IpReassembler fragments, int tunnels) {

        Segment drop(DropReason reason, String what) {
            drops.drop(reason, source + " record " + record + ": " + what);
            return null;
        }

        Segment ethernet(int p) {
            if (end - p < 14) {
                return drop(DropReason.BAD_FRAME, (tunnels > 0 ? "tunnelled " : "") + "Ethernet frame of "
                        + Math.max(0, end - p) + " bytes");
            }
            return etherType(Bytes.u16(b, p + 12), p + 14);
        }

        /** The same frame's bytes from a tunnel's payload up to {@code innerEnd}, one tunnel deeper. */
        Frame inside(int innerEnd) {
            return new Frame(b, innerEnd, timeMicros, drops, source, record, fragments, tunnels + 1);
        }

        boolean tooDeep() {
            return tunnels == MAX_TUNNELS;
        }

        /** VXLAN (RFC 7348): an 8-byte header whose I flag says a VNI follows, then an Ethernet frame. */
        Segment vxlan(int q, int udpEnd) {
            if (tooDeep()) {
                return drop(DropReason.BAD_FRAME, "more than " + MAX_TUNNELS + " tunnels inside each other");
            }
            return inside(udpEnd).ethernet(q + 8);
        }

        /**
         * GRE (RFC 2784, with RFC 2890's key and sequence number): Ethernet (transparent bridging), IPv4, IPv6, or
         * ERSPAN: type I has no header of its own (no sequence number in GRE), type II an 8-byte one, type III a
         * 12-byte one plus an 8-byte platform header when its O flag is set.
         */
        Segment gre(int q, int ipEnd) {
            if (tooDeep()) {
                return drop(DropReason.BAD_FRAME, "more than " + MAX_TUNNELS + " tunnels inside each other");
            }
            if (ipEnd - q < 4) {
                return drop(DropReason.BAD_FRAME, "GRE header cut short: " + (ipEnd - q) + " bytes");
            }
            int flags = Bytes.u16(b, q);
            if ((flags & 0x7) != 0) {
                return drop(DropReason.NOT_UDP_OR_TCP, "GRE version " + (flags & 0x7) + " (PPTP's, not a mirror)");
            }
            if ((flags & 0x4000) != 0) {
                return drop(DropReason.NOT_UDP_OR_TCP, "GRE with source routing (RFC 1701, not a mirror's)");
            }
            boolean sequenced = (flags & 0x1000) != 0;
            int p = q + 4 + ((flags & 0x8000) != 0 ? 4 : 0) + ((flags & 0x2000) != 0 ? 4 : 0) + (sequenced ? 4 : 0);
            int type = Bytes.u16(b, q + 2);
            if (type == ETHERTYPE_ERSPAN_1_2 && sequenced) { // type II
                p += 8;
            } else if (type == ETHERTYPE_ERSPAN_3) {
                if (p + 12 <= ipEnd && (b[p + 11] & 0x01) != 0) {
                    p += 8; // the optional platform-specific subheader
                }
                p += 12;
            }
            if (p > ipEnd) {
                return drop(DropReason.BAD_FRAME, String.format("GRE (protocol 0x%04x) header runs past the packet",
                        type));
            }
            Frame inner = inside(ipEnd);
            return switch (type) {
                case ETHERTYPE_TRANSPARENT_BRIDGING, ETHERTYPE_ERSPAN_1_2, ETHERTYPE_ERSPAN_3 -> inner.ethernet(p);
                case ETHERTYPE_IPV4 -> inner.ipv4(p);
                case ETHERTYPE_IPV6 -> inner.ipv6(p);
                default -> drop(DropReason.NOT_UDP_OR_TCP, String.format("GRE carrying protocol 0x%04x", type));
            };
        }

        Segment etherType(int firstType, int firstPayload) {
            int type = firstType;
            int p = firstPayload;
            for (int tags = 0; type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD;
                    tags++) {
                if (tags == MAX_VLAN_TAGS || p + 4 > end) {
                    return drop(DropReason.BAD_FRAME, "VLAN tags cut short or more than " + MAX_VLAN_TAGS);
                }
                type = Bytes.u16(b, p + 2);
                p += 4;
            }
            return switch (type) {
                case ETHERTYPE_IPV4 -> ipv4(p);
                case ETHERTYPE_IPV6 -> ipv6(p);
                case ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST -> mpls(p);
                case ETHERTYPE_PPPOE_SESSION -> pppoe(p);
                default -> drop(DropReason.NOT_UDP_OR_TCP, String.format("not IP: ethertype 0x%04x", type));
            };
        }

        /** MPLS (RFC 3032): labels up to the one marked bottom of stack, then IP, told by its version. */
        Segment mpls(int first) {
            int p = first;
            for (int labels = 0; ; labels++) {
                if (labels == MAX_MPLS_LABELS || p + 4 > end) {
                    return drop(DropReason.BAD_FRAME, "MPLS labels cut short or more than " + MAX_MPLS_LABELS);
                }
                boolean bottom = (b[p + 2] & 0x01) != 0;
                p += 4;
                if (bottom) {
                    break;
                }
            }
            if (p >= end) {
                return drop(DropReason.BAD_FRAME, "MPLS without a payload");
            }
            return switch (b[p] >> 4 & 0xf) {
                case 4 -> ipv4(p);
                case 6 -> ipv6(p);
                default -> drop(DropReason.NOT_UDP_OR_TCP, "MPLS carrying something other than IP (a pseudowire?)");
            };
        }

        /** PPPoE session (RFC 2516): its 6-byte header, then PPP's protocol field (RFC 1661). */
        Segment pppoe(int p) {
            if (p + 8 > end) {
                return drop(DropReason.BAD_FRAME, "PPPoE header cut short");
            }
            int protocol = Bytes.u16(b, p + 6);
            return switch (protocol) {
                case PPP_IPV4 -> ipv4(p + 8);
                case PPP_IPV6 -> ipv6(p + 8);
                default -> drop(DropReason.NOT_UDP_OR_TCP, String.format("PPPoE carrying PPP protocol 0x%04x",
                        protocol));
            };
        }

        Segment ip(int p) {
            if (p >= end) {
                return drop(DropReason.BAD_FRAME, "empty raw IP frame");
            }
            return switch (b[p] >> 4 & 0xf) {
                case 4 -> ipv4(p);
                case 6 -> ipv6(p);
                default -> drop(DropReason.BAD_FRAME, "raw IP frame with IP version " + (b[p] >> 4 & 0xf));
            };
        }

        Segment ipv4(int p) {
            if (end - p < 20) {
                return drop(DropReason.BAD_FRAME, "IPv4 header cut short: " + Math.max(0, end - p) + " bytes");
            }
            if ((b[p] >> 4 & 0xf) != 4) {
                return drop(DropReason.BAD_FRAME, "IP version " + (b[p] >> 4 & 0xf) + " where IPv4 was expected");
            }
            int headerLength = (b[p] & 0xf) * 4;
            if (headerLength < 20 || p + headerLength > end) {
                return drop(DropReason.BAD_FRAME, "IPv4 header length " + headerLength + " with "
                        + (end - p) + " bytes captured");
            }
            int total = Bytes.u16(b, p + 2);
            int ipEnd;
            if (total == 0) {
                // Segmentation offload on the capturing host leaves the length unset: the capture is the packet.
                ipEnd = end;
            } else if (total < headerLength) {
                return drop(DropReason.BAD_FRAME, "IPv4 total length " + total + " below header length "
                        + headerLength);
            } else if (total > end - p) {
                return drop(DropReason.CAPTURE_TRUNCATED, "IPv4 packet of " + total + " bytes, only "
                        + (end - p) + " captured (snapshot length too small?)");
            } else {
                ipEnd = p + total; // trust the IP length: Ethernet padding and trailers follow it
            }
            byte[] src = Arrays.copyOfRange(b, p + 12, p + 16);
            byte[] dst = Arrays.copyOfRange(b, p + 16, p + 20);
            int fragment = Bytes.u16(b, p + 6);
            if ((fragment & 0x3fff) != 0) { // more fragments (0x2000) or an offset: a fragment
                IpReassembler.Whole whole = fragments.fragment(IpReassembler.ipv4Key(b, p), timeMicros, record,
                        (fragment & 0x1fff) * 8, (fragment & 0x2000) != 0, b[p + 9] & 0xff, b, p + headerLength,
                        ipEnd);
                return whole == null ? null : reassembled(whole).transport(whole.protocol(), src, dst, 0, whole
                        .payload().length);
            }
            return transport(b[p + 9] & 0xff, src, dst, p + headerLength, ipEnd);
        }

        Segment ipv6(int p) {
            if (end - p < 40) {
                return drop(DropReason.BAD_FRAME, "IPv6 header cut short: " + Math.max(0, end - p) + " bytes");
            }
            if ((b[p] >> 4 & 0xf) != 6) {
                return drop(DropReason.BAD_FRAME, "IP version " + (b[p] >> 4 & 0xf) + " where IPv6 was expected");
            }
            int payload = Bytes.u16(b, p + 4);
            int ipEnd;
            if (payload == 0) {
                ipEnd = end; // jumbogram or segmentation offload: the capture is the packet
            } else if (payload > end - p - 40) {
                return drop(DropReason.CAPTURE_TRUNCATED, "IPv6 payload of " + payload + " bytes, only "
                        + (end - p - 40) + " captured (snapshot length too small?)");
            } else {
                ipEnd = p + 40 + payload;
            }
            byte[] src = Arrays.copyOfRange(b, p + 8, p + 24);
            byte[] dst = Arrays.copyOfRange(b, p + 24, p + 40);
            return ipv6Headers(p, b[p + 6] & 0xff, src, dst, p + 40, ipEnd);
        }

        /**
         * The extension headers from {@code start} on, then the transport header.
         *
         * @param p where the IPv6 header starts; -1 in a reassembled payload, where a fragment header is refused
         */
        Segment ipv6Headers(int p, int firstNext, byte[] src, byte[] dst, int start, int ipEnd) {
            int next = firstNext;
            int q = start;
            for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
                switch (next) {
                    case PROTO_HOP_BY_HOP, PROTO_ROUTING, PROTO_DEST_OPTIONS, PROTO_AH -> {
                        if (q + 2 > ipEnd) {
                            return drop(DropReason.BAD_FRAME, "IPv6 extension header " + next + " cut short");
                        }
                        int length = next == PROTO_AH ? ((b[q + 1] & 0xff) + 2) * 4 : ((b[q + 1] & 0xff) + 1) * 8;
                        next = b[q] & 0xff;
                        q += length;
                        if (q > ipEnd) {
                            return drop(DropReason.BAD_FRAME, "IPv6 extension header runs past the packet");
                        }
                    }
                    case PROTO_FRAGMENT -> {
                        if (p < 0) {
                            return drop(DropReason.IP_FRAGMENT_INVALID, "IPv6 fragment header inside a reassembled "
                                    + "datagram");
                        }
                        if (q + 8 > ipEnd) {
                            return drop(DropReason.BAD_FRAME, "IPv6 fragment header cut short");
                        }
                        int field = Bytes.u16(b, q + 2);
                        int offset = field & 0xfff8;
                        boolean more = (field & 1) != 0;
                        if (offset == 0 && !more) { // an atomic fragment (RFC 6946): the whole datagram
                            next = b[q] & 0xff;
                            q += 8;
                            continue;
                        }
                        IpReassembler.Whole whole = fragments.fragment(IpReassembler.ipv6Key(b, p, q), timeMicros,
                                record, offset, more, b[q] & 0xff, b, q + 8, ipEnd);
                        return whole == null ? null : reassembled(whole).ipv6Headers(-1, whole.protocol(), src, dst,
                                0, whole.payload().length);
                    }
                    default -> {
                        return transport(next, src, dst, q, ipEnd);
                    }
                }
            }
            return drop(DropReason.BAD_FRAME, "more than " + MAX_IPV6_EXTENSIONS + " IPv6 extension headers");
        }

        /** The same frame's state over a datagram put together from fragments. */
        Frame reassembled(IpReassembler.Whole whole) {
            return new Frame(whole.payload(), whole.payload().length, timeMicros, drops, source, record, fragments,
                    tunnels);
        }

        Segment transport(int protocol, byte[] src, byte[] dst, int q, int ipEnd) {
            if (protocol == PROTO_UDP) {
                if (ipEnd - q < 8) {
                    return drop(DropReason.BAD_FRAME, "UDP header cut short: " + (ipEnd - q) + " bytes");
                }
                int length = Bytes.u16(b, q + 4);
                int udpEnd;
                if (length == 0) {
                    udpEnd = ipEnd; // IPv6 jumbogram
                } else if (length < 8 || q + length > ipEnd) {
                    return drop(DropReason.BAD_FRAME, "UDP length " + length + " with " + (ipEnd - q)
                            + " bytes of IP payload");
                } else {
                    udpEnd = q + length;
                }
                if (Bytes.u16(b, q + 2) == VXLAN_PORT && udpEnd - q >= 16 && (b[q + 8] & 0xf7) == 0) {
                    return vxlan(q + 8, udpEnd); // flags: only I (0x08); SIP and HEP start with a letter or "H"
                }
                return new Segment(Transport.UDP, src, Bytes.u16(b, q), dst, Bytes.u16(b, q + 2), 0, 0,
                        b, q + 8, udpEnd - q - 8);
            }
            if (protocol == PROTO_TCP) {
                if (ipEnd - q < 20) {
                    return drop(DropReason.BAD_FRAME, "TCP header cut short: " + (ipEnd - q) + " bytes");
                }
                int headerLength = (b[q + 12] >> 4 & 0xf) * 4;
                if (headerLength < 20 || q + headerLength > ipEnd) {
                    return drop(DropReason.BAD_FRAME, "TCP header length " + headerLength + " with "
                            + (ipEnd - q) + " bytes of IP payload");
                }
                return new Segment(Transport.TCP, src, Bytes.u16(b, q), dst, Bytes.u16(b, q + 2),
                        Bytes.i32(b, q + 4), b[q + 13] & 0xff, b, q + headerLength, ipEnd - q - headerLength);
            }
            if (protocol == PROTO_GRE) {
                return gre(q, ipEnd);
            }
            return drop(DropReason.NOT_UDP_OR_TCP, "IP protocol " + protocol);
        }
    }
}
