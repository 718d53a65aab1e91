package io.offhook.tap.capture;

import static io.offhook.tap.capture.Frames.ascii;
import static io.offhook.tap.capture.Frames.concat;
import static io.offhook.tap.capture.Frames.ethernet;
import static io.offhook.tap.capture.Frames.ipv4;
import static io.offhook.tap.capture.Frames.ipv6;
import static io.offhook.tap.capture.Frames.tcp;
import static io.offhook.tap.capture.Frames.udp;
import static io.offhook.tap.capture.SipText.options;
import static io.offhook.tap.capture.SipText.text;
import static io.offhook.tap.capture.SipText.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.hep.HepEncoder;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Frames of every supported link type, IP version and transport, down to the SIP packets they carry. */
class SipExtractorTest {
    private static final int IPV4 = 0x0800;
    private static final int IPV6 = 0x86dd;
    private static final String SIP = options("x1");
    private static final byte[] UDP4 = ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, ascii(SIP)));
    private static final byte[] UDP6 = ipv6("2001:db8::1", "2001:db8::2", 17, udp(5062, 5060, ascii(SIP)));

    private final List<SipPacket> packets = new ArrayList<>();
    private final DropCounters drops = new DropCounters();
    private final SipExtractor extractor = new SipExtractor("test.pcap", packets::add, drops,
            ReassemblyLimits.DEFAULTS);
    private long record;

    private void frame(int linkType, byte[] frame) {
        record++;
        extractor.frame(linkType, 1_000_000L * record, frame, 0, frame.length, record);
    }

    private void ethernetFrame(byte[] ip) {
        frame(FrameDecoder.LINKTYPE_ETHERNET, ethernet(ip[0] >> 4 == 6 ? IPV6 : IPV4, ip));
    }

    static Stream<Arguments> linkTypes() {
        return Stream.of(
                Arguments.of("Ethernet IPv4", 1, ethernet(IPV4, UDP4), 4),
                Arguments.of("Ethernet IPv6", 1, ethernet(IPV6, UDP6), 16),
                Arguments.of("802.1Q", 1, ethernet(IPV4, UDP4, 0x8100), 4),
                Arguments.of("QinQ", 1, ethernet(IPV6, UDP6, 0x88a8, 0x8100), 16),
                Arguments.of("old QinQ", 1, ethernet(IPV4, UDP4, 0x9100, 0x8100), 4),
                Arguments.of("SLL IPv4", 113, Frames.sll(IPV4, UDP4), 4),
                Arguments.of("SLL IPv6 with VLAN", 113, Frames.sll(0x8100, Frames.concat(new byte[] {0, 1, (byte) 0x86,
                    (byte) 0xdd}, UDP6)), 16),
                Arguments.of("SLL2 IPv4", 276, Frames.sll2(IPV4, UDP4), 4),
                Arguments.of("SLL2 IPv6", 276, Frames.sll2(IPV6, UDP6), 16),
                Arguments.of("raw IPv4", 101, UDP4, 4),
                Arguments.of("raw IPv6", 101, UDP6, 16),
                Arguments.of("DLT_RAW 12", 12, UDP4, 4),
                Arguments.of("DLT_RAW 14", 14, UDP6, 16),
                Arguments.of("NULL little-endian IPv4", 0, Frames.loopback(2, false, UDP4), 4),
                Arguments.of("NULL big-endian IPv4", 0, Frames.loopback(2, true, UDP4), 4),
                Arguments.of("NULL IPv6 (BSD 24)", 0, Frames.loopback(24, false, UDP6), 16),
                Arguments.of("NULL IPv6 (FreeBSD 28)", 0, Frames.loopback(28, true, UDP6), 16),
                Arguments.of("NULL IPv6 (Darwin 30)", 0, Frames.loopback(30, false, UDP6), 16),
                Arguments.of("NULL IPv6 (Linux 10)", 0, Frames.loopback(10, false, UDP6), 16),
                Arguments.of("LOOP IPv4", 108, Frames.loopback(2, true, UDP4), 4),
                Arguments.of("IPv4 link type", 228, UDP4, 4),
                Arguments.of("IPv6 link type", 229, UDP6, 16),
                // mirrored to a collector in a tunnel: the inner addresses are the message's
                Arguments.of("VXLAN", 1, ethernet(IPV4, outer(17, udp(40000, 4789, concat(VXLAN,
                        ethernet(IPV4, UDP4))))), 4),
                Arguments.of("GRE, Ethernet inside", 1, ethernet(IPV4, outer(47, concat(bytes(0, 0, 0x65, 0x58),
                        ethernet(IPV4, UDP4)))), 4),
                Arguments.of("GRE with key and sequence number, IPv4 inside", 1, ethernet(IPV4, outer(47,
                        concat(bytes(0x30, 0, 0x08, 0, 0, 0, 0, 7, 0, 0, 0, 1), UDP4))), 4),
                Arguments.of("GRE with checksum, IPv6 inside", 1, ethernet(IPV4, outer(47,
                        concat(bytes(0x80, 0, 0x86, 0xdd, 0x12, 0x34, 0, 0), UDP6))), 16),
                Arguments.of("ERSPAN type I", 1, ethernet(IPV4, outer(47, concat(bytes(0, 0, 0x88, 0xbe),
                        ethernet(IPV4, UDP4)))), 4),
                Arguments.of("ERSPAN type II", 1, ethernet(IPV4, outer(47, concat(bytes(0x10, 0, 0x88, 0xbe, 0, 0,
                        0, 9), bytes(0x10, 0x64, 0, 0x01, 0, 0, 0, 0), ethernet(IPV4, UDP4, 0x8100)))), 4),
                Arguments.of("ERSPAN type III", 1, ethernet(IPV4, outer(47, concat(bytes(0x10, 0, 0x22, 0xeb, 0, 0,
                        0, 9), bytes(0x20, 0x64, 0, 0x01, 1, 2, 3, 4, 0, 0, 0, 0), ethernet(IPV6, UDP6)))), 16),
                Arguments.of("ERSPAN type III with a platform subheader", 1, ethernet(IPV4, outer(47,
                        concat(bytes(0x10, 0, 0x22, 0xeb, 0, 0, 0, 9), bytes(0x20, 0x64, 0, 0x01, 1, 2, 3, 4, 0, 0,
                        0, 1), new byte[8], ethernet(IPV4, UDP4)))), 4),
                Arguments.of("VXLAN over IPv6 in a Linux cooked capture", 113, Frames.sll(IPV6,
                        ipv6("2001:db8:ffff::1", "2001:db8:ffff::2", 17, udp(40000, 4789, concat(VXLAN,
                        ethernet(IPV4, UDP4))))), 4),
                Arguments.of("three tunnels inside each other", 1, tunnels(3), 4),
                Arguments.of("MPLS, two labels", 1, ethernet(0x8847, concat(bytes(0, 1, 0x20, 64, 0, 2, 0x21, 64),
                        UDP4)), 4),
                Arguments.of("MPLS over VLAN, IPv6", 1, ethernet(0x8847, concat(bytes(0, 1, 0x21, 64), UDP6),
                        0x8100), 16),
                Arguments.of("PPPoE session, IPv4", 1, ethernet(0x8864, concat(bytes(0x11, 0, 0, 7, 0, 0, 0, 0x21),
                        UDP4)), 4),
                Arguments.of("PPPoE session, IPv6", 1, ethernet(0x8864, concat(bytes(0x11, 0, 0, 7, 0, 0, 0, 0x57),
                        UDP6)), 16));
    }

    /** VXLAN's header (RFC 7348): the I flag, VNI 42. */
    private static final byte[] VXLAN = bytes(0x08, 0, 0, 0, 0, 0, 42, 0);

    /** The tunnel's own IPv4 packet, from the mirroring switch to the collector. */
    private static byte[] outer(int protocol, byte[] payload) {
        return ipv4("198.51.100.1", "198.51.100.2", protocol, payload);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] tunnels(int depth) {
        byte[] inner = ethernet(IPV4, UDP4);
        for (int i = 0; i < depth; i++) {
            inner = ethernet(IPV4, outer(17, udp(40000, 4789, concat(VXLAN, inner))));
        }
        return inner;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkTypes")
    void everyLinkTypeYieldsTheSipMessage(String name, int linkType, byte[] frame, int addressLength)
            throws Exception {
        frame(linkType, frame);
        assertEquals(Map.of(), drops.snapshot());
        assertEquals(1, packets.size());
        SipPacket p = packets.get(0);
        assertEquals(SIP, text(p));
        assertEquals(Transport.UDP, p.transport());
        assertEquals(5062, p.sourcePort());
        assertEquals(5060, p.destinationPort());
        assertEquals(1_000_000L, p.timeMicros());
        assertEquals(InetAddress.getByName(addressLength == 4 ? "192.0.2.1" : "2001:db8::1"), p.sourceAddress());
        assertEquals(InetAddress.getByName(addressLength == 4 ? "192.0.2.2" : "2001:db8::2"),
                p.destinationAddress());
    }

    static Stream<Arguments> badFrames() {
        byte[] icmp = ipv4("192.0.2.1", "192.0.2.2", 1, new byte[8]);
        byte[] fragmentHeaderCutShort = Arrays.copyOf(ipv6("::1", "::1", 17, new byte[0], 44), 44);
        fragmentHeaderCutShort[5] = 4; // payload length: half a fragment header
        byte[] badIhl = UDP4.clone();
        badIhl[0] = 0x44;
        byte[] longerThanCaptured = Arrays.copyOf(UDP4, UDP4.length - 10);
        byte[] udpTooLong = UDP4.clone();
        udpTooLong[20 + 4] = (byte) 0xff;
        byte[] wrongVersion = UDP4.clone();
        wrongVersion[0] = 0x55;
        return Stream.of(
                Arguments.of("ICMP", 1, ethernet(IPV4, icmp), DropReason.NOT_UDP_OR_TCP),
                Arguments.of("IPv6 fragment header cut short", 101, fragmentHeaderCutShort, DropReason.BAD_FRAME),
                Arguments.of("IPv6 no next header", 101, ipv6("::1", "::1", 59, new byte[0]),
                        DropReason.NOT_UDP_OR_TCP),
                Arguments.of("ARP", 1, ethernet(0x0806, new byte[28]), DropReason.NOT_UDP_OR_TCP),
                Arguments.of("loopback family 7", 0, Frames.loopback(7, false, UDP4), DropReason.NOT_UDP_OR_TCP),
                Arguments.of("short Ethernet", 1, new byte[10], DropReason.BAD_FRAME),
                Arguments.of("short SLL", 113, new byte[15], DropReason.BAD_FRAME),
                Arguments.of("short SLL2", 276, new byte[19], DropReason.BAD_FRAME),
                Arguments.of("short loopback", 0, new byte[3], DropReason.BAD_FRAME),
                Arguments.of("empty raw IP", 101, new byte[0], DropReason.BAD_FRAME),
                Arguments.of("raw IP version 5", 101, wrongVersion, DropReason.BAD_FRAME),
                Arguments.of("IPv6 link type carrying IPv4", 229, UDP4, DropReason.BAD_FRAME),
                Arguments.of("VLAN tag cut short", 1, ethernet(0x8100, new byte[2]), DropReason.BAD_FRAME),
                Arguments.of("IPv4 header length past the frame", 1, ethernet(IPV4, Arrays.copyOf(badIhl, 20)),
                        DropReason.BAD_FRAME),
                Arguments.of("IPv4 header cut short", 1, ethernet(IPV4, Arrays.copyOf(UDP4, 12)),
                        DropReason.BAD_FRAME),
                Arguments.of("UDP length past the packet", 101, udpTooLong, DropReason.BAD_FRAME),
                Arguments.of("IPv4 longer than captured", 101, longerThanCaptured, DropReason.CAPTURE_TRUNCATED),
                Arguments.of("IPv6 longer than captured", 101, Arrays.copyOf(UDP6, UDP6.length - 1),
                        DropReason.CAPTURE_TRUNCATED),
                Arguments.of("unknown link type", 147, UDP4, DropReason.UNSUPPORTED_LINK_TYPE),
                Arguments.of("GRE version 1 (PPTP)", 101, outer(47, concat(bytes(0x30, 0x81, 0x88, 0x0b, 0, 4, 0, 0),
                        new byte[4])), DropReason.NOT_UDP_OR_TCP),
                Arguments.of("GRE carrying PPP", 101, outer(47, concat(bytes(0, 0, 0x88, 0x0b), new byte[20])),
                        DropReason.NOT_UDP_OR_TCP),
                Arguments.of("GRE with source routing", 101, outer(47, concat(bytes(0x40, 0, 0x08, 0), new byte[8])),
                        DropReason.NOT_UDP_OR_TCP),
                Arguments.of("GRE cut short", 101, outer(47, bytes(0, 0)), DropReason.BAD_FRAME),
                Arguments.of("ERSPAN type II header cut short", 101, outer(47, bytes(0x10, 0, 0x88, 0xbe, 0, 0, 0, 9,
                        0x10, 0x64)), DropReason.BAD_FRAME),
                Arguments.of("VXLAN with a short Ethernet frame", 101, outer(17, udp(40000, 4789, concat(VXLAN,
                        new byte[10]))), DropReason.BAD_FRAME),
                Arguments.of("four tunnels inside each other", 1, tunnels(4), DropReason.BAD_FRAME),
                Arguments.of("MPLS without a bottom of stack", 1, ethernet(0x8847, bytes(0, 1, 0x20, 64, 0, 2, 0x20,
                        64)), DropReason.BAD_FRAME),
                Arguments.of("MPLS pseudowire", 1, ethernet(0x8847, concat(bytes(0, 1, 0x21, 64, 0, 0, 0, 0),
                        ethernet(IPV4, UDP4))), DropReason.NOT_UDP_OR_TCP),
                Arguments.of("PPPoE carrying LCP", 1, ethernet(0x8864, bytes(0x11, 0, 0, 7, 0, 4, 0xc0, 0x21, 1, 1)),
                        DropReason.NOT_UDP_OR_TCP),
                Arguments.of("PPPoE cut short", 1, ethernet(0x8864, bytes(0x11, 0, 0, 7)), DropReason.BAD_FRAME),
                Arguments.of("UDP not SIP", 101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(53, 5060, new byte[] {0,
                    1, 2, 3, 'x'})), DropReason.NOT_SIP),
                Arguments.of("UDP HTTP", 101, ipv4("192.0.2.1", "192.0.2.2", 17,
                        udp(80, 5060, ascii("GET / HTTP/1.1\r\n\r\n"))), DropReason.NOT_SIP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void badFramesAreCountedWithTheirReason(String name, int linkType, byte[] frame, DropReason reason) {
        frame(linkType, frame);
        assertEquals(List.of(), packets);
        assertEquals(Map.of(reason, 1L), drops.snapshot());
    }

    @Test
    void ipv4OptionsAndEthernetPaddingAreRespected() {
        byte[] ip = ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, ascii(SIP)), 3, 0);
        ethernetFrame(Frames.concat(ip, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        assertEquals(List.of(SIP), texts(packets));
    }

    @Test
    void ipv4TotalLengthZeroMeansTheCapturedLength() {
        byte[] ip = UDP4.clone();
        ip[2] = 0;
        ip[3] = 0;
        frame(101, ip);
        assertEquals(List.of(SIP), texts(packets));
    }

    @Test
    void ipv6ExtensionHeadersAreSkipped() {
        frame(101, ipv6("2001:db8::1", "2001:db8::2", 17, udp(5062, 5060, ascii(SIP)), 0, 60, 43, 60));
        assertEquals(List.of(SIP), texts(packets));
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void keepAlivesAndEmptyDatagramsAreNeitherMessagesNorDrops() {
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, ascii("\r\n\r\n"))));
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, ascii("\r\n"))));
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, new byte[0])));
        // SIP Outbound's STUN keep-alives on UDP (RFC 5626 4.4.2): a Binding request, and its answer with an
        // XOR-MAPPED-ADDRESS
        byte[] bindingRequest = concat(bytes(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42), new byte[12]);
        byte[] bindingAnswer = concat(bytes(1, 1, 0, 12, 0x21, 0x12, 0xa4, 0x42), new byte[12],
                bytes(0, 0x20, 0, 8, 0, 1, 0x33, 0x44, 0xe1, 0x12, 0xa6, 0x43));
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, bindingRequest)));
        frame(101, ipv4("192.0.2.2", "192.0.2.1", 17, udp(5060, 5062, bindingAnswer)));
        assertEquals(List.of(), packets);
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void binaryThatOnlyResemblesStunIsNotSip() {
        byte[] wrongLength = concat(bytes(0, 1, 0, 8, 0x21, 0x12, 0xa4, 0x42), new byte[12]);
        byte[] noCookie = concat(bytes(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x43), new byte[12]);
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, wrongLength)));
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5062, 5060, noCookie)));
        assertEquals(List.of(), packets);
        assertEquals(Map.of(DropReason.NOT_SIP, 2L), drops.snapshot());
    }

    @Test
    void sipOnAnyPortAndLeadingCrlfIsDropped() {
        String reply = SipText.okWithoutLength("r");
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 17, udp(33333, 44444, ascii("\r\n" + reply))));
        assertEquals(List.of(reply), texts(packets));
        assertEquals(33333, packets.get(0).sourcePort());
    }

    @Test
    void sipOverTcpInIpv6IsReassembled() throws Exception {
        String m1 = SipText.invite("a", false);
        String m2 = options("b");
        byte[] all = ascii(m1 + m2);
        int isn = 77;
        frame(101, ipv6("2001:db8::1", "2001:db8::2", 6, tcp(40000, 5060, isn, Frames.SYN, new byte[0])));
        frame(101, ipv6("2001:db8::1", "2001:db8::2", 6,
                tcp(40000, 5060, isn + 1 + 100, Frames.PSH_ACK, Arrays.copyOfRange(all, 100, all.length))));
        frame(101, ipv6("2001:db8::1", "2001:db8::2", 6,
                tcp(40000, 5060, isn + 1, Frames.PSH_ACK, Arrays.copyOfRange(all, 0, 100))));
        assertEquals(List.of(m1, m2), texts(packets));
        SipPacket p = packets.get(0);
        assertEquals(Transport.TCP, p.transport());
        assertEquals(InetAddress.getByName("2001:db8::1"), p.sourceAddress());
        assertEquals(40000, p.sourcePort());
        assertEquals(InetAddress.getByName("2001:db8::2"), p.destinationAddress());
        assertEquals(5060, p.destinationPort());
        assertEquals(3_000_000L, p.timeMicros(), "the time of the segment that completed the message");
    }

    @Test
    void tcpWithOptionsInItsHeader() {
        byte[] segment = tcp(40000, 5060, 5, Frames.PSH_ACK, new byte[0]);
        // a TCP header of 32 bytes: 12 bytes of NOP options, then the payload
        byte[] withOptions = Frames.concat(Arrays.copyOf(segment, 20), new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
            1, 1}, ascii(SIP));
        withOptions[12] = (byte) (8 << 4);
        frame(101, ipv4("192.0.2.1", "192.0.2.2", 6, withOptions));
        assertEquals(List.of(SIP), texts(packets));
    }

    @Test
    void hepOverUdpYieldsTheInnerMessageWithItsAddresses() throws Exception {
        SipPacket inner = new SipPacket(1_700_000_000_123_456L, Transport.TCP, Frames.addr("198.51.100.7"), 5061,
                Frames.addr("203.0.113.9"), 5060, ascii(SIP), 0, SIP.length());
        frame(1, ethernet(IPV4, ipv4("127.0.0.1", "127.0.0.1", 17, udp(5060, 9060,
                HepEncoder.encodeV3(inner, 2001, null)))));
        frame(1, ethernet(IPV4, ipv4("127.0.0.1", "127.0.0.1", 17, udp(5060, 9060,
                HepEncoder.encodeV2(inner, 2001)))));
        assertEquals(List.of(SIP, SIP), texts(packets));
        for (SipPacket p : packets) {
            assertEquals(InetAddress.getByName("198.51.100.7"), p.sourceAddress());
            assertEquals(5061, p.sourcePort());
            assertEquals(InetAddress.getByName("203.0.113.9"), p.destinationAddress());
            assertEquals(5060, p.destinationPort());
            assertEquals(Transport.TCP, p.transport());
            assertEquals(1_700_000_000_123_456L, p.timeMicros(), "the time the HEP header carries");
        }
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void hepOverTcpIsFramedAndDecoded() throws Exception {
        SipPacket a = new SipPacket(1_000L, Transport.UDP, Frames.addr("198.51.100.7"), 5060,
                Frames.addr("203.0.113.9"), 5060, ascii(options("a")), 0, options("a").length());
        SipPacket b = new SipPacket(2_000L, Transport.UDP, Frames.addr("198.51.100.8"), 5060,
                Frames.addr("203.0.113.9"), 5060, ascii(options("b")), 0, options("b").length());
        byte[] stream = Frames.concat(HepEncoder.encodeV3(a, 1, null), HepEncoder.encodeV3(b, 1, null));
        int split = 100;
        frame(101, ipv4("127.0.0.1", "127.0.0.2", 6, tcp(40000, 9060, 10, Frames.SYN, new byte[0])));
        frame(101, ipv4("127.0.0.1", "127.0.0.2", 6, tcp(40000, 9060, 11, Frames.PSH_ACK,
                Arrays.copyOf(stream, split))));
        frame(101, ipv4("127.0.0.1", "127.0.0.2", 6, tcp(40000, 9060, 11 + split, Frames.PSH_ACK,
                Arrays.copyOfRange(stream, split, stream.length))));
        assertEquals(List.of(options("a"), options("b")), texts(packets));
        assertEquals(InetAddress.getByName("198.51.100.8"), packets.get(1).sourceAddress());
        assertEquals(Transport.UDP, packets.get(1).transport());
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void hepThatIsNotSipOrIsBrokenIsCounted() {
        SipPacket inner = new SipPacket(1L, Transport.UDP, Frames.addr("198.51.100.7"), 5060,
                Frames.addr("203.0.113.9"), 5060, ascii(SIP), 0, SIP.length());
        byte[] hep = HepEncoder.encodeV3(inner, 1, null);
        setChunk(hep, 11, 100); // protocol type: log, not SIP
        frame(101, ipv4("127.0.0.1", "127.0.0.1", 17, udp(5060, 9060, hep)));
        byte[] cut = Arrays.copyOf(HepEncoder.encodeV3(inner, 1, null), 30);
        frame(101, ipv4("127.0.0.1", "127.0.0.1", 17, udp(5060, 9060, cut)));
        assertEquals(List.of(), packets);
        assertEquals(1L, drops.get(DropReason.HEP_NOT_SIP));
        assertEquals(2L, drops.total());
    }

    /** Sets the last byte of a generic HEPv3 chunk's value (and zeroes the rest of it). */
    private static void setChunk(byte[] hep, int type, int value) {
        int p = 6;
        while (p + 6 <= hep.length) {
            int chunkType = (hep[p + 2] & 0xff) << 8 | hep[p + 3] & 0xff;
            int length = (hep[p + 4] & 0xff) << 8 | hep[p + 5] & 0xff;
            if (chunkType == type) {
                Arrays.fill(hep, p + 6, p + length, (byte) 0);
                hep[p + length - 1] = (byte) value;
                return;
            }
            p += length;
        }
        throw new AssertionError("no chunk " + type);
    }
}
