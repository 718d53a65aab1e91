package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropReason;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * An INVITE flood through a real proxy: a sipp client sends {@value #FLOOD} INVITEs at {@value #RATE} per second,
 * each with a fresh Call-ID, to a registered phone that never answers ({@code src/test/resources/sipp/flood-*.xml}),
 * so every one stays an early dialog. With the tracker's cap at {@value #CAP} calls (TrackerConfig maxCalls, "an
 * INVITE flood"), the oldest unanswered calls must be evicted (counted as EARLY_DIALOG_EVICTED), the tracker must
 * never hold more than the cap, and a real call placed while the flood runs (the lab's basic-call) must still be
 * tracked through all its states. Bounded: {@value #FLOOD} INVITEs, about 15 s.
 */
class InviteFloodIT {
    static final int CAP = 2_000;
    static final int FLOOD = 6_000;
    static final int RATE = 500;
    /** The flood's own bound: {@value #FLOOD} calls at {@value #RATE}/s take 12 s. */
    static final Duration FLOOD_TIMEOUT = Duration.ofSeconds(40);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void realCallIsTrackedWhileTheCapEvictsTheFlood() throws IOException {
        try (LiveTap tap = LiveTap.udp(TrackerConfig.DEFAULTS.withMaxCalls(CAP));
             // every flood INVITE is an open transaction in Kamailio's shared memory until its 20 s timer
             Kamailio kamailio = Kamailio.start(work.resolve("kamailio"), tap.port(), Kamailio.HepTransport.UDP,
                     256);
             CallLab lab = new CallLab(work, kamailio, tap)) {
            UserAgent alice = UserAgent.of("alice");
            UserAgent bob = UserAgent.of("bob");
            UserAgent phone = UserAgent.of("victim");
            UserAgent flooder = UserAgent.of("mallory");
            lab.register(alice);
            lab.register(bob);
            lab.register(phone);

            Sipp silent = lab.background(Sipp.of(Lab.testScenario("flood-uas.xml"), phone).calls(FLOOD)
                    .timeout(FLOOD_TIMEOUT));
            Sipp flood = lab.background(lab.client(Sipp.of(Lab.testScenario("flood-uac.xml"), flooder)
                    .calls(FLOOD).rate(RATE).key("callee", phone.user()).timeout(FLOOD_TIMEOUT)));

            // the cap is being enforced: from here on every new flood INVITE evicts an older one
            Await.until(Duration.ofSeconds(20), () -> tap.drops().get(DropReason.EARLY_DIALOG_EVICTED) > 0,
                    () -> "no early dialog evicted; calls held " + tap.callCount() + ", drops "
                            + tap.drops().snapshot() + "\n" + flood.logs());
            assertTrue(flood.isAlive(), "the flood still runs when the real call starts");
            lab.call(alice, "uac-call.xml", "uas-answer.xml", bob);
            assertTrue(flood.isAlive(), "the flood still ran when the real call ended");
            tap.events().awaitStates(alice.aor(), "AVAILABLE DIALING ON_THE_PHONE AVAILABLE", CallLab.AWAIT);
            tap.events().awaitStates(bob.aor(), "AVAILABLE RINGING ON_THE_PHONE AVAILABLE", CallLab.AWAIT);

            flood.awaitSuccess();
            silent.awaitSuccess();
            lab.assertStates(alice.aor(), "AVAILABLE DIALING ON_THE_PHONE AVAILABLE",
                    bob.aor(), "AVAILABLE RINGING ON_THE_PHONE AVAILABLE");
            long evicted = tap.drops().get(DropReason.EARLY_DIALOG_EVICTED);
            int held = tap.callCount();
            assertTrue(held <= CAP, "calls held " + held + " > cap " + CAP);
            // every flood INVITE beyond the cap evicts one; HEP is UDP, so allow 1 % of the mirror to be lost
            assertTrue(evicted >= FLOOD - CAP - FLOOD / 100, "evicted " + evicted + " of the " + (FLOOD - CAP)
                    + " flood calls beyond the cap");
            assertEquals(0, tap.unexpectedDrops() - evicted, () -> "other drops: " + tap.drops().snapshot());
            assertEquals("DIALING", tap.events().states(flooder.aor()).replaceAll(".* ", ""),
                    "the flooder is still dialling (the newest calls are held)");
            assertEquals(List.of(), kamailio.errors(), "Kamailio logged errors");
        }
    }
}
