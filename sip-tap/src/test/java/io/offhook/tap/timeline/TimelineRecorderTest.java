package io.offhook.tap.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneEventType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineRecorderTest {
    static final String A = "sip:alice@example.com";
    static final String B = "sip:bob@example.com";
    static final String C = "sip:carol@example.com";

    static Timeline.Mark mark(Timeline t, String aor, PhoneEventType type) {
        return t.marks().stream().filter(m -> m.event().aor().equals(aor) && m.event().type() == type).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " for " + aor + " in " + t.marks()));
    }

    static String message(Timeline t, Timeline.Mark m) {
        return m.message() < 0 ? null : t.messages().get(m.message()).text();
    }

    @Test
    void eachEventKeepsTheMessageThatCausedItAndOneMessageServesBothParties() {
        Timeline t = Replays.timeline("hold-resume-hep.pcap", TimelineLimits.DEFAULTS);
        assertEquals(List.of(A, B), t.lanes());
        // Each re-INVITE is "still on the phone" at once; the hold takes effect with its 200 (RFC 3261 14.1).
        assertEquals(16, t.marks().size());
        Timeline.Mark aliceHeld = mark(t, A, PhoneEventType.HELD);
        Timeline.Mark bobHeld = mark(t, B, PhoneEventType.HELD);
        assertEquals(aliceHeld.message(), bobHeld.message(), "the 200 accepting the hold is kept once");
        String accepted = message(t, aliceHeld);
        assertTrue(accepted.startsWith("SIP/2.0 200 "), accepted);
        assertTrue(accepted.contains("\na=recvonly"), accepted);
        String reInvite = message(t, mark(t, A, PhoneEventType.STILL_ON_THE_PHONE));
        assertTrue(reInvite.startsWith("INVITE sip:bob@") && reInvite.contains("\na=sendonly"), reInvite);
        String wire = t.messages().get(aliceHeld.message()).wire();
        assertTrue(wire.matches("UDP 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:\\d+"), wire);
        assertTrue(message(t, mark(t, B, PhoneEventType.RINGING)).startsWith("SIP/2.0 180 "));
        assertTrue(message(t, mark(t, A, PhoneEventType.CALL_ENDED)).startsWith("BYE "));
        assertTrue(t.startMicros() <= t.marks().get(0).event().timeMicros());
        assertTrue(t.endMicros() >= t.marks().get(15).event().timeMicros());
        assertEquals(List.of(), t.notes());
    }

    @Test
    void anExpiryIsNotBlamedOnThePacketThatHappenedToAdvanceTime() {
        Timeline t = Replays.timeline("registration-expiry-hep.pcap", TimelineLimits.DEFAULTS);
        Timeline.Mark expired = mark(t, C, PhoneEventType.OFFLINE);
        assertEquals("expired", expired.event().detail());
        assertEquals(-1, expired.message());
        assertTrue(message(t, mark(t, C, PhoneEventType.ONLINE)).startsWith("SIP/2.0 200 "));
        assertTrue(message(t, mark(t, A, PhoneEventType.ONLINE)).startsWith("SIP/2.0 200 "));
    }

    @Test
    void usersBeyondTheLaneLimitAreCountedNotKept() {
        Timeline t = Replays.timeline("hold-resume-hep.pcap", new TimelineLimits(1, 100, 2048, 100_000));
        assertEquals(List.of(A), t.lanes());
        assertEquals(8, t.marks().size());
        assertEquals(List.of("Only the first 1 users are drawn: 8 events of further users are left out."),
                t.notes());
    }

    @Test
    void theTimelineIsCutAtTheEventLimit() {
        Timeline all = Replays.timeline("hold-resume-hep.pcap", TimelineLimits.DEFAULTS);
        Timeline t = Replays.timeline("hold-resume-hep.pcap", new TimelineLimits(10, 3, 2048, 100_000));
        assertEquals(all.marks().subList(0, 3), t.marks());
        long cut = all.marks().get(3).event().timeMicros();
        assertEquals(cut, t.endMicros());
        assertEquals(1, t.notes().size());
        assertTrue(t.notes().get(0).startsWith("Cut after 3 events, at " + TimeAxis.iso(cut) + ": 13 later events"),
                t.notes().get(0));
    }

    @Test
    void messagesOverTheBudgetAreLeftOutAndSaidSo() {
        Timeline t = Replays.timeline("hold-resume-hep.pcap", new TimelineLimits(10, 100, 80, 80));
        assertEquals(1, t.messages().size());
        assertTrue(t.messages().get(0).text().length() <= 80, t.messages().get(0).text());
        assertTrue(t.messages().get(0).text().endsWith("(cut at 80 characters)"), t.messages().get(0).text());
        long without = t.marks().stream().filter(m -> m.message() < 0).count();
        assertEquals(t.marks().size() - 1, without);
        assertEquals(List.of("The SIP messages behind " + without + " events are not kept (over 80 characters of "
                + "messages)."), t.notes());
    }

    @Test
    void nothingReplayedIsAnEmptyTimeline() {
        Timeline t = new TimelineRecorder(TimelineLimits.DEFAULTS).timeline();
        assertEquals(0, t.startMicros());
        assertEquals(0, t.endMicros());
        assertTrue(t.lanes().isEmpty() && t.marks().isEmpty() && t.notes().isEmpty());
    }
}
