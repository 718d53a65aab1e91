package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.DigestAuth.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Digest authentication of publishers (RFC 3261 section 22.4, RFC 2617 MD5 with qop=auth). */
class DigestAuthTest {
    private static final String URI = "sip:alice@example.com";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final DigestAuth auth = new DigestAuth(
            PublisherCredentials.parse(List.of("# publishers", "kamailio = s3cret=with=equals"), "test"), "offhook",
            clock);

    @Test
    void rfc2617sOwnExampleComputesItsResponse() {
        // RFC 2617 section 3.5: Mufasa, "Circle Of Life", GET /dir/index.html.
        String ha1 = PublisherCredentials.md5Hex("Mufasa:testrealm@host.com:Circle Of Life");
        assertEquals("6629fae49393a05397450978507c4ef1", DigestAuth.response(ha1,
                "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "GET", "/dir/index.html"));
    }

    /** What a client sends for {@code challenge}, computed here independently of the server's code path. */
    private static String answer(String challenge, String user, String password, String uri, boolean qop) {
        Map<String, String> c = DigestAuth.parse(challenge);
        String ha1 = PublisherCredentials.md5Hex(user + ":" + c.get("realm") + ":" + password);
        String ha2 = PublisherCredentials.md5Hex("PUBLISH:" + uri);
        String nonce = c.get("nonce");
        if (!qop) {
            return "Digest username=\"" + user + "\", realm=\"" + c.get("realm") + "\", nonce=\"" + nonce
                    + "\", uri=\"" + uri + "\", response=\"" + PublisherCredentials.md5Hex(ha1 + ":" + nonce + ":"
                    + ha2) + "\"";
        }
        String response = PublisherCredentials.md5Hex(ha1 + ":" + nonce + ":00000001:abcdef:auth:" + ha2);
        return "Digest username=\"" + user + "\",realm=\"" + c.get("realm") + "\",nonce=\"" + nonce + "\",uri=\""
                + uri + "\",response=\"" + response + "\",algorithm=MD5,cnonce=\"abcdef\",qop=auth,nc=00000001";
    }

    @Test
    void theRightPasswordPassesWithAndWithoutQop() {
        String challenge = auth.challenge(false);
        assertTrue(challenge.startsWith("Digest realm=\"offhook\", nonce=\""), challenge);
        assertTrue(challenge.endsWith("algorithm=MD5, qop=\"auth\""), challenge);
        assertEquals(new Outcome.Authenticated("kamailio"),
                auth.check("PUBLISH", URI, answer(challenge, "kamailio", "s3cret=with=equals", URI, true)));
        assertEquals(new Outcome.Authenticated("kamailio"),
                auth.check("PUBLISH", URI, answer(challenge, "kamailio", "s3cret=with=equals", URI, false)));
    }

    @Test
    void wrongCredentialsAreRefusedWithoutSayingWhichPartWasWrong() {
        String challenge = auth.challenge(false);
        Outcome wrongPassword = auth.check("PUBLISH", URI, answer(challenge, "kamailio", "guess", URI, true));
        Outcome wrongUser = auth.check("PUBLISH", URI, answer(challenge, "mallory", "s3cret=with=equals", URI, true));
        assertInstanceOf(Outcome.Refused.class, wrongPassword);
        assertEquals("wrong user name or password for user kamailio", ((Outcome.Refused) wrongPassword).reason());
        assertEquals("wrong user name or password for user mallory", ((Outcome.Refused) wrongUser).reason());
    }

    @Test
    void anAnswerForAnotherResourceOrMethodIsRefused() {
        String challenge = auth.challenge(false);
        String forBob = answer(challenge, "kamailio", "s3cret=with=equals", "sip:bob@example.com", true);
        assertInstanceOf(Outcome.Refused.class, auth.check("PUBLISH", URI, forBob));
        assertInstanceOf(Outcome.Refused.class,
                auth.check("REGISTER", URI, answer(challenge, "kamailio", "s3cret=with=equals", URI, true)));
    }

    @Test
    void aForgedNonceIsRefusedAndAnOldOneIsStale() {
        String good = answer(auth.challenge(false), "kamailio", "s3cret=with=equals", URI, true);
        String forged = good.replaceFirst("nonce=\"[0-9a-f]+\\.", "nonce=\"ffffffff.");
        assertEquals(new Outcome.Refused("a nonce this server did not make"), auth.check("PUBLISH", URI, forged));
        DigestAuth other = new DigestAuth(PublisherCredentials.parse(List.of("kamailio = s3cret=with=equals"), "t"),
                "offhook", clock);
        assertInstanceOf(Outcome.Refused.class, other.check("PUBLISH", URI, good), "another process's nonce");
        clock.advance(Duration.ofSeconds(DigestAuth.NONCE_LIFETIME_SECONDS + 1));
        assertEquals(new Outcome.Stale(), auth.check("PUBLISH", URI, good));
        assertTrue(auth.challenge(true).endsWith(", stale=true"));
    }

    @Test
    void missingOrForeignCredentialsAreChallenged() {
        assertEquals(new Outcome.Missing(), auth.check("PUBLISH", URI, null));
        assertEquals(new Outcome.Missing(), auth.check("PUBLISH", URI, "Basic a2FtYWlsaW86cw=="));
        assertEquals(new Outcome.Missing(), auth.check("PUBLISH", URI, "Digest realm=\"elsewhere\", nonce=\"x\""));
        assertInstanceOf(Outcome.Refused.class, auth.check("PUBLISH", URI, "Digest realm=\"offhook\""));
    }

    @Test
    void headerParsingHandlesQuotesEscapesAndSpacing() {
        Map<String, String> p = DigestAuth.parse("Digest  username=\"a\\\"b\" , realm=\"x, y\",nc=00000001,"
                + "qop=auth");
        assertEquals("a\"b", p.get("username"));
        assertEquals("x, y", p.get("realm"));
        assertEquals("00000001", p.get("nc"));
        assertEquals("auth", p.get("qop"));
        assertNull(DigestAuth.parse("Digest realm=\"unterminated"));
    }

    @Test
    void theCredentialsFileMustBePrivateAndWellFormed() throws IOException {
        Path file = dir.resolve("publishers");
        Files.writeString(file, "kamailio = pw\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                () -> PublisherCredentials.load(file));
        assertTrue(open.getMessage().contains("readable by group or others"), open.getMessage());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals("PublisherCredentials[1 users]", PublisherCredentials.load(file).toString());
        Files.writeString(file, "kamailio = pw\nno-password =\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PublisherCredentials.load(file));
        assertEquals(file + ":2: user no-password has an empty password", bad.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PublisherCredentials.parse(List.of("a = 1", "a = 2"), "x"));
        assertThrows(IllegalArgumentException.class, () -> PublisherCredentials.parse(List.of("just text"), "x"));
    }
}
