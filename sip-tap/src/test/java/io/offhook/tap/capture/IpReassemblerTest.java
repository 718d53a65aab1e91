package io.offhook.tap.capture;

import static io.offhook.tap.capture.Frames.ascii;
import static io.offhook.tap.capture.Frames.ethernet;
import static io.offhook.tap.capture.Frames.ipv4Fragments;
import static io.offhook.tap.capture.Frames.ipv6Fragments;
import static io.offhook.tap.capture.Frames.tcp;
import static io.offhook.tap.capture.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.hep.HepEncoder;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * IP fragments of SIP (and of HEP) put back together: frames in, SIP packets out, through {@link SipExtractor}; the
 * bounds directly on {@link IpReassembler}.
 */
class IpReassemblerTest {
    private static final int IPV4 = 0x0800;
    private static final int IPV6 = 0x86dd;
    private static final int UDP = 17;

    private final List<SipPacket> packets = new ArrayList<>();
    private final DropCounters drops = new DropCounters();
    private final SipExtractor extractor = new SipExtractor("test.pcap", packets::add, drops,
            ReassemblyLimits.DEFAULTS);
    private long record;
    private long time = 1_000_000L;

    /** An INVITE with a video SDP body, about 3,200 bytes: three fragments at a 1,500-byte MTU. */
    static String bigInvite(String callId) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                + "t=0 0\r\nm=audio 16000 RTP/SAVPF 0 8 9\r\nm=video 16002 RTP/SAVPF 96 97 98\r\n");
        for (int i = 0; i < 40; i++) {
            sdp.append("a=candidate:").append(i).append(" 1 udp 2130706431 192.0.2.1 ").append(16000 + i)
                    .append(" typ host generation 0\r\n");
        }
        return "INVITE sip:bob@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-" + callId + "\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.1:5060>\r\nContent-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private void frame(byte[] ip) {
        record++;
        time += 1000;
        byte[] f = ethernet(ip[0] >> 4 == 6 ? IPV6 : IPV4, ip);
        extractor.frame(FrameDecoder.LINKTYPE_ETHERNET, time, f, 0, f.length, record);
    }

    private static String text(SipPacket p) {
        return new String(p.data(), p.offset(), p.length(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void ipv4FragmentsInOrderMakeTheMessage() throws Exception {
        String invite = bigInvite("c1");
        assertTrue(invite.length() > 3000, "fits in " + invite.length() + " bytes");
        ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 7, udp(5062, 5060, ascii(invite)), 1480, 2960)
                .forEach(this::frame);

        assertEquals(Map.of(), drops.snapshot());
        assertEquals(1, packets.size());
        SipPacket p = packets.get(0);
        assertEquals(invite, text(p));
        assertEquals(Transport.UDP, p.transport());
        assertEquals(InetAddress.getByName("192.0.2.1"), p.sourceAddress());
        assertEquals(5062, p.sourcePort());
        assertEquals(5060, p.destinationPort());
        assertEquals(time, p.timeMicros(), "the time of the fragment that completed it");
    }

    @Test
    void reversedDuplicatedAndInterleavedFragmentsMakeEachMessageOnce() {
        List<byte[]> first = ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 7,
                udp(5062, 5060, ascii(bigInvite("c1"))), 1480, 2960);
        List<byte[]> second = ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 8,
                udp(5062, 5060, ascii(bigInvite("c2"))), 1480, 2960);
        frame(first.get(2));
        frame(second.get(1));
        frame(first.get(1));
        frame(first.get(1)); // a mirror port's second copy
        frame(second.get(0));
        frame(first.get(0));
        frame(second.get(2));

        assertEquals(Map.of(), drops.snapshot());
        assertEquals(List.of(bigInvite("c1"), bigInvite("c2")), packets.stream().map(IpReassemblerTest::text).toList());
    }

    @Test
    void ipv6FragmentsAfterAHopByHopHeaderMakeTheMessage() throws Exception {
        String invite = bigInvite("c6");
        List<byte[]> fragments = ipv6Fragments("2001:db8::1", "2001:db8::2", UDP, 0x12345678,
                udp(5062, 5060, ascii(invite)), 1232, 2464);
        frame(fragments.get(1));
        frame(fragments.get(2));
        frame(fragments.get(0));

        assertEquals(Map.of(), drops.snapshot());
        assertEquals(1, packets.size());
        assertEquals(invite, text(packets.get(0)));
        assertEquals(InetAddress.getByName("2001:db8::2"), packets.get(0).destinationAddress());
    }

    @Test
    void anAtomicIpv6FragmentIsTheWholeDatagram() {
        String invite = bigInvite("atomic");
        ipv6Fragments("2001:db8::1", "2001:db8::2", UDP, 1, udp(5062, 5060, ascii(invite))).forEach(this::frame);

        assertEquals(Map.of(), drops.snapshot());
        assertEquals(List.of(invite), packets.stream().map(IpReassemblerTest::text).toList());
    }

    @Test
    void fragmentedHepYieldsTheSipItCarries() throws Exception {
        String invite = bigInvite("hep1");
        SipPacket inner = new SipPacket(42_000_000L, Transport.UDP, InetAddress.getByName("192.0.2.10").getAddress(),
                5060, InetAddress.getByName("192.0.2.20").getAddress(), 5060, ascii(invite), 0, invite.length());
        byte[] hep = HepEncoder.encodeV3(inner, 2001, null);
        ipv4Fragments("192.0.2.1", "192.0.2.9", UDP, 99, udp(5060, 9060, hep), 1480, 2960).forEach(this::frame);

        assertEquals(Map.of(), drops.snapshot());
        assertEquals(1, packets.size());
        assertEquals(invite, text(packets.get(0)));
        assertEquals(InetAddress.getByName("192.0.2.20"), packets.get(0).destinationAddress());
    }

    @Test
    void aFragmentedTcpSegmentIsReassembledToo() {
        String invite = bigInvite("t1");
        ipv4Fragments("192.0.2.1", "192.0.2.2", 6, 3, tcp(5062, 5060, 1000, Frames.PSH_ACK, ascii(invite)), 1480)
                .forEach(this::frame);
        extractor.finish(time);

        assertEquals(List.of(invite), packets.stream().map(IpReassemblerTest::text).toList());
    }

    @Test
    void overlappingFragmentsWithDifferentBytesDropTheDatagramOnce() {
        byte[] l4 = udp(5062, 5060, ascii(bigInvite("evil")));
        List<byte[]> fragments = ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 5, l4, 1480, 2960);
        byte[] forged = l4.clone();
        forged[1500] ^= 1;
        frame(fragments.get(0));
        frame(ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 5, forged, 1480, 2960).get(1));
        frame(fragments.get(1));
        frame(fragments.get(2));
        extractor.finish(time);

        assertEquals(Map.of(DropReason.IP_FRAGMENT_INVALID, 1L), drops.snapshot());
        assertEquals(List.of(), packets);
    }

    @Test
    void aLostFragmentIsGivenUpAfterTheTimeoutAndTheRestAtTheEnd() {
        List<byte[]> lost = ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 1,
                udp(5062, 5060, ascii(bigInvite("lost"))), 1480, 2960);
        frame(lost.get(0));
        frame(lost.get(2));
        time += IpReassembler.DEFAULT_TIMEOUT_MICROS;
        List<byte[]> pending = ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, 2,
                udp(5062, 5060, ascii(bigInvite("pending"))), 1480, 2960);
        frame(pending.get(0));
        assertEquals(Map.of(DropReason.IP_FRAGMENT_INCOMPLETE, 1L), drops.snapshot());

        extractor.finish(time);
        assertEquals(Map.of(DropReason.IP_FRAGMENT_INCOMPLETE, 2L), drops.snapshot());
        assertEquals(List.of(), packets);
    }

    @Test
    void fragmentsThatCannotBelongToADatagramAreInvalid() {
        byte[] l4 = udp(5062, 5060, ascii(bigInvite("c1")));
        // not the last, and 1,481 bytes: not a multiple of 8
        frame(Frames.ipv4("192.0.2.1", "192.0.2.2", UDP, Arrays.copyOf(l4, 1481), 0, 0x2000));
        // past 65,535 bytes: the largest offset with 100 bytes
        byte[] far = Frames.ipv4("192.0.2.1", "192.0.2.3", UDP, new byte[100], 0, 0x1fff);
        frame(far);
        // two last fragments ending at different places
        List<byte[]> one = ipv4Fragments("192.0.2.1", "192.0.2.4", UDP, 1, l4, 1480);
        List<byte[]> other = ipv4Fragments("192.0.2.1", "192.0.2.4", UDP, 1, Arrays.copyOf(l4, l4.length - 8), 1480);
        frame(one.get(1));
        frame(other.get(1));

        assertEquals(Map.of(DropReason.IP_FRAGMENT_INVALID, 3L), drops.snapshot());
        assertEquals(List.of(), packets);
    }

    @Test
    void theDatagramWaitingLongestIsGivenUpAtTheLimit() {
        IpReassembler fragments = new IpReassembler(drops, "bounds", 2, 1 << 20, 1_000_000L);
        byte[] b = new byte[64];
        for (int id = 1; id <= 3; id++) {
            assertNull(fragments.fragment(new IpReassembler.Key(new byte[8], UDP, id), 10, id, 0, true, UDP, b, 0,
                    16));
        }
        assertEquals(2, fragments.waiting());
        assertEquals(Map.of(DropReason.IP_FRAGMENT_INCOMPLETE, 1L), drops.snapshot());
        // the first was given up, the third still completes
        IpReassembler.Whole third = fragments.fragment(new IpReassembler.Key(new byte[8], UDP, 3), 11, 4, 16, false,
                UDP, b, 0, 8);
        assertEquals(24, third.payload().length);
        assertEquals(1, fragments.waiting());

        IpReassembler small = new IpReassembler(drops, "bytes", 100, 40, 1_000_000L);
        small.fragment(new IpReassembler.Key(new byte[8], UDP, 1), 10, 1, 0, true, UDP, b, 0, 32);
        small.fragment(new IpReassembler.Key(new byte[8], UDP, 2), 10, 2, 0, true, UDP, b, 0, 32);
        assertEquals(1, small.waiting(), "64 bytes held over a limit of 40");
    }

    /** A datagram's fragments, cut at random 8-byte boundaries, over IPv4 or IPv6 (said by {@code six}). */
    private static List<byte[]> randomFragments(Random random, byte[] l4, int id, boolean six) {
        List<Integer> cuts = new ArrayList<>();
        for (int at = 8 * (1 + random.nextInt(200)); at < l4.length; at += 8 * (1 + random.nextInt(200))) {
            cuts.add(at);
        }
        int[] cut = cuts.stream().mapToInt(Integer::intValue).toArray();
        return new ArrayList<>(six ? ipv6Fragments("2001:db8::1", "2001:db8::2", UDP, id, l4, cut)
                : ipv4Fragments("192.0.2.1", "192.0.2.2", UDP, id, l4, cut));
    }

    /** Feeds the fragments, in Ethernet frames 1 µs apart, to a new extractor; returns what came out. */
    private static List<SipPacket> extract(List<byte[]> fragments, DropCounters drops) {
        List<SipPacket> out = new ArrayList<>();
        SipExtractor fresh = new SipExtractor("random", out::add, drops, ReassemblyLimits.DEFAULTS);
        long at = 1;
        for (byte[] ip : fragments) {
            byte[] f = ethernet(ip[0] >> 4 == 6 ? IPV6 : IPV4, ip);
            fresh.frame(FrameDecoder.LINKTYPE_ETHERNET, at, f, 0, f.length, at);
            at++;
        }
        fresh.finish(at);
        return out;
    }

    private static String describe(List<byte[]> fragments) {
        return fragments.size() + " frames of " + fragments.stream().map(f -> f.length).toList() + " bytes";
    }

    /**
     * Any datagram, cut anywhere on 8-byte boundaries, its fragments shuffled and some sent twice: the datagram comes
     * out, and only it, with nothing counted as invalid. (A copy of a fragment that arrives after its datagram was
     * complete starts the datagram again, as in the kernel: when every fragment was copied the datagram comes out a
     * second time, which the pipeline drops as a duplicate.) Seeded, 2,000 datagrams.
     */
    @Test
    void anyCutAnyOrderAnyDuplicatesGiveTheDatagramBack() {
        Random random = new Random(20261126L);
        for (int round = 0; round < 2000; round++) {
            String invite = bigInvite("r" + round);
            byte[] l4 = udp(5062, 5060, ascii(invite.substring(0, 200 + random.nextInt(invite.length() - 200))));
            List<byte[]> fragments = randomFragments(random, l4, round, random.nextBoolean());
            for (int i = 0, n = fragments.size(); i < n; i++) {
                if (random.nextInt(4) == 0) {
                    fragments.add(fragments.get(i));
                }
            }
            Collections.shuffle(fragments, random);
            DropCounters roundDrops = new DropCounters();
            List<SipPacket> out = extract(fragments, roundDrops);

            String where = "round " + round + ": " + describe(fragments);
            assertTrue(!out.isEmpty() && out.size() <= 2, where + ": " + out.size() + " datagrams");
            for (SipPacket p : out) {
                assertArrayEquals(Arrays.copyOfRange(l4, 8, l4.length),
                        Arrays.copyOfRange(p.data(), p.offset(), p.offset() + p.length()), where);
            }
            assertEquals(0, roundDrops.get(DropReason.IP_FRAGMENT_INVALID), where);
        }
    }

    /**
     * The same datagrams with one fragment lost, or with a second copy of one fragment whose bytes differ (both
     * copies arriving before the datagram could be complete): nothing comes out, and the datagram is counted once,
     * as incomplete (at the end of the source) or as invalid. Seeded, 1,000 datagrams.
     */
    @Test
    void aLostOrForgedFragmentNeverGivesADatagram() {
        Random random = new Random(20261127L);
        for (int round = 0; round < 1000; round++) {
            byte[] l4 = udp(5062, 5060, ascii(bigInvite("f" + round)));
            boolean six = random.nextBoolean();
            List<byte[]> fragments = randomFragments(random, l4, round, six);
            Collections.shuffle(fragments, random);
            boolean forge = random.nextBoolean();
            if (forge) {
                // a copy of any fragment but the last to arrive, itself arriving before that last one: both copies
                // are there before the datagram could be complete (a differing copy that arrives first and alone
                // is indistinguishable from the real fragment, for the kernel too)
                byte[] copy = fragments.get(random.nextInt(fragments.size() - 1)).clone();
                int payloadStart = six ? 56 : 20;
                copy[payloadStart + random.nextInt(copy.length - payloadStart)] ^= 0x20;
                fragments.add(random.nextInt(fragments.size()), copy);
            } else {
                fragments.remove(random.nextInt(fragments.size()));
            }
            DropCounters roundDrops = new DropCounters();
            List<SipPacket> out = extract(fragments, roundDrops);

            String where = "round " + round + (forge ? ": forged copy, " : ": lost fragment, ") + describe(fragments);
            assertEquals(List.of(), out, where);
            assertEquals(Map.of(forge ? DropReason.IP_FRAGMENT_INVALID : DropReason.IP_FRAGMENT_INCOMPLETE, 1L),
                    roundDrops.snapshot(), where);
        }
    }
}
