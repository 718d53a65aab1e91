package io.offhook.tap.sip;

import static io.offhook.tap.sip.SipScannerTest.HEAD;
import static io.offhook.tap.sip.SipScannerTest.crlf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input is normal input for the tap: whatever the bytes, the scanner returns a message or throws
 * {@link SipParseException} with an offset inside the message, never anything else, and always finishes. The
 * class timeout only guards against a hang (every loop here is bounded); it is not a speed requirement.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SipScannerMalformedTest {

    /** Scans and checks the only two allowed outcomes; returns the message or {@code null}. */
    private static SipMessage scanSafely(byte[] data, int offset, int length, String what) {
        try {
            return SipScanner.scan(data, offset, length);
        } catch (SipParseException e) {
            if (e.offset() < 0 || e.offset() > length) {
                fail(what + ": offset " + e.offset() + " outside the message of " + length + " bytes");
            }
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    @Test
    void truncationAtEveryByteOfEveryFixture() {
        int scanned = 0;
        for (Map.Entry<String, byte[]> f : SipFixtures.all().entrySet()) {
            byte[] m = f.getValue();
            for (int length = 0; length <= m.length; length++) {
                scanSafely(m, 0, length, f.getKey() + " cut at " + length);
                scanned++;
            }
        }
        assertTrue(scanned > 20_000, "cuts: " + scanned);
    }

    @Test
    void truncatedBodyKeepsTheMessageUsable() {
        byte[] m = SipFixtures.get("invite-sdp");
        String text = new String(m, StandardCharsets.ISO_8859_1);
        int bodyStart = text.indexOf("\r\n\r\n") + 4;
        for (int length = bodyStart; length <= m.length; length++) {
            SipMessage cut = scanSafely(m, 0, length, "invite-sdp cut at " + length);
            assertEquals("a84b4c76e66710@pc33.example.com", cut == null ? null : cut.callId(),
                    "cut in the body at " + length);
        }
    }

    @Test
    void randomBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(2_000)];
            random.nextBytes(b);
            scanSafely(b, 0, b.length, "random buffer " + i);
        }
    }

    @Test
    void randomSipLikeText() {
        // Random sequences over the bytes that steer the scanner, so that deep paths are reached too.
        byte[] alphabet = "\r\n \t:;,<>\"\\=*/@sipSIP/2.0 INVITE 200 Call-ID CSeq From To m i f t l c x Contact v=0 a="
                .getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(600)];
            for (int k = 0; k < b.length; k++) {
                b[k] = alphabet[random.nextInt(alphabet.length)];
            }
            scanSafely(b, 0, b.length, "sip-like buffer " + i);
        }
    }

    @Test
    void mutatedFixtures() {
        byte[] specials = "\r\n\0 \t:;,<>\"\\=*".getBytes(StandardCharsets.ISO_8859_1);
        Random random = new Random(1234);
        byte[][] fixtures = SipFixtures.all().values().toArray(new byte[0][]);
        for (int i = 0; i < 30_000; i++) {
            byte[] b = fixtures[random.nextInt(fixtures.length)].clone();
            int edits = 1 + random.nextInt(5);
            for (int e = 0; e < edits && b.length > 0; e++) {
                int at = random.nextInt(b.length);
                switch (random.nextInt(3)) {
                    case 0 -> b[at] = specials[random.nextInt(specials.length)];
                    case 1 -> b[at] = (byte) random.nextInt(256);
                    default -> {
                        int end = Math.min(b.length, at + 1 + random.nextInt(40));
                        byte[] shorter = new byte[b.length - (end - at)];
                        System.arraycopy(b, 0, shorter, 0, at);
                        System.arraycopy(b, end, shorter, at, b.length - end);
                        b = shorter;
                    }
                }
            }
            scanSafely(b, 0, b.length, "mutation " + i);
        }
    }

    @Test
    void nulBytes() throws SipParseException {
        byte[] zeros = new byte[1000];
        assertThrows(SipParseException.class, () -> SipScanner.scan(zeros, 0, zeros.length));

        byte[] inCallId = crlf(HEAD.replace("c1@example.com", "c1\0@example.com") + "\n");
        SipParseException e = assertThrows(SipParseException.class,
                () -> SipScanner.scan(inCallId, 0, inCallId.length));
        assertTrue(e.getMessage().startsWith("control character in Call-ID"), e.getMessage());

        // RFC 4475 3.1.1.2: a quoted-pair may escape NUL inside a display name; the message stays valid.
        byte[] inDisplayName = crlf(HEAD.replace("To: <sip:bob", "To: \"NUL:\\\0 end\" <sip:bob") + "\n");
        assertEquals("sip:bob@example.com", SipScanner.scan(inDisplayName, 0, inDisplayName.length).toUri());

        byte[] inBody = crlf(HEAD + "Content-Type: application/sdp\n\nv=0\n\0\0\0\nm=audio 1 RTP/AVP 0\na=sendonly\n");
        assertEquals(MediaDirection.SENDONLY, SipScanner.scan(inBody, 0, inBody.length).media());

        byte[] inName = crlf(HEAD + "X-\0: y\n\n");
        assertEquals("c1@example.com", SipScanner.scan(inName, 0, inName.length).callId());
    }

    @Test
    void messageOverTheLimit() {
        byte[] pad = new byte[SipScanner.MAX_MESSAGE_BYTES];
        Arrays.fill(pad, (byte) 'x');
        byte[] big = crlf(HEAD + "Content-Type: text/plain\n\n" + new String(pad, StandardCharsets.US_ASCII));
        SipParseException e = assertThrows(SipParseException.class, () -> SipScanner.scan(big, 0, big.length));
        assertTrue(e.getMessage().startsWith("message of " + big.length + " bytes is longer than the limit"));
    }

    @Test
    void headerOverTheLimit() {
        String longValue = "x".repeat(SipScanner.MAX_HEADER_BYTES);
        SipParseException e = assertThrows(SipParseException.class, () -> SipScannerTest.scan(
                HEAD + "X-Long: " + longValue + "\n\n"));
        assertTrue(e.getMessage().startsWith("header field longer than"), e.getMessage());

        StringBuilder folded = new StringBuilder("X-Folded: a");
        while (folded.length() <= SipScanner.MAX_HEADER_BYTES) {
            folded.append("\n b");
        }
        e = assertThrows(SipParseException.class, () -> SipScannerTest.scan(HEAD + folded + "\n\n"));
        assertTrue(e.getMessage().startsWith("header field longer than"), e.getMessage());
    }

    @Test
    void manyContactsWithinTheLimits() throws SipParseException {
        StringBuilder b = new StringBuilder(HEAD);
        for (int line = 0; line < 20; line++) {
            b.append("Contact: ");
            for (int i = 0; i < 100; i++) {
                b.append(i == 0 ? "" : ",").append("<sip:u").append(i).append("@h>;expires=").append(line);
            }
            b.append('\n');
        }
        SipMessage m = SipScannerTest.scan(b + "\n");
        assertEquals(2000, m.contacts().size());
        assertEquals(19, m.contacts().get(1999).expires());
    }

    @Test
    void lotsOfEmptyAndShortLines() {
        byte[] crlfs = new byte[SipScanner.MAX_MESSAGE_BYTES];
        for (int i = 0; i < crlfs.length; i += 2) {
            crlfs[i] = '\r';
            crlfs[i + 1] = '\n';
        }
        assertThrows(SipParseException.class, () -> SipScanner.scan(crlfs, 0, crlfs.length));
        byte[] colons = new byte[SipScanner.MAX_MESSAGE_BYTES];
        Arrays.fill(colons, (byte) ':');
        assertThrows(SipParseException.class, () -> SipScanner.scan(colons, 0, colons.length));
        String spaces = HEAD + "Contact:" + " ".repeat(10_000) + "\n\n";
        assertThrows(SipParseException.class, () -> SipScannerTest.scan(spaces));
    }

    @Test
    void badBoundsAreAProgrammingError() {
        byte[] b = new byte[10];
        assertThrows(IndexOutOfBoundsException.class, () -> SipScanner.scan(b, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> SipScanner.scan(b, -1, 2));
    }
}
