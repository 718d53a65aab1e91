package io.offhook.tap.track;

import static io.offhook.tap.track.PhoneState.AVAILABLE;
import static io.offhook.tap.track.PhoneState.OFFLINE;
import static io.offhook.tap.track.PhoneState.ON_HOLD;
import static io.offhook.tap.track.PhoneState.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneState.RINGING;
import static io.offhook.tap.track.PhoneTrackerTest.ALICE;
import static io.offhook.tap.track.PhoneTrackerTest.ALICE_DEV;
import static io.offhook.tap.track.PhoneTrackerTest.BOB;
import static io.offhook.tap.track.PhoneTrackerTest.BOB_DEV;
import static io.offhook.tap.track.PhoneTrackerTest.CAROL;
import static io.offhook.tap.track.PhoneTrackerTest.bye;
import static io.offhook.tap.track.PhoneTrackerTest.invite;
import static io.offhook.tap.track.PhoneTrackerTest.registered;
import static io.offhook.tap.track.PhoneTrackerTest.resp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.sip.MediaDirection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A tracker exported, then restored into a new one after a pause: what is still due is back with its timers, what
 * expired meanwhile is gone without an OFFLINE, each user's state is reported again, and later messages apply to the
 * restored calls as if nothing had happened (issue 6, "Nothing lost across restarts").
 */
class PhoneTrackerRestoreTest {
    private static final long SECOND = 1_000_000L;

    private final PhoneTrackerTest before = new PhoneTrackerTest();
    private final List<PhoneEvent> events = new ArrayList<>();
    private PhoneTracker after = new PhoneTracker(TrackerConfig.DEFAULTS, events::add, new DropCounters());
    private long t;

    /** Restores what {@link #before} holds into {@link #after}, {@code downMicros} later. */
    private PhoneTracker.Restored restart(long downMicros) {
        TrackerSnapshot snapshot = before.tracker.export();
        assertEquals(before.t, snapshot.takenAtMicros());
        t = before.t + downMicros;
        return after.restore(snapshot, t);
    }

    private void feed(Msg... msgs) {
        for (Msg m : msgs) {
            t += 10_000;
            after.onMessage(m.build(), t);
        }
    }

    private List<String> seen(String aor) {
        return events.stream().filter(e -> e.aor().equals(aor))
                .map(e -> e.type() + " " + e.state() + (e.detail() == null ? "" : " " + e.detail())).toList();
    }

    private Msg[] answered(String callId) {
        return before.basicCallSetup(callId);
    }

    @Test
    void aCallInProgressIsShownAgainAndItsByeEndsIt() {
        before.registerAll();
        before.feed(answered("c1"));
        PhoneTracker.Restored restored = restart(5 * SECOND);

        assertEquals(new PhoneTracker.Restored(3, 1, 0, 0, 3), restored);
        assertEquals(List.of("ON_THE_PHONE ON_THE_PHONE restored"), seen(ALICE));
        assertEquals(List.of("ON_THE_PHONE ON_THE_PHONE restored"), seen(BOB));
        assertEquals(List.of("ONLINE AVAILABLE restored"), seen(CAROL));
        assertEquals("c1", events.get(0).callId());
        assertEquals(BOB, events.stream().filter(e -> e.aor().equals(ALICE)).findFirst().orElseThrow().remote());
        assertEquals(OFFLINE, events.get(0).previous(), "the new process had reported nothing before");

        events.clear();
        feed(bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(List.of("CALL_ENDED AVAILABLE BYE"), seen(ALICE));
        assertEquals(List.of("CALL_ENDED AVAILABLE BYE"), seen(BOB));
        // The tombstone keeps a late 200 from reviving it, as before the restart.
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV));
        assertEquals(AVAILABLE, after.stateOf(BOB));
    }

    @Test
    void exportAfterRestoreIsWhatWasSaved() {
        before.registerAll();
        before.feed(answered("c1"));
        before.feed(invite("c2", CAROL, "c9", ALICE, ALICE, PhoneTrackerTest.CAROL_DEV),
                resp(180, "c2", CAROL, "c9", ALICE, "x1", ALICE_DEV));
        before.feed(answered("c3"));
        before.feed(bye("c3", ALICE, "a1", BOB, "b1", 2));
        TrackerSnapshot saved = before.tracker.export();
        restart(SECOND);
        TrackerSnapshot again = after.export();
        assertEquals(Set.copyOf(saved.bindings()), Set.copyOf(again.bindings()));
        assertEquals(new HashSet<>(saved.calls()), new HashSet<>(again.calls()));
        assertEquals(3, saved.calls().size(), "answered, ringing, and the ended one as a tombstone");
        assertEquals(before.tracker.bindingCount(), after.bindingCount());
        for (String aor : List.of(ALICE, BOB, CAROL)) {
            assertEquals(before.tracker.stateOf(aor), after.stateOf(aor), aor);
            assertEquals(before.tracker.snapshot(aor), after.snapshot(aor), aor);
        }
    }

    @Test
    void aReInviteHoldsARestoredCallAndAnotherResumesIt() {
        before.registerAll();
        before.feed(answered("c1"));
        restart(2 * SECOND);
        events.clear();
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                .sdp(MediaDirection.SENDONLY), Msg.response(200, "INVITE").callId("c1").cseq(2).from(ALICE, "a1")
                .to(BOB, "b1").sdp(MediaDirection.RECVONLY));
        assertEquals(ON_HOLD, after.stateOf(ALICE));
        assertEquals(ON_HOLD, after.stateOf(BOB));
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1")
                .sdp(MediaDirection.SENDRECV), Msg.response(200, "INVITE").callId("c1").cseq(3).from(ALICE, "a1")
                .to(BOB, "b1").sdp(MediaDirection.SENDRECV));
        // Each re-INVITE is "still on the phone" (the paper's event); the hold and the resume come with its 200.
        assertEquals(List.of("STILL_ON_THE_PHONE ON_THE_PHONE", "HELD ON_HOLD", "STILL_ON_THE_PHONE ON_HOLD",
                "RESUMED ON_THE_PHONE"), seen(BOB));
    }

    @Test
    void aHeldCallIsRestoredHeld() {
        before.registerAll();
        before.feed(answered("c1"));
        before.feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                .sdp(MediaDirection.INACTIVE), Msg.response(200, "INVITE").callId("c1").cseq(2).from(ALICE, "a1")
                .to(BOB, "b1").sdp(MediaDirection.INACTIVE));
        restart(SECOND);
        assertEquals(List.of("HELD ON_HOLD restored"), seen(BOB));
        assertEquals(ON_HOLD, after.stateOf(ALICE));
    }

    @Test
    void aRingingCallIsRestoredRingingAndItsAnswerConnectsIt() {
        before.registerAll();
        before.feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("c1", ALICE, "a1", BOB, BOB_DEV,
                ALICE_DEV), resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV));
        restart(3 * SECOND);
        assertEquals(List.of("DIALING DIALING restored"), seen(ALICE));
        assertEquals(List.of("RINGING RINGING restored"), seen(BOB));
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).sdp(MediaDirection.SENDRECV));
        assertEquals(ON_THE_PHONE, after.stateOf(ALICE));
        assertEquals(ON_THE_PHONE, after.stateOf(BOB));
    }

    @Test
    void whatExpiredWhileDownIsDroppedWithoutAnOfflineEvent() {
        before.feed(registered(ALICE, "r-a", 1, ALICE_DEV + " 60"),
                registered(BOB, "r-b", 1, BOB_DEV + " 3600"));
        // An unanswered call: rings for at most 200 s (tap.ring-timeout).
        before.feed(invite("c1", CAROL, "c9", BOB, BOB, PhoneTrackerTest.CAROL_DEV),
                resp(180, "c1", CAROL, "c9", BOB, "b1", BOB_DEV));
        PhoneTracker.Restored restored = restart(300 * SECOND);

        assertEquals(new PhoneTracker.Restored(1, 0, 1, 1, 1), restored);
        assertEquals(List.of("ONLINE AVAILABLE restored"), seen(BOB));
        assertTrue(events.stream().noneMatch(e -> e.type() == PhoneEventType.OFFLINE), events.toString());
        assertEquals(OFFLINE, after.stateOf(ALICE));
        assertEquals(OFFLINE, after.stateOf(CAROL));
        assertEquals(1, after.userCount(), "nobody is kept for a call that timed out meanwhile");
        assertEquals(0, after.callCount());
    }

    @Test
    void timersAreArmedAgain() {
        before.feed(registered(ALICE, "r-a", 1, ALICE_DEV + " 600"),
                registered(BOB, "r-b", 1, BOB_DEV + " 3600"));
        before.feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV).sessionExpires(90),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).sessionExpires(90));
        long answered = before.t;
        long aliceExpires = before.t - 30_000 + 600 * SECOND;
        restart(60 * SECOND);
        events.clear();

        // The session timer (90 s + 32 s grace) still counts from the last message before the restart.
        after.advanceTo(answered + 121 * SECOND);
        assertEquals(ON_THE_PHONE, after.stateOf(BOB));
        after.advanceTo(answered + 122 * SECOND);
        assertEquals(List.of("CALL_ENDED AVAILABLE timeout"), seen(BOB));
        // alice's registration expires when it would have: a real expiry, so now OFFLINE is right.
        after.advanceTo(aliceExpires - 1);
        assertEquals(AVAILABLE, after.stateOf(ALICE));
        after.advanceTo(aliceExpires);
        assertEquals(OFFLINE, after.stateOf(ALICE));
        assertEquals("OFFLINE OFFLINE expired", seen(ALICE).get(seen(ALICE).size() - 1));
        // The tombstone is dropped 32 s after the call ended.
        after.advanceTo(answered + 122 * SECOND + 32 * SECOND);
        assertEquals(0, after.callCount());
    }

    @Test
    void aTombstoneStillStopsALateCopyAfterTheRestart() {
        before.registerAll();
        before.feed(answered("c1"));
        before.feed(bye("c1", ALICE, "a1", BOB, "b1", 2));
        restart(10 * SECOND);
        assertEquals(List.of("ONLINE AVAILABLE restored"), seen(BOB));
        assertEquals(1, after.callCount());
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV), Msg.request("ACK", BOB_DEV).callId("c1")
                .from(ALICE, "a1").to(BOB, "b1"));
        assertEquals(AVAILABLE, after.stateOf(BOB), "a late copy revives nothing");
        // 32 s after its end the tombstone went while down: not restored at all.
        PhoneTrackerRestoreTest later = new PhoneTrackerRestoreTest();
        later.before.registerAll();
        later.before.feed(answered("c1"));
        later.before.feed(bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(new PhoneTracker.Restored(3, 0, 0, 1, 3), later.restart(40 * SECOND));
    }

    @Test
    void aRestoredCallerWithoutARegistrationIsForgottenWhenTheCallEnds() {
        before.feed(registered(BOB, "r-b", 1, BOB_DEV + " 3600"));
        before.feed(answered("c1"));
        restart(SECOND);
        assertEquals(List.of("ON_THE_PHONE ON_THE_PHONE restored"), seen(ALICE));
        assertEquals(2, after.userCount());
        feed(bye("c1", BOB, "b1", ALICE, "a1", 7));
        assertEquals(OFFLINE, after.stateOf(ALICE));
        assertEquals(1, after.userCount());
        assertFalse(after.snapshot(ALICE).isPresent());
    }

    @Test
    void restoringIntoATrackerThatHoldsAnythingIsRefused() {
        before.registerAll();
        TrackerSnapshot snapshot = before.tracker.export();
        assertThrows(IllegalStateException.class, () -> before.tracker.restore(snapshot, before.t + SECOND));
    }

    @Test
    void changesGrowWithInputsOnly() {
        long start = before.tracker.changes();
        before.tracker.advanceTo(before.t + SECOND);
        assertEquals(start, before.tracker.changes(), "time passing with nothing due changes nothing");
        before.registerAll();
        long registered = before.tracker.changes();
        assertTrue(registered > start);
        before.tracker.advanceTo(before.t + 3601 * SECOND);
        assertTrue(before.tracker.changes() > registered, "expiries are changes");
    }
}
