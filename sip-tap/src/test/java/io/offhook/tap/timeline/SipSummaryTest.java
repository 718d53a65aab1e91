package io.offhook.tap.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipSummaryTest {
    static SipPacket packet(String text) {
        return SipPacket.of(1, text.getBytes(StandardCharsets.UTF_8));
    }

    static final String INVITE = "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-proxy\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 69\r\n"
            + "f: \"Alice\" <sip:alice@example.com>;tag=1\r\n"
            + "t: <sip:bob@example.com>\r\n"
            + "i: call-1\r\n"
            + "CSeq: 2 INVITE\r\n"
            + "Contact: <sip:alice@10.0.0.1>,\r\n"
            + " <sip:alice@10.0.0.3>\r\n"
            + "Authorization: Digest secret\r\n"
            + " continued=secret\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 100\r\n"
            + "\r\n"
            + "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n";

    @Test
    void keepsTheStartLineKeyHeadersAndTheSdpDirection() {
        assertEquals("""
                INVITE sip:bob@10.0.0.2 SIP/2.0
                Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-proxy
                f: "Alice" <sip:alice@example.com>;tag=1
                t: <sip:bob@example.com>
                i: call-1
                CSeq: 2 INVITE
                Contact: <sip:alice@10.0.0.1>,
                 <sip:alice@10.0.0.3>
                Content-Type: application/sdp

                c=IN IP4 10.0.0.1
                m=audio 4000 RTP/AVP 0
                a=sendonly""", SipSummary.summarize(packet(INVITE), 2048));
    }

    @Test
    void aMessageWithoutBodyOrWithLfOnlyLineEnds() {
        String ok = "SIP/2.0 200 OK\nVia: SIP/2.0/UDP x\nCall-ID: c\nExpires: 60\nContent-Length: 0\n\n";
        assertEquals("SIP/2.0 200 OK\nVia: SIP/2.0/UDP x\nCall-ID: c\nExpires: 60", SipSummary.summarize(packet(ok),
                2048));
    }

    @Test
    void longLinesAndLongMessagesAreCut() {
        String big = "MESSAGE sip:x SIP/2.0\r\nFrom: " + "a".repeat(5000) + "\r\nTo: " + "b".repeat(300)
                + "\r\nCall-ID: " + "c".repeat(300) + "\r\n\r\n";
        String s = SipSummary.summarize(packet(big), 400);
        assertTrue(s.length() <= 400, s.length() + " chars");
        assertTrue(s.startsWith("MESSAGE sip:x SIP/2.0\nFrom: aaaa"), s);
        assertTrue(s.contains("a...\nTo: bbb"), "each line is cut at " + SipSummary.MAX_LINE_CHARS + ": " + s);
        assertTrue(s.endsWith("\n... (cut at 400 characters)"), s);
    }

    @Test
    void controlCharactersAreReplacedAndBadUtf8IsNotFatal() {
        byte[] bytes = "NOTIFY sip:x SIP/2.0\r\nFrom: a\u0007b \u00ff\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        SipPacket p = SipPacket.of(1, bytes);
        assertEquals("NOTIFY sip:x SIP/2.0\nFrom: a\uFFFDb \uFFFD", SipSummary.summarize(p, 2048));
    }

    @Test
    void theWireNamesTransportAndAddresses() {
        byte[] data = "OPTIONS sip:x SIP/2.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        SipPacket p = new SipPacket(1, Transport.TCP, new byte[] {10, 0, 0, 1}, 5060,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 5070, data, 0, data.length);
        assertEquals("TCP 10.0.0.1:5060 -> [0:0:0:0:0:0:0:1]:5070", SipSummary.wire(p));
        assertEquals("UDP ? -> ?", SipSummary.wire(SipPacket.of(1, data)));
    }
}
