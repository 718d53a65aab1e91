package io.offhook.tap.capture;

import io.offhook.tap.packet.SipPacket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** SIP messages for tests, and their text back out of packets. */
final class SipText {
    static final String SDP = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";

    private SipText() {
    }

    /** A request without a body, Content-Length 0. */
    static String options(String callId) {
        return "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-" + callId + "\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\n"
                + "To: <sip:bob@example.com>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** An INVITE with an SDP body and Content-Length, or the compact {@code l} when {@code compact}. */
    static String invite(String callId, boolean compact) {
        return "INVITE sip:bob@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-" + callId + "\r\n"
                + "f: <sip:alice@example.com>;tag=a1\r\n"
                + "t: <sip:bob@example.com>\r\n"
                + "i: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Content-Type: application/sdp\r\n"
                + (compact ? "l : " : "Content-Length: ") + SDP.length() + "\r\n\r\n" + SDP;
    }

    /** A response without Content-Length (on a stream this means no body). */
    static String okWithoutLength(String callId) {
        return "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-" + callId + "\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\n"
                + "To: <sip:bob@example.com>;tag=b1\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n\r\n";
    }

    static String text(SipPacket p) {
        return new String(p.data(), p.offset(), p.length(), StandardCharsets.ISO_8859_1);
    }

    static List<String> texts(List<SipPacket> packets) {
        return packets.stream().map(SipText::text).toList();
    }
}
