package io.offhook.tap.track;

import java.util.Objects;

/**
 * One thing that happened to one user, with the user's aggregate state after it. This is the contract between
 * the tap and the component: plain values only, so it can later travel over a network unchanged.
 *
 * @param timeMicros when it happened, microseconds since the epoch (packet time in replays, the clock live)
 * @param aor the user's normalised address of record, e.g. {@code sip:alice@example.com}
 * @param type what happened
 * @param state the user's aggregate state after the event
 * @param previous the user's aggregate state before the event
 * @param callId the call's Call-ID for call events, {@code null} for registration events
 * @param remote the other party's address of record for call events, {@code null} if unknown or not a call;
 *     privacy is the consumer's business: the tap reports what the signalling says
 * @param detail why, where it helps: {@code "BYE"}, {@code "CANCEL"}, a status code such as {@code "486"},
 *     {@code "timeout"}, {@code "expired"}, {@code "answered elsewhere"}, {@code "restored"} (the state as a
 *     snapshot restored it after a restart, {@link PhoneTracker#restore}); or {@code null}
 */
public record PhoneEvent(long timeMicros, String aor, PhoneEventType type, PhoneState state, PhoneState previous,
                         String callId, String remote, String detail) {
    public PhoneEvent {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(previous, "previous");
    }

    /** Whether the user's aggregate state changed with this event. */
    public boolean changesState() {
        return state != previous;
    }
}
