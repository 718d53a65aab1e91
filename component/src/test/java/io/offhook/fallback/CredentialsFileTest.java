package io.offhook.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

/** The credentials file: its syntax, its problems (file:line, never a password) and its permissions. */
class CredentialsFileTest {
    /** Every password in these tests contains this, so that a leak of any part of a line is seen. */
    private static final String SECRET = "Zq7secret";

    @TempDir
    Path dir;

    private static Credentials parse(String text) throws CredentialsException {
        return CredentialsFile.parse(text, "creds", Optional.empty());
    }

    private static List<String> problems(String text) {
        CredentialsException e = assertThrows(CredentialsException.class, () -> parse(text));
        for (String p : e.problems()) {
            assertFalse(p.contains(SECRET) || p.contains("7sec") || p.contains("cret"),
                    "a problem repeats (part of) a password: " + p);
        }
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        return e.problems();
    }

    @Test
    void aPlainLineAndALineWithEveryOption() throws CredentialsException {
        Credentials c = parse("""
                # the users on other servers
                alice@Example.ORG = %1$s-a

                  bob@example.org = "%1$s with blanks, a \\" and a \\\\"  host=127.0.0.1 port=5223 tls=disabled
                carol@example.net = %1$s#not-a-comment=x port=5280
                """.formatted(SECRET));
        assertEquals(3, c.size());
        Account alice = c.find(new JID("alice@example.org")).orElseThrow();
        assertEquals(SECRET + "-a", alice.password());
        assertEquals(Optional.empty(), alice.host());
        assertEquals(OptionalInt.empty(), alice.port());
        assertEquals(TlsMode.REQUIRED, alice.tls(), "TLS is required unless the line says otherwise");
        assertEquals("DNS SRV of example.org", alice.address());
        Account bob = c.find(new JID("bob@example.org/phone")).orElseThrow();
        assertEquals(SECRET + " with blanks, a \" and a \\", bob.password());
        assertEquals(Optional.of("127.0.0.1"), bob.host());
        assertEquals(OptionalInt.of(5223), bob.port());
        assertEquals(TlsMode.DISABLED, bob.tls());
        Account carol = c.find(new JID("carol@example.net")).orElseThrow();
        assertEquals(SECRET + "#not-a-comment=x", carol.password());
        assertEquals("example.net:5280", carol.address(), "port= without host= connects to the JID's domain");
        assertTrue(c.find(new JID("dave@example.org")).isEmpty());
    }

    @Test
    void passwordsAreInNoToString() throws CredentialsException {
        Credentials c = parse("alice@example.org = " + SECRET + " host=xmpp.example.org\n");
        Account a = c.find(new JID("alice@example.org")).orElseThrow();
        assertEquals("Account[alice@example.org via xmpp.example.org:5222, tls required]", a.toString());
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertFalse(new FallbackSettings(c, "phone", "{own} ({phone})", -1, 8, Duration.ofSeconds(5),
                Duration.ofMinutes(5), Duration.ofSeconds(10)).toString().contains(SECRET));
    }

    @Test
    void everyBadLineIsReportedWithItsLineAndNoPassword() {
        List<String> p = problems(String.join("\n",
                "alice@example.org " + SECRET,                                   // 1: no '='
                SECRET + " = alice@example.org",                                 // 2: the wrong way round
                "alice@example.org/laptop = " + SECRET,                          // 3: a resource
                "example.org = " + SECRET,                                       // 4: no user
                "bob@example.org =   ",                                          // 5: no password
                "carol@example.org = " + SECRET + " and more",                   // 6: blanks, unquoted
                "dave@example.org = " + SECRET + " port=70000",                  // 7: bad port
                "erin@example.org = " + SECRET + " tls=maybe",                   // 8: bad tls
                "frank@example.org = \"" + SECRET,                               // 9: no closing quote
                "gina@example.org = \"" + SECRET + "\"x",                        // 10: text after the quote
                "hank@example.org = " + SECRET + " host=a host=b",               // 11: twice
                "ivy@example.org = " + SECRET + " host=",                        // 12: empty host
                "judy@example.org = \"\"",                                       // 13: empty quoted
                "kim@example.org = \"" + SECRET + "\\x\"",                       // 14: bad escape
                "alice@example.org = " + SECRET + "-2",                          // 15: fine
                "Alice@example.org = " + SECRET + "-3",                          // 16: alice again
                "lee@a@b = " + SECRET));                                         // 17: no JID
        assertEquals(List.of(
                "creds:1: no '=' between the JID and the password (user@domain = password)",
                "creds:2: the text before '=' is not a bare JID user@domain",
                "creds:3: the text before '=' is not a bare JID user@domain",
                "creds:4: the text before '=' is not a bare JID user@domain",
                "creds:5: no password after '=' for bob@example.org",
                "creds:6: word 1 after the password of carol@example.org is no option (options are host=, port=, "
                        + "tls= and bosh=; a password with blanks goes in double quotes)",
                "creds:7: port= of dave@example.org is not a port from 1 to 65535",
                "creds:8: unknown tls 'maybe': use tls=required or tls=disabled (erin@example.org)",
                "creds:9: the quoted password of frank@example.org has no closing quote",
                "creds:10: the quoted password of gina@example.org is followed by more text without a blank",
                "creds:11: option host= given twice for hank@example.org",
                "creds:12: host= of ivy@example.org is empty",
                "creds:13: the password of judy@example.org is empty",
                "creds:14: in the quoted password of kim@example.org, a backslash must be followed by \" or \\",
                "creds:16: alice@example.org is already on line 15",
                "creds:17: the text before '=' is not a valid JID (user@domain)"), p);
    }

    @Test
    void boshNamesTheEndpointInsteadOfTcp() throws CredentialsException {
        Credentials c = parse(String.join("\n",
                "alice@example.org = " + SECRET + " bosh=https://xmpp.example.org:5281/http-bind",
                "bob@example.org = \"" + SECRET + " b\" tls=disabled bosh=http://127.0.0.1:5280/http-bind",
                "carol@example.org = " + SECRET + " BOSH=HTTPS://[2001:db8::1]",
                "dave@example.org = " + SECRET + " bosh=https://xmpp.example.org/bosh tls=required"));
        Account alice = c.find(new JID("alice@example.org")).orElseThrow();
        assertEquals(Optional.of(URI.create("https://xmpp.example.org:5281/http-bind")), alice.bosh());
        assertEquals(TlsMode.REQUIRED, alice.tls(), "https: TLS required, as by default");
        assertEquals(Optional.empty(), alice.host());
        assertEquals(OptionalInt.empty(), alice.port());
        assertEquals("https://xmpp.example.org:5281/http-bind", alice.address());
        assertEquals("Account[alice@example.org via BOSH https://xmpp.example.org:5281/http-bind, tls required]",
                alice.toString());
        Account bob = c.find(new JID("bob@example.org")).orElseThrow();
        assertEquals(Optional.of(URI.create("http://127.0.0.1:5280/http-bind")), bob.bosh());
        assertEquals(TlsMode.DISABLED, bob.tls());
        assertEquals(SECRET + " b", bob.password());
        assertEquals(Optional.of(URI.create("https://[2001:db8::1]/")),
                c.find(new JID("carol@example.org")).orElseThrow().bosh(),
                "the option's name and the scheme in any case; an empty path is /");
        assertEquals(Optional.of(URI.create("https://xmpp.example.org/bosh")),
                c.find(new JID("dave@example.org")).orElseThrow().bosh());
        assertEquals(Optional.empty(), parse("erin@example.org = " + SECRET + "\n")
                .find(new JID("erin@example.org")).orElseThrow().bosh(), "TCP without bosh=");
        assertFalse(c.toString().contains(SECRET));
    }

    @Test
    void aBadBoshEndpointIsReportedWithItsLineAndNeitherTheUrlNorThePassword() {
        List<String> p = problems(String.join("\n",
                "a@example.org = " + SECRET + " bosh=http://xmpp.example.org:5280/http-bind",       // 1: http, TLS
                "b@example.org = " + SECRET + " bosh=http://127.0.0.1:5280/http-bind tls=required",  // 2: said so
                "c@example.org = " + SECRET + " tls=disabled bosh=https://127.0.0.1:5281/http-bind", // 3: https
                "d@example.org = " + SECRET + " bosh=xmpp.example.org:5281/http-bind",              // 4: no scheme
                "e@example.org = " + SECRET + " bosh=ftp://xmpp.example.org/" + SECRET,             // 5: scheme
                "f@example.org = " + SECRET + " bosh=https://" + SECRET + ":" + SECRET + "@h.example/", // 6: user
                "g@example.org = " + SECRET + " bosh=https://h.example/http-bind?" + SECRET,        // 7: query
                "h@example.org = " + SECRET + " bosh=https://h.example/http-bind#" + SECRET,        // 8: fragment
                "i@example.org = " + SECRET + " bosh=https://h.example/a b",                        // 9: blank
                "j@example.org = " + SECRET + " bosh=https://h.example:99999/",                     // 10: port
                "k@example.org = " + SECRET + " bosh=https:///" + SECRET,                           // 11: no host
                "l@example.org = " + SECRET + " bosh=",                                             // 12: empty
                "m@example.org = " + SECRET + " bosh=https://h.example/ bosh=https://h.example/",   // 13: twice
                "n@example.org = " + SECRET + " host=h.example bosh=https://h.example/",            // 14: host=
                "o@example.org = " + SECRET + " bosh=https://h.example/%zz" + SECRET));             // 15: escape
        assertEquals(List.of(
                "creds:1: bosh= of a@example.org is an http:// URL, which would send the password unencrypted; use "
                        + "https:// (tls=disabled allows http:// for tests on loopback)",
                "creds:2: bosh= of b@example.org is an http:// URL, which would send the password unencrypted; use "
                        + "https:// (tls=disabled allows http:// for tests on loopback)",
                "creds:3: bosh= of c@example.org is an https:// URL, but the line says tls=disabled; leave tls= out",
                "creds:4: bosh= of d@example.org is not an https:// URL (e.g. https://xmpp.example.org:5281/http-bind)",
                "creds:5: bosh= of e@example.org is not an https:// URL (e.g. https://xmpp.example.org:5281/http-bind)",
                "creds:6: bosh= of f@example.org holds a user name or password before '@'; the password goes after "
                        + "'=' only",
                "creds:7: bosh= of g@example.org has a query (?) or fragment (#); a BOSH endpoint is a plain path",
                "creds:8: bosh= of h@example.org has a query (?) or fragment (#); a BOSH endpoint is a plain path",
                "creds:9: word 2 after the password of i@example.org is no option (options are host=, port=, tls= and "
                        + "bosh=; a password with blanks goes in double quotes)",
                "creds:10: bosh= of j@example.org names a port that is not 1 to 65535",
                "creds:11: bosh= of k@example.org names no host (or not a valid one)",
                "creds:12: bosh= of l@example.org is empty (the BOSH endpoint, e.g. "
                        + "https://xmpp.example.org:5281/http-bind)",
                "creds:13: option bosh= given twice for m@example.org",
                "creds:14: host= and port= of n@example.org are for TCP; with bosh= the URL names the host and port",
                "creds:15: bosh= of o@example.org is not a URL (e.g. https://xmpp.example.org:5281/http-bind)"), p);
    }

    @Test
    void anAccountChecksItsBoshEndpointToo() {
        JID alice = new JID("alice@example.org");
        Optional<URI> http = Optional.of(URI.create("http://h.example/http-bind"));
        assertThrows(IllegalArgumentException.class, () -> new Account(alice, SECRET, Optional.empty(),
                OptionalInt.empty(), TlsMode.REQUIRED, http), "http needs tls disabled");
        assertThrows(IllegalArgumentException.class, () -> new Account(alice, SECRET, Optional.of("h.example"),
                OptionalInt.empty(), TlsMode.DISABLED, http), "no host of its own");
        assertThrows(IllegalArgumentException.class, () -> new Account(alice, SECRET, Optional.empty(),
                OptionalInt.empty(), TlsMode.REQUIRED, Optional.of(URI.create("https://u:p@h.example/"))));
        assertEquals(http, new Account(alice, SECRET, Optional.empty(), OptionalInt.empty(), TlsMode.DISABLED, http)
                .bosh());
    }

    @Test
    void aTooLongLineAndTooManyProblemsStayBounded() {
        StringBuilder text = new StringBuilder("alice@example.org = " + SECRET + "x".repeat(CredentialsFile.MAX_LINE)
                + "\n");
        for (int i = 0; i < CredentialsFile.MAX_PROBLEMS + 5; i++) {
            text.append("junk ").append(SECRET).append('\n');
        }
        List<String> p = problems(text.toString());
        assertEquals("creds:1: line is longer than " + CredentialsFile.MAX_LINE + " characters", p.get(0));
        assertEquals(CredentialsFile.MAX_PROBLEMS + 1, p.size());
        assertEquals("creds: and 6 more problems", p.get(p.size() - 1));
    }

    @Test
    void bytesThatAreNotUtf8NameTheirLine() {
        byte[] bad = ("alice@example.org = " + SECRET + "\nbob@example.org = \u00ff").getBytes(
                StandardCharsets.ISO_8859_1);
        CredentialsException e = assertThrows(CredentialsException.class,
                () -> CredentialsFile.parse(bad, "creds", Optional.empty()));
        assertEquals(List.of("creds:2: not UTF-8"), e.problems());
    }

    @Test
    void aPrivateFileIsReadAndKnowsWhereItCameFrom() throws IOException, CredentialsException {
        Path f = write("\uFEFFalice@example.org = " + SECRET + "\n", "rw-------");
        Credentials c = CredentialsFile.load(f);
        assertEquals(1, c.size());
        assertEquals(Optional.of(f), c.file());
        assertEquals("Credentials[1 accounts from " + f + "]", c.toString());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        assertEquals(1, CredentialsFile.load(f).size(), "read-only for its owner is fine");
    }

    @Test
    void aFileOthersMayReadIsRefusedNamingIt() throws IOException {
        for (String mode : List.of("rw-r-----", "rw----r--", "rw-rw-rw-")) {
            Path f = write("alice@example.org = " + SECRET + "\n", mode);
            CredentialsException e = assertThrows(CredentialsException.class, () -> CredentialsFile.load(f));
            assertEquals(List.of(f + " is readable by group or others; chmod 600 it (it holds passwords)"),
                    e.problems(), mode);
        }
    }

    @Test
    void aMissingFileIsNamed() {
        Path f = dir.resolve("nope.credentials");
        CredentialsException e = assertThrows(CredentialsException.class, () -> CredentialsFile.load(f));
        assertEquals(List.of(f + " does not exist (create it with one 'user@domain = password' line per user, "
                + "chmod 600)"), e.problems());
    }

    @Test
    void problemsInAFileNameThePath() throws IOException {
        Path f = write("\n\nalice@example.org\n", "rw-------");
        CredentialsException e = assertThrows(CredentialsException.class, () -> CredentialsFile.load(f));
        assertEquals(List.of(f + ":3: no '=' between the JID and the password (user@domain = password)"),
                e.problems());
    }

    private Path write(String text, String mode) throws IOException {
        Path f = Files.createTempFile(dir, "fallback", ".credentials");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }
}
