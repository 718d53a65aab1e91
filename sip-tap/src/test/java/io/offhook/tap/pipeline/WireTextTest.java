package io.offhook.tap.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.packet.SipPacket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The SIP wire log shows messages as received, but never the credentials of authorization headers. */
class WireTextTest {
    private static String wire(String sip) {
        return TapPipeline.wireText(SipPacket.of(0, sip.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void credentialsOfBothAuthorizationHeadersAreLeftOutWhateverTheirCaseSpacingAndFolding() {
        String sip = "REGISTER sip:example.com SIP/2.0\r\n"
                + "Call-ID: a@b\r\n"
                + "authorization : Digest username=\"alice\", response=\"6629fae49393a05397450978507c4ef1\"\r\n"
                + "Proxy-Authorization: Digest username=\"alice\",\r\n"
                + "  response=\"0123456789abcdef0123456789abcdef\"\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "\r\n"
                + "Authorization: in a body this is just text\r\n";
        assertEquals("REGISTER sip:example.com SIP/2.0\r\n"
                + "Call-ID: a@b\r\n"
                + "authorization : <credentials left out>\r\n"
                + "Proxy-Authorization: <credentials left out>\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "\r\n"
                + "Authorization: in a body this is just text\r\n", wire(sip));
    }

    @Test
    void aMessageWithoutCredentialsIsShownAsIs() {
        String sip = "SIP/2.0 200 OK\r\nCall-ID: x\r\nWWW-Authenticate: Digest nonce=\"n\"\n\r\nv=0\r\n";
        assertEquals(sip, wire(sip));
    }
}
