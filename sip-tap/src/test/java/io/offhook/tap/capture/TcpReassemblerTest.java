package io.offhook.tap.capture;

import static io.offhook.tap.capture.Frames.ascii;
import static io.offhook.tap.capture.SipText.invite;
import static io.offhook.tap.capture.SipText.okWithoutLength;
import static io.offhook.tap.capture.SipText.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TCP reassembly and SIP framing on one or more streams, segment by segment. */
class TcpReassemblerTest {
    private static final FlowKey CLIENT = new FlowKey(Frames.addr("10.0.0.1"), 40000, Frames.addr("10.0.0.2"), 5060);
    private static final FlowKey SERVER = new FlowKey(Frames.addr("10.0.0.2"), 5060, Frames.addr("10.0.0.1"), 40000);
    private static final int ISN = 1000;

    private final DropCounters drops = new DropCounters();
    private final List<String> messages = new ArrayList<>();
    private final List<FlowKey> flows = new ArrayList<>();
    private final List<byte[]> hepFrames = new ArrayList<>();
    private TcpReassembler tcp = reassembler(ReassemblyLimits.DEFAULTS);

    private TcpReassembler reassembler(ReassemblyLimits limits) {
        return new TcpReassembler(limits, drops, "test", new TcpReassembler.Sink() {
            @Override
            public void sip(FlowKey flow, long timeMicros, byte[] message) {
                flows.add(flow);
                messages.add(new String(message, StandardCharsets.ISO_8859_1));
            }

            @Override
            public void hep(FlowKey flow, long timeMicros, byte[] frame) {
                hepFrames.add(frame);
            }
        });
    }

    private void syn(FlowKey key, int isn) {
        tcp.segment(key, 0, isn, Frames.SYN, new byte[0], 0, 0);
    }

    /** Sends {@code text} as data at stream offset {@code at} (0 = first byte after the SYN). */
    private void data(FlowKey key, int isn, int at, String text) {
        data(key, isn, at, text, Frames.PSH_ACK);
    }

    private void data(FlowKey key, int isn, int at, String text, int flags) {
        byte[] b = ascii(text);
        tcp.segment(key, 0, isn + 1 + at, flags, b, 0, b.length);
    }

    private Map<DropReason, Long> dropped() {
        return drops.snapshot();
    }

    @Test
    void twoMessagesInOneSegment() {
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, options("a") + invite("b", false));
        assertEquals(List.of(options("a"), invite("b", false)), messages);
        assertEquals(List.of(CLIENT, CLIENT), flows);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void oneMessageAcrossThreeSegments() {
        String m = invite("a", false);
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, m.substring(0, 10));
        data(CLIENT, ISN, 10, m.substring(10, m.length() - 20));
        assertEquals(List.of(), messages, "incomplete until the last byte of the body");
        data(CLIENT, ISN, m.length() - 20, m.substring(m.length() - 20));
        assertEquals(List.of(m), messages);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void outOfOrderSegmentsAreReordered() {
        String m1 = invite("a", false);
        String m2 = options("b");
        String all = m1 + m2;
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 100, all.substring(100, 200));
        data(CLIENT, ISN, 200, all.substring(200));
        assertEquals(List.of(), messages);
        data(CLIENT, ISN, 0, all.substring(0, 100));
        assertEquals(List.of(m1, m2), messages);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void overlappingAndRetransmittedSegmentsAreUsedOnce() {
        String m1 = invite("a", true);
        String m2 = options("b");
        String all = m1 + m2;
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, all.substring(0, 50));
        data(CLIENT, ISN, 30, all.substring(30, 120)); // overlaps the first by 20 bytes
        data(CLIENT, ISN, 0, all.substring(0, 120)); // a full retransmission
        data(CLIENT, ISN, 200, all.substring(200, 260)); // early
        data(CLIENT, ISN, 110, all.substring(110, 230)); // overlaps both neighbours
        data(CLIENT, ISN, 230, all.substring(230));
        data(CLIENT, ISN, 0, all); // everything again
        assertEquals(List.of(m1, m2), messages);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void keepAlivesBetweenMessagesAndMissingContentLength() {
        syn(SERVER, 7);
        data(SERVER, 7, 0, "\r\n\r\n" + okWithoutLength("a") + "\r\n" + "\r\n\r\n");
        String rest = okWithoutLength("b") + invite("c", true);
        data(SERVER, 7, 4 + okWithoutLength("a").length() + 6, rest);
        assertEquals(List.of(okWithoutLength("a"), okWithoutLength("b"), invite("c", true)), messages);
        assertEquals(List.of(SERVER, SERVER, SERVER), flows);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void bothDirectionsAreSeparateStreams() {
        syn(CLIENT, ISN);
        syn(SERVER, 50);
        String request = options("a");
        String reply = okWithoutLength("a");
        data(CLIENT, ISN, 0, request.substring(0, 40));
        data(SERVER, 50, 0, reply.substring(0, 30));
        data(CLIENT, ISN, 40, request.substring(40));
        data(SERVER, 50, 30, reply.substring(30));
        assertEquals(List.of(request, reply), messages);
        assertEquals(List.of(CLIENT, SERVER), flows);
    }

    @Test
    void sequenceNumbersWrapAround() {
        int isn = 0xfffffff0;
        String m = invite("a", false);
        syn(CLIENT, isn);
        data(CLIENT, isn, 0, m.substring(0, 40));
        data(CLIENT, isn, 40, m.substring(40));
        assertEquals(List.of(m), messages);
    }

    @Test
    void aLostSegmentCostsOneMessageAndTheStreamResumes() {
        String m1 = options("a");
        String m2 = invite("b", false);
        String m3 = options("c");
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, m1);
        // m2's first half is never captured; its second half and m3 arrive
        data(CLIENT, ISN, m1.length() + 100, m2.substring(100));
        data(CLIENT, ISN, m1.length() + m2.length(), m3);
        assertEquals(List.of(m1), messages, "held while the missing bytes may still come");
        tcp.finish(0);
        assertEquals(List.of(m1, m3), messages);
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), dropped());
    }

    @Test
    void aGapIsDeclaredWhenTooManySegmentsWait() {
        tcp = reassembler(new ReassemblyLimits(64 * 1024, 10, 2));
        String m1 = options("a");
        String lost = options("lost");
        String m3 = options("c");
        String m4 = options("d");
        String m5 = options("e");
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, m1);
        int at = m1.length() + lost.length();
        data(CLIENT, ISN, at, m3);
        data(CLIENT, ISN, at + m3.length(), m4);
        data(CLIENT, ISN, at + m3.length() + m4.length(), m5);
        assertEquals(List.of(m1, m3, m4, m5), messages);
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), dropped());
    }

    @Test
    void captureJoiningMidStreamSkipsToTheFirstStartLine() {
        String m1 = invite("a", false);
        String m2 = options("b");
        data(CLIENT, ISN, 0, m1.substring(60) + m2);
        assertEquals(List.of(m2), messages);
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), dropped());
    }

    @Test
    void captureJoiningAtAMessageBoundaryLosesNothing() {
        data(CLIENT, ISN, 0, options("a"));
        data(CLIENT, ISN, options("a").length(), "\r\n\r\n");
        assertEquals(List.of(options("a")), messages);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void finClosesTheStreamAndCountsAnUnfinishedMessage() {
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, options("a"));
        data(CLIENT, ISN, options("a").length(), "", Frames.FIN | Frames.ACK);
        assertEquals(0, tcp.streamCount());
        syn(SERVER, 5);
        data(SERVER, 5, 0, "SIP/2.0 200 OK\r\nVia: x\r\n", Frames.FIN | Frames.ACK);
        assertEquals(0, tcp.streamCount());
        assertEquals(List.of(options("a")), messages);
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), dropped());
    }

    @Test
    void finAheadOfMissingDataWaitsForIt() {
        String m = options("a");
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 20, m.substring(20), Frames.FIN | Frames.ACK);
        assertEquals(1, tcp.streamCount());
        data(CLIENT, ISN, 0, m.substring(0, 20));
        assertEquals(List.of(m), messages);
        assertEquals(0, tcp.streamCount());
        assertEquals(Map.of(), dropped());
    }

    @Test
    void resetDropsTheStream() {
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, "OPTIONS sip:bob@example.com SIP/2.0\r\n");
        tcp.segment(CLIENT, 0, ISN + 1 + 36, Frames.RST, new byte[0], 0, 0);
        assertEquals(0, tcp.streamCount());
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), dropped());
    }

    @Test
    void retransmittedSynDoesNotResetTheStream() {
        String m = options("a");
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, m.substring(0, 30));
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 30, m.substring(30));
        assertEquals(List.of(m), messages);
        assertEquals(Map.of(), dropped());
    }

    @Test
    void headersWithoutEndOverTheLimitAreDroppedAndTheStreamResumes() {
        tcp = reassembler(new ReassemblyLimits(1024, 10, 8));
        syn(CLIENT, ISN);
        StringBuilder huge = new StringBuilder("OPTIONS sip:bob@example.com SIP/2.0\r\n");
        while (huge.length() < 1500) {
            huge.append("X-Filler: 0123456789012345678901234567890123456789\r\n");
        }
        data(CLIENT, ISN, 0, huge.toString());
        data(CLIENT, ISN, huge.length(), "\r\n" + options("b"));
        assertEquals(List.of(options("b")), messages);
        assertEquals(Map.of(DropReason.TCP_OVERSIZED, 1L), dropped());
    }

    @Test
    void aMessageOverTheLimitIsSkippedByItsContentLength() {
        tcp = reassembler(new ReassemblyLimits(1024, 10, 8));
        String big = "MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: 3000\r\n\r\n" + "x".repeat(3000);
        String all = big + options("b");
        syn(CLIENT, ISN);
        for (int at = 0; at < all.length(); at += 700) {
            data(CLIENT, ISN, at, all.substring(at, Math.min(all.length(), at + 700)));
        }
        assertEquals(List.of(options("b")), messages);
        assertEquals(Map.of(DropReason.SIP_TOO_LARGE, 1L), dropped());
    }

    @Test
    void unreadableContentLengthIsCountedAndTheNextMessageRead() {
        syn(CLIENT, ISN);
        data(CLIENT, ISN, 0, "OPTIONS sip:bob@example.com SIP/2.0\r\nContent-Length: ten\r\n\r\n" + options("b"));
        assertEquals(List.of(options("b")), messages);
        assertEquals(Map.of(DropReason.SIP_MALFORMED, 1L), dropped());
    }

    @Test
    void aStreamThatIsNotSipIsCountedOnce() {
        syn(CLIENT, ISN);
        String http = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
        data(CLIENT, ISN, 0, http);
        data(CLIENT, ISN, http.length(), http);
        data(CLIENT, ISN, 2 * http.length(), "\u0001\u0002binary without line ends");
        assertEquals(List.of(), messages);
        assertEquals(Map.of(DropReason.NOT_SIP, 1L), dropped());
    }

    @Test
    void theStreamIdleTheLongestIsEvicted() {
        tcp = reassembler(new ReassemblyLimits(64 * 1024, 2, 8));
        FlowKey third = new FlowKey(Frames.addr("10.0.0.3"), 40000, Frames.addr("10.0.0.2"), 5060);
        syn(CLIENT, ISN);
        syn(SERVER, 5);
        data(CLIENT, ISN, 0, "OPTIONS sip:bob@example.com SIP/2.0\r\n"); // CLIENT is now the most recent
        syn(third, 9); // evicts SERVER, which holds nothing: no loss
        assertEquals(2, tcp.streamCount());
        assertEquals(Map.of(), dropped());
        syn(SERVER, 5); // evicts CLIENT with a partial message
        assertEquals(Map.of(DropReason.TCP_GAP, 1L), dropped());
        data(third, 9, 0, options("c"));
        assertEquals(List.of(options("c")), messages);
    }

    @Test
    void hepFramesOnAStreamAreDelimitedByTheirLength() {
        byte[] frame1 = hep3(40);
        byte[] frame2 = hep3(70);
        byte[] all = Frames.concat(frame1, frame2);
        syn(CLIENT, ISN);
        tcp.segment(CLIENT, 0, ISN + 1, Frames.PSH_ACK, all, 0, 50);
        tcp.segment(CLIENT, 0, ISN + 51, Frames.PSH_ACK, all, 50, all.length - 50);
        assertEquals(2, hepFrames.size());
        assertTrue(java.util.Arrays.equals(frame1, hepFrames.get(0)));
        assertTrue(java.util.Arrays.equals(frame2, hepFrames.get(1)));
        assertEquals(Map.of(), dropped());
    }

    /** A HEP3-framed blob of the given total length (the reassembler only frames it). */
    private static byte[] hep3(int length) {
        byte[] b = new byte[length];
        b[0] = 'H';
        b[1] = 'E';
        b[2] = 'P';
        b[3] = '3';
        b[4] = (byte) (length >> 8);
        b[5] = (byte) length;
        for (int i = 6; i < length; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }
}
