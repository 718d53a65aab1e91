package io.offhook.tap.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz targets for the SIP scanner, which reads every message a proxy mirrors (anyone who can send SIP to the
 * proxy chooses these bytes). Run as regression tests on every build (seeds: the fixtures under {@code sip/}, the
 * messages of three real captures and the inputs under {@code SipScannerFuzzTestInputs/}); fuzzed by
 * {@code scripts/fuzz sip} and {@code scripts/fuzz sip-jainsip}.
 */
class SipScannerFuzzTest {
    /**
     * For long runs only ({@code -Doffhook.fuzz.disagreements=FILE}): a disagreement no divergence explains is
     * written to FILE (the input in Base64, a tab, the differences) and the run goes on, so that one run can reach
     * millions of inputs while JAIN-SIP's lenient readings of malformed input turn up, to be named afterwards. Any
     * other failure (an exception, a hang, memory) still stops the run. Unset, a disagreement fails as usual.
     */
    private static final String DISAGREEMENTS = System.getProperty("offhook.fuzz.disagreements");
    private static final int MAX_COLLECTED = 10_000;
    private static int collected;

    /** Bytes around the message that would change the result if the scanner read past its bounds. */
    private static final byte[] JUNK = ":\r\n;<>\"@ \t,".getBytes(StandardCharsets.US_ASCII);
    /** Reused over inputs, as the tap reuses one frame per thread: nothing may leak from one message to the next. */
    private static final SipFrame REUSED = new SipFrame();
    /** The same for the frame filled in two parts ({@link SipScanner#frameIdentity}, {@link SipScanner#frameRest}). */
    private static final SipFrame REUSED_IN_PARTS = SipFrame.reusingTexts();

    static Stream<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>(SipFixtures.all().values());
        for (String capture : List.of("basic-call.pcap", "refresh.pcap", "tcp-call.pcap", "hold-resume.pcap")) {
            try {
                seeds.addAll(CaptureDifferentialTest.messages(capture));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return seeds.stream();
    }

    /**
     * Any bytes: a {@link SipMessage} or a {@link SipParseException} (with an offset inside the input), nothing
     * else; the same answer wherever the bytes lie in an array and whatever the reused frame held before;
     * {@link SipScanner#frame} agrees with {@link SipScanner#scan}, and so does framing in two parts
     * ({@link SipScanner#frameIdentity}, whose fingerprint is already the whole frame's, then
     * {@link SipScanner#frameRest}); equal messages have equal fingerprints; a
     * message over {@link SipScanner#MAX_MESSAGE_BYTES} is refused; what is accepted keeps the contract of
     * {@link SipMessage}.
     */
    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void scanAnyBytes(byte[] input) {
        SipMessage alone = scanOrNull(input, 0, input.length);
        byte[] framed = new byte[input.length + 2 * JUNK.length];
        System.arraycopy(JUNK, 0, framed, 0, JUNK.length);
        System.arraycopy(input, 0, framed, JUNK.length, input.length);
        System.arraycopy(JUNK, 0, framed, JUNK.length + input.length, JUNK.length);

        String frameError = null;
        try {
            SipScanner.frame(framed, JUNK.length, input.length, REUSED);
        } catch (SipParseException e) {
            frameError = e.getMessage();
        }
        String scanError = error(input);
        assertEquals(scanError, frameError, "frame and scan differ on rejecting");
        long identityFingerprint = checkInTwoParts(framed, JUNK.length, input.length, frameError);
        if (alone == null) {
            return;
        }
        assertTrue(input.length <= SipScanner.MAX_MESSAGE_BYTES, "accepted a message over the limit");
        assertEquals(alone, REUSED.toMessage(), "frame (inside a larger array, reused) and scan differ");
        SipFrame fresh = new SipFrame();
        try {
            SipScanner.frame(input, 0, input.length, fresh);
        } catch (SipParseException e) {
            fail("framed once, rejected the second time: " + e.getMessage());
        }
        assertEquals(fresh.fingerprint(), REUSED.fingerprint(), "fingerprint depends on the offset");
        assertEquals(fresh.fingerprint(), identityFingerprint, "frameIdentity and frame differ on the fingerprint");
        assertNotEquals(0L, fresh.fingerprint());
        checkContract(alone);
    }

    /**
     * {@link SipScanner#frameIdentity} then {@link SipScanner#frameRest} (into a reused frame) reject exactly what
     * {@link SipScanner#frame} rejects, with the same message, and otherwise make the same message; returns the
     * fingerprint taken after {@code frameIdentity} (0 when it threw).
     */
    private static long checkInTwoParts(byte[] data, int offset, int length, String frameError) {
        long fingerprint = 0;
        String error = null;
        try {
            SipScanner.frameIdentity(data, offset, length, REUSED_IN_PARTS);
            fingerprint = REUSED_IN_PARTS.fingerprint();
            SipScanner.frameRest(REUSED_IN_PARTS);
        } catch (SipParseException e) {
            error = e.getMessage();
        }
        assertEquals(frameError, error, "frameIdentity and frameRest differ from frame on rejecting");
        if (error == null) {
            assertTrue(REUSED_IN_PARTS.isComplete());
            assertEquals(REUSED.toMessage(), REUSED_IN_PARTS.toMessage(), "framed in two parts, a different message");
            assertEquals(REUSED.fingerprint(), REUSED_IN_PARTS.fingerprint(), "framed in two parts, other fingerprint");
        }
        return fingerprint;
    }

    private static SipMessage scanOrNull(byte[] data, int offset, int length) {
        try {
            return SipScanner.scan(data, offset, length);
        } catch (SipParseException e) {
            assertTrue(e.offset() >= 0 && e.offset() <= length, "offset " + e.offset() + " outside the message");
            return null;
        }
    }

    private static String error(byte[] input) {
        try {
            SipScanner.scan(input, 0, input.length);
            return null;
        } catch (SipParseException e) {
            return e.getMessage();
        }
    }

    /** What the tracker relies on in every accepted message. */
    private static void checkContract(SipMessage m) {
        assertTrue(m.isRequest() ? m.method().length() > 0 : m.statusCode() >= 100 && m.statusCode() <= 699);
        assertTrue(!m.callId().isEmpty() && noLineBreak(m.callId()), "Call-ID");
        assertTrue(m.cseq() >= 0 && m.cseq() < (1L << 31), "CSeq " + m.cseq());
        assertTrue(!m.fromUri().isEmpty() && noBlank(m.fromUri()), "From URI");
        assertTrue(!m.toUri().isEmpty() && noBlank(m.toUri()), "To URI");
        assertTrue(m.expires() >= SipMessage.ABSENT && m.sessionExpires() >= SipMessage.ABSENT);
        assertTrue(!m.contactWildcard() || m.contacts().isEmpty(), "Contact: * with contacts");
        for (Contact c : m.contacts()) {
            assertTrue(!c.uri().isEmpty() && noBlank(c.uri()), "Contact URI [" + c.uri() + "]");
        }
        if (m.media() != null) {
            assertTrue(m.contentType() != null, "SDP without a content type");
        }
    }

    private static boolean noLineBreak(String s) {
        return s.indexOf('\r') < 0 && s.indexOf('\n') < 0;
    }

    private static boolean noBlank(String s) {
        return noLineBreak(s) && s.indexOf(' ') < 0 && s.indexOf('\t') < 0;
    }

    /**
     * Any bytes, against JAIN-SIP: on a message both accept, every field the tracker uses agrees, but for the
     * named, narrow {@link DifferentialCheck.Divergence}s (each one a place where JAIN-SIP reads malformed input
     * its own way). Where only one of them accepts, the scanner's answer stands (the other targets check it).
     */
    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void agreesWithJainSip(byte[] input) {
        Set<DifferentialCheck.Divergence> explained = EnumSet.noneOf(DifferentialCheck.Divergence.class);
        List<String> unexplained = DifferentialCheck.unexplained(input, explained);
        if (!unexplained.isEmpty() && DISAGREEMENTS != null) {
            collect(input, unexplained);
            return;
        }
        assertEquals(List.of(), unexplained, () -> "scanner and JAIN-SIP disagree on:\n"
                + new String(input, StandardCharsets.ISO_8859_1) + "\n(explained: " + explained + ")");
    }

    private static void collect(byte[] input, List<String> unexplained) {
        if (collected++ >= MAX_COLLECTED) {
            return;
        }
        String line = Base64.getEncoder().encodeToString(input) + "\t"
                + String.join(" | ", unexplained).replace('\n', ' ').replace('\r', ' ') + "\n";
        try {
            Files.writeString(Path.of(DISAGREEMENTS), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
