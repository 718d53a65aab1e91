package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never reach the logs (issue 6, "Privacy and secrets"): the {@code offhook} program runs with every logger
 * at its most verbose, the wire log of SIP and XMPP included, through a component handshake, a REGISTER carrying
 * digest credentials and a call, and a login-fallback user (xavier, on a VirtualHost that does not trust the
 * component) whose password in the credentials file is wrong; then the whole log is searched for the component
 * secret, the handshake, the digest credentials and that password. The log must hold the wire lines and the refused
 * login, so the search is over what a verbose run really writes.
 */
class SecretsInLogsIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-secret-that-must-never-be-logged-0123";
    private static final String PASSWORD = "it-password-1";
    /** The digest response of alice's REGISTER: a credential, left out of the SIP wire log. */
    private static final String DIGEST_RESPONSE = "5e1f0c0ffee5ecre7d16e57";
    /** xavier's password in the login fallback's credentials file (a wrong one, so that the refusal is logged). */
    private static final String FALLBACK_PASSWORD = "it-fallback-password-never-logged-4711";
    private static final String OTHER = "other.test";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static Prosody prosody;

    @BeforeAll
    static void startServer() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET, List.of(OTHER));
        prosody.registerOn(OTHER, "xavier", PASSWORD);
        prosody.registerAll(List.of("alice", "bob"), PASSWORD);
        prosody.addRosterItem("alice", "bob@" + DOMAIN, "both");
        prosody.addRosterItem("bob", "alice@" + DOMAIN, "both");
    }

    @AfterAll
    static void stopServer() {
        if (prosody != null) {
            prosody.stop();
        }
    }

    /** The shipped Log4j config with Offhook at TRACE, the wire log on and everything else at DEBUG. */
    private static Path verboseLogConfig() throws IOException {
        String xml = Files.readString(XmppLab.etcFile("log4j2.xml"), StandardCharsets.UTF_8);
        String verbose = xml.replace("<Logger name=\"io.offhook\" level=\"info\"/>",
                        "<Logger name=\"io.offhook\" level=\"trace\"/>")
                .replace("<Logger name=\"offhook.wire\" level=\"off\"/>", "<Logger name=\"offhook.wire\" level=\"debug\"/>")
                .replace("<Root level=\"warn\">", "<Root level=\"debug\">");
        if (verbose.equals(xml) || !verbose.contains("\"offhook.wire\" level=\"debug\"")) {
            throw new IllegalStateException("etc/log4j2.xml changed: the test no longer knows how to make it verbose");
        }
        Path file = work.resolve("log4j2-verbose.xml");
        Files.writeString(file, verbose, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aVerboseRunLogsTheWireButNoSecret() throws IOException, InterruptedException {
        int hep = FreePorts.one();
        Path credentials = Files.createDirectories(work.resolve("offhook")).resolve("fallback.credentials");
        Files.writeString(credentials, "xavier@" + OTHER + " = " + FALLBACK_PASSWORD + " host=127.0.0.1 port="
                + prosody.c2sPort() + " tls=disabled\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        Path config = OffhookUnderTest.writeConfig(work.resolve("offhook"), prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\nsip:xavier@example.com = xavier@" + OTHER
                        + " mode=login\n", Map.of("hep.listen", "127.0.0.1:" + hep,
                        "fallback.credentials-file", credentials.toString()));
        Path log = work.resolve("offhook.log");
        Process offhook = OffhookProcess.launch(config, verboseLogConfig(), log);
        Kamailio kamailio = null;
        try (Watcher bob = Watcher.login(prosody, "bob", PASSWORD, "desk")) {
            Await.until(WAIT, () -> Processes.tail(log, 2000).contains("Offhook running"),
                    () -> "offhook did not start:\n" + Processes.tail(log, 40));
            kamailio = Kamailio.start(work.resolve("kamailio"), hep, Kamailio.HepTransport.UDP, 32);
            Lab.sipp();
            CallLab lab = new CallLab(work, kamailio);
            UserAgent alice = UserAgent.of("alice");
            lab.client(Sipp.of(Lab.testScenario("register-with-credentials.xml"), alice)
                    .key("response", DIGEST_RESPONSE)).runToEnd(work);
            String phone = "alice@" + DOMAIN + "/phone";
            bob.awaitPresence(phone, p -> "Phone available".equals(p.getStatus()), WAIT);
            UserAgent xavier = UserAgent.of("xavier");
            lab.register(xavier);
            bob.mark();
            lab.call(xavier, "uac-call.xml", "uas-answer.xml", alice);
            bob.awaitPresence(phone, p -> "Phone available".equals(p.getStatus()), WAIT);
            assertTrue(bob.statusesSinceMark(phone).contains("On the phone"), () -> "bob saw "
                    + bob.statusesSinceMark(phone));
            Await.until(WAIT, () -> Processes.tail(log, 2000).contains("Login as user=xavier@" + OTHER + " failed"),
                    () -> "xavier's refused login was not logged:\n" + Processes.tail(log, 40));
        } finally {
            OffhookProcess.stop(offhook);
            if (kamailio != null) {
                kamailio.close();
            }
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text.contains("REGISTER sip:example.com"), "the SIP wire log was not on: nothing was tested");
        assertTrue(text.contains("<presence"), "the XMPP wire log was not on: nothing was tested");
        assertTrue(text.contains("Authorization"), "the REGISTER's Authorization header is not in the wire log");
        assertFalse(text.contains(SECRET), "the component secret is in the log");
        assertFalse(text.contains(DIGEST_RESPONSE), "the REGISTER's digest response is in the log");
        assertFalse(text.contains(FALLBACK_PASSWORD), "a password of the login fallback's credentials file is in the "
                + "log");
        assertFalse(text.contains("<handshake"), "the component handshake (a digest of the secret) is in the log");
    }
}
