package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.state.Snapshot;
import io.offhook.state.SnapshotCodec;
import io.offhook.state.SnapshotFormatException;
import io.offhook.tap.track.TrackerSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smackx.ping.PingManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, "Nothing lost across restarts": Offhook (the jar, as a process, with {@code state.file} set) is killed
 * with SIGKILL while alice is on the phone and dora's phone is registered and idle, and started again with the same
 * config. bob, a contact of both, sees alice "On the phone" again without a single "unavailable" on the way, dora's
 * phone again without a new REGISTER, and the call's BYE ends alice's call as usual.
 *
 * <p>What Prosody itself does when the component vanishes was decided by running it: it logs "component
 * disconnected" and sends nothing to anyone (mod_component has no notion of the presences a component sent on
 * users' behalf, and nothing hooks its component-disconnected event), so bob keeps seeing what the killed process
 * showed until the new one shows it again. The test asserts exactly that: nothing at all reaches bob from either
 * phone between the kill and the restart.
 */
class RestartIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-0123456789";
    private static final String PASSWORD = "it-password-1";
    private static final String ALICE_PHONE = "alice@" + DOMAIN + "/phone";
    private static final String DORA_PHONE = "dora@" + DOMAIN + "/phone";
    /** How long alice's call lasts: long enough for a kill, a JVM start and a reconnect on a loaded machine. */
    private static final int TALK_MS = 15_000;
    /** A functional bound, not a speed claim: what the test waits for after the new process is launched. */
    private static final Duration SHOWN_AGAIN_WITHIN = Duration.ofSeconds(15);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static Prosody prosody;

    @BeforeAll
    static void startServer() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        for (String user : List.of("alice", "bob", "dora")) {
            prosody.register(user, PASSWORD);
        }
        for (String user : List.of("alice", "dora")) {
            prosody.addRosterItem(user, "bob@" + DOMAIN, "both");
            prosody.addRosterItem("bob", user + "@" + DOMAIN, "both");
        }
    }

    @AfterAll
    static void stopServer() {
        if (prosody != null) {
            prosody.stop();
        }
    }

    private static java.util.function.Predicate<Presence> status(String text) {
        return p -> p.getType() == Presence.Type.available && text.equals(p.getStatus());
    }

    /** The snapshot on disk, or null while there is none that holds an answered call. */
    private static Snapshot savedWithCall(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            Snapshot s = SnapshotCodec.decode(Files.readAllBytes(file));
            boolean answered = s.tracker().calls().stream().anyMatch(c -> !c.ended() && c.legs().stream()
                    .anyMatch(l -> l.state() == TrackerSnapshot.LegState.CONFIRMED));
            return answered ? s : null;
        } catch (IOException | SnapshotFormatException e) {
            // Renamed into place whole, so a half-written file is never seen; anything else fails the await below.
            return null;
        }
    }

    /** Everything Prosody sent bob before this returns has arrived: a ping answered on the same stream. */
    private static void barrier(Watcher bob) {
        try {
            assertTrue(PingManager.getInstanceFor(bob.connection()).pingMyServer(true, 5_000));
        } catch (SmackException.NotConnectedException e) {
            throw new AssertionError("bob is not connected", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Test
    void sigkillMidCallThenRestartShowsTheCallAgainWithNoOfflineOnTheWay() throws IOException, InterruptedException,
            SnapshotFormatException {
        int hep = FreePorts.one();
        Path dir = work.resolve("offhook");
        Path config = OffhookUnderTest.writeConfig(dir, prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\nsip:dora@example.com = dora@offhook.test\n",
                Map.of("hep.listen", "127.0.0.1:" + hep, "state.file", "state/offhook.snapshot",
                        "state.interval", "500ms"));
        Path state = dir.resolve("state/offhook.snapshot");
        Process offhook = OffhookProcess.startRunning(config, work.resolve("offhook-1.log"));
        Kamailio kamailio = null;
        CallLab lab = null;
        try (Watcher bob = Watcher.login(prosody, "bob", PASSWORD, "desk")) {
            kamailio = Kamailio.start(work.resolve("kamailio"), hep, Kamailio.HepTransport.UDP, 32);
            Lab.sipp();
            lab = new CallLab(work, kamailio);
            UserAgent alice = UserAgent.of("alice");
            UserAgent dora = UserAgent.of("dora");
            UserAgent xavier = UserAgent.of("xavier");
            lab.register(alice);
            lab.register(dora);
            lab.register(xavier);
            bob.awaitPresence(DORA_PHONE, status("Phone available"), WAIT);
            Sipp callee = lab.background(Sipp.lab("uas-answer.xml", alice).pause(CallLab.RING_MS)
                    .timeout(Duration.ofSeconds(90)));
            Sipp caller = lab.background(lab.client(Sipp.lab("uac-call.xml", xavier).pause(TALK_MS)
                    .key("callee", "alice").timeout(Duration.ofSeconds(90))));
            long callStarted = System.nanoTime();
            bob.awaitPresence(ALICE_PHONE, status("On the phone"), WAIT);
            Await.until(WAIT, () -> savedWithCall(state) != null, () -> "no snapshot with the call in " + state);

            // SIGKILL: no shutdown hook, no last save, no presence taken down.
            bob.mark();
            offhook.toHandle().destroyForcibly();
            assertTrue(offhook.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "offhook did not die on SIGKILL");
            assertEquals(137, offhook.exitValue(), "128 + SIGKILL");
            Await.until(WAIT, () -> Processes.tail(prosody.log(), 400).contains("component disconnected: "
                    + COMPONENT), () -> "Prosody did not notice the component go:\n" + Processes.tail(prosody.log(),
                    20));
            barrier(bob);
            assertEquals(List.of(), bob.statusesSinceMark(ALICE_PHONE), "what Prosody sent bob of alice's phone");
            assertEquals(List.of(), bob.statusesSinceMark(DORA_PHONE), "what Prosody sent bob of dora's phone");

            long launched = System.nanoTime();
            offhook = OffhookProcess.startRunning(config, work.resolve("offhook-2.log"));
            long running = System.nanoTime();
            Watcher.Received onThePhone = bob.awaitReceived(ALICE_PHONE, status("On the phone"), SHOWN_AGAIN_WITHIN);
            Watcher.Received doraBack = bob.awaitReceived(DORA_PHONE, status("Phone available"), SHOWN_AGAIN_WITHIN);
            assertTrue(caller.isAlive(), "the call ended before Offhook was back: make TALK_MS longer");
            String log2 = Processes.tail(work.resolve("offhook-2.log"), 400);
            assertTrue(log2.contains(": 3 registrations, 1 calls, 4 presences shown by the previous process; expired "
                    + "meanwhile: 0 registrations, 0 calls"), log2);

            caller.awaitSuccess();
            callee.awaitSuccess();
            bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
            barrier(bob);
            assertEquals(List.of("On the phone", "Phone available"), bob.statusesSinceMark(ALICE_PHONE),
                    "bob's view of alice from the kill to the end of the call");
            assertEquals(List.of("Phone available"), bob.statusesSinceMark(DORA_PHONE),
                    "bob's view of dora: shown again without a new REGISTER, never offline");
            String measured = String.format("RestartIT: launch to 'Offhook running' %d ms; launch to bob seeing "
                    + "alice 'On the phone' %d ms, dora's phone %d ms; call length %d ms%n",
                    (running - launched) / 1_000_000, (onThePhone.nanos() - launched) / 1_000_000,
                    (doraBack.nanos() - launched) / 1_000_000, (System.nanoTime() - callStarted) / 1_000_000);
            Files.writeString(work.resolve("restart-timing.txt"), measured);
            System.out.print(measured);

            // A clean stop saves once more, after the sources stopped: both phones registered, no call going on.
            assertTrue(OffhookProcess.stop(offhook), "offhook did not exit after SIGTERM");
            String stopped = Processes.tail(work.resolve("offhook-2.log"), 400);
            assertTrue(stopped.contains("Saved the state to " + state + " for the next start"), stopped);
            Snapshot last = SnapshotCodec.decode(Files.readAllBytes(state));
            assertEquals(List.of("sip:alice@example.com", "sip:dora@example.com", "sip:xavier@example.com"),
                    last.tracker().bindings().stream().map(TrackerSnapshot.SavedBinding::aor).sorted().toList());
            assertTrue(last.tracker().calls().stream().allMatch(TrackerSnapshot.SavedCall::ended),
                    () -> last.tracker().calls().toString());
        } finally {
            if (lab != null) {
                lab.close();
            }
            OffhookProcess.stop(offhook);
            if (kamailio != null) {
                kamailio.close();
            }
        }
    }
}
