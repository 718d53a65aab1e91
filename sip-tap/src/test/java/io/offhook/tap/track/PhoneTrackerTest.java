package io.offhook.tap.track;

import static io.offhook.tap.track.PhoneState.AVAILABLE;
import static io.offhook.tap.track.PhoneState.DIALING;
import static io.offhook.tap.track.PhoneState.OFFLINE;
import static io.offhook.tap.track.PhoneState.ON_HOLD;
import static io.offhook.tap.track.PhoneState.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneState.RINGING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.sip.MediaDirection;
import io.offhook.tap.sip.SipMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Call flows of RFC 3261 and RFC 3665 (basic call, busy, cancel, forking) and the loss, duplication and
 * re-ordering a tap sees, asserted as whole per-user state sequences.
 */
class PhoneTrackerTest {
    static final String ALICE = "sip:alice@example.com";
    static final String BOB = "sip:bob@example.com";
    static final String CAROL = "sip:carol@example.com";
    static final String ALICE_DEV = "sip:alice@127.0.0.1:5061";
    static final String BOB_DEV = "sip:bob@127.0.0.1:5062";
    static final String BOB_DEV2 = "sip:bob@127.0.0.1:5063";
    static final String CAROL_DEV = "sip:carol@127.0.0.1:5064";

    final List<PhoneEvent> events = new ArrayList<>();
    final DropCounters drops = new DropCounters();
    PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS, events::add, drops);
    long t = 1_700_000_000_000_000L;

    void feed(Msg... msgs) {
        for (Msg m : msgs) {
            t += 10_000;
            tracker.onMessage(m.build(), t);
        }
    }

    void feedTwice(Msg... msgs) {
        for (Msg m : msgs) {
            SipMessage built = m.build();
            t += 10_000;
            tracker.onMessage(built, t);
            tracker.onMessage(built, t + 1);
        }
    }

    List<PhoneState> changes(String aor) {
        return events.stream().filter(e -> e.aor().equals(aor) && e.changesState()).map(PhoneEvent::state)
                .collect(Collectors.toList());
    }

    List<PhoneEventType> types(String aor) {
        return events.stream().filter(e -> e.aor().equals(aor)).map(PhoneEvent::type).collect(Collectors.toList());
    }

    static Msg register(String aor, String contact, int expires, String callId, long cseq) {
        return Msg.request("REGISTER", "sip:example.com").callId(callId).cseq(cseq).from(aor, "r")
                .to(aor, null).contact(contact).expires(expires);
    }

    static Msg registered(String aor, String callId, long cseq, String... contactsWithExpires) {
        Msg m = Msg.response(200, "REGISTER").callId(callId).cseq(cseq).from(aor, "r").to(aor, "reg-tag");
        for (String c : contactsWithExpires) {
            String[] parts = c.split(" ");
            m.contact(parts[0], Integer.parseInt(parts[1]));
        }
        return m;
    }

    void registerAll() {
        feed(registered(ALICE, "reg-a", 1, ALICE_DEV + " 3600"),
                registered(BOB, "reg-b", 1, BOB_DEV + " 3600"),
                registered(CAROL, "reg-c", 1, CAROL_DEV + " 3600"));
    }

    static Msg invite(String callId, String from, String fromTag, String to, String ruri, String contact) {
        return Msg.request("INVITE", ruri).callId(callId).from(from, fromTag).to(to, null).contact(contact)
                .sdp(MediaDirection.SENDRECV);
    }

    static Msg resp(int status, String callId, String from, String fromTag, String to, String toTag,
                    String contact) {
        Msg m = Msg.response(status, "INVITE").callId(callId).from(from, fromTag).to(to, toTag);
        if (contact != null) {
            m.contact(contact);
        }
        return m;
    }

    static Msg bye(String callId, String from, String fromTag, String to, String toTag, long cseq) {
        return Msg.request("BYE", "sip:x@127.0.0.1").callId(callId).cseq(cseq).from(from, fromTag).to(to, toTag);
    }

    /** alice calls bob through the proxy: each request seen on the incoming and the forwarded leg. */
    Msg[] basicCallSetup(String callId) {
        return new Msg[] {
            invite(callId, ALICE, "a1", BOB, BOB, ALICE_DEV),
            invite(callId, ALICE, "a1", BOB, BOB_DEV, ALICE_DEV),
            resp(100, callId, ALICE, "a1", BOB, null, null),
            resp(180, callId, ALICE, "a1", BOB, "b1", BOB_DEV),
            resp(200, callId, ALICE, "a1", BOB, "b1", BOB_DEV).sdp(MediaDirection.SENDRECV),
            Msg.request("ACK", BOB_DEV).callId(callId).from(ALICE, "a1").to(BOB, "b1"),
        };
    }

    @Test
    void registrationLifecycle() {
        feed(register(ALICE, ALICE_DEV, 3600, "r1", 1), registered(ALICE, "r1", 1, ALICE_DEV + " 3600"));
        feed(registered(ALICE, "r1", 2, ALICE_DEV + " 3600"));
        feed(registered(ALICE, "r1", 3));
        assertEquals(List.of(AVAILABLE, OFFLINE), changes(ALICE));
        assertEquals(List.of(PhoneEventType.ONLINE, PhoneEventType.STILL_ONLINE, PhoneEventType.OFFLINE),
                types(ALICE));
        assertEquals(0, tracker.bindingCount());
        assertEquals(0, tracker.userCount(), "an idle user is forgotten");
    }

    @Test
    void requestAloneDoesNotRegister() {
        feed(register(ALICE, ALICE_DEV, 3600, "r1", 1));
        assertEquals(OFFLINE, tracker.stateOf(ALICE));
        assertTrue(events.isEmpty());
    }

    @Test
    void registrarThatOmitsContactsFallsBackToTheRequest() {
        feed(register(ALICE, ALICE_DEV, 600, "r1", 7),
                Msg.response(200, "REGISTER").callId("r1").cseq(7).from(ALICE, "r").to(ALICE, "x"));
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
    }

    @Test
    void wildcardDeregistersEveryDevice() {
        feed(registered(BOB, "rb", 1, BOB_DEV + " 3600", BOB_DEV2 + " 3600"));
        assertEquals(2, tracker.bindingCount());
        feed(Msg.request("REGISTER", "sip:example.com").callId("rb").cseq(2).from(BOB, "r").to(BOB, null)
                .wildcard().expires(0), registered(BOB, "rb", 2));
        assertEquals(List.of(AVAILABLE, OFFLINE), changes(BOB));
        assertEquals(0, tracker.bindingCount());
    }

    @Test
    void registrationExpiresOnTime() {
        feed(registered(CAROL, "rc", 1, CAROL_DEV + " 2"));
        long registeredAt = t;
        tracker.advanceTo(registeredAt + 1_999_999);
        assertEquals(AVAILABLE, tracker.stateOf(CAROL));
        tracker.advanceTo(registeredAt + 2_000_000);
        assertEquals(OFFLINE, tracker.stateOf(CAROL));
        assertEquals("expired", events.get(events.size() - 1).detail());
    }

    @Test
    void refreshPushesExpiryBack() {
        feed(registered(CAROL, "rc", 1, CAROL_DEV + " 10"));
        t += 8_000_000;
        feed(registered(CAROL, "rc", 2, CAROL_DEV + " 10"));
        long refreshed = tracker.now();
        tracker.advanceTo(refreshed + 9_000_000);
        assertEquals(AVAILABLE, tracker.stateOf(CAROL));
        tracker.advanceTo(refreshed + 10_000_000);
        assertEquals(OFFLINE, tracker.stateOf(CAROL));
    }

    @Test
    void basicCallCallerHangsUp() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, AVAILABLE), changes(BOB));
        assertEquals(List.of(AVAILABLE), changes(CAROL));
    }

    @Test
    void calleeHangsUpWithTagsReversed() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(Msg.request("BYE", ALICE_DEV).callId("c1").cseq(1).from(BOB, "b1").to(ALICE, "a1"));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, AVAILABLE), changes(BOB));
    }

    @Test
    void everyMessageTwiceChangesNothing() {
        registerAll();
        feedTwice(basicCallSetup("c1"));
        feedTwice(bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, AVAILABLE), changes(BOB));
    }

    @Test
    void busy() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("c1", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV),
                resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV), resp(486, "c1", ALICE, "a1", BOB, "b1", null));
        assertEquals(List.of(AVAILABLE, DIALING, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, AVAILABLE), changes(BOB));
        assertEquals("486", events.get(events.size() - 1).detail());
    }

    @Test
    void busyWithoutRinging() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(486, "c1", ALICE, "a1", BOB, "b1", null));
        assertEquals(List.of(AVAILABLE, DIALING, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE), changes(BOB));
    }

    @Test
    void cancelWhileRinging() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV),
                Msg.request("CANCEL", BOB).callId("c1").from(ALICE, "a1").to(BOB, null),
                resp(487, "c1", ALICE, "a1", BOB, "b1", null));
        assertEquals(List.of(AVAILABLE, DIALING, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, AVAILABLE), changes(BOB));
    }

    @Test
    void holdAndResume() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDONLY),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2).sdp(MediaDirection.RECVONLY),
                Msg.request("INVITE", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDRECV),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(3).sdp(MediaDirection.SENDRECV),
                bye("c1", ALICE, "a1", BOB, "b1", 4));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, ON_HOLD, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, ON_HOLD, ON_THE_PHONE, AVAILABLE), changes(BOB));
        assertTrue(types(BOB).containsAll(List.of(PhoneEventType.HELD, PhoneEventType.RESUMED)));
    }

    @Test
    void holdByNullAddressAndByAnswerOnly() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1").holdAddress());
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB), "an offer is in effect once accepted");
        // The answer to an RFC 2543 hold is bob's ordinary description: alice's 0.0.0.0 still holds the call.
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2).sdp(MediaDirection.SENDRECV));
        assertEquals(ON_HOLD, tracker.stateOf(BOB));
        // Offerless re-INVITE: bob's 200 offers, alice's ACK answers with her own address again.
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1"),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(3).sdp(MediaDirection.SENDRECV));
        assertEquals(ON_HOLD, tracker.stateOf(BOB), "alice has not answered yet");
        feed(Msg.request("ACK", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1")
                .sdp(MediaDirection.SENDRECV));
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
        // The hold offer was lost; the answer says recvonly.
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(4).sdp(MediaDirection.RECVONLY));
        assertEquals(ON_HOLD, tracker.stateOf(ALICE));
    }

    /** late-offer: the hold is in the ACK, the answer to the offer of the 200 to an offerless re-INVITE. */
    @Test
    void lateOfferHoldAnsweredInTheAck() {
        registerAll();
        feed(basicCallSetup("c1"));
        Msg reInvite = Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1");
        Msg offer = resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2).sdp(MediaDirection.SENDRECV);
        feedTwice(reInvite, offer);
        assertEquals(ON_THE_PHONE, tracker.stateOf(ALICE), "an offerless re-INVITE and a sendrecv offer hold nothing");
        feedTwice(Msg.request("ACK", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                .sdp(MediaDirection.SENDONLY));
        assertEquals(ON_HOLD, tracker.stateOf(BOB));
        // A session refresh of the same kind while held: bob offers sendrecv again, alice still answers sendonly.
        feedTwice(reInvite.cseq(3), offer.cseq(3), Msg.request("ACK", BOB_DEV).callId("c1").cseq(3)
                .from(ALICE, "a1").to(BOB, "b1").sdp(MediaDirection.SENDONLY));
        feedTwice(reInvite.cseq(4), offer.cseq(4), Msg.request("ACK", BOB_DEV).callId("c1").cseq(4)
                .from(ALICE, "a1").to(BOB, "b1").sdp(MediaDirection.SENDRECV));
        feed(bye("c1", ALICE, "a1", BOB, "b1", 5));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, ON_HOLD, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, ON_HOLD, ON_THE_PHONE, AVAILABLE), changes(BOB));
    }

    /**
     * hold-by-callee: bob's own re-INVITEs (his CSeq counts from 1, apart from alice's, RFC 3261 12.2.1.1) hold and
     * resume; their 200s are no answer to alice's INVITE, and alice's BYE ends the call.
     */
    @Test
    void holdByCalleeWithItsOwnCseqThenByNullAddress() {
        registerAll();
        feed(basicCallSetup("c1"));
        Msg bobReInvite = Msg.request("INVITE", ALICE_DEV).callId("c1").cseq(1).from(BOB, "b1").to(ALICE, "a1")
                .contact(BOB_DEV);
        feedTwice(bobReInvite.sdp(MediaDirection.INACTIVE),
                resp(200, "c1", BOB, "b1", ALICE, "a1", ALICE_DEV).sdp(MediaDirection.INACTIVE),
                Msg.request("ACK", ALICE_DEV).callId("c1").from(BOB, "b1").to(ALICE, "a1"));
        assertEquals(ON_HOLD, tracker.stateOf(ALICE));
        feedTwice(bobReInvite.cseq(2).sdp(MediaDirection.SENDRECV),
                resp(200, "c1", BOB, "b1", ALICE, "a1", ALICE_DEV).cseq(2).sdp(MediaDirection.SENDRECV));
        assertEquals(ON_THE_PHONE, tracker.stateOf(ALICE));
        feedTwice(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1").holdAddress(),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2).sdp(MediaDirection.SENDRECV));
        assertEquals(ON_HOLD, tracker.stateOf(BOB), "bob's ordinary answer leaves alice's 0.0.0.0 hold in effect");
        feedTwice(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDRECV),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(3).sdp(MediaDirection.SENDRECV),
                bye("c1", ALICE, "a1", BOB, "b1", 4));
        List<PhoneState> held = List.of(ON_THE_PHONE, ON_HOLD, ON_THE_PHONE, ON_HOLD, ON_THE_PHONE, AVAILABLE);
        assertEquals(held, changes(ALICE).subList(2, 8));
        assertEquals(held, changes(BOB).subList(2, 8));
        assertEquals(0, tracker.snapshot(ALICE).orElseThrow().calls().size());
    }

    /** glare-491: crossing re-INVITEs both refused with 491 change nothing (RFC 3261 14.1); the retries do. */
    @Test
    void glare491RefusedReInvitesChangeNothing() {
        registerAll();
        feed(basicCallSetup("c1"));
        feedTwice(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDONLY),
                Msg.request("INVITE", ALICE_DEV).callId("c1").cseq(1).from(BOB, "b1").to(ALICE, "a1")
                        .sdp(MediaDirection.SENDRECV),
                resp(491, "c1", BOB, "b1", ALICE, "a1", null),
                resp(491, "c1", ALICE, "a1", BOB, "b1", null).cseq(2));
        assertEquals(ON_THE_PHONE, tracker.stateOf(ALICE), "the refused hold never took effect");
        feedTwice(Msg.request("INVITE", ALICE_DEV).callId("c1").cseq(2).from(BOB, "b1").to(ALICE, "a1")
                        .sdp(MediaDirection.SENDRECV),
                resp(200, "c1", BOB, "b1", ALICE, "a1", ALICE_DEV).cseq(2).sdp(MediaDirection.SENDRECV),
                Msg.request("INVITE", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDONLY),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(3).sdp(MediaDirection.RECVONLY),
                bye("c1", ALICE, "a1", BOB, "b1", 4));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, ON_HOLD, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, ON_HOLD, AVAILABLE), changes(BOB));
    }

    /** A 200 re-ordered before the re-INVITE it accepts: the late offer takes effect when it arrives. */
    @Test
    void reInviteSeenAfterItsAcceptanceTakesEffect() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2).sdp(MediaDirection.RECVONLY),
                Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDONLY),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(3).sdp(MediaDirection.SENDRECV),
                Msg.request("INVITE", BOB_DEV).callId("c1").cseq(3).from(ALICE, "a1").to(BOB, "b1")
                        .sdp(MediaDirection.SENDRECV));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, ON_HOLD, ON_THE_PHONE), changes(ALICE));
    }

    /**
     * redirect-302: bob redirects to carol (RFC 3261 8.1.3.4); alice's UA re-sends with the same Call-ID and CSeq 2.
     * Bob never rang, carol does, and alice is dialing without a break.
     */
    @Test
    void redirect302KeepsTheCallerDialingAndRingsTheTarget() {
        registerAll();
        feedTwice(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("c1", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV),
                resp(302, "c1", ALICE, "a1", BOB, "b1", CAROL),
                Msg.request("ACK", BOB).callId("c1").from(ALICE, "a1").to(BOB, "b1"),
                invite("c1", ALICE, "a1", BOB, CAROL, ALICE_DEV).cseq(2),
                invite("c1", ALICE, "a1", BOB, CAROL_DEV, ALICE_DEV).cseq(2),
                resp(180, "c1", ALICE, "a1", BOB, "c1t", CAROL_DEV).cseq(2),
                resp(200, "c1", ALICE, "a1", BOB, "c1t", CAROL_DEV).cseq(2),
                bye("c1", ALICE, "a1", BOB, "c1t", 3));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE), changes(BOB));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, AVAILABLE), changes(CAROL));
    }

    /** redirect-302 with the 302 lost: the INVITE with the higher CSeq is still the caller's next attempt. */
    @Test
    void redirect302LostStillFollowsTheNewAttempt() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV),
                invite("c1", ALICE, "a1", BOB, CAROL_DEV, ALICE_DEV).cseq(2),
                resp(180, "c1", ALICE, "a1", BOB, "c1t", CAROL_DEV).cseq(2),
                resp(200, "c1", ALICE, "a1", BOB, "c1t", CAROL_DEV).cseq(2));
        assertEquals(ON_THE_PHONE, tracker.stateOf(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE), changes(CAROL));
    }

    /** A redirect the caller does not follow ends the attempt like an abandoned challenge. */
    @Test
    void unfollowedRedirectEndsSoon() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV), resp(302, "c1", ALICE, "a1", BOB, "b1", CAROL));
        assertEquals(DIALING, tracker.stateOf(ALICE));
        tracker.advanceTo(t + 33_000_000L);
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
    }

    @Test
    void reInviteWithoutHoldChangeIsStillOnThePhone() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                .sdp(MediaDirection.SENDRECV));
        assertEquals(PhoneEventType.STILL_ON_THE_PHONE, events.get(events.size() - 1).type());
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
    }

    @Test
    void forkingToTwoDevicesOfOneUser() {
        feed(registered(ALICE, "ra", 1, ALICE_DEV + " 3600"),
                registered(BOB, "rb", 1, BOB_DEV + " 3600", BOB_DEV2 + " 3600"));
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("c1", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV),
                invite("c1", ALICE, "a1", BOB, BOB_DEV2, ALICE_DEV),
                resp(180, "c1", ALICE, "a1", BOB, "d1", "sip:127.0.0.1:5062"),
                resp(180, "c1", ALICE, "a1", BOB, "d2", "sip:127.0.0.1:5063"),
                resp(200, "c1", ALICE, "a1", BOB, "d2", "sip:127.0.0.1:5063"),
                Msg.request("CANCEL", BOB_DEV).callId("c1").from(ALICE, "a1").to(BOB, null),
                resp(487, "c1", ALICE, "a1", BOB, "d1", null));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE), changes(BOB));
        feed(bye("c1", BOB, "d2", ALICE, "a1", 1));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, AVAILABLE), changes(BOB));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(ALICE));
    }

    @Test
    void huntGroupRingsWhoeverTheProxyForwardedTo() {
        registerAll();
        // To is a group address; the proxy forwards to bob's and carol's devices.
        String sales = "sip:sales@example.com";
        feed(invite("c1", ALICE, "a1", sales, sales, ALICE_DEV), invite("c1", ALICE, "a1", sales, BOB_DEV, ALICE_DEV),
                invite("c1", ALICE, "a1", sales, CAROL_DEV, ALICE_DEV),
                resp(180, "c1", ALICE, "a1", sales, "b1", "sip:bob@127.0.0.1:5062"),
                resp(180, "c1", ALICE, "a1", sales, "c1", "sip:carol@127.0.0.1:5064"),
                resp(200, "c1", ALICE, "a1", sales, "c1", "sip:carol@127.0.0.1:5064"));
        assertEquals(List.of(AVAILABLE, RINGING, AVAILABLE), changes(BOB));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE), changes(CAROL));
        assertEquals(List.of(), changes(sales), "the group address is nobody's phone");
        assertEquals("answered elsewhere", events.stream().filter(e -> e.aor().equals(BOB))
                .reduce((a, b) -> b).orElseThrow().detail());
    }

    @Test
    void callForwardingRingsTheForwardedUserNotTheToUser() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("c1", ALICE, "a1", BOB, CAROL_DEV, ALICE_DEV),
                resp(180, "c1", ALICE, "a1", BOB, "c9", "sip:127.0.0.1:5099"));
        assertEquals(RINGING, tracker.stateOf(CAROL));
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
    }

    @Test
    void callWaitingTwoCallsAtOnce() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(invite("c2", CAROL, "k1", BOB, BOB, CAROL_DEV), invite("c2", CAROL, "k1", BOB, BOB_DEV, CAROL_DEV),
                resp(180, "c2", CAROL, "k1", BOB, "b2", BOB_DEV), resp(200, "c2", CAROL, "k1", BOB, "b2", BOB_DEV));
        feed(bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB), "still in the second call");
        feed(bye("c2", BOB, "b2", CAROL, "k1", 1));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE, AVAILABLE), changes(BOB));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(CAROL));
    }

    @Test
    void answerWithoutRingingOrInvite() {
        registerAll();
        feed(resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV), bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE, AVAILABLE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, ON_THE_PHONE, AVAILABLE), changes(BOB));
    }

    @Test
    void byeWhenEveryResponseWasLostStillEndsTheCall() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(List.of(AVAILABLE, DIALING, AVAILABLE), changes(ALICE));
    }

    @Test
    void lateAnswerAfterByeDoesNotReviveTheCall() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV),
                bye("c1", ALICE, "a1", BOB, "b1", 2), resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV),
                resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV));
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
    }

    @Test
    void lateRingingAfterAnswerDoesNotDowngrade() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV),
                resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV));
        assertEquals(List.of(AVAILABLE, ON_THE_PHONE), changes(BOB));
    }

    @Test
    void lostByeTimesOutAfterSilence() {
        tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withCallSilenceTimeout(Duration.ofMinutes(30)),
                events::add, drops);
        registerAll();
        feed(basicCallSetup("c1"));
        long answered = t;
        tracker.advanceTo(answered + Duration.ofMinutes(29).toNanos() / 1000);
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
        tracker.advanceTo(answered + Duration.ofMinutes(30).toNanos() / 1000);
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
        assertEquals("timeout", events.get(events.size() - 1).detail());
    }

    /**
     * Live, time moves in one-second ticks, never past the ring timeout the call was first queued for: the answer
     * must bring the call's deadline forward (FaultsIT found it stuck "on the phone" with a 3 s silence limit).
     */
    @Test
    void aSilenceShorterThanTheRingTimeoutEndsTheCallOnTimeWithSecondTicks() {
        tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withCallSilenceTimeout(Duration.ofSeconds(3)),
                events::add, drops);
        registerAll();
        feed(basicCallSetup("c1"));
        long answered = t;
        for (long tick = answered + 1_000_000; tick <= answered + 10_000_000; tick += 1_000_000) {
            tracker.advanceTo(tick);
            if (tick < answered + 3_000_000) {
                assertEquals(ON_THE_PHONE, tracker.stateOf(BOB), "at +" + (tick - answered) + " us");
            }
        }
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
    }

    @Test
    void aShortSessionTimerEndsTheCallOnTimeWithSecondTicks() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).sessionExpires(90));
        long answered = t;
        long grace = TrackerConfig.DEFAULTS.sessionTimerGrace().toNanos() / 1000;
        for (long tick = answered + 1_000_000; tick <= answered + 90_000_000 + grace + 2_000_000;
                tick += 1_000_000) {
            tracker.advanceTo(tick);
        }
        assertEquals(AVAILABLE, tracker.stateOf(BOB), "Session-Expires 90 s, well before the ring timeout");
    }

    @Test
    void sessionExpiresShortensTheSilence() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV).sessionExpires(90),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).sessionExpires(90));
        long answered = t;
        t = answered + 100_000_000L;
        tracker.advanceTo(t);
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB), "within Session-Expires plus grace");
        // A refresh (re-INVITE) restarts the interval.
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(2).from(ALICE, "a1").to(BOB, "b1")
                .sessionExpires(90));
        long refreshed = t;
        tracker.advanceTo(refreshed + 121_000_000L);
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
        tracker.advanceTo(refreshed + 123_000_000L);
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
    }

    @Test
    void unansweredCallTimesOut() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV));
        tracker.advanceTo(t + 200_000_000L);
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
    }

    @Test
    void digestChallengeThenRetryIsOneCall() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(407, "c1", ALICE, "a1", BOB, "px", null),
                Msg.request("ACK", BOB).callId("c1").from(ALICE, "a1").to(BOB, "px"),
                invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV).cseq(2),
                invite("c1", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV).cseq(2),
                resp(180, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2),
                resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV).cseq(2));
        assertEquals(List.of(AVAILABLE, DIALING, ON_THE_PHONE), changes(ALICE));
        assertEquals(List.of(AVAILABLE, RINGING, ON_THE_PHONE), changes(BOB));
    }

    @Test
    void abandonedChallengeEndsSoon() {
        registerAll();
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), resp(401, "c1", ALICE, "a1", BOB, "px", null));
        tracker.advanceTo(t + 33_000_000L);
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
    }

    @Test
    void joiningMidCallByReInvite() {
        registerAll();
        feed(Msg.request("INVITE", BOB_DEV).callId("c1").cseq(5).from(ALICE, "a1").to(BOB, "b1")
                .contact(ALICE_DEV).sdp(MediaDirection.SENDONLY));
        assertEquals(ON_HOLD, tracker.stateOf(ALICE));
        assertEquals(ON_HOLD, tracker.stateOf(BOB));
        feed(bye("c1", BOB, "b1", ALICE, "a1", 9));
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
    }

    @Test
    void assertedIdentityNamesTheCallerWhenConfigured() {
        tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withUseAssertedIdentity(true), events::add, drops);
        feed(invite("c1", "sip:anonymous@anonymous.invalid", "a1", BOB, BOB, "sip:10.9.9.9:5060")
                .pai("sip:+4930123@example.com;user=phone"));
        assertEquals(DIALING, tracker.stateOf("sip:+4930123@example.com"));
    }

    @Test
    void inviteFloodEvictsUnknownCallsFirstAndRealCallsSurvive() {
        tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxCalls(1000), events::add, drops);
        registerAll();
        feed(invite("real", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("real", ALICE, "a1", BOB, BOB_DEV, ALICE_DEV),
                resp(180, "real", ALICE, "a1", BOB, "b1", BOB_DEV));
        for (int i = 0; i < 20_000; i++) {
            tracker.onMessage(invite("flood-" + i, "sip:x" + i + "@evil.invalid", "f" + i, "sip:y" + i + "@example.com",
                    "sip:y" + i + "@example.com", "sip:198.51.100.1:5060").build(), ++t);
        }
        assertTrue(tracker.callCount() <= 1000, "calls held: " + tracker.callCount());
        assertTrue(tracker.userCount() <= 1003, "users held: " + tracker.userCount());
        assertTrue(tracker.timerCount() <= 2 * 4096, "timer entries of evicted calls are let go: "
                + tracker.timerCount());
        assertTrue(drops.get(DropReason.EARLY_DIALOG_EVICTED) >= 19_000);
        assertEquals(RINGING, tracker.stateOf(BOB));
        feed(resp(200, "real", ALICE, "a1", BOB, "b1", BOB_DEV));
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
        assertEquals(ON_THE_PHONE, tracker.stateOf(ALICE));
    }

    @Test
    void aFloodFromOneAddressToAnotherCountsABoundedNumberOfCallsForEach() {
        tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxRingingPerUser(10), events::add, drops);
        registerAll();
        String victim = "sip:victim@example.com";
        for (int i = 0; i < 5_000; i++) {
            feed(invite("flood-" + i, "sip:x@evil.invalid", "f" + i, victim, victim, "sip:198.51.100.1:5060"),
                    resp(180, "flood-" + i, "sip:x@evil.invalid", "f" + i, victim, "v" + i, "sip:192.0.2.7"));
        }
        assertEquals(10, tracker.snapshot("sip:x@evil.invalid").orElseThrow().calls().size());
        assertEquals(10, tracker.snapshot(victim).orElseThrow().calls().size());
        assertEquals(RINGING, tracker.stateOf(victim));
        assertTrue(drops.get(DropReason.EARLY_DIALOG_EVICTED) >= 2 * (5_000 - 10), "counted: " + drops.snapshot());
        // A real call meanwhile is untouched.
        feed(basicCallSetup("real"));
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
    }

    @Test
    void whileSheddingOnlyCallsOfRegisteredPhonesAreTracked() {
        registerAll();
        tracker.shedUnknownCalls(true);
        feed(invite("junk", "sip:x@evil.invalid", "f1", "sip:victim@example.com", "sip:victim@example.com",
                "sip:198.51.100.1:5060"));
        assertEquals(1, drops.get(DropReason.SHED_UNDER_LOAD));
        assertEquals(Optional.empty(), tracker.snapshot("sip:x@evil.invalid"), "nothing held for the flood");
        feed(invite("c1", ALICE, "a1", BOB, BOB, ALICE_DEV), invite("c2", "sip:x@evil.invalid", "f2", BOB, BOB,
                "sip:198.51.100.1:5060"));
        assertEquals(DIALING, tracker.stateOf(ALICE));
        assertEquals(1, drops.get(DropReason.SHED_UNDER_LOAD), "a call to a registered phone is tracked");
        tracker.shedUnknownCalls(false);
        feed(invite("later", "sip:x@evil.invalid", "f3", "sip:victim@example.com", "sip:victim@example.com",
                "sip:198.51.100.1:5060"));
        assertEquals(DIALING, tracker.stateOf("sip:x@evil.invalid"));
    }

    @Test
    void manyCallsOfOneAnonymousCallerStillRingTheirCallees() {
        tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxRingingPerUser(3), events::add, drops);
        registerAll();
        String anonymous = "sip:anonymous@anonymous.invalid";
        feed(invite("first", anonymous, "a0", BOB, BOB_DEV, "sip:192.0.2.10:5060"),
                resp(180, "first", anonymous, "a0", BOB, "b0", BOB_DEV));
        for (int i = 1; i <= 5; i++) {
            String callee = "sip:agent" + i + "@example.com";
            feed(invite("call-" + i, anonymous, "a" + i, callee, callee, "sip:192.0.2.10:5060"),
                    resp(180, "call-" + i, anonymous, "a" + i, callee, "c" + i, "sip:192.0.2.2" + i));
        }
        assertEquals(3, tracker.snapshot(anonymous).orElseThrow().calls().size());
        assertEquals(RINGING, tracker.stateOf(BOB), "the caller's cap does not end the call for its callee");
        feed(resp(200, "first", anonymous, "a0", BOB, "b0", BOB_DEV));
        assertEquals(ON_THE_PHONE, tracker.stateOf(BOB));
    }

    @Test
    void unregisteredPartiesAreTrackedAndForgotten() {
        feed(invite("c1", "sip:+4930999@carrier.example", "x1", BOB, BOB, "sip:192.0.2.10:5060"),
                resp(200, "c1", "sip:+4930999@carrier.example", "x1", BOB, "b1", BOB_DEV),
                bye("c1", BOB, "b1", "sip:+4930999@carrier.example", "x1", 1));
        assertEquals(List.of(DIALING, ON_THE_PHONE, OFFLINE), changes("sip:+4930999@carrier.example"));
        assertEquals(List.of(ON_THE_PHONE, OFFLINE), changes(BOB));
        tracker.advanceTo(t + 60_000_000L);
        assertEquals(0, tracker.userCount());
        assertEquals(0, tracker.callCount(), "tombstones are removed after their time");
    }

    @Test
    void snapshotListsDevicesAndCallsAsCopies() {
        registerAll();
        feed(registered(BOB, "reg-b", 2, BOB_DEV + " 3600", BOB_DEV2 + " 60"));
        feed(basicCallSetup("c1"));
        TrackedUser bob = tracker.snapshot(BOB).orElseThrow();
        assertEquals(BOB, bob.aor());
        assertEquals(ON_THE_PHONE, bob.state());
        assertEquals(List.of("bob@127.0.0.1:5063", "bob@127.0.0.1:5062"),
                bob.devices().stream().map(TrackedUser.Device::contact).toList(), "soonest expiry first");
        assertEquals(List.of(new TrackedUser.ActiveCall("c1", ON_THE_PHONE, ALICE, false, t)), bob.calls());
        TrackedUser alice = tracker.snapshot("sip:alice@EXAMPLE.com;transport=udp").orElseThrow();
        assertEquals(List.of(new TrackedUser.ActiveCall("c1", ON_THE_PHONE, BOB, true, t)), alice.calls());

        feed(bye("c1", ALICE, "a1", BOB, "b1", 2));
        assertEquals(1, bob.calls().size(), "a snapshot does not change when the tracker moves on");
        assertEquals(List.of(), tracker.snapshot(BOB).orElseThrow().calls());
        assertTrue(tracker.snapshot("sip:nobody@example.com").isEmpty());
        assertTrue(tracker.snapshot("mailto:bob@example.com").isEmpty());
    }

    @Test
    void clearEndsAStuckCallForBothPartiesAndItsLateByeRevivesNothing() {
        registerAll();
        feed(basicCallSetup("c1"));
        events.clear();
        assertEquals(1, tracker.clear(BOB, "cleared by admin"));
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
        assertEquals(AVAILABLE, tracker.stateOf(ALICE));
        assertEquals(List.of(PhoneEventType.CALL_ENDED, PhoneEventType.CALL_ENDED),
                events.stream().map(PhoneEvent::type).toList());
        assertTrue(events.stream().allMatch(e -> "cleared by admin".equals(e.detail()) && "c1".equals(e.callId())
                && e.state() == AVAILABLE && e.previous() == ON_THE_PHONE), events::toString);

        events.clear();
        feed(bye("c1", ALICE, "a1", BOB, "b1", 2), resp(200, "c1", ALICE, "a1", BOB, "b1", BOB_DEV));
        assertEquals(List.of(), events, "the cleared call is a tombstone");
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
    }

    @Test
    void clearWithoutACallRestatesTheRegistrations() {
        registerAll();
        events.clear();
        assertEquals(0, tracker.clear(CAROL, "cleared by admin"));
        assertEquals(0, tracker.clear("sip:nobody@example.com", "cleared by admin"));
        assertEquals(List.of(new PhoneEvent(t, CAROL, PhoneEventType.STILL_ONLINE, AVAILABLE, AVAILABLE, null, null,
                        "cleared by admin"),
                new PhoneEvent(t, "sip:nobody@example.com", PhoneEventType.OFFLINE, OFFLINE, OFFLINE, null, null,
                        "cleared by admin")), events);
        assertEquals(3, tracker.userCount(), "nobody is not remembered");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> tracker.clear("mailto:x@example.com", "cleared by admin"));
        assertTrue(bad.getMessage().contains("mailto:x@example.com"), bad.getMessage());
    }

    @Test
    void clearEndsEveryCallOfTheUserAndLeavesOthersAlone() {
        registerAll();
        feed(basicCallSetup("c1"));
        feed(invite("c2", CAROL, "c9", BOB, BOB, CAROL_DEV), invite("c2", CAROL, "c9", BOB, BOB_DEV, CAROL_DEV),
                resp(180, "c2", CAROL, "c9", BOB, "b2", BOB_DEV));
        feed(invite("c3", ALICE, "a3", CAROL, CAROL, ALICE_DEV));
        assertEquals(2, tracker.clear(BOB, "cleared by admin"));
        assertEquals(AVAILABLE, tracker.stateOf(BOB));
        assertEquals(DIALING, tracker.stateOf(ALICE), "alice's other call goes on");
        assertEquals(List.of("c3"), tracker.snapshot(ALICE).orElseThrow().calls().stream()
                .map(TrackedUser.ActiveCall::callId).toList());
    }
}
