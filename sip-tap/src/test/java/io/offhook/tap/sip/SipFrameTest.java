package io.offhook.tap.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The frame's fingerprint: equal for two copies of a message that a proxy forwarded (Via, Record-Route and body
 * may differ), different as soon as one of the fields that identify a message differs. And a frame, reused, gives
 * the message {@link SipScanner#scan} gives, framed at once or in two parts.
 */
class SipFrameTest {
    static final String INVITE = "INVITE sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
            + "From: <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>\r\n"
            + "Call-ID: c1@10.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:alice@10.0.0.1:5060>\r\n"
            + "Content-Length: 0\r\n\r\n";
    static final String RINGING = "SIP/2.0 180 Ringing\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
            + "From: <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>;tag=b1\r\n"
            + "Call-ID: c1@10.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Length: 0\r\n\r\n";

    static long fingerprint(String message) throws SipParseException {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        SipFrame f = new SipFrame();
        SipScanner.frame(b, 0, b.length, f);
        return f.fingerprint();
    }

    @Test
    void aForwardedCopyHasTheSameFingerprint() throws SipParseException {
        String forwarded = INVITE.replace("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n",
                "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-x\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
                        + "Record-Route: <sip:10.0.0.9;lr>\r\n")
                .replace("From: <sip:alice@example.com>;tag=a1", "f: \"Alice\" <sip:alice@example.com> ;tag=a1");
        assertEquals(fingerprint(INVITE), fingerprint(forwarded));
        assertEquals(fingerprint(RINGING), fingerprint(RINGING.replace("Ringing", "Ringing Here")));
    }

    @Test
    void onlyAFieldsOwnBytesCountNotWhatFollowsIt() throws SipParseException {
        // Short fields (tags, methods, a Call-ID under eight bytes) are read eight bytes at a time and masked: what
        // follows them in the message must not count, for the fingerprint nor for the reused texts.
        String more = RINGING.replace("tag=b1\r\n", "tag=b1;x=yz\r\n").replace("tag=a1\r\n", "tag=a1 ; q\r\n")
                .replace("Call-ID: c1@10.0.0.1\r\n", "Call-ID: c1@10.0.0.1 \r\n");
        assertEquals(fingerprint(RINGING), fingerprint(more));
        assertEquals(fingerprint(RINGING.replace("c1@10.0.0.1", "c1")),
                fingerprint(more.replace("c1@10.0.0.1", "c1")));
        SipFrame frame = SipFrame.reusingTexts();
        SipMessage a = toMessage(frame, RINGING);
        SipMessage b = toMessage(frame, more);
        assertSame(a.toTag(), b.toTag());
        assertSame(a.fromTag(), b.fromTag());
        assertEquals("b1", b.toTag());
    }

    @Test
    void aFieldHashesAlikeWhereverItLiesInTheArray() throws SipParseException {
        // A field's last bytes are read as one masked word, by bytes when the array ends within it: a field close
        // to the end of the array (the To tag of a message that ends with it) must hash as it does anywhere.
        for (String tag : new String[] {"b", "b1234567", "b12345678", "b123456789abcde", "b123456789abcdef",
                "b123456789abcdef0"}) {
            String message = RINGING.replace("To: <sip:bob@example.com>;tag=b1\r\n", "")
                    .replace("Content-Length: 0\r\n\r\n", "To: <sip:bob@example.com>;tag=" + tag + "\r\n\r\n");
            byte[] m = message.getBytes(StandardCharsets.UTF_8);
            long expected = fingerprint(message + "\r\n".repeat(16));
            for (int before = 0; before < 20; before++) {
                byte[] flush = new byte[before + m.length];
                System.arraycopy(m, 0, flush, before, m.length);
                SipFrame f = new SipFrame();
                SipScanner.frame(flush, before, m.length, f);
                assertEquals(expected, f.fingerprint(), tag + " at " + before);
            }
        }
    }

    @Test
    void eachIdentifyingFieldChangesTheFingerprint() throws SipParseException {
        long invite = fingerprint(INVITE);
        assertNotEquals(invite, fingerprint(INVITE.replace("INVITE sip:bob@example.com", "INVITE sip:bob@10.0.0.2")));
        assertNotEquals(invite, fingerprint(INVITE.replace("c1@10.0.0.1", "c2@10.0.0.1")));
        assertNotEquals(invite, fingerprint(INVITE.replace("CSeq: 1 INVITE", "CSeq: 2 INVITE")));
        assertNotEquals(invite, fingerprint(INVITE.replace("tag=a1", "tag=a2")));
        String emptyTag = INVITE.replace("<sip:bob@example.com>\r\n", "<sip:bob@example.com>;tag\r\n");
        assertNotEquals(invite, fingerprint(emptyTag), "an empty To tag is not an absent one");
        assertNotEquals(invite, fingerprint(INVITE.replace("INVITE", "OPTIONS")));
        long ringing = fingerprint(RINGING);
        assertNotEquals(ringing, fingerprint(RINGING.replace("180 Ringing", "183 Progress")));
        assertNotEquals(ringing, fingerprint(RINGING.replace("tag=b1", "tag=b2")));
        assertNotEquals(ringing, fingerprint(RINGING.replace("tag=b1", "tag=b1x")));
    }

    @Test
    void fieldsDoNotRunIntoEachOther() throws SipParseException {
        // Call-ID "c1@10.0.0.1" + From tag "a1" against Call-ID "c1@10.0.0.1a" + From tag "1": same bytes in a row.
        assertNotEquals(fingerprint(INVITE),
                fingerprint(INVITE.replace("c1@10.0.0.1", "c1@10.0.0.1a").replace("tag=a1", "tag=1")));
        // Long fields (more than eight bytes, not a multiple of eight) hash all their bytes.
        String longId = "0123456789abcdef0123456789";
        assertNotEquals(fingerprint(INVITE.replace("c1@10.0.0.1", longId)),
                fingerprint(INVITE.replace("c1@10.0.0.1", longId.replace('9', '8'))));
    }

    @Test
    void badBytesAreFoundWhereverTheyStandInALongValue() throws SipParseException {
        // Values longer than a word, with the bad byte in every position: the word-at-a-time check must not miss
        // it, and the offset must be the byte's own.
        String callId = "0123456789abcdefghijklmnop@10.0.0.1";
        String message = INVITE.replace("c1@10.0.0.1", callId).replace("sip:bob@example.com SIP",
                "sip:bob.the.builder@very.long.host.example.com SIP");
        assertTrue(fingerprint(message) != 0);
        int idAt = message.indexOf(callId);
        for (int i = 0; i < callId.length(); i++) {
            for (char bad : new char[] {'\0', '\u001f', '\u007f'}) {
                String broken = message.substring(0, idAt + i) + bad + message.substring(idAt + i + 1);
                SipParseException e = assertThrows(SipParseException.class, () -> fingerprint(broken));
                assertEquals("control character in Call-ID (at byte " + (idAt + i) + ")", e.getMessage());
            }
            String tab = message.substring(0, idAt + i) + '\t' + message.substring(idAt + i + 1);
            fingerprint(tab);
            String accent = message.substring(0, idAt + i) + '\u00e9' + message.substring(idAt + i + 1);
            fingerprint(accent);
        }
        int uriAt = message.indexOf("bob.the");
        for (int i = 0; i < 40; i++) {
            String spaced = message.substring(0, uriAt + i) + "\u0001" + message.substring(uriAt + i + 1);
            SipParseException e = assertThrows(SipParseException.class, () -> fingerprint(spaced));
            assertEquals("control character in Request-URI (at byte " + (uriAt + i) + ")", e.getMessage());
        }
        int fromAt = message.indexOf("sip:alice@example.com");
        for (int i = 1; i < "sip:alice@example.com".length() - 1; i++) { // blanks at either end are trimmed
            String spaced = message.substring(0, fromAt + i) + ' ' + message.substring(fromAt + i + 1);
            SipParseException e = assertThrows(SipParseException.class, () -> fingerprint(spaced));
            assertEquals("space in From (at byte " + (fromAt + i) + ")", e.getMessage());
        }
    }

    @Test
    void theShortcutsForUsualAddressesReadWhatTheGeneralPathReads() {
        // "<uri>;tag=value" is read by word scans that also check the bytes (bracketedUri, onlyTag); the same
        // field with a display name and a blank before ";" goes the general way. Any byte at any place of the URI
        // or the tag must give the same field, or the same error, both ways.
        String uri = "sip:alice.the.builder@very.long.host.example.com:5060";
        String tag = "9dd61ff61e802d8e2bef5f14621ef3c2.bb784972";
        String[] bytes = {"\0", "\u0001", "\t", " ", "\u007f", ";", ",", "\"", ">", "<", "=", "\u00e9", "\r"};
        int compared = 0;
        for (String header : new String[] {"From", "To", "Contact"}) {
            for (boolean inTag : new boolean[] {false, true}) {
                String field = inTag ? tag : uri;
                if (inTag && header.equals("Contact")) {
                    continue;
                }
                for (int i = 0; i < field.length(); i++) {
                    for (String b : bytes) {
                        String changed = field.substring(0, i) + b + field.substring(i + 1);
                        String u = inTag ? uri : changed;
                        String params = header.equals("Contact") ? "" : ";tag=" + (inTag ? changed : tag);
                        String shortcut = "<" + u + ">" + params;
                        String general = "\"x\" <" + u + "> " + params;
                        assertEquals(outcome(header, shortcut), outcome(header, general), header + ": " + shortcut);
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 2_000);
    }

    /** What scanning {@link #INVITE} with one header's value replaced gives: the fields read, or the error. */
    private static String outcome(String header, String value) {
        String line = switch (header) {
            case "From" -> "From: <sip:alice@example.com>;tag=a1\r\n";
            case "To" -> "To: <sip:bob@example.com>\r\n";
            default -> "Contact: <sip:alice@10.0.0.1:5060>\r\n";
        };
        String message = INVITE.replace(line, header + ": " + value + "\r\n");
        try {
            byte[] b = message.getBytes(StandardCharsets.UTF_8);
            SipMessage m = SipScanner.scan(b, 0, b.length);
            return m.fromUri() + " " + m.fromTag() + " " + m.toUri() + " " + m.toTag() + " " + m.contacts();
        } catch (SipParseException e) {
            // The offset differs (the display name shifts the bytes); the reason must not.
            return e.getMessage().replaceAll(" \\(at byte \\d+\\)$", "");
        }
    }

    @Test
    void aReusedFrameGivesWhatScanGivesForEveryFixture() throws SipParseException {
        assertTrue(sameAsScanForEveryFixture(new SipFrame()) > 10);
    }

    @Test
    void aFrameReusingTextsGivesWhatScanGivesTwiceOver() throws SipParseException {
        // Twice through every fixture with one frame: the second time every text may come from its cache.
        SipFrame frame = SipFrame.reusingTexts();
        int first = sameAsScanForEveryFixture(frame);
        assertEquals(first, sameAsScanForEveryFixture(frame));
    }

    @Test
    void aFrameReusingTextsHandsOutTheSameStringForTheSameBytesOnly() throws SipParseException {
        SipFrame frame = SipFrame.reusingTexts();
        SipMessage a = toMessage(frame, INVITE);
        SipMessage b = toMessage(frame, RINGING);
        assertSame(a.callId(), b.callId());
        assertSame(a.fromUri(), b.fromUri());
        assertEquals("b1", b.toTag());
        // Thousands of distinct Call-IDs (slots are shared and replaced), each read back as its own text.
        for (int i = 0; i < 5000; i++) {
            String id = "call-" + i + "@10.0.0.1";
            assertEquals(id, toMessage(frame, INVITE.replace("c1@10.0.0.1", id)).callId());
        }
        // Texts beyond the cached length, and bytes that are not ASCII, read as scan reads them.
        String longId = "x".repeat(300) + "@10.0.0.1";
        assertEquals(longId, toMessage(frame, INVITE.replace("c1@10.0.0.1", longId)).callId());
        assertEquals(longId, toMessage(frame, INVITE.replace("c1@10.0.0.1", longId)).callId());
        byte[] accented = INVITE.replace("c1@", "c\u00e9@").getBytes(StandardCharsets.UTF_8);
        SipScanner.frame(accented, 0, accented.length, frame);
        assertEquals("c\u00e9@10.0.0.1", frame.toMessage().callId());
        assertEquals(SipScanner.scan(accented, 0, accented.length), frame.toMessage());
    }

    @Test
    void framingInTwoPartsStopsAfterTheIdentifyingFieldsAndEndsAsFramingAtOnce() throws SipParseException {
        // What comes after Call-ID, CSeq, From and To (here Contact and Content-Length) is read by frameRest only.
        String bad = INVITE.replace("Content-Length: 0", "Content-Length: zero");
        byte[] b = bad.getBytes(StandardCharsets.UTF_8);
        SipFrame frame = SipFrame.reusingTexts();
        SipScanner.frameIdentity(b, 0, b.length, frame);
        assertFalse(frame.isComplete());
        assertEquals(fingerprint(INVITE), frame.fingerprint());
        assertThrows(IllegalStateException.class, frame::toMessage);
        SipParseException rest = assertThrows(SipParseException.class, () -> SipScanner.frameRest(frame));
        SipParseException whole = assertThrows(SipParseException.class, () -> fingerprint(bad));
        assertEquals(whole.getMessage(), rest.getMessage());

        // A bad field among the four fails frameIdentity already, as frame fails.
        String badTo = INVITE.replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com");
        byte[] badToBytes = badTo.getBytes(StandardCharsets.UTF_8);
        String expected = "malformed To (at byte " + (badTo.indexOf("To: ") + 4) + ")";
        assertEquals(expected, assertThrows(SipParseException.class, () -> fingerprint(badTo)).getMessage());
        assertEquals(expected, assertThrows(SipParseException.class,
                () -> SipScanner.frameIdentity(badToBytes, 0, badToBytes.length, frame)).getMessage());

        byte[] good = INVITE.getBytes(StandardCharsets.UTF_8);
        SipScanner.frameIdentity(good, 0, good.length, frame);
        SipScanner.frameRest(frame);
        assertTrue(frame.isComplete());
        assertEquals(SipScanner.scan(good, 0, good.length), frame.toMessage());
        SipScanner.frameRest(frame); // a complete frame stays as it is
        assertEquals(SipScanner.scan(good, 0, good.length), frame.toMessage());
    }

    private static SipMessage toMessage(SipFrame frame, String message) throws SipParseException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        SipScanner.frame(bytes, 0, bytes.length, frame);
        return frame.toMessage();
    }

    private static int sameAsScanForEveryFixture(SipFrame frame) throws SipParseException {
        int checked = 0;
        for (Map.Entry<String, byte[]> e : SipFixtures.all().entrySet()) {
            byte[] b = e.getValue();
            SipMessage scanned;
            try {
                scanned = SipScanner.scan(b, 0, b.length);
            } catch (SipParseException rejected) {
                SipParseException again = assertThrows(SipParseException.class,
                        () -> SipScanner.frame(b, 0, b.length, frame), e.getKey());
                assertEquals(rejected.getMessage(), again.getMessage(), e.getKey());
                continue;
            }
            SipScanner.frame(b, 0, b.length, frame);
            assertEquals(scanned, frame.toMessage(), e.getKey());
            assertEquals(scanned.isRequest(), frame.isRequest(), e.getKey());
            checked++;
        }
        return checked;
    }
}
