package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracker's and the publications' states combined into one stream of ordinary phone events. */
class StateCombinerTest {
    private static final String ALICE = "sip:alice@example.com";

    private final List<PhoneEvent> out = new ArrayList<>();
    private final StateCombiner combiner = new StateCombiner(out::add);
    private long time = 1_000_000;

    private void tracker(PhoneEventType type, PhoneState state, PhoneState previous, String callId) {
        combiner.onEvent(new PhoneEvent(time++, ALICE, type, state, previous, callId, null, null));
    }

    private void published(PhoneEventType type, PhoneState state, String callId) {
        combiner.onPublished(new PublishedChange(time++, ALICE, state, type, callId, "sip:bob@example.com",
                "published"));
    }

    /** What came out since the last call, as "TYPE previous->state callId". */
    private List<String> drain() {
        List<String> s = new ArrayList<>();
        for (PhoneEvent e : out) {
            s.add(e.type() + " " + e.previous() + "->" + e.state() + " " + e.callId());
        }
        out.clear();
        return s;
    }

    @Test
    void eachSourceAloneComesThroughUnchanged() {
        tracker(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        tracker(PhoneEventType.RINGING, PhoneState.RINGING, PhoneState.AVAILABLE, "c1");
        tracker(PhoneEventType.CALL_ENDED, PhoneState.AVAILABLE, PhoneState.RINGING, "c1");
        tracker(PhoneEventType.OFFLINE, PhoneState.OFFLINE, PhoneState.AVAILABLE, null);
        assertEquals(List.of("ONLINE OFFLINE->AVAILABLE null", "RINGING AVAILABLE->RINGING c1",
                "CALL_ENDED RINGING->AVAILABLE c1", "OFFLINE AVAILABLE->OFFLINE null"), drain());
        published(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, "d1");
        published(PhoneEventType.CALL_ENDED, PhoneState.OFFLINE, "d1");
        assertEquals(List.of("ON_THE_PHONE OFFLINE->ON_THE_PHONE d1", "CALL_ENDED ON_THE_PHONE->OFFLINE d1"), drain());
        assertEquals(0, combiner.size(), "nothing is remembered once both sources say offline");
    }

    @Test
    void theHigherStateWinsAndACallEndingInOneSourceLeavesTheOthersCall() {
        tracker(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        published(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, "d1");
        tracker(PhoneEventType.RINGING, PhoneState.RINGING, PhoneState.AVAILABLE, "c2");
        tracker(PhoneEventType.CALL_ENDED, PhoneState.AVAILABLE, PhoneState.RINGING, "c2");
        published(PhoneEventType.CALL_ENDED, PhoneState.OFFLINE, "d1");
        tracker(PhoneEventType.OFFLINE, PhoneState.OFFLINE, PhoneState.AVAILABLE, null);
        assertEquals(List.of("ONLINE OFFLINE->AVAILABLE null", "ON_THE_PHONE AVAILABLE->ON_THE_PHONE d1",
                "RINGING ON_THE_PHONE->ON_THE_PHONE c2", "CALL_ENDED ON_THE_PHONE->ON_THE_PHONE c2",
                "CALL_ENDED ON_THE_PHONE->AVAILABLE d1", "OFFLINE AVAILABLE->OFFLINE null"), drain());
        assertEquals(PhoneState.OFFLINE, combiner.stateOf(ALICE));
        assertEquals(0, combiner.size());
    }

    @Test
    void everyEventsPreviousIsTheStateOfTheOneBefore() {
        tracker(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        published(PhoneEventType.HELD, PhoneState.ON_HOLD, "d1");
        tracker(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.AVAILABLE, "c1");
        published(PhoneEventType.CALL_ENDED, PhoneState.OFFLINE, "d1");
        tracker(PhoneEventType.CALL_ENDED, PhoneState.AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        PhoneState last = PhoneState.OFFLINE;
        for (PhoneEvent e : out) {
            assertEquals(last, e.previous(), e.toString());
            last = e.state();
        }
        assertEquals(PhoneState.AVAILABLE, last);
        assertEquals(5, out.size());
    }

    @Test
    void remotePartyAndDetailPassThrough() {
        published(PhoneEventType.RINGING, PhoneState.RINGING, "d1");
        PhoneEvent e = out.get(0);
        assertEquals("sip:bob@example.com", e.remote());
        assertEquals("published", e.detail());
        assertEquals(ALICE, e.aor());
    }

    @Test
    void aFurtherSourceIsCombinedWithoutOverwritingThePublications() {
        PublishedStateListener subscriptions = combiner.newSource();
        published(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, "d1");
        subscriptions.onPublished(new PublishedChange(time++, ALICE, PhoneState.RINGING, PhoneEventType.RINGING, "s1",
                null, "published"));
        subscriptions.onPublished(new PublishedChange(time++, ALICE, PhoneState.OFFLINE, PhoneEventType.CALL_ENDED,
                "s1", null, "published"));
        assertEquals(PhoneState.ON_THE_PHONE, combiner.stateOf(ALICE), "the publication's call goes on");
        published(PhoneEventType.CALL_ENDED, PhoneState.OFFLINE, "d1");
        subscriptions.onPublished(new PublishedChange(time++, ALICE, PhoneState.ON_HOLD, PhoneEventType.HELD, "s2",
                null, "published"));
        assertEquals(PhoneState.ON_HOLD, combiner.stateOf(ALICE));
        subscriptions.onPublished(new PublishedChange(time++, ALICE, PhoneState.OFFLINE, PhoneEventType.CALL_ENDED,
                "s2", null, "published"));
        assertEquals(List.of("ON_THE_PHONE OFFLINE->ON_THE_PHONE d1", "RINGING ON_THE_PHONE->ON_THE_PHONE s1",
                "CALL_ENDED ON_THE_PHONE->ON_THE_PHONE s1", "CALL_ENDED ON_THE_PHONE->OFFLINE d1",
                "HELD OFFLINE->ON_HOLD s2", "CALL_ENDED ON_HOLD->OFFLINE s2"), drain());
        assertEquals(0, combiner.size());
    }
}
