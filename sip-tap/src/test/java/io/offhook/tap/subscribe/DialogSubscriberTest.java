package io.offhook.tap.subscribe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.publish.PublishConfig;
import io.offhook.tap.publish.PublishedChange;
import io.offhook.tap.publish.TestClock;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The subscriber's decisions (RFC 6665, RFC 4235) on a clock the test moves, with no network. */
class DialogSubscriberTest {
    private static final String ALICE = "sip:alice@pbx.example.net";
    private static final String BOB = "sip:bob@pbx.example.net";
    private static final String CONTACT = "sip:pbx@192.0.2.1:5060";

    private final TestClock clock = new TestClock();
    private final List<SubscribeRequest> sent = new ArrayList<>();
    private final List<PublishedChange> changes = new ArrayList<>();
    private PublicationStore store;
    private DialogSubscriber subscriber;
    private double jitter = 0.0;

    @BeforeEach
    void setUp() {
        build(SubscribeConfig.of("192.0.2.1", 5060, false, "127.0.0.1", 5072));
    }

    private void build(SubscribeConfig config) {
        store = new PublicationStore(PublishConfig.defaults().withExpires(Duration.ofSeconds(1), Duration.ofDays(2)),
                changes::add, clock);
        subscriber = new DialogSubscriber(config, store, sent::add, clock, () -> jitter);
    }

    private SubscribeRequest last() {
        return sent.get(sent.size() - 1);
    }

    /** Subscribes alice and accepts it with {@code expires}; returns the initial SUBSCRIBE. */
    private SubscribeRequest subscribed(long expires) {
        subscriber.setUsers(List.of(ALICE));
        SubscribeRequest initial = last();
        subscriber.onResponse(initial.callId(), initial.cseq(),
                new SubscribeResponse(200, expires, "pbxtag", CONTACT, -1, -1, null));
        return initial;
    }

    private NotifyAnswer notify(SubscribeRequest dialog, String state, long expires, String reason, long retryAfter,
                                String body) {
        return subscriber.onNotify(new NotifyRequest(dialog.callId(), dialog.localTag(), "pbxtag", "dialog", state,
                expires, reason, retryAfter, body == null ? null : "application/dialog-info+xml",
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), CONTACT));
    }

    private NotifyAnswer notify(SubscribeRequest dialog, String body) {
        return notify(dialog, "active", 3000, null, -1, body);
    }

    static String info(long version, boolean full, String... dialogs) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:"
                + "dialog-info\" version=\"" + version + "\" state=\"" + (full ? "full" : "partial")
                + "\" entity=\"" + ALICE + "\">");
        for (String d : dialogs) {
            b.append(d);
        }
        return b.append("</dialog-info>").toString();
    }

    static String dialog(String id, String state) {
        return "<dialog id=\"" + id + "\" call-id=\"" + id + "@pbx\" direction=\"recipient\"><state>" + state
                + "</state><remote><identity>sip:xavier@pbx.example.net</identity></remote></dialog>";
    }

    private PhoneState alice() {
        return store.stateOf(ALICE);
    }

    private void advance(Duration d) {
        clock.advance(d);
        subscriber.tick();
    }

    @Test
    void subscribesWithExpiresAndTurnsNotifiesIntoPhoneState() {
        SubscribeRequest initial = subscribed(600);
        assertEquals(1, sent.size());
        assertEquals(ALICE, initial.requestUri());
        assertEquals(ALICE, initial.aor());
        assertNull(initial.remoteTag());
        assertEquals(3600, initial.expires());
        assertEquals(1, initial.cseq());

        assertEquals(200, notify(initial, info(0, true)).status());
        assertEquals(PhoneState.OFFLINE, alice(), "no dialog: the subscription says nothing about the phone");
        assertEquals(200, notify(initial, info(1, true, dialog("d1", "early"))).status());
        assertEquals(PhoneState.RINGING, alice());
        assertEquals(200, notify(initial, info(2, false, dialog("d1", "confirmed"))).status());
        assertEquals(PhoneState.ON_THE_PHONE, alice());
        assertEquals(200, notify(initial, info(3, false, dialog("d1", "terminated"))).status());
        assertEquals(PhoneState.OFFLINE, alice());
        assertEquals(List.of(PhoneEventType.RINGING, PhoneEventType.ON_THE_PHONE, PhoneEventType.CALL_ENDED),
                changes.stream().map(PublishedChange::type).toList());
        assertEquals("d1@pbx", changes.get(0).callId());
        assertEquals("sip:xavier@pbx.example.net", changes.get(0).remote());
        assertEquals(1, subscriber.stats().active());
        assertEquals(4L, subscriber.stats().notifies().get(NotifyOutcome.ACCEPTED));
    }

    @Test
    void aNotifyBeforeTheTwoHundredCreatesTheDialog() {
        subscriber.setUsers(List.of(ALICE));
        SubscribeRequest initial = last();
        assertEquals(200, notify(initial, info(0, true, dialog("d1", "confirmed"))).status());
        assertEquals(PhoneState.ON_THE_PHONE, alice());
        subscriber.onResponse(initial.callId(), 1, new SubscribeResponse(200, 600, "pbxtag", CONTACT, -1, -1, null));
        assertEquals(Map.of(ALICE, "ACTIVE"), subscriber.phases());
    }

    @Test
    void refreshesAtFourFifthsOfTheGrantedLifetimeWithinTheDialog() {
        SubscribeRequest initial = subscribed(600);
        advance(Duration.ofSeconds(479));
        assertEquals(1, sent.size(), "not yet");
        advance(Duration.ofSeconds(1));
        assertEquals(2, sent.size());
        SubscribeRequest refresh = last();
        assertEquals(initial.callId(), refresh.callId());
        assertEquals(initial.localTag(), refresh.localTag());
        assertEquals("pbxtag", refresh.remoteTag());
        assertEquals(CONTACT, refresh.requestUri(), "within the dialog: to the notifier's Contact");
        assertEquals(2, refresh.cseq());
        advance(Duration.ofSeconds(5));
        assertEquals(2, sent.size(), "one refresh at a time");
        subscriber.onResponse(refresh.callId(), refresh.cseq(),
                new SubscribeResponse(200, 600, "pbxtag", CONTACT, -1, -1, null));
        advance(Duration.ofSeconds(479));
        assertEquals(2, sent.size());
        advance(Duration.ofSeconds(1));
        assertEquals(3, sent.size());
        assertEquals(3, last().cseq());
    }

    @Test
    void aNotifyShorteningTheLifetimeMovesTheRefreshForward() {
        SubscribeRequest initial = subscribed(3600);
        notify(initial, "active", 100, null, -1, info(0, true));
        advance(Duration.ofSeconds(80));
        assertEquals(2, sent.size(), "refreshed at 80 % of the NOTIFY's 100 s");
    }

    @Test
    void duplicatesAreIgnoredAndAVersionGapRefreshesForFullState() {
        SubscribeRequest initial = subscribed(600);
        notify(initial, info(0, true, dialog("d1", "early")));
        assertEquals(NotifyOutcome.DUPLICATE, notify(initial, info(0, true, dialog("d1", "confirmed"))).outcome());
        assertEquals(PhoneState.RINGING, alice(), "the duplicate changed nothing");

        NotifyAnswer gap = notify(initial, info(3, false, dialog("d1", "confirmed")));
        assertEquals(200, gap.status(), "answered all the same");
        assertEquals(NotifyOutcome.VERSION_GAP, gap.outcome());
        assertEquals(PhoneState.RINGING, alice(), "a partial document after a gap is not applied");
        assertEquals(2, sent.size(), "a refresh asks for full state");
        assertEquals(initial.callId(), last().callId());

        notify(initial, info(4, true, dialog("d1", "confirmed")));
        assertEquals(PhoneState.ON_THE_PHONE, alice(), "the full document after the refresh is");
    }

    @Test
    void aPartialDocumentWithoutAFullOneFirstIsLostState() {
        SubscribeRequest initial = subscribed(600);
        assertEquals(NotifyOutcome.VERSION_GAP, notify(initial, info(0, false, dialog("d1", "early"))).outcome());
        assertEquals(PhoneState.OFFLINE, alice());
        assertEquals(2, sent.size());
    }

    @Test
    void aVersionGoingBackMakesANewSubscription() {
        SubscribeRequest initial = subscribed(600);
        notify(initial, info(5, true, dialog("d1", "confirmed")));
        assertEquals(NotifyOutcome.VERSION_GAP, notify(initial, info(2, true)).outcome());
        assertEquals(PhoneState.ON_THE_PHONE, alice(), "kept for the grace period, not taken from the stale one");
        advance(Duration.ofSeconds(1));
        SubscribeRequest again = last();
        assertNotEquals(initial.callId(), again.callId(), "a new dialog, whose versions start over");
        assertNull(again.remoteTag());
        assertEquals(481, notify(initial, info(6, true)).status(), "the old dialog is gone");
        subscriber.onResponse(again.callId(), 1, new SubscribeResponse(200, 600, "pbx2", CONTACT, -1, -1, null));
        subscriber.onNotify(new NotifyRequest(again.callId(), again.localTag(), "pbx2", "dialog", "active", 600,
                null, -1, "application/dialog-info+xml", info(0, true).getBytes(StandardCharsets.UTF_8), CONTACT));
        assertEquals(PhoneState.OFFLINE, alice(), "the new subscription's full state replaces the old");
    }

    @Test
    void terminatedResubscribesAfterRetryAfterAndTheOldStateEndsAfterTheGrace() {
        SubscribeRequest initial = subscribed(600);
        notify(initial, info(0, true, dialog("d1", "confirmed")));
        assertEquals(200, notify(initial, "terminated", -1, "deactivated", 10, null).status());
        assertEquals(Map.of(ALICE, "WAITING"), subscriber.phases());
        assertEquals(PhoneState.ON_THE_PHONE, alice(), "kept a little while for the new subscription");
        advance(Duration.ofSeconds(9));
        assertEquals(1, sent.size(), "retry-after=10 is honoured");
        advance(Duration.ofSeconds(1));
        assertEquals(2, sent.size());
        assertNotEquals(initial.callId(), last().callId());
        // The new subscription never answers with state: after the grace the old state is gone.
        advance(Duration.ofSeconds(DialogSubscriber.GRACE_SECONDS - 10));
        assertEquals(PhoneState.OFFLINE, alice(), "nobody stays on the phone after the subscription ended");
    }

    @Test
    void aTerminatedNotifysBodyIsAppliedFirst() {
        SubscribeRequest initial = subscribed(600);
        notify(initial, info(0, true, dialog("d1", "confirmed")));
        notify(initial, "terminated", -1, "noresource", -1, info(1, true));
        assertEquals(PhoneState.OFFLINE, alice());
        assertEquals(1L, subscriber.stats().failures());
    }

    @Test
    void a481ToARefreshSubscribesAnewAtOnce() {
        SubscribeRequest initial = subscribed(600);
        advance(Duration.ofSeconds(480));
        SubscribeRequest refresh = last();
        subscriber.onResponse(refresh.callId(), refresh.cseq(), SubscribeResponse.of(481));
        advance(Duration.ofMillis(250));
        assertEquals(3, sent.size());
        assertNotEquals(initial.callId(), last().callId());
        assertEquals(1, last().cseq());
    }

    @Test
    void failuresBackOffExponentiallyWithJitterUpToTheMaximum() {
        build(SubscribeConfig.of("192.0.2.1", 5060, false, "127.0.0.1", 5072)
                .withRetry(Duration.ofSeconds(1), Duration.ofSeconds(8)));
        jitter = 0.0;
        subscriber.setUsers(List.of(ALICE));
        // With no jitter the waits are half the base: 0.5, 1, 2, 4, 4 s (the base doubles from 1 s up to 8 s).
        long[] waits = {500, 1000, 2000, 4000, 4000};
        for (long wait : waits) {
            SubscribeRequest r = last();
            subscriber.onTimeout(r.callId(), r.cseq());
            int before = sent.size();
            advance(Duration.ofMillis(wait - 1));
            assertEquals(before, sent.size(), "not before " + wait + " ms");
            advance(Duration.ofMillis(1));
            assertEquals(before + 1, sent.size(), "at " + wait + " ms");
        }
        jitter = 0.999;
        SubscribeRequest r = last();
        subscriber.onResponse(r.callId(), r.cseq(), SubscribeResponse.of(503));
        int before = sent.size();
        advance(Duration.ofMillis(7900));
        assertEquals(before, sent.size(), "with full jitter the wait is nearly the whole 8 s");
        advance(Duration.ofMillis(100));
        assertEquals(before + 1, sent.size());
    }

    @Test
    void retryAfterOfAFailureIsHonoured() {
        subscriber.setUsers(List.of(ALICE));
        SubscribeRequest r = last();
        subscriber.onResponse(r.callId(), r.cseq(), new SubscribeResponse(503, -1, null, null, 30, -1, null));
        advance(Duration.ofSeconds(29));
        assertEquals(1, sent.size());
        advance(Duration.ofSeconds(1));
        assertEquals(2, sent.size());
    }

    @Test
    void aNotifierThatAcceptsAndEndsEverySubscriptionStillBacksOff() {
        subscriber.setUsers(List.of(ALICE));
        for (int i = 0; i < 6; i++) {
            SubscribeRequest r = last();
            subscriber.onResponse(r.callId(), r.cseq(), new SubscribeResponse(200, 600, "t" + i, CONTACT, -1, -1,
                    null));
            subscriber.onNotify(new NotifyRequest(r.callId(), r.localTag(), "t" + i, "dialog", "terminated", -1,
                    "rejected", -1, null, new byte[0], CONTACT));
            advance(Duration.ofMinutes(10));
        }
        assertEquals(7, sent.size());
        SubscribeRequest r = last();
        subscriber.onResponse(r.callId(), r.cseq(), new SubscribeResponse(200, 600, "t", CONTACT, -1, -1, null));
        subscriber.onNotify(new NotifyRequest(r.callId(), r.localTag(), "t", "dialog", "terminated", -1,
                "rejected", -1, null, new byte[0], CONTACT));
        // Seven failures in a row: the base has doubled from 1 s to 64 s; without jitter the wait is half of it.
        advance(Duration.ofSeconds(31));
        assertEquals(7, sent.size(), "the failures add up although each subscription was accepted");
        advance(Duration.ofSeconds(1));
        assertEquals(8, sent.size());
    }

    @Test
    void aFailedRefreshKeepsTheSubscriptionUntilItExpires() {
        SubscribeRequest initial = subscribed(100);
        notify(initial, "active", 100, null, -1, info(0, true, dialog("d1", "confirmed")));
        advance(Duration.ofSeconds(80));
        SubscribeRequest refresh = last();
        subscriber.onResponse(refresh.callId(), refresh.cseq(), SubscribeResponse.of(500));
        assertEquals(Map.of(ALICE, "ACTIVE"), subscriber.phases());
        assertEquals(PhoneState.ON_THE_PHONE, alice());
        advance(Duration.ofSeconds(1));
        SubscribeRequest retry = last();
        assertEquals(initial.callId(), retry.callId(), "the refresh is retried within the dialog");
        subscriber.onTimeout(retry.callId(), retry.cseq());
        advance(Duration.ofSeconds(19));
        assertEquals(Map.of(ALICE, "WAITING"), subscriber.phases(), "expired without a successful refresh");
        advance(Duration.ofSeconds(DialogSubscriber.GRACE_SECONDS));
        assertEquals(PhoneState.OFFLINE, alice());
    }

    @Test
    void anUnansweredInitialSubscribeIsGivenUpOnEvenWithoutATimeoutEvent() {
        subscriber.setUsers(List.of(ALICE));
        advance(Duration.ofMillis(DialogSubscriber.ANSWER_TIMEOUT_MILLIS));
        assertEquals(Map.of(ALICE, "WAITING"), subscriber.phases());
        assertEquals(1L, subscriber.stats().failures());
    }

    @Test
    void initialSubscribesAreRateLimited() {
        build(SubscribeConfig.of("192.0.2.1", 5060, false, "127.0.0.1", 5072).withRate(20));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add("sip:u" + i + "@pbx.example.net");
        }
        subscriber.setUsers(many);
        assertEquals(20, sent.size());
        advance(Duration.ofMillis(500));
        assertEquals(30, sent.size());
        advance(Duration.ofSeconds(1));
        assertEquals(50, sent.size());
        assertEquals(50, sent.stream().map(SubscribeRequest::aor).distinct().count());
    }

    @Test
    void aReloadSubscribesNewUsersAndUnsubscribesGoneOnes() {
        subscriber.setUsers(List.of(ALICE, BOB));
        SubscribeRequest alice = sent.get(0);
        SubscribeRequest bob = sent.get(1);
        subscriber.onResponse(bob.callId(), 1, new SubscribeResponse(200, 600, "b", CONTACT, -1, -1, null));
        subscriber.onNotify(new NotifyRequest(bob.callId(), bob.localTag(), "b", "dialog", "active", 600, null, -1,
                "application/dialog-info+xml", info(0, true, dialog("x", "confirmed")).getBytes(
                        StandardCharsets.UTF_8), CONTACT));
        assertEquals(PhoneState.ON_THE_PHONE, store.stateOf(BOB));

        subscriber.setUsers(List.of(ALICE, "sip:carol@pbx.example.net", "tel:+4930123", "not an address"));
        assertEquals(List.of(ALICE, "sip:carol@pbx.example.net"), subscriber.users());
        SubscribeRequest unsubscribe = sent.get(2);
        assertEquals(bob.callId(), unsubscribe.callId());
        assertEquals(0, unsubscribe.expires());
        assertEquals("b", unsubscribe.remoteTag());
        assertEquals(PhoneState.OFFLINE, store.stateOf(BOB), "a removed user's state goes at once");
        assertEquals("sip:carol@pbx.example.net", sent.get(3).aor());
        assertEquals(4, sent.size(), "alice is left alone");
        assertEquals(alice.callId(), subscriber.callIdOf(ALICE));
        assertEquals(1, subscriber.pendingUnsubscribes());
        subscriber.onResponse(bob.callId(), unsubscribe.cseq(), SubscribeResponse.of(200));
        assertEquals(0, subscriber.pendingUnsubscribes());
    }

    @Test
    void unsubscribeAllEndsEveryDialogAndSendsNothingAfter() {
        SubscribeRequest initial = subscribed(600);
        notify(initial, info(0, true, dialog("d1", "confirmed")));
        assertEquals(1, subscriber.unsubscribeAll());
        assertEquals(0, last().expires());
        assertEquals(PhoneState.OFFLINE, alice());
        advance(Duration.ofHours(1));
        assertEquals(2, sent.size());
        subscriber.setUsers(List.of(BOB));
        assertEquals(2, sent.size());
    }

    @Test
    void notifiesItCannotUseAreAnsweredAndCounted() {
        SubscribeRequest initial = subscribed(600);
        NotifyAnswer unknown = subscriber.onNotify(new NotifyRequest("nobody@x", "t", "f", "dialog", "active", 60,
                null, -1, null, new byte[0], null));
        assertEquals(481, unknown.status());
        NotifyAnswer wrongTag = subscriber.onNotify(new NotifyRequest(initial.callId(), "other", "pbxtag", "dialog",
                "active", 60, null, -1, null, new byte[0], null));
        assertEquals(481, wrongTag.status());
        assertEquals(489, subscriber.onNotify(new NotifyRequest(initial.callId(), initial.localTag(), "pbxtag",
                "presence", "active", 60, null, -1, null, new byte[0], null)).status());
        assertEquals(415, subscriber.onNotify(new NotifyRequest(initial.callId(), initial.localTag(), "pbxtag",
                "dialog", "active", 60, null, -1, "application/pidf+xml", "<x/>".getBytes(StandardCharsets.UTF_8),
                null)).status());
        NotifyAnswer bad = notify(initial, "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\"/>");
        assertEquals(400, bad.status());
        assertTrue(bad.reason().contains("version"), bad.reason());
        assertEquals(400, notify(initial, "<!DOCTYPE x [<!ENTITY a \"b\">]><x/>").status());
        Map<NotifyOutcome, Long> n = subscriber.stats().notifies();
        assertEquals(2L, n.get(NotifyOutcome.UNKNOWN_DIALOG));
        assertEquals(1L, n.get(NotifyOutcome.BAD_EVENT));
        assertEquals(1L, n.get(NotifyOutcome.BAD_TYPE));
        assertEquals(2L, n.get(NotifyOutcome.BAD_BODY));
        assertEquals(Map.of(ALICE, "ACTIVE"), subscriber.phases(), "none of them touched the subscription");
    }

    @Test
    void aChallengeIsAnsweredOnceWithCredentialsAndBacksOffWithout() {
        String challenge = "Digest realm=\"asterisk\", nonce=\"abc\", qop=\"auth\", algorithm=MD5";
        subscriber.setUsers(List.of(ALICE));
        SubscribeRequest r = last();
        subscriber.onResponse(r.callId(), r.cseq(), new SubscribeResponse(401, -1, null, null, -1, -1, challenge));
        assertEquals(1, sent.size(), "no credentials: no retry at once");
        assertEquals(Map.of(ALICE, "WAITING"), subscriber.phases());

        build(SubscribeConfig.of("192.0.2.1", 5060, false, "127.0.0.1", 5072)
                .withCredentials(new DigestCredentials("offhook", "s3cret")));
        sent.clear();
        subscriber.setUsers(List.of(ALICE));
        r = last();
        subscriber.onResponse(r.callId(), r.cseq(), new SubscribeResponse(407, -1, null, null, -1, -1, challenge));
        assertEquals(2, sent.size());
        SubscribeRequest answered = last();
        assertEquals(r.callId(), answered.callId());
        assertEquals(2, answered.cseq());
        assertTrue(answered.proxyAuthorization());
        assertNotNull(answered.authorization());
        assertTrue(answered.authorization().startsWith("Digest username=\"offhook\", realm=\"asterisk\""));
        subscriber.onResponse(r.callId(), 2, new SubscribeResponse(407, -1, null, null, -1, -1, challenge));
        assertEquals(2, sent.size(), "a second challenge means wrong credentials: back off");
        assertEquals(Map.of(ALICE, "WAITING"), subscriber.phases());
    }

    @Test
    void a423IsRetriedWithMinExpires() {
        subscriber.setUsers(List.of(ALICE));
        SubscribeRequest r = last();
        subscriber.onResponse(r.callId(), r.cseq(), new SubscribeResponse(423, -1, null, null, -1, 7200, null));
        assertEquals(7200, last().expires());
        assertEquals(2, sent.size());
    }
}
