package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.sip.MediaDirection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What fuzzing ({@link PhoneTrackerFuzzTest}) found in the tracker, one test per finding, each naming the input
 * (also kept as a regression input under {@code PhoneTrackerFuzzTestInputs/trackScannedMessages/}).
 */
class PhoneTrackerFuzzFindingsTest {
    private static final long T = 1_700_000_000_000_000L;
    private final List<PhoneEvent> events = new ArrayList<>();
    private final PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS, events::add, new DropCounters());

    /**
     * Input {@code ringing-then-407}: a 183 from bob's phone (the INVITE itself not seen), then a 407 for the same
     * INVITE. The challenge ended bob's ringing leg without an event, so bob's watchers kept seeing "ringing" while
     * the tracker already had him idle (until the challenge timed out 32 s later). Now the 407 reports the end.
     */
    @Test
    void challengeAfterRingingReportsTheEndOfTheRinging() {
        tracker.onMessage(Msg.response(183, "INVITE").callId("c1").cseq(4).from("sip:alice@example.com", "td")
                .to("sip:bob@example.com", "td").contact("sip:bob@10.0.0.4:5060").build(), T);
        assertEquals(PhoneState.RINGING, tracker.stateOf("sip:bob@example.com"));
        events.clear();
        tracker.onMessage(Msg.response(407, "INVITE").callId("c1").cseq(4).from("sip:alice@example.com", "td")
                .to("sip:bob@example.com", "tb").contact("sip:bob@10.0.0.4:5060").build(), T + 1);
        assertEquals(PhoneState.OFFLINE, tracker.stateOf("sip:bob@example.com"));
        assertEquals(1, events.size(), events.toString());
        PhoneEvent e = events.get(0);
        assertEquals("sip:bob@example.com", e.aor());
        assertEquals(PhoneEventType.CALL_ENDED, e.type());
        assertEquals(PhoneState.RINGING, e.previous());
        assertEquals(PhoneState.OFFLINE, e.state());
        assertEquals("407", e.detail());
        assertEquals(PhoneState.DIALING, tracker.stateOf("sip:alice@example.com"), "the caller retries");
    }

    /**
     * Input {@code bye-on-answered-leg-while-another-leg-rings}: alice's INVITE is answered by bob (To-tag b1), a
     * late 183 arrives from another fork (b3), then bob hangs up (BYE on b1). Alice went from "on the phone" back to
     * dialing without an event (her watchers kept "on the phone"), and when the ringing fork then failed (487) the
     * call, once answered, was not ended: alice stayed "dialing" until the 200 s ring timeout.
     */
    @Test
    void byeOnTheAnsweredLegWhileAnotherLegRingsIsReportedAndTheCallEnds() {
        String alice = "sip:alice@example.com";
        String bob = "sip:bob@example.com";
        tracker.onMessage(Msg.request("INVITE", bob).callId("f1").from(alice, "a1").to(bob, null)
                .contact("sip:alice@10.0.0.1").build(), T);
        tracker.onMessage(Msg.response(200, "INVITE").callId("f1").from(alice, "a1").to(bob, "b1")
                .contact("sip:bob@10.0.0.2").build(), T + 1);
        tracker.onMessage(Msg.response(183, "INVITE").callId("f1").from(alice, "a1").to(bob, "b3")
                .contact("sip:bob@10.0.0.3").build(), T + 2);
        assertEquals(PhoneState.ON_THE_PHONE, tracker.stateOf(alice));
        events.clear();
        tracker.onMessage(Msg.request("BYE", "sip:alice@10.0.0.1").callId("f1").cseq(2).from(bob, "b1")
                .to(alice, "a1").build(), T + 3);
        assertEquals(PhoneState.DIALING, tracker.stateOf(alice));
        assertEquals(PhoneState.DIALING, last(alice).state(), "alice's change is reported: " + events);
        tracker.onMessage(Msg.response(487, "INVITE").callId("f1").from(alice, "a1").to(bob, "b3").build(), T + 4);
        assertEquals(PhoneState.OFFLINE, tracker.stateOf(alice));
        assertEquals(PhoneState.OFFLINE, last(alice).state(), "the call ended: " + events);
        assertEquals(PhoneState.OFFLINE, last(bob).state());
    }

    /**
     * Input {@code eviction-forgets-the-new-caller}: with the call cap reached, carol starts a call while her only
     * call is the oldest unanswered one. Evicting it ended it and forgot carol (no call, no device left), after the
     * new call had already taken her user: the new call ran on a user the tracker no longer knew, so her events
     * said "on the phone" while {@code stateOf} said offline, and her next message started over from nothing.
     */
    @Test
    void evictingTheCallersOwnOldCallKeepsTheNewCallOnHerUser() {
        List<PhoneEvent> seen = new ArrayList<>();
        PhoneTracker capped = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxCalls(1), seen::add,
                new DropCounters());
        String carol = "sip:carol@example.com";
        String alice = "sip:alice@example.com";
        capped.onMessage(Msg.request("INVITE", alice).callId("old").from(carol, "c1").to(alice, null).build(), T);
        capped.onMessage(Msg.request("INVITE", alice).callId("new").from(carol, "c2").to(alice, null).build(), T + 1);
        assertEquals(PhoneState.DIALING, capped.stateOf(carol));
        PhoneEvent lastOfCarol = null;
        for (PhoneEvent e : seen) {
            if (e.aor().equals(carol)) {
                lastOfCarol = e;
            }
        }
        assertEquals(PhoneEventType.DIALING, lastOfCarol.type());
        assertEquals("new", lastOfCarol.callId());
        capped.onMessage(Msg.response(200, "INVITE").callId("new").from(carol, "c2").to(alice, "a2").build(), T + 2);
        assertEquals(PhoneState.ON_THE_PHONE, capped.stateOf(carol));
        assertEquals(2, capped.userCount(), "carol and alice, each once");
    }

    /**
     * Input {@code cancel-after-answer-while-another-leg-rings}: alice's INVITE is answered by bob (To-tag b1), a
     * late 183 comes from carol's phone (b2), then alice's CANCEL (crossing the 200 OK) ends the ringing leg. Carol
     * stopped ringing without an event; her watchers kept "ringing".
     */
    @Test
    void cancelThatEndsOnlyTheRingingLegIsReported() {
        String alice = "sip:alice@example.com";
        String bob = "sip:bob@example.com";
        String carol = "sip:carol@example.com";
        tracker.onMessage(Msg.request("REGISTER", "sip:example.com").callId("r").from(carol, "r1").to(carol, null)
                .contact("sip:carol@10.0.0.3").build(), T);
        tracker.onMessage(Msg.response(200, "REGISTER").callId("r").from(carol, "r1").to(carol, "r2")
                .contact("sip:carol@10.0.0.3", 3600).build(), T);
        tracker.onMessage(Msg.request("INVITE", bob).callId("k1").from(alice, "a1").to(bob, null).build(), T + 1);
        tracker.onMessage(Msg.response(200, "INVITE").callId("k1").from(alice, "a1").to(bob, "b1")
                .contact("sip:bob@10.0.0.2").build(), T + 2);
        tracker.onMessage(Msg.response(183, "INVITE").callId("k1").from(alice, "a1").to(bob, "b2")
                .contact("sip:carol@10.0.0.3").build(), T + 3);
        assertEquals(PhoneState.RINGING, tracker.stateOf(carol));
        tracker.onMessage(Msg.request("CANCEL", bob).callId("k1").from(alice, "a1").to(bob, null).build(), T + 4);
        assertEquals(PhoneState.AVAILABLE, tracker.stateOf(carol));
        assertEquals(PhoneState.AVAILABLE, last(carol).state(), "carol's change is reported: " + events);
        assertEquals(PhoneState.ON_THE_PHONE, tracker.stateOf(alice), "the answered call goes on");
    }

    /**
     * Input {@code forwarded-to-user-forgotten-before-answer}: alice's INVITE is forwarded to bob's registered
     * phone, bob's registration then goes (no call, no device: the tracker forgets him), then the phone answers
     * from a contact that is no registered device. The leg went to the user the INVITE was forwarded to, that is
     * the forgotten one: bob's events said "on the phone" while {@code stateOf} said offline.
     */
    @Test
    void aLegOfAForgottenForwardedToUserGoesToHisCurrentUser() {
        String alice = "sip:alice@example.com";
        String bob = "sip:bob@example.com";
        tracker.onMessage(Msg.response(200, "REGISTER").callId("r").from(bob, "r1").to(bob, "r2")
                .contact("sip:bob@10.0.0.2:5060", 3600).build(), T);
        tracker.onMessage(Msg.request("INVITE", "sip:bob@10.0.0.2:5060").callId("w1").from(alice, "a1")
                .to("sip:office@example.com", null).build(), T + 1);
        tracker.onMessage(Msg.response(200, "REGISTER").callId("r").cseq(2).from(bob, "r1").to(bob, "r2")
                .build(), T + 2);
        assertEquals(PhoneState.OFFLINE, tracker.stateOf(bob));
        tracker.onMessage(Msg.response(200, "INVITE").callId("w1").from(alice, "a1")
                .to("sip:office@example.com", "b1").contact("sip:unknown@10.0.0.9").build(), T + 3);
        assertEquals(PhoneState.ON_THE_PHONE, last(bob).state());
        assertEquals(PhoneState.ON_THE_PHONE, tracker.stateOf(bob), "events and state agree");
    }

    /**
     * Input {@code update-offer-after-its-2xx}: the 200 to an UPDATE that puts the call on hold was mirrored before
     * the UPDATE itself (two HEP copies re-ordered); the hold is in the offer only (RFC 2543's c=0.0.0.0, answered
     * with an ordinary sendrecv description). The offer took effect when it arrived, as it should once its
     * 2xx is known, but nobody was told: the tracker had both parties on hold while their watchers kept "on the
     * phone". A re-INVITE in the same order was reported; an UPDATE now is too.
     */
    @Test
    void holdByAnUpdateWhoseTwoHundredCameFirstIsReported() {
        String alice = "sip:alice@example.com";
        String bob = "sip:bob@example.com";
        tracker.onMessage(Msg.request("INVITE", bob).callId("u1").from(alice, "a1").to(bob, null)
                .contact("sip:alice@10.0.0.1").sdp(MediaDirection.SENDRECV).build(), T);
        tracker.onMessage(Msg.response(200, "INVITE").callId("u1").from(alice, "a1").to(bob, "b1")
                .contact("sip:bob@10.0.0.2").sdp(MediaDirection.SENDRECV).build(), T + 1);
        events.clear();
        tracker.onMessage(Msg.response(200, "UPDATE").callId("u1").cseq(2).from(alice, "a1").to(bob, "b1")
                .sdp(MediaDirection.SENDRECV).build(), T + 2);
        assertEquals(PhoneState.ON_THE_PHONE, tracker.stateOf(alice), "the answer alone holds nothing");
        tracker.onMessage(Msg.request("UPDATE", "sip:bob@10.0.0.2").callId("u1").cseq(2).from(alice, "a1")
                .to(bob, "b1").holdAddress().build(), T + 3);
        assertEquals(PhoneState.ON_HOLD, tracker.stateOf(alice));
        assertEquals(PhoneEventType.HELD, last(alice).type(), events.toString());
        assertEquals(PhoneState.ON_HOLD, last(alice).state());
        assertEquals(PhoneEventType.HELD, last(bob).type(), events.toString());
        assertEquals(PhoneState.ON_HOLD, last(bob).state());
    }

    private PhoneEvent last(String aor) {
        PhoneEvent found = null;
        for (PhoneEvent e : events) {
            if (e.aor().equals(aor)) {
                found = e;
            }
        }
        if (found == null) {
            throw new AssertionError("no event for " + aor + ": " + events);
        }
        return found;
    }
}
