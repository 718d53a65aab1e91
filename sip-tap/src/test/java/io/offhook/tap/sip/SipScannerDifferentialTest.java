package io.offhook.tap.sip;

import static io.offhook.tap.sip.SipScannerTest.HEAD;
import static io.offhook.tap.sip.SipScannerTest.crlf;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scanner must agree with JAIN-SIP, the reference parser, on every field it extracts: on every fixture, on
 * generated variants of every fixture, and on odd inputs. Where the two differ on purpose, the
 * difference is listed in {@link #knownDivergences()} with its reason and asserted exactly, so that a change on
 * either side shows up; nothing is skipped.
 */
class SipScannerDifferentialTest {

    /** Variants per fixture: enough to hit every rewrite on every fixture several times, bounded for CI. */
    private static final int VARIANTS = 40;
    private static final long SEED = 0x5C4E_2024L;

    static Stream<String> fixtures() {
        return SipFixtures.all().keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void fixtureAgreesWithJainSip(String name) {
        byte[] message = SipFixtures.get(name);
        assertDoesNotThrow(() -> SipScanner.scan(message, 0, message.length), name);
        assertEquals(List.of(), DifferentialCheck.compare(message), name);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void variantsAgreeWithJainSip(String name) {
        byte[] message = SipFixtures.get(name);
        List<byte[]> variants = SipVariants.generate(message, SEED ^ name.hashCode(), VARIANTS);
        assertEquals(VARIANTS, variants.size());
        int changed = 0;
        for (byte[] variant : variants) {
            String text = new String(variant, StandardCharsets.UTF_8);
            assertDoesNotThrow(() -> SipScanner.scan(variant, 0, variant.length), text);
            assertEquals(List.of(), DifferentialCheck.compare(variant), text);
            if (!java.util.Arrays.equals(variant, message)) {
                changed++;
            }
        }
        assertTrue(changed > VARIANTS / 2, "the variants must mostly differ from the fixture: " + changed);
    }

    /**
     * Unusual inputs, most of them valid, a few not (CSeq above 2^31, no Call-ID): both parsers must read them the
     * same, or both reject them.
     */
    static Stream<String> oddInputs() {
        return Stream.of(
                HEAD + "Content-Length: 0\n\n",
                "\n\n" + HEAD + "Content-Length: 0\n\n",
                HEAD + "Content-Type: application/sdp\n\nv=0\nc=IN IP4 0.0.0.0\nm=audio 1 RTP/AVP 0\n",
                HEAD + "Content-Type: application/sdp\nContent-Length: 500\n\nv=0\nm=audio 1 RTP/AVP 0\na=sendonly\n",
                HEAD + "Content-Type: application/sdp\nContent-Length: 24\n\nv=0\nm=audio 1 RTP/AVP 0\na=sendonly\n",
                HEAD + "Expires: abc\nContact: <sip:a@h>;expires=xyz\nContent-Length: 0\n\n",
                HEAD + "Contact: <sip:a@h>;expires=-5\nContent-Length: 0\n\n",
                HEAD + "Session-Expires: 600;refresher=uas\nP-Asserted-Identity: tel:+15550100\n\n",
                HEAD.replace("CSeq: 1 INVITE", "CSeq: 2147483647 INVITE") + "\n",
                HEAD.replace("CSeq: 1 INVITE", "CSeq: 2147483649 INVITE") + "\n",
                HEAD.replace("CSeq: 1 INVITE", "CSeq: 1\n INVITE") + "\n",
                HEAD.replace("Call-ID: c1@example.com\n", "") + "\n",
                HEAD.replace("SIP/2.0\n", "SIP/2.0   \n") + "\n",
                HEAD + "Contact: <sip:a@h>;EXPIRES=30;q=1, \"x, y\" <sip:b@h;expires=5>\n\n",
                HEAD + "Content-Type: Application/SDP;charset=UTF-8\n\nv=0\na=inactive\n",
                HEAD.replace("To: <sip:bob", "To: \"NUL:\\\0 BEL:\\\u0007 end\" <sip:bob") + "\n");
    }

    @ParameterizedTest
    @MethodSource("oddInputs")
    void oddInputsAgree(String text) {
        assertEquals(List.of(), DifferentialCheck.compare(crlf(text)), text);
    }

    @Test
    void bareLfMessagesAgree() {
        byte[] b = (HEAD + "Content-Type: application/sdp\n\nv=0\nm=audio 1 RTP/AVP 0\na=inactive\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of(), DifferentialCheck.compare(b));
    }

    /**
     * Every difference between the scanner and JAIN-SIP that is known and accepted, with why. Each case asserts the
     * exact differences, so the list also proves that {@link DifferentialCheck} does find differences.
     */
    static Stream<Arguments> knownDivergences() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(
                "addr-spec with ; in the user part and no <> is invalid (RFC 3261 20.10: it MUST be a name-addr); the"
                        + " scanner applies 20.10 (everything after ; is a header parameter), JAIN-SIP parses the URI",
                HEAD.replace("To: <sip:bob@example.com>", "To: sip:bob;room=r%40x.example.net@example.com") + "\n",
                List.of("toUri: scanner=[sip:bob] jain-sip=[sip:bob;room=r%40x.example.net@example.com]")));
        cases.add(Arguments.of(
                "delta-seconds above 2^32-1 overflow: the scanner rejects the message, JAIN-SIP drops the header",
                HEAD + "Expires: 4294967296\n\n",
                List.of("scanner rejected (Expires overflows 2^32-1 (at byte 196)), JAIN-SIP accepted",
                        "note: JAIN-SIP dropped unparseable headers [Expires]")));
        cases.add(Arguments.of(
                "delta-seconds from 2^31 to 2^32-1 are valid (RFC 3261 20.19): the scanner caps them at"
                        + " Integer.MAX_VALUE, JAIN-SIP cannot hold them in an int and drops the header",
                HEAD + "Expires: 3000000000\n\n",
                List.of("expires: scanner=[2147483647] jain-sip=[-1]",
                        "note: JAIN-SIP dropped unparseable headers [Expires]")));
        cases.add(Arguments.of(
                "whitespace around the / of a media type is valid (RFC 3261 SLASH = SWS / SWS); JAIN-SIP drops the"
                        + " Content-Type, so it also sees no SDP",
                HEAD + "Content-Type: application / sdp\n\nv=0\nm=audio 1 RTP/AVP 0\na=sendonly\n",
                List.of("contentType: scanner=[application/sdp] jain-sip=[null]",
                        "media: scanner=[SENDONLY] jain-sip=[null]",
                        "note: JAIN-SIP dropped unparseable headers [Content-Type]")));
        cases.add(Arguments.of(
                "a continuation line of blanks only is folding whitespace for the scanner (RFC 3261 7.3.1: it does"
                        + " not end the header section); JAIN-SIP trims it to an empty line, ends the headers there and"
                        + " misses the CSeq after it",
                HEAD.replace("CSeq: 1 INVITE\n", "Subject: hi\n \nCSeq: 1 INVITE\n") + "\n",
                List.of("JAIN-SIP rejected (missing CSeq), scanner accepted")));
        cases.add(Arguments.of(
                "CSeq 2^31: RFC 3261 8.1.1.5 says less than 2^31 and the scanner rejects it; JAIN-SIP's limit check"
                        + " reads (1 << 32 - 1), which Java parses as 1 << 31, so it accepts exactly 2^31",
                HEAD.replace("CSeq: 1 INVITE", "CSeq: 2147483648 INVITE") + "\n",
                List.of("scanner rejected (CSeq number overflows 2^31-1 (at byte 177)), JAIN-SIP accepted")));
        cases.add(Arguments.of(
                "Contact: * with other contacts is invalid (RFC 3261 10.2.2): the scanner rejects, JAIN-SIP keeps all",
                HEAD + "Contact: *\nContact: <sip:a@192.0.2.1>\n\n",
                List.of("scanner rejected (Contact: * together with other contacts (at byte 208)), JAIN-SIP"
                        + " accepted")));
        cases.add(Arguments.of(
                "a malformed Contact: the scanner rejects the message (a binding must not vanish silently), JAIN-SIP"
                        + " drops the header",
                HEAD + "Contact: <sip:a@192.0.2.1\n\n",
                List.of("scanner rejected (malformed Contact (at byte 196)), JAIN-SIP accepted",
                        "note: JAIN-SIP dropped unparseable headers [Contact]")));
        cases.add(Arguments.of(
                "a Content-Length that is not a number: the scanner rejects (the body cannot be framed), JAIN-SIP"
                        + " drops the header",
                HEAD + "Content-Length: abc\n\n",
                List.of("scanner rejected (Content-Length is not a number (at byte 203)), JAIN-SIP accepted",
                        "note: JAIN-SIP dropped unparseable headers [Content-Length]")));
        cases.add(Arguments.of(
                "Contact: * with parameters is not in the RFC 3261 grammar: the scanner rejects, JAIN-SIP drops the"
                        + " header",
                HEAD + "Contact: *;expires=0\n\n",
                List.of("scanner rejected (Contact: * together with other contacts or parameters (at byte 196)),"
                        + " JAIN-SIP accepted", "note: JAIN-SIP dropped unparseable headers [Contact]")));
        cases.add(Arguments.of(
                "a header section without its closing empty line (a truncated capture): the scanner rejects, JAIN-SIP"
                        + " takes the end of the data as the end of the headers",
                HEAD + "Max-Forwards: 70\n",
                List.of("scanner rejected (header section not terminated by an empty line (at byte 205)), JAIN-SIP"
                        + " accepted")));
        cases.add(Arguments.of(
                "two Content-Length headers: the first wins in the scanner, the last in JAIN-SIP (both bound the"
                        + " body by it here)",
                HEAD + "Content-Type: application/sdp\nContent-Length: 24\nContent-Length: 38\n\n"
                        + "v=0\nm=audio 1 RTP/AVP 0\na=sendonly\n",
                List.of("media: scanner=[SENDRECV] jain-sip=[SENDONLY]")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knownDivergences")
    void knownDivergence(String why, String text, List<String> expected) {
        assertFalse(why.isBlank());
        assertEquals(expected, DifferentialCheck.compare(crlf(text)));
    }

    @Test
    void compareHonoursOffsetAndLength() {
        byte[] message = SipFixtures.get("register-multiple-contacts");
        byte[] big = new byte[message.length + 10];
        System.arraycopy(message, 0, big, 5, message.length);
        assertEquals(List.of(), DifferentialCheck.compare(big, 5, message.length));
    }

    @Test
    void canonicalUriOnlyLowersTheScheme() {
        assertEquals("sip:Bob@Example.COM;Transport=TCP", DifferentialCheck.canonicalUri("SIP:Bob@Example.COM;"
                + "Transport=TCP"));
        assertEquals("tel:+1-555", DifferentialCheck.canonicalUri("TEL:+1-555"));
        assertEquals("noscheme", DifferentialCheck.canonicalUri("noscheme"));
    }
}
