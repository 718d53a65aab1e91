package io.offhook.tap.timeline;

import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps a replay's events together with the SIP message behind each, for {@link TimelineHtml}. It watches from the
 * outside, without a hook in the pipeline or the tracker: {@link #around} wraps the pipeline, so it knows which
 * packet is being applied, and as the tracker's listener it sees the events that packet produced, on the same
 * thread, before the next packet goes in.
 *
 * <p>An event that fired because time passed (a registration expired, a call timed out) comes out while the next
 * packet is being applied; it is told apart by its detail ({@value #EXPIRED}, {@value #TIMEOUT},
 * {@value #UNANSWERED_CHALLENGE}) and gets no message: the packet did not cause it.
 *
 * <p>Bounded by {@link TimelineLimits}; what does not fit is counted and becomes a note on the page. Not
 * thread-safe: one thread feeds the pipeline (a replay).
 */
public final class TimelineRecorder implements PhoneEventListener {
    static final String EXPIRED = "expired";
    static final String TIMEOUT = "timeout";
    static final String UNANSWERED_CHALLENGE = "unanswered challenge";
    private static final Set<String> TIMER_DETAILS = Set.of(EXPIRED, TIMEOUT, UNANSWERED_CHALLENGE);

    private final TimelineLimits limits;
    private final Map<String, Integer> laneOf = new HashMap<>();
    private final List<String> lanes = new ArrayList<>();
    private final List<Timeline.Mark> marks = new ArrayList<>();
    private final List<Timeline.Message> messages = new ArrayList<>();
    private SipPacket current;
    private int currentMessage = -1;
    private long start = Long.MAX_VALUE;
    private long end = Long.MIN_VALUE;
    private long messageChars;
    private long otherUsersEvents;
    private long cutAt = Long.MIN_VALUE;
    private long eventsAfterCut;
    private long messagesNotKept;

    public TimelineRecorder(TimelineLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** {@code next} (the pipeline), telling this recorder which packet each event comes from. */
    public PacketListener around(PacketListener next) {
        Objects.requireNonNull(next, "next");
        return packet -> {
            current = packet;
            currentMessage = -1;
            if (cutAt == Long.MIN_VALUE) {
                seen(packet.timeMicros());
            }
            try {
                next.onPacket(packet);
            } finally {
                current = null;
            }
        };
    }

    @Override
    public void onEvent(PhoneEvent e) {
        if (cutAt != Long.MIN_VALUE) {
            eventsAfterCut++;
            return;
        }
        Integer lane = laneOf.get(e.aor());
        if (lane == null) {
            if (lanes.size() >= limits.maxLanes()) {
                otherUsersEvents++;
                return;
            }
            lane = lanes.size();
            lanes.add(e.aor());
            laneOf.put(e.aor(), lane);
        }
        if (marks.size() >= limits.maxMarks()) {
            cutAt = e.timeMicros();
            eventsAfterCut++;
            return;
        }
        seen(e.timeMicros());
        marks.add(new Timeline.Mark(e, lane, current == null || isTimer(e) ? -1 : message()));
    }

    /** Whether time passing, not a message, caused the event. */
    static boolean isTimer(PhoneEvent e) {
        return e.detail() != null && TIMER_DETAILS.contains(e.detail());
    }

    /** The index of the current packet's kept text, kept now if it is not yet; -1 when over the budget. */
    private int message() {
        if (currentMessage >= 0) {
            return currentMessage;
        }
        if (messageChars >= limits.maxTotalMessageChars()) {
            messagesNotKept++;
            return -1;
        }
        String text = SipSummary.summarize(current, limits.maxMessageChars());
        messageChars += text.length();
        messages.add(new Timeline.Message(SipSummary.wire(current), text));
        currentMessage = messages.size() - 1;
        return currentMessage;
    }

    private void seen(long micros) {
        start = Math.min(start, micros);
        end = Math.max(end, micros);
    }

    /** What was recorded so far; an empty timeline at time 0 when nothing was seen. */
    public Timeline timeline() {
        List<String> notes = new ArrayList<>();
        if (otherUsersEvents > 0) {
            notes.add("Only the first " + limits.maxLanes() + " users are drawn: " + otherUsersEvents
                    + " events of further users are left out.");
        }
        if (cutAt != Long.MIN_VALUE) {
            notes.add("Cut after " + limits.maxMarks() + " events, at " + TimeAxis.iso(cutAt)
                    + ": " + eventsAfterCut + " later events are left out.");
        }
        if (messagesNotKept > 0) {
            notes.add("The SIP messages behind " + messagesNotKept + " events are not kept (over "
                    + limits.maxTotalMessageChars() + " characters of messages).");
        }
        long s = start == Long.MAX_VALUE ? 0 : start;
        long e = end == Long.MIN_VALUE ? s : cutAt != Long.MIN_VALUE ? Math.max(s, Math.min(end, cutAt)) : end;
        return new Timeline(s, e, lanes, marks, messages, notes);
    }
}
