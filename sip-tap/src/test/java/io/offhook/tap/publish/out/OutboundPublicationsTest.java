package io.offhook.tap.publish.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.out.OutboundPublications.Answer;
import io.offhook.tap.publish.out.OutboundPublications.Outcome;
import io.offhook.tap.publish.out.OutboundPublications.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 3903's publisher side: the entity-tag lifecycle, 412, 423, a server that goes away, coalescing. */
class OutboundPublicationsTest {
    private static final String ALICE = "sip:alice@example.com";
    private static final String BOB = "sip:bob@example.com";
    private static final ChatState DND = new ChatState(ChatStatus.DND, "Focus");
    private static final ChatState AWAY = new ChatState(ChatStatus.AWAY, "Lunch");

    private Instant now = Instant.parse("2026-11-25T12:00:00Z");
    /** Jitter 1.0-: waits are the full backoff, so the test knows them. */
    private final OutboundPublications p = new OutboundPublications(new OutboundPublications.Settings(
            Duration.ofSeconds(600), Duration.ofSeconds(1), Duration.ofSeconds(8), 64, 100), () -> 0.999_999_999);

    private Request one() {
        List<Request> due = p.due(now);
        assertEquals(1, due.size(), "requests due: " + due);
        return due.get(0);
    }

    private void none() {
        assertEquals(List.of(), p.due(now));
    }

    private void later(Duration d) {
        now = now.plus(d);
    }

    @Test
    void initialThenModifyThenRefreshThenRemoveWithTheLatestTag() {
        p.update(ALICE, DND);
        Request initial = one();
        assertNull(initial.ifMatch());
        assertEquals(600, initial.expires());
        assertTrue(initial.body().contains("<rpid:busy/>"));
        none();
        p.answered(initial.id(), Answer.ok("e1", 300), now);
        none();
        p.update(ALICE, AWAY);
        Request modify = one();
        assertEquals("e1", modify.ifMatch());
        assertTrue(modify.body().contains("<rpid:away/>"));
        p.answered(modify.id(), Answer.ok("e2", 300), now);
        later(Duration.ofSeconds(239));
        none();
        later(Duration.ofSeconds(1));
        Request refresh = one();
        assertEquals("e2", refresh.ifMatch());
        assertNull(refresh.body(), "a refresh has no body");
        p.answered(refresh.id(), Answer.ok("e3", 300), now);
        p.remove(ALICE);
        Request removal = one();
        assertEquals(0, removal.expires());
        assertEquals("e3", removal.ifMatch());
        p.answered(removal.id(), Answer.ok("e4", 0), now);
        assertEquals(0, p.size());
    }

    @Test
    void changesWhileARequestIsInFlightCoalesceIntoOneModifyWithTheLatest() {
        p.update(ALICE, DND);
        Request initial = one();
        p.update(ALICE, AWAY);
        p.update(ALICE, new ChatState(ChatStatus.XA, "Gone"));
        p.update(ALICE, AWAY);
        none();
        p.answered(initial.id(), Answer.ok("e1", 600), now);
        Request modify = one();
        assertTrue(modify.body().contains("Lunch"));
        p.answered(modify.id(), Answer.ok("e2", 600), now);
        p.update(ALICE, AWAY);
        none();
    }

    @Test
    void a412StartsOverWithAnInitialPublish() {
        p.update(ALICE, DND);
        p.answered(one().id(), Answer.ok("e1", 600), now);
        p.update(ALICE, AWAY);
        p.answered(one().id(), Answer.status(412), now);
        assertEquals(1, p.outcomes(Outcome.PRECONDITION_FAILED));
        Request again = one();
        assertNull(again.ifMatch());
        assertTrue(again.body().contains("<rpid:away/>"));
        p.answered(again.id(), Answer.ok("f1", 600), now);
        assertEquals("f1", p.etag(ALICE));
    }

    @Test
    void a423AsksAgainWithMinExpiresButNotForEver() {
        p.update(ALICE, DND);
        p.answered(one().id(), new Answer(423, null, -1, 1200, -1), now);
        Request again = one();
        assertEquals(1200, again.expires());
        p.answered(again.id(), new Answer(423, null, -1, 1200, -1), now);
        none();
        assertEquals(2, p.outcomes(Outcome.INTERVAL_TOO_BRIEF));
    }

    @Test
    void aServerThatGoesAwayIsBackedOffFromAndEveryoneIsPublishedAgainWhenItAnswers() {
        p.update(ALICE, DND);
        p.update(BOB, AWAY);
        for (Request r : p.due(now)) {
            p.answered(r.id(), Answer.ok(r.entity().contains("alice") ? "a1" : "b1", 600), now);
        }
        p.update(ALICE, AWAY);
        p.answered(one().id(), Answer.NONE, now);
        assertTrue(p.serverDown());
        assertEquals(1, p.timesDown());
        // Waits of 1, 2, 4, 8, 8 s: nothing before each, one probe after it.
        for (long wait : new long[] {1, 2, 4, 8, 8}) {
            later(Duration.ofMillis(wait * 1000 - 10));
            none();
            later(Duration.ofMillis(10));
            Request probe = one();
            none();
            p.answered(probe.id(), Answer.status(503), now);
        }
        assertEquals(1, p.timesDown(), "one outage, however many probes");
        p.update(BOB, new ChatState(ChatStatus.AVAILABLE, ""));
        later(Duration.ofSeconds(8));
        Request probe = one();
        p.answered(probe.id(), Answer.ok(probe.entity().contains("alice") ? "a2" : "b2", 600), now);
        assertFalse(p.serverDown());
        // Back: the other one is published again with its tag (the server may have lost it: then 412).
        Request again = one();
        assertNotNull(again.ifMatch());
        assertNotNull(again.body());
    }

    @Test
    void retryAfterIsHonouredWithinTheBounds() {
        p.update(ALICE, DND);
        p.answered(one().id(), new Answer(503, null, -1, -1, 5), now);
        later(Duration.ofMillis(4999));
        none();
        later(Duration.ofMillis(1));
        one();
    }

    @Test
    void aRefusalBacksOffThatEntityOnly() {
        p.update(ALICE, DND);
        p.answered(one().id(), Answer.status(403), now);
        none();
        p.update(BOB, AWAY);
        assertEquals(BOB, one().entity());
        later(Duration.ofSeconds(1));
        assertEquals(ALICE, one().entity());
        assertFalse(p.serverDown());
    }

    @Test
    void shutdownRemovesWhatTheServerHoldsAndTakesNoMoreUpdates() {
        p.update(ALICE, DND);
        p.update(BOB, AWAY);
        List<Request> first = p.due(now);
        p.answered(first.get(0).id(), Answer.ok("a1", 600), now);
        List<Request> removals = p.shutdown();
        assertEquals(1, removals.size());
        assertEquals(0, removals.get(0).expires());
        assertFalse(p.update(ALICE, AWAY));
        p.answered(removals.get(0).id(), Answer.ok("x", 0), now);
        // Bob's initial answered after the shutdown began: removed at once.
        p.answered(first.get(1).id(), Answer.ok("b1", 600), now);
        Request bobRemoval = one();
        assertEquals(0, bobRemoval.expires());
        p.answered(bobRemoval.id(), Answer.ok("y", 0), now);
        assertTrue(p.idle());
        assertEquals(0, p.size());
    }

    @Test
    void newEntitiesBeyondTheLimitAreRefused() {
        OutboundPublications small = new OutboundPublications(new OutboundPublications.Settings(
                Duration.ofSeconds(600), Duration.ofSeconds(1), Duration.ofSeconds(8), 64, 1), () -> 0.5);
        assertTrue(small.update(ALICE, DND));
        assertFalse(small.update(BOB, DND));
        assertTrue(small.update(ALICE, AWAY));
    }
}
