package io.offhook.tap.publish;

import static io.offhook.tap.publish.Bodies.dialogInfo;
import static io.offhook.tap.publish.Bodies.fixture;
import static io.offhook.tap.publish.Bodies.pidf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event state compositor of RFC 3903 section 6 on a clock the test moves. */
class PublicationStoreTest {
    private static final String ALICE = "sip:alice@example.com";
    private static final String DIALOG_INFO = "application/dialog-info+xml";
    private static final String PIDF = "application/pidf+xml";

    private final TestClock clock = new TestClock();
    private final List<PublishedChange> changes = new ArrayList<>();
    private PublicationStore store = new PublicationStore(PublishConfig.defaults(), changes::add, clock);

    private static PublishRequest initial(String event, String type, byte[] body, long expires) {
        return new PublishRequest(ALICE, event, null, expires, type, body, "127.0.0.1:5062");
    }

    private static PublishRequest conditional(String etag, String event, String type, byte[] body, long expires) {
        return new PublishRequest(ALICE, event, etag, expires, type, body, "127.0.0.1:5062");
    }

    /** The changes since the last call, as "TYPE published-state callId detail". */
    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (PublishedChange c : changes) {
            out.add(c.type() + " " + c.published() + " " + c.callId() + " " + c.detail());
        }
        changes.clear();
        return out;
    }

    @Test
    void initialPublishGetsAnEntityTagAndTheGrantedLifetime() {
        PublishAnswer a = store.publish(initial("dialog", DIALOG_INFO, fixture("kamailio-callee-early.dialog-info.xml"),
                120));
        assertEquals(200, a.status());
        assertNotNull(a.etag());
        assertTrue(a.etag().length() >= 20, "128 random bits: " + a.etag());
        assertEquals(120, a.expires());
        assertEquals("sip:xavier@example.com", changes.get(0).remote());
        assertEquals(clock.micros(), changes.get(0).timeMicros());
        assertEquals(List.of("RINGING RINGING 1-8157@127.0.0.1 published"), drain());
        assertEquals(1, store.size());
    }

    @Test
    void anAdminSeesEachPublicationAndClearsThemAllAsIfExpired() {
        String dialog = store.publish(initial("dialog", DIALOG_INFO, dialogInfo(ALICE, 0, true, "d1:confirmed"), 60))
                .etag();
        store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 120));
        drain();
        assertEquals(List.of(
                new PublicationStore.PublishedSource("dialog", "127.0.0.1:5062", PhoneState.ON_THE_PHONE, 1,
                        clock.instant().plusSeconds(60)),
                new PublicationStore.PublishedSource("presence", "127.0.0.1:5062", PhoneState.AVAILABLE, 0,
                        clock.instant().plusSeconds(120))), store.publications(ALICE));
        assertEquals(List.of(), store.publications("sip:bob@example.com"));

        assertEquals(2, store.clear(ALICE, "cleared by admin"));
        assertEquals(List.of("CALL_ENDED AVAILABLE c-d1 cleared by admin", "OFFLINE OFFLINE null cleared by admin"),
                drain());
        assertEquals(List.of(), store.publications(ALICE));
        assertEquals(0, store.size());
        assertEquals(412, store.publish(conditional(dialog, "dialog", null, new byte[0], 60)).status(),
                "the publisher's next refresh starts it over");
        assertEquals(0, store.clear(ALICE, "again"));
    }

    @Test
    void lifetimesAreClampedAndTooShortOnesRefusedWithMinExpires() {
        assertEquals(3600, store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 86_400)).expires());
        assertEquals(3600, store.publish(initial("presence", PIDF, pidf(ALICE, "open", null),
                PublishRequest.NO_EXPIRES)).expires(), "no Expires: the package's default hour");
        assertEquals(11, store.publish(initial("dialog", DIALOG_INFO, dialogInfo(ALICE, 0, true), 11)).expires(),
                "Kamailio's 11 s for an ended dialog is accepted by default");
        PublishAnswer brief = store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 9));
        assertEquals(423, brief.status());
        assertEquals(10, brief.minExpires());
        assertNull(brief.etag());
    }

    @Test
    void refreshExtendsTheLifetimeUnderANewTagAndTheOldTagIsDeadAtOnce() {
        String first = store.publish(initial("dialog", DIALOG_INFO, dialogInfo(ALICE, 0, true, "d1:confirmed"), 60))
                .etag();
        drain();
        clock.advance(Duration.ofSeconds(50));
        PublishAnswer refreshed = store.publish(conditional(first, "dialog", null, new byte[0], 60));
        assertEquals(200, refreshed.status());
        assertNotEquals(first, refreshed.etag());
        assertEquals(List.of(), drain(), "a refresh changes nothing");
        assertEquals(412, store.publish(conditional(first, "dialog", null, new byte[0], 60)).status(),
                "the superseded tag");
        clock.advance(Duration.ofSeconds(50));
        store.tick();
        assertEquals(PhoneState.ON_THE_PHONE, store.stateOf(ALICE), "100 s after the start, 50 s after the refresh");
        clock.advance(Duration.ofSeconds(11));
        store.tick();
        assertEquals(List.of("CALL_ENDED OFFLINE c-d1 publication expired"), drain());
        assertEquals(0, store.size());
        assertEquals(412, store.publish(conditional(refreshed.etag(), "dialog", null, new byte[0], 60)).status(),
                "an expired publication's tag");
    }

    @Test
    void modifyReplacesTheStateDialogByDialog() {
        String tag = store.publish(initial("dialog", DIALOG_INFO,
                dialogInfo(ALICE, 0, true, "d1:early:initiator"), 60)).etag();
        tag = store.publish(conditional(tag, "dialog", DIALOG_INFO,
                dialogInfo(ALICE, 1, true, "d1:confirmed:initiator"), 60)).etag();
        tag = store.publish(conditional(tag, "dialog", DIALOG_INFO,
                dialogInfo(ALICE, 2, true, "d1:confirmed:initiator:held"), 60)).etag();
        tag = store.publish(conditional(tag, "dialog", DIALOG_INFO,
                dialogInfo(ALICE, 3, true, "d1:confirmed:initiator"), 60)).etag();
        store.publish(conditional(tag, "dialog", DIALOG_INFO, dialogInfo(ALICE, 4, true, "d1:terminated"), 60));
        assertEquals(List.of("DIALING DIALING c-d1 published", "ON_THE_PHONE ON_THE_PHONE c-d1 published",
                "HELD ON_HOLD c-d1 published", "RESUMED ON_THE_PHONE c-d1 published",
                "CALL_ENDED OFFLINE c-d1 terminated"), drain());
        assertEquals(1, store.size(), "the publication lives on without a dialog until it expires or is removed");
    }

    @Test
    void aFullDocumentSwappingOneCallForAnotherNeverShowsTheUserIdle() {
        String tag = store.publish(initial("dialog", DIALOG_INFO, dialogInfo(ALICE, 0, true, "a:confirmed"), 60))
                .etag();
        store.publish(conditional(tag, "dialog", DIALOG_INFO, dialogInfo(ALICE, 1, true, "b:confirmed"), 60));
        assertEquals(List.of("ON_THE_PHONE ON_THE_PHONE c-a published", "ON_THE_PHONE ON_THE_PHONE c-b published",
                "CALL_ENDED ON_THE_PHONE c-a gone from the publication"), drain());
    }

    @Test
    void aPartialDocumentChangesOnlyTheDialogsItLists() {
        String tag = store.publish(initial("dialog", DIALOG_INFO,
                dialogInfo(ALICE, 0, true, "a:confirmed", "b:early:recipient"), 60)).etag();
        drain();
        store.publish(conditional(tag, "dialog", DIALOG_INFO, dialogInfo(ALICE, 1, false, "a:terminated"), 60));
        assertEquals(List.of("CALL_ENDED RINGING c-a terminated"), drain());
        assertEquals(PhoneState.RINGING, store.stateOf(ALICE));
    }

    @Test
    void removalEndsEverythingAtOnce() {
        String tag = store.publish(initial("dialog", DIALOG_INFO,
                dialogInfo(ALICE, 0, true, "a:confirmed", "b:early:recipient"), 60)).etag();
        drain();
        PublishAnswer removed = store.publish(conditional(tag, "dialog", null, new byte[0], 0));
        assertEquals(200, removed.status());
        assertEquals(0, removed.expires());
        assertNotNull(removed.etag(), "Kamailio's pua wants a SIP-ETag in every 2xx");
        assertEquals(List.of("CALL_ENDED RINGING c-a publication removed",
                "CALL_ENDED OFFLINE c-b publication removed"), drain());
        assertEquals(0, store.size());
        assertEquals(412, store.publish(conditional(tag, "dialog", null, new byte[0], 0)).status());
        assertEquals(412, store.publish(conditional(removed.etag(), "dialog", null, new byte[0], 60)).status(),
                "the removal's tag names nothing");
    }

    @Test
    void presenceGoesOnlineOnThePhoneAndAway() {
        String tag = store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60)).etag();
        tag = store.publish(conditional(tag, "presence", PIDF, pidf(ALICE, "open", "on-the-phone"), 60)).etag();
        tag = store.publish(conditional(tag, "presence", PIDF, pidf(ALICE, "open", "away"), 60)).etag();
        tag = store.publish(conditional(tag, "presence", PIDF, fixture("asterisk-inuse.pidf.xml"), 60)).etag();
        store.publish(conditional(tag, "presence", null, new byte[0], 0));
        assertEquals(List.of("ONLINE AVAILABLE null published", "ON_THE_PHONE ON_THE_PHONE null published",
                "CALL_ENDED AVAILABLE null published", "ON_THE_PHONE ON_THE_PHONE null published",
                "CALL_ENDED OFFLINE null publication removed"), drain());
    }

    @Test
    void busyCanBeConfiguredNotToBeAPhoneState() {
        store = new PublicationStore(PublishConfig.defaults().withBusyIsOnThePhone(false), changes::add, clock);
        store.publish(initial("presence", PIDF, pidf(ALICE, "open", "busy"), 60));
        assertEquals(PhoneState.AVAILABLE, store.stateOf(ALICE));
    }

    @Test
    void severalPublicationsOfOneAddressAddUpToTheHighest() {
        store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60));
        String call = store.publish(initial("dialog", DIALOG_INFO, dialogInfo(ALICE, 0, true, "a:confirmed"), 60))
                .etag();
        assertEquals(PhoneState.ON_THE_PHONE, store.stateOf(ALICE));
        store.publish(conditional(call, "dialog", null, new byte[0], 0));
        assertEquals(PhoneState.AVAILABLE, store.stateOf(ALICE));
        assertEquals(List.of("ONLINE AVAILABLE null published", "ON_THE_PHONE ON_THE_PHONE c-a published",
                "CALL_ENDED AVAILABLE c-a publication removed"), drain());
    }

    @Test
    void aTagOnlyMatchesItsOwnResourceAndPackage() {
        String tag = store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60)).etag();
        assertEquals(412, store.publish(conditional(tag, "dialog", null, new byte[0], 60)).status());
        assertEquals(412, store.publish(new PublishRequest("sip:mallory@example.com", "presence", tag, 60, null,
                new byte[0], "127.0.0.1:5062")).status());
        assertEquals(412, store.publish(conditional("no-such-tag", "presence", null, new byte[0], 60)).status());
        assertEquals(200, store.publish(conditional(tag, "presence", null, new byte[0], 60)).status());
    }

    @Test
    void whatCannotBeUsedIsRefusedWithTheRightStatus() {
        PublishAnswer badEvent = store.publish(initial("message-summary", "text/plain", new byte[] {'x'}, 60));
        assertEquals(489, badEvent.status());
        assertEquals(List.of("presence", "dialog"), badEvent.allowEvents());
        assertEquals(489, store.publish(initial(null, PIDF, pidf(ALICE, "open", null), 60)).status(), "no Event");

        PublishAnswer wrongType = store.publish(initial("dialog", PIDF, pidf(ALICE, "open", null), 60));
        assertEquals(415, wrongType.status());
        assertEquals(DIALOG_INFO, wrongType.accept());
        assertEquals(415, store.publish(initial("presence", null, pidf(ALICE, "open", null), 60)).status());

        PublishAnswer bad = store.publish(initial("dialog", DIALOG_INFO, Bodies.utf8(
                "<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info' state='full' entity='sip:a@b'/>"), 60));
        assertEquals(400, bad.status());
        assertEquals("Bad application/dialog-info+xml: dialog-info without a version", bad.reason());

        PublishAnswer noBody = store.publish(initial("presence", null, new byte[0], 60));
        assertEquals(400, noBody.status());
        assertEquals("Initial PUBLISH without a body", noBody.reason());

        PublishAnswer big = store.publish(initial("presence", PIDF, new byte[65_537], 60));
        assertEquals(413, big.status());
        assertEquals(0, store.size());
        assertEquals(List.of(), drain());
    }

    @Test
    void aModifyWithABadBodyLeavesTheOldStateAndTagAlone() {
        String tag = store.publish(initial("dialog", DIALOG_INFO, dialogInfo(ALICE, 0, true, "a:confirmed"), 60))
                .etag();
        assertEquals(400, store.publish(conditional(tag, "dialog", DIALOG_INFO, Bodies.utf8("<oops"), 60)).status());
        assertEquals(PhoneState.ON_THE_PHONE, store.stateOf(ALICE));
        assertEquals(200, store.publish(conditional(tag, "dialog", null, new byte[0], 60)).status());
    }

    @Test
    void theNumberOfPublicationsIsBounded() {
        store = new PublicationStore(PublishConfig.defaults().withLimits(2, 65_536, 200), changes::add, clock);
        assertEquals(200, store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60)).status());
        assertEquals(200, store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60)).status());
        PublishAnswer full = store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60));
        assertEquals(503, full.status());
        assertEquals(60, full.retryAfter());
        clock.advance(Duration.ofSeconds(61));
        store.tick();
        assertEquals(200, store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 60)).status(),
                "room again once the others expired");
    }

    @Test
    void manyRefreshesDoNotGrowTheExpiryQueueWithoutBound() {
        String tag = store.publish(initial("presence", PIDF, pidf(ALICE, "open", null), 3600)).etag();
        for (int i = 0; i < 5000; i++) {
            tag = store.publish(conditional(tag, "presence", null, new byte[0], 3600)).etag();
        }
        assertTrue(store.pendingExpiries() <= 1024 + 3, "expiry entries: " + store.pendingExpiries());
        clock.advance(Duration.ofSeconds(3601));
        store.tick();
        assertEquals(0, store.size());
        assertEquals(List.of("ONLINE AVAILABLE null published", "OFFLINE OFFLINE null publication expired"), drain());
    }
}
