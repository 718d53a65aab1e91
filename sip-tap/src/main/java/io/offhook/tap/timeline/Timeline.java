package io.offhook.tap.timeline;

import io.offhook.tap.track.PhoneEvent;
import java.util.List;
import java.util.Objects;

/**
 * What a replay showed, ready to draw: the time span, one lane per user in order of first appearance, every
 * event kept in the order the tracker reported it, the SIP messages behind them, and what was left out.
 *
 * @param startMicros the earliest packet or event time, microseconds since the epoch
 * @param endMicros the latest one, or where the timeline was cut; not before {@code startMicros}
 * @param lanes the users' addresses of record; a mark's {@code lane} indexes this list
 * @param marks the events, in the tracker's order
 * @param messages the SIP messages behind events; a mark's {@code message} indexes this list
 * @param notes what was left out and why, for the reader of the page; empty when nothing was
 */
public record Timeline(long startMicros, long endMicros, List<String> lanes, List<Mark> marks,
                       List<Message> messages, List<String> notes) {
    public Timeline {
        if (endMicros < startMicros) {
            throw new IllegalArgumentException("end " + endMicros + " before start " + startMicros);
        }
        lanes = List.copyOf(lanes);
        marks = List.copyOf(marks);
        messages = List.copyOf(messages);
        notes = List.copyOf(notes);
        for (Mark m : marks) {
            if (m.lane() >= lanes.size() || m.message() >= messages.size()) {
                throw new IllegalArgumentException("mark " + m + " refers to lane or message beyond "
                        + lanes.size() + " lanes and " + messages.size() + " messages");
            }
            if (!m.event().aor().equals(lanes.get(m.lane()))) {
                throw new IllegalArgumentException("mark " + m + " is not in lane " + lanes.get(m.lane()));
            }
        }
    }

    /**
     * One event on one lane.
     *
     * @param event what the tracker reported
     * @param lane index into {@link Timeline#lanes()}
     * @param message index into {@link Timeline#messages()} of the SIP message that caused it, or -1 when no
     *     message did (a registration expired, a call timed out) or its text was not kept
     */
    public record Mark(PhoneEvent event, int lane, int message) {
        public Mark {
            Objects.requireNonNull(event, "event");
            if (lane < 0 || message < -1) {
                throw new IllegalArgumentException("lane " + lane + " or message " + message + " out of range");
            }
        }
    }

    /**
     * A SIP message as kept for the page.
     *
     * @param wire transport and addresses, e.g. {@code UDP 10.0.0.1:5060 -> 10.0.0.2:5060}
     * @param text the start line, key headers and SDP direction lines, bounded
     */
    public record Message(String wire, String text) {
        public Message {
            Objects.requireNonNull(wire, "wire");
            Objects.requireNonNull(text, "text");
        }
    }
}
