package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code offhook} program as an operator runs it: its jar, the shipped config and Log4j config, a separate
 * process. On SIGTERM it takes down every presence it put up before it disconnects (issue 3, "The XEP-0114
 * connection"); {@code --check} names the bad key and exits 2.
 */
class OffhookProgramIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-0123456789";
    private static final String PASSWORD = "it-password-1";
    private static final Duration WAIT = OffhookProcess.WAIT;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static Prosody prosody;

    @BeforeAll
    static void startServer() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        prosody.register("alice", PASSWORD);
        prosody.register("bob", PASSWORD);
        prosody.addRosterItem("alice", "bob@" + DOMAIN, "both");
        prosody.addRosterItem("bob", "alice@" + DOMAIN, "both");
        prosody.register("gina", PASSWORD);
        prosody.addRosterItem("gina", "bob@" + DOMAIN, "both");
    }

    @AfterAll
    static void stopServer() {
        if (prosody != null) {
            prosody.stop();
        }
    }

    @Test
    void sigtermTakesEveryPresenceDownBeforeDisconnecting() throws IOException, InterruptedException {
        int hep = FreePorts.one();
        Path config = OffhookUnderTest.writeConfig(work.resolve("offhook"), prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\n", Map.of("hep.listen", "127.0.0.1:" + hep));
        Path log = work.resolve("offhook.log");
        Process offhook = OffhookProcess.startRunning(config, log);
        Kamailio kamailio = null;
        try (Watcher bob = Watcher.login(prosody, "bob", PASSWORD, "desk")) {
            kamailio = Kamailio.start(work.resolve("kamailio"), hep, Kamailio.HepTransport.UDP, 32);
            Lab.sipp();
            new CallLab(work, kamailio).register(UserAgent.of("alice"));
            String phone = "alice@" + DOMAIN + "/phone";
            bob.awaitPresence(phone, p -> p.getType() == Presence.Type.available, WAIT);
            bob.mark();
            offhook.destroy();
            bob.awaitPresence(phone, p -> p.getType() == Presence.Type.unavailable, WAIT);
            assertTrue(OffhookProcess.stop(offhook), "offhook did not exit after SIGTERM");
            // 143 is how the JVM reports an exit on SIGTERM, after its shutdown hooks ran.
            assertEquals(143, offhook.exitValue(), () -> Processes.tail(log, 40));
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(output.contains("Taking down 2 presences before disconnecting"), output);
            assertTrue(!output.contains(SECRET), "the secret must never be logged");
        } finally {
            OffhookProcess.stop(offhook);
            if (kamailio != null) {
                kamailio.close();
            }
        }
    }

    @Test
    void theMappingFileIsReloadedWithoutARestartAndABrokenEditKeepsTheLastGoodOne()
            throws IOException, InterruptedException {
        int hep = FreePorts.one();
        Path dir = work.resolve("reload");
        Path config = OffhookUnderTest.writeConfig(dir, prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\n", Map.of("hep.listen", "127.0.0.1:" + hep,
                        "mapping.reload-interval", "250ms"));
        Path map = dir.resolve("users.map");
        Path log = work.resolve("reload.log");
        Process offhook = OffhookProcess.startRunning(config, log);
        Kamailio kamailio = null;
        try (Watcher bob = Watcher.login(prosody, "bob", PASSWORD, "reload")) {
            kamailio = Kamailio.start(work.resolve("kamailio-reload"), hep, Kamailio.HepTransport.UDP, 32);
            Lab.sipp();
            CallLab lab = new CallLab(work, kamailio);
            UserAgent alice = UserAgent.of("alice");
            lab.register(alice);
            String phone = "alice@" + DOMAIN + "/phone";
            bob.awaitPresence(phone, p -> p.getType() == Presence.Type.available, WAIT);

            // A broken edit: logged with its line, the last good mapping stays (alice is still shown).
            bob.mark();
            Files.writeString(map, "sip:alice@example.com = alice@offhook.test\nthis is not a mapping\n");
            Await.until(WAIT, () -> Processes.tail(log, 200).contains("users.map:2"),
                    () -> "no warning naming the broken line:\n" + Processes.tail(log, 40));
            // Unmapping alice takes her phone down at her contacts, without a restart.
            Files.writeString(map, "sip:zed@example.com = zed@offhook.test\n");
            bob.awaitPresence(phone, p -> p.getType() == Presence.Type.unavailable, WAIT);
            assertEquals(List.of("unavailable"), bob.statusesSinceMark(phone), "alice stayed until unmapped");
            // Mapped again: shown from her next registration.
            Files.writeString(map, "sip:alice@example.com = alice@offhook.test\n");
            Await.until(WAIT, () -> Processes.tail(log, 400).split("Reloaded mapping file").length >= 3,
                    () -> "the mapping was not reloaded:\n" + Processes.tail(log, 40));
            lab.register(alice);
            bob.awaitPresence(phone, p -> p.getType() == Presence.Type.available, WAIT);
        } finally {
            OffhookProcess.stop(offhook);
            if (kamailio != null) {
                kamailio.close();
            }
        }
    }

    @Test
    void gatewaySubscribersStillGetUpdatesAfterOffhookRestarts() throws IOException, InterruptedException {
        int hep = FreePorts.one();
        Path dir = work.resolve("gateway");
        Path config = OffhookUnderTest.writeConfig(dir, prosody, SECRET,
                "sip:gina@example.com = gina@offhook.test mode=gateway\n", Map.of("hep.listen", "127.0.0.1:" + hep,
                        "gateway.state-file", "state/gateway-subscribers"));
        Path log = work.resolve("gateway.log");
        Process offhook = OffhookProcess.startRunning(config, log);
        Kamailio kamailio = null;
        String gina = "gina@" + COMPONENT;
        try (Watcher bob = Watcher.login(prosody, "bob", PASSWORD, "gw")) {
            bob.subscribe(gina);
            bob.awaitPresence(gina, p -> p.getType() == Presence.Type.subscribed, WAIT);
            Path state = dir.resolve("state/gateway-subscribers");
            Await.until(WAIT, () -> Files.isRegularFile(state) && Processes.tail(state, 10).contains("bob@"),
                    () -> "the subscription was not saved");
            assertTrue(OffhookProcess.stop(offhook), "offhook did not exit after SIGTERM");

            // Offhook starts again; bob stays logged in (his server sends no new probe): he must still be served.
            offhook = OffhookProcess.startRunning(config, work.resolve("gateway-2.log"));
            kamailio = Kamailio.start(work.resolve("kamailio-gateway"), hep, Kamailio.HepTransport.UDP, 32);
            Lab.sipp();
            bob.mark();
            new CallLab(work, kamailio).register(UserAgent.of("gina"));
            Presence seen = bob.awaitPresence(gina, p -> p.getType() == Presence.Type.available, WAIT);
            assertEquals("Phone available", seen.getStatus());
        } finally {
            OffhookProcess.stop(offhook);
            if (kamailio != null) {
                kamailio.close();
            }
        }
    }

    @Test
    void aWrongSecretIsLoggedNamingTheKeyAndRetriedWithoutExiting() throws IOException, InterruptedException {
        Path config = OffhookUnderTest.writeConfig(work.resolve("wrong"), prosody, "not-the-secret-0123456789",
                "sip:alice@example.com = alice@offhook.test\n", Map.of("hep.listen", "127.0.0.1:" + FreePorts.one()));
        Path log = work.resolve("wrong.log");
        Process offhook = OffhookProcess.launch(config, log);
        try {
            Await.until(WAIT, () -> Processes.tail(log, 200).contains("check xmpp.component.secret-file"),
                    () -> "no error naming the key:\n" + Processes.tail(log, 40));
            assertTrue(offhook.isAlive(), "a refused handshake is retried, not fatal");
            assertTrue(!Processes.tail(log, 200).contains("not-the-secret"), "the secret must never be logged");
        } finally {
            OffhookProcess.stop(offhook);
        }
    }

    @Test
    void checkNamesTheBadKeyAndExitsTwo() throws IOException, InterruptedException {
        Path config = OffhookUnderTest.writeConfig(work.resolve("bad"), prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\n", Map.of("presence.mode", "sideways",
                        "xmpp.ping-interval", "soon"));
        Path log = work.resolve("check.log");
        Process check = OffhookProcess.launch(config, log, "--check");
        assertTrue(check.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(2, check.exitValue(), output);
        assertTrue(output.contains("presence.mode: unknown presentation mode 'sideways'"), output);
        assertTrue(output.contains("xmpp.ping-interval: 'soon' is not a positive duration"), output);
    }
}
