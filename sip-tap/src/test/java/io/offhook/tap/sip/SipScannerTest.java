package io.offhook.tap.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the scanner reads, field by field, on the fixtures and on small messages made for one rule each (RFC 3261
 * for SIP, RFC 4566/3264 for SDP, RFC 4028 for Session-Expires, RFC 3325 for P-Asserted-Identity). The agreement
 * with JAIN-SIP is {@link SipScannerDifferentialTest}'s job; here the expected values are written out, so that both
 * parsers being wrong the same way would still fail.
 */
class SipScannerTest {

    static final String HEAD = """
            INVITE sip:bob@example.com SIP/2.0
            Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1
            From: <sip:alice@example.com>;tag=a1
            To: <sip:bob@example.com>
            Call-ID: c1@example.com
            CSeq: 1 INVITE
            """;

    /** The text with LF turned into CRLF, as UTF-8. */
    static byte[] crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static SipMessage scan(String text) throws SipParseException {
        byte[] b = crlf(text);
        return SipScanner.scan(b, 0, b.length);
    }

    static SipParseException rejected(String text) {
        byte[] b = crlf(text);
        return assertThrows(SipParseException.class, () -> SipScanner.scan(b, 0, b.length));
    }

    /** HEAD plus the given header lines and body; Content-Length is computed unless {@code headers} has one. */
    static SipMessage invite(String headers, String body) throws SipParseException {
        byte[] bodyBytes = crlf(body);
        String cl = headers.toLowerCase(java.util.Locale.ROOT).contains("content-length") ? "" : "Content-Length: " + bodyBytes.length
                + "\n";
        return scan(HEAD + headers + cl + "\n" + body);
    }

    static SipMessage sdp(String body) throws SipParseException {
        return invite("Content-Type: application/sdp\n", body);
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    @Test
    void inviteWithSdp() throws SipParseException {
        byte[] b = SipFixtures.get("invite-sdp");
        SipMessage m = SipScanner.scan(b, 0, b.length);
        assertEquals("INVITE", m.method());
        assertEquals(0, m.statusCode());
        assertEquals("sip:bob@example.com", m.requestUri());
        assertEquals("a84b4c76e66710@pc33.example.com", m.callId());
        assertEquals(314159, m.cseq());
        assertEquals("INVITE", m.cseqMethod());
        assertEquals("sip:alice@example.com", m.fromUri());
        assertEquals("1928301774", m.fromTag());
        assertEquals("sip:bob@example.com", m.toUri());
        assertNull(m.toTag());
        assertEquals(List.of(new Contact("sip:alice@192.0.2.10:5060;transport=udp", SipMessage.ABSENT)),
                m.contacts());
        assertFalse(m.contactWildcard());
        assertEquals(SipMessage.ABSENT, m.expires());
        assertEquals(SipMessage.ABSENT, m.sessionExpires());
        assertEquals("application/sdp", m.contentType());
        assertEquals(MediaDirection.SENDRECV, m.media());
        assertFalse(m.nullConnection());
        assertNull(m.assertedIdentity());
        assertTrue(m.isRequest());
    }

    @Test
    void responses() throws SipParseException {
        SipMessage ringing = fixture("ringing-180");
        assertEquals(180, ringing.statusCode());
        assertNull(ringing.method());
        assertEquals("INVITE", ringing.effectiveMethod());
        assertEquals("a6c85cf", ringing.toTag());
        assertNull(ringing.media());
        assertEquals(487, fixture("request-terminated-487").statusCode());
        assertEquals(486, fixture("busy-here-486").statusCode());
        SipMessage ok = fixture("ok-200-invite-sdp");
        assertEquals(200, ok.statusCode());
        assertEquals(MediaDirection.SENDRECV, ok.media());
    }

    @Test
    void inDialogRequests() throws SipParseException {
        assertEquals("ACK", fixture("ack").method());
        assertEquals("ACK", fixture("ack").cseqMethod());
        SipMessage bye = fixture("bye");
        assertEquals("BYE", bye.method());
        assertEquals(231, bye.cseq());
        assertEquals("a6c85cf", bye.fromTag());
        assertEquals("1928301774", bye.toTag());
        assertEquals("CANCEL", fixture("cancel").method());
    }

    @Test
    void registerWithSeveralContactsAndExpiresParameters() throws SipParseException {
        SipMessage m = fixture("register-multiple-contacts");
        assertEquals(List.of(
                new Contact("sip:bob@192.0.2.30:5060;transport=udp", 3600),
                new Contact("sip:bob@192.0.2.31", 1800),
                // expires inside <> is a URI parameter, not the binding's expiry
                new Contact("sip:bob-mobile@192.0.2.32;expires=99", SipMessage.ABSENT),
                // addr-spec without <>: ;expires is a header parameter (RFC 3261 20.10)
                new Contact("sip:bob@192.0.2.33", 60)), m.contacts());
        assertEquals(7200, m.expires());
    }

    @Test
    void registerResponseListsEveryBinding() throws SipParseException {
        SipMessage m = fixture("register-ok-bindings");
        assertEquals(List.of(
                new Contact("sip:bob@192.0.2.30:5060;transport=udp", 3600),
                new Contact("sip:bob@192.0.2.31", 1800),
                new Contact("sip:bob-mobile@192.0.2.32;expires=99", 7200),
                new Contact("sip:bob@192.0.2.33", 60)), m.contacts());
        assertEquals("REGISTER", m.effectiveMethod());
    }

    @Test
    void wildcardContact() throws SipParseException {
        SipMessage m = fixture("register-wildcard");
        assertTrue(m.contactWildcard());
        assertEquals(List.of(), m.contacts());
        assertEquals(0, m.expires());
    }

    @Test
    void holdFixtures() throws SipParseException {
        assertEquals(MediaDirection.SENDONLY, fixture("reinvite-sendonly").media());
        assertEquals(MediaDirection.INACTIVE, fixture("reinvite-inactive").media());
        SipMessage nul = fixture("reinvite-null-connection");
        assertEquals(MediaDirection.SENDRECV, nul.media());
        assertTrue(nul.nullConnection());
        SipMessage overrides = fixture("reinvite-media-overrides-session");
        assertEquals(MediaDirection.RECVONLY, overrides.media());
        assertFalse(overrides.nullConnection());
    }

    @Test
    void compactForms() throws SipParseException {
        SipMessage m = fixture("compact-forms");
        assertEquals("compact-3848276298220188511@192.0.2.40", m.callId());
        assertEquals("sip:dave@example.com", m.fromUri());
        assertEquals("dd77", m.fromTag());
        assertEquals("sip:carol@example.com", m.toUri());
        assertEquals(List.of(new Contact("sip:dave@192.0.2.40", SipMessage.ABSENT)), m.contacts());
        assertEquals(1800, m.sessionExpires());
        assertEquals("application/sdp", m.contentType());
        assertEquals(MediaDirection.SENDRECV, m.media());
    }

    @Test
    void assertedIdentityIsTheFirstUriOfTheFirstHeader() throws SipParseException {
        assertEquals("sip:fluffy@example.com", fixture("p-asserted-identity").assertedIdentity());
        assertEquals("tel:+14085264000",
                invite("P-Asserted-Identity: tel:+14085264000, <sip:x@example.com>\n", "").assertedIdentity());
    }

    @Test
    void sessionExpiresIsTheDeltaBeforeParameters() throws SipParseException {
        assertEquals(1800, fixture("session-expires").sessionExpires());
        assertEquals(90, invite("Session-Expires: 90 ; refresher=uas\n", "").sessionExpires());
        assertEquals(SipMessage.ABSENT, invite("Session-Expires: soon\n", "").sessionExpires());
    }

    @Test
    void tcpAndMultipart() throws SipParseException {
        SipMessage tcp = fixture("invite-tcp");
        assertEquals("sip:bob@example.com;transport=tcp", tcp.requestUri());
        assertEquals(MediaDirection.SENDRECV, tcp.media());
        SipMessage mp = fixture("multipart-sdp");
        assertEquals("multipart/mixed", mp.contentType());
        assertEquals(MediaDirection.SENDONLY, mp.media());
        SipMessage noSdp = fixture("torture-mpart01");
        assertEquals("multipart/mixed", noSdp.contentType());
        assertNull(noSdp.media());
    }

    @Test
    void tortureMessages() throws SipParseException {
        SipMessage ws = fixture("torture-wsinv");
        assertEquals("sip:carol@chair.example.org", ws.toUri());
        assertEquals("88sja8x", ws.toTag());
        assertEquals("7kq2fs", ws.fromTag());
        assertEquals(42, ws.cseq());
        assertEquals("INVITE", ws.cseqMethod());
        assertEquals(List.of(new Contact("sip:dave@example.net", SipMessage.ABSENT)), ws.contacts());
        assertEquals(MediaDirection.SENDRECV, ws.media());

        SipMessage intmeth = fixture("torture-intmeth");
        assertEquals("~Strange.Method-42_*+`%!'", intmeth.method());
        assertEquals(intmeth.method(), intmeth.cseqMethod());
        assertEquals("intmeth.wd%ZZ-!.*_+'@word`~)(><:\\/\"][?}{", intmeth.callId());
        assertEquals("_tok~9'+`*%!-.", intmeth.fromTag());
        assertEquals("sip:1_weird.user~(of!course)&isn't+it$/crazy?,/;;*@example.com", intmeth.toUri());

        assertEquals("sip:%63arol@example.com", fixture("torture-esc01").toUri());
        assertEquals("sip:nul-%00-nul@example.com", fixture("torture-escnull").toUri());
        assertEquals("PUB%4CISH", fixture("torture-esc02").method());
        assertEquals(List.of(new Contact("sip:dave@192.0.2.9", 300)), fixture("torture-lwsdisp").contacts());
        assertEquals("sip:dave;room=r%40office.example.net@example.org", fixture("torture-semiuri").requestUri());
        assertEquals(200, fixture("torture-unreason").statusCode());
        assertEquals(100, fixture("torture-noreason").statusCode());

        SipMessage dbl = fixture("torture-dblreq");
        assertEquals("REGISTER", dbl.method());
        assertNull(dbl.media());

        SipMessage longreq = fixture("torture-longreq");
        assertEquals(500, longreq.fromTag().length());
        assertEquals(120, longreq.contacts().get(0).expires());
        assertEquals(MediaDirection.SENDONLY, longreq.media());
    }

    static SipMessage fixture(String name) throws SipParseException {
        byte[] b = SipFixtures.get(name);
        return SipScanner.scan(b, 0, b.length);
    }

    // ----------------------------------------------------------------------------------------- header syntax

    @Test
    void headerNamesInAnyCaseAndWhitespaceBeforeTheColon() throws SipParseException {
        SipMessage m = scan("""
                BYE sip:bob@example.com SIP/2.0
                cAlL-iD \t :   x1@example.com  \t
                FROM:<sip:a@example.com>;TAG=f1
                to  :sip:b@example.com;tag=t1
                cseq:7 BYE
                Content-Length: 0

                """);
        assertEquals("x1@example.com", m.callId());
        assertEquals("f1", m.fromTag());
        assertEquals("sip:b@example.com", m.toUri());
        assertEquals("t1", m.toTag());
        assertEquals(7, m.cseq());
    }

    @Test
    void foldedHeadersAreOneValue() throws SipParseException {
        SipMessage m = scan("""
                BYE sip:bob@example.com SIP/2.0
                Call-ID:
                 folded@example.com
                From: "Alice
                \t Liddell" <sip:a@example.com>
                  ;tag=f1
                To: <sip:b@example.com>
                CSeq: 7
                \tBYE
                Contact: <sip:a@192.0.2.1>,
                 <sip:a@192.0.2.2>;expires=
                 30
                Content-Length: 0

                """);
        assertEquals("folded@example.com", m.callId());
        assertEquals("f1", m.fromTag());
        assertEquals("BYE", m.cseqMethod());
        assertEquals(List.of(new Contact("sip:a@192.0.2.1", SipMessage.ABSENT), new Contact("sip:a@192.0.2.2", 30)),
                m.contacts());
    }

    @Test
    void bareLfLineEndsAndLeadingEmptyLines() throws SipParseException {
        byte[] b = ("\r\n\r\n" + HEAD + "Content-Length: 0\n\n").getBytes(StandardCharsets.US_ASCII);
        SipMessage m = SipScanner.scan(b, 0, b.length);
        assertEquals("c1@example.com", m.callId());
    }

    @Test
    void methodsKeepTheirCase() throws SipParseException {
        // RFC 3261 7.1: methods are case-sensitive; "invite" is an extension method, not INVITE.
        SipMessage m = scan("""
                invite sip:bob@example.com SIP/2.0
                From: <sip:a@example.com>;tag=f1
                To: <sip:b@example.com>
                Call-ID: lc@example.com
                CSeq: 1 invite

                """);
        assertEquals("invite", m.method());
        assertEquals("invite", m.cseqMethod());
    }

    @Test
    void knownMethodsAreSharedConstants() throws SipParseException {
        SipMessage m = fixture("invite-sdp");
        assertSame("INVITE", m.method());
        assertSame("INVITE", m.cseqMethod());
    }

    @Test
    void firstOccurrenceOfSingleHeadersWins() throws SipParseException {
        SipMessage m = invite("Call-ID: second@example.com\nFrom: <sip:other@example.com>;tag=x\n", "");
        assertEquals("c1@example.com", m.callId());
        assertEquals("a1", m.fromTag());
    }

    // ------------------------------------------------------------------------------------------------ addresses

    @Test
    void displayNameForms() throws SipParseException {
        SipMessage m = invite("""
                Contact: "Doe, John \\"JD\\" <x>" <sip:a@192.0.2.1>;expires=1, Pat Smith <sip:b@192.0.2.2>;expires=2
                Contact: tok~en<sip:c@192.0.2.3>;expires=3,"" <sip:d@192.0.2.4;lr>;q=0.5;expires=4
                Contact: <sip:e@192.0.2.5?subject=a,b;x=1>;expires=5 , sip:f@192.0.2.6 ; expires = 6
                """, "");
        assertEquals(List.of(
                new Contact("sip:a@192.0.2.1", 1),
                new Contact("sip:b@192.0.2.2", 2),
                new Contact("sip:c@192.0.2.3", 3),
                new Contact("sip:d@192.0.2.4;lr", 4),
                new Contact("sip:e@192.0.2.5?subject=a,b;x=1", 5),
                new Contact("sip:f@192.0.2.6", 6)), m.contacts());
    }

    @Test
    void contactExpiresParameterIsCaseInsensitiveAndQuotedValuesAreSkipped() throws SipParseException {
        SipMessage m = invite("Contact: <sip:a@192.0.2.1>;+sip.instance=\"<urn:x;expires=9>\";ExPiReS=70\n", "");
        assertEquals(List.of(new Contact("sip:a@192.0.2.1", 70)), m.contacts());
    }

    @Test
    void tagOnAddrSpecIsAHeaderParameter() throws SipParseException {
        SipMessage m = scan("""
                SIP/2.0 200 OK
                From: sip:a@example.com;tag=f9
                To: sip:b@example.com ; tag = t9
                Call-ID: c@example.com
                CSeq: 2 BYE

                """);
        assertEquals("sip:a@example.com", m.fromUri());
        assertEquals("f9", m.fromTag());
        assertEquals("sip:b@example.com", m.toUri());
        assertEquals("t9", m.toTag());
    }

    @Test
    void utf8InUris() throws SipParseException {
        SipMessage m = invite("Contact: \"Jürgen\" <sip:jürgen@example.com>\n", "");
        assertEquals("sip:jürgen@example.com", m.contacts().get(0).uri());
    }

    // ----------------------------------------------------------------------------------------------- numbers

    @Test
    void deltaSeconds() throws SipParseException {
        assertEquals(SipMessage.ABSENT, invite("Expires: Thu, 01 Dec 2040 16:00:00 GMT\n", "").expires());
        assertEquals(60, invite("Expires: soon\nExpires: 60\n", "").expires(), "a malformed one does not count");
        assertEquals(Integer.MAX_VALUE, invite("Expires: 4294967295\n", "").expires(), "2^32-1 is valid");
        assertEquals(SipMessage.ABSENT, invite("Contact: <sip:a@h>;expires=-5\n", "").contacts().get(0).expires());
        assertEquals(42, invite("Expires: 00042\n", "").expires());
    }

    @Test
    void contentTypeIsLowerCaseTypeAndSubtype() throws SipParseException {
        assertEquals("application/sdp", invite("c: Application/SDP ; charset=utf-8\n", "").contentType());
        assertEquals("application/pidf+xml", invite("Content-Type: application/PIDF+xml\n", "").contentType());
        assertEquals("application/sdp", invite("Content-Type: application / sdp\n", "").contentType(),
                "RFC 3261 SLASH allows whitespace around /");
        assertNull(invite("Content-Type: nonsense\n", "").contentType());
    }

    // --------------------------------------------------------------------------------------------------- body

    @Test
    void contentLengthBoundsTheBody() throws SipParseException {
        String sdp = "v=0\nc=IN IP4 192.0.2.1\nm=audio 1 RTP/AVP 0\n";
        String trailing = "a=sendonly\n";
        SipMessage m = invite("Content-Type: application/sdp\nContent-Length: " + crlf(sdp).length + "\n",
                sdp + trailing);
        assertEquals(MediaDirection.SENDRECV, m.media(), "bytes after Content-Length are not body");
    }

    @Test
    void truncatedBodyIsWhatIsThere() throws SipParseException {
        SipMessage m = invite("Content-Type: application/sdp\nContent-Length: 5000\n",
                "v=0\nc=IN IP4 0.0.0.0\nm=audio 1 RTP/AVP 0\na=inactive\na=rtpmap:0 PCM");
        assertEquals(MediaDirection.INACTIVE, m.media());
        assertTrue(m.nullConnection());
    }

    @Test
    void withoutContentLengthTheBodyIsTheRestOfTheDatagram() throws SipParseException {
        SipMessage m = scan(HEAD + "Content-Type: application/sdp\n\nv=0\nm=audio 1 RTP/AVP 0\na=recvonly\n");
        assertEquals(MediaDirection.RECVONLY, m.media());
    }

    @Test
    void scansAMessageInsideALargerArray() throws SipParseException {
        byte[] msg = SipFixtures.get("reinvite-sendonly");
        byte[] big = new byte[msg.length + 20];
        java.util.Arrays.fill(big, (byte) 'x');
        System.arraycopy(msg, 0, big, 7, msg.length);
        SipMessage m = SipScanner.scan(big, 7, msg.length);
        assertEquals(MediaDirection.SENDONLY, m.media());
        assertEquals(fixture("reinvite-sendonly"), m);
    }

    // ---------------------------------------------------------------------------------------------------- SDP

    @Test
    void sdpDirectionRules() throws SipParseException {
        assertEquals(MediaDirection.SENDRECV, sdp("v=0\nm=audio 1 RTP/AVP 0\n").media(), "absent means sendrecv");
        assertEquals(MediaDirection.SENDONLY, sdp("v=0\na=sendonly\nm=audio 1 RTP/AVP 0\n").media(),
                "session level applies to the stream");
        assertEquals(MediaDirection.SENDRECV, sdp("v=0\na=inactive\nm=audio 1 RTP/AVP 0\na=sendrecv\n").media(),
                "media level beats session level");
        assertEquals(MediaDirection.INACTIVE,
                sdp("v=0\nm=video 2 RTP/AVP 31\na=sendonly\nm=audio 1 RTP/AVP 0\na=inactive\n").media(),
                "the first audio stream, not the first stream");
        assertEquals(MediaDirection.RECVONLY,
                sdp("v=0\nm=video 2 RTP/AVP 31\na=recvonly\nm=application 3 UDP/BFCP *\n").media(),
                "no audio: the first stream");
        assertEquals(MediaDirection.SENDONLY, sdp("v=0\na=sendonly\n").media(), "no m= line: session level");
        assertEquals(MediaDirection.SENDONLY, sdp("v=0\nm=audio 1 RTP/AVP 0\na=sendonly\na=inactive\n").media(),
                "first direction attribute of a level");
        assertEquals(MediaDirection.SENDRECV, sdp("v=0\nm=audiox 1 RTP/AVP 0\na=sendonly\nm=audio 2 RTP/AVP 0\n")
                .media(), "media type compared whole");
    }

    @Test
    void sdpNullConnection() throws SipParseException {
        assertTrue(sdp("v=0\nc=IN IP4 0.0.0.0\nm=audio 1 RTP/AVP 0\n").nullConnection());
        assertFalse(sdp("v=0\nc=IN IP4 0.0.0.0\nm=audio 1 RTP/AVP 0\nc=IN IP4 192.0.2.1\n").nullConnection());
        assertTrue(sdp("v=0\nc=IN IP4 192.0.2.1\nm=audio 1 RTP/AVP 0\nc=IN IP4 0.0.0.0/127\n").nullConnection());
        assertFalse(sdp("v=0\nc=IN IP4 0.0.0.01\nm=audio 1 RTP/AVP 0\n").nullConnection());
        assertTrue(sdp("v=0\nm=video 2 RTP/AVP 31\nc=IN IP4 192.0.2.1\nm=audio 1 RTP/AVP 0\nc=IN IP4 0.0.0.0\n")
                .nullConnection());
    }

    @Test
    void notSdpUnlessItLooksLikeSdp() throws SipParseException {
        assertNull(sdp("hello\n").media());
        assertNull(invite("Content-Type: application/sdp\nContent-Length: 0\n", "").media());
        assertNull(invite("Content-Type: text/plain\n", "v=0\na=sendonly\n").media());
    }

    @Test
    void multipartWithQuotedBoundaryAndLfOnly() throws SipParseException {
        String body = "preamble\n--b1\nContent-Type: text/plain\n\nhi\n--b1\ncontent-type:Application/SDP\n\n"
                + "v=0\nm=audio 1 RTP/AVP 0\na=inactive\n--b1--\n";
        SipMessage m = invite("Content-Type: multipart/alternative; boundary=\"b1\"\n", body);
        assertEquals("multipart/alternative", m.contentType());
        assertEquals(MediaDirection.INACTIVE, m.media());
        assertNull(invite("Content-Type: multipart/mixed\n", body).media(), "no boundary, no parts");
    }

    // ------------------------------------------------------------------------------------------------ rejects

    @Test
    void rejectsWhatTheTrackerCannotUse() {
        assertTrue(rejected("").getMessage().startsWith("no start line"));
        assertTrue(rejected("\r\n\r\n").getMessage().startsWith("no start line"));
        assertTrue(rejected(HEAD.replace("SIP/2.0\n", "SIP/3.0\n") + "\n").getMessage()
                .startsWith("request line does not end with SIP/2.0"));
        assertTrue(rejected(HEAD.replace("INVITE sip:bob@example.com SIP/2.0", "SIP/2.1 200 OK") + "\n")
                .getMessage().startsWith("status line does not start with SIP/2.0"));
        assertTrue(rejected(HEAD.replace("INVITE sip:bob@example.com SIP/2.0", "SIP/2.0 20 OK") + "\n")
                .getMessage().startsWith("status code is not three digits"));
        assertTrue(rejected(HEAD.replace("INVITE sip:bob@example.com SIP/2.0", "SIP/2.0 2000 OK") + "\n")
                .getMessage().startsWith("status code is not three digits"));
        assertTrue(rejected(HEAD.replace("INVITE sip:bob@example.com SIP/2.0", "SIP/2.0 099 Odd") + "\n")
                .getMessage().startsWith("status code 99 out of 100-699"));
        assertTrue(rejected(HEAD.replace("INVITE sip:bob", "INVITE bob") + "\n").getMessage()
                .startsWith("Request-URI without a scheme"));
        assertTrue(rejected(HEAD.replace("INVITE sip:bob@example.com", "INV(TE sip:bob@example.com") + "\n")
                .getMessage().startsWith("request line does not start with a method token"));
        assertTrue(rejected(HEAD.replace("Call-ID: c1@example.com\n", "") + "\n").getMessage()
                .startsWith("no Call-ID"));
        assertTrue(rejected(HEAD.replace("CSeq: 1 INVITE\n", "") + "\n").getMessage().startsWith("no CSeq"));
        assertTrue(rejected(HEAD.replace("From: <sip:alice@example.com>;tag=a1\n", "") + "\n").getMessage()
                .startsWith("no From"));
        assertTrue(rejected(HEAD.replace("To: <sip:bob@example.com>\n", "") + "\n").getMessage()
                .startsWith("no To"));
        assertTrue(rejected(HEAD.replace("CSeq: 1 INVITE", "CSeq: abc") + "\n").getMessage()
                .startsWith("CSeq without a sequence number"));
        assertTrue(rejected(HEAD.replace("CSeq: 1 INVITE", "CSeq: 1") + "\n").getMessage()
                .startsWith("CSeq is not a number and a method"));
        assertTrue(rejected(HEAD.replace("CSeq: 1 INVITE", "CSeq: 1 INVITE x") + "\n").getMessage()
                .startsWith("CSeq is not a number and a method"));
        assertTrue(rejected(HEAD.replace("CSeq: 1 INVITE", "CSeq: 2147483648 INVITE") + "\n").getMessage()
                .startsWith("CSeq number overflows"));
        assertTrue(rejected(HEAD + "Content-Length: 99999999999\n\n").getMessage()
                .startsWith("Content-Length overflows"));
        assertTrue(rejected(HEAD + "Content-Length: -1\n\n").getMessage()
                .startsWith("Content-Length is not a number"));
        assertTrue(rejected(HEAD + "Expires: 4294967296\n\n").getMessage().startsWith("Expires overflows"));
        assertTrue(rejected(HEAD + "Contact: <sip:a@h>;expires=99999999999\n\n").getMessage()
                .startsWith("Contact expires overflows"));
        assertTrue(rejected(HEAD + "Contact: <sip:a@h\n\n").getMessage().startsWith("malformed Contact"));
        assertTrue(rejected(HEAD + "Contact: <sip:a@h> junk\n\n").getMessage()
                .startsWith("malformed Contact parameters"));
        assertTrue(rejected(HEAD + "Contact: *\nContact: <sip:a@h>\n\n").getMessage()
                .startsWith("Contact: * together with other contacts"));
        assertTrue(rejected(HEAD + "Contact: <sip:a@h>, *\n\n").getMessage()
                .startsWith("Contact: * together with other contacts or parameters"));
        assertTrue(rejected(HEAD + "Contact: *;expires=0\n\n").getMessage()
                .startsWith("Contact: * together with other contacts or parameters"));
        assertTrue(rejected(HEAD + "Contact: \n\n").getMessage().startsWith("empty Contact"));
        assertTrue(rejected(HEAD + "Contact: , ,\n\n").getMessage().startsWith("empty Contact"));
        assertTrue(rejected(HEAD.replace("From: <sip:alice@example.com>", "From: \"Alice <sip:alice@example.com>")
                + "\n").getMessage().startsWith("malformed From"));
        assertTrue(rejected(HEAD.replace("To: <sip:bob@example.com>", "To: <sip:bob @example.com>") + "\n")
                .getMessage().startsWith("space in To"));
        assertTrue(rejected(HEAD + "No colon here\n\n").getMessage().startsWith("header line without a colon"));
        assertTrue(rejected(HEAD + ": no name\n\n").getMessage().startsWith("header line without a name"));
        assertTrue(rejected(HEAD.replace("Via:", " Via:")).getMessage()
                .startsWith("continuation line without a header field"));
        assertTrue(rejected(HEAD).getMessage().startsWith("header section not terminated"));
        assertTrue(rejected("INVITE sip:bob@example.com SIP/2.0").getMessage()
                .startsWith("start line not terminated"));
    }

    /**
     * A header line's colon and end are found eight bytes at a time: wherever the words' boundaries fall, a line
     * without a colon is rejected at its start even when the next line's colon lies in the same word, and a colon
     * in the value does not end the name.
     */
    @Test
    void colonAndLineEndAtEveryAlignment() throws SipParseException {
        for (int pad = 0; pad < 24; pad++) {
            String filler = "X-Pad: " + "p".repeat(pad) + "\n";
            String head = HEAD + filler;
            int at = crlf(head).length;
            SipParseException e = rejected(head + "Bogus\nX: y\n\n");
            assertEquals("header line without a colon", e.getMessage().substring(0, 27), "pad " + pad);
            assertEquals(at, e.offset(), "pad " + pad);
            e = rejected(head + "B\nX:y\n\n");
            assertEquals(at, e.offset(), "pad " + pad);
            // No line end after the colon: the header section is not terminated.
            assertTrue(rejected(head + "X-Last: v").getMessage().startsWith("header section not terminated"));
            // No colon and no line end at all.
            assertEquals(at, rejected(head + "Bogus").offset(), "pad " + pad);
            SipMessage m = scan(head + "Expires:3:0\nExpires: 60\n\n");
            assertEquals(60, m.expires(), "a colon in a value, pad " + pad);
        }
    }

    @Test
    void rejectionNamesTheOffset() {
        String text = HEAD.replace("CSeq: 1 INVITE", "CSeq: 99999999999 INVITE") + "\n";
        SipParseException e = rejected(text);
        assertEquals(crlf(text.substring(0, text.indexOf("99999"))).length, e.offset());
        assertTrue(e.getMessage().endsWith("(at byte " + e.offset() + ")"));
    }
}
