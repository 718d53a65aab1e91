package io.offhook.tap.track;

import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link PhoneTracker} needs to go on tracking after a restart: the registered devices and the calls,
 * ended ones still remembered as tombstones included, with every time as absolute microseconds since the epoch so
 * that what expired while the process was down can be dropped when it is restored ({@link PhoneTracker#restore}).
 *
 * <p>An immutable copy ({@link PhoneTracker#export}): holding it holds nothing of the tracker. What is left out
 * on purpose: REGISTER requests waiting for their response (answered within milliseconds, or never) and the
 * de-duplication window (a copy of a message seen before the restart changes nothing: the tracker is idempotent).
 *
 * @param takenAtMicros the tracker's time when the copy was taken ({@link PhoneTracker#now()})
 * @param bindings every registered device
 * @param calls every call held, unanswered, answered and ended (tombstones)
 */
public record TrackerSnapshot(long takenAtMicros, List<SavedBinding> bindings, List<SavedCall> calls) {
    public TrackerSnapshot {
        bindings = List.copyOf(bindings);
        calls = List.copyOf(calls);
    }

    /** A snapshot with nothing in it. */
    public static TrackerSnapshot empty(long takenAtMicros) {
        return new TrackerSnapshot(takenAtMicros, List.of(), List.of());
    }

    /**
     * One registered device (RFC 3261 section 10).
     *
     * @param aor the user's normalised address of record ({@link Aor#of})
     * @param deviceKey the contact's device key ({@link Aor#deviceKey})
     * @param expiresAtMicros when the binding expires unless refreshed
     */
    public record SavedBinding(String aor, String deviceKey, long expiresAtMicros) {
        public SavedBinding {
            nonEmpty(aor, "aor");
            nonEmpty(deviceKey, "deviceKey");
        }
    }

    /** A dialog's state (RFC 3261 section 12): early, confirmed, or over. */
    public enum LegState { EARLY, CONFIRMED, TERMINATED }

    /**
     * One dialog of a call, per To-tag.
     *
     * @param toTag the callee's tag ({@code ""} when a final response carried none)
     * @param calleeAor the address of record the dialog is attributed to
     * @param state the dialog's state
     * @param held whether the latest offer or answer put it on hold (RFC 3264 section 8.4)
     */
    public record SavedLeg(String toTag, String calleeAor, LegState state, boolean held) {
        public SavedLeg {
            Objects.requireNonNull(toTag, "toTag");
            nonEmpty(calleeAor, "calleeAor");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * One call: the initial INVITE's transaction and its dialogs.
     *
     * @param callId the Call-ID
     * @param fromTag the caller's tag, {@code null} if the INVITE had none
     * @param inviteCseq the CSeq number of the initial INVITE (a retry after a challenge raises it)
     * @param callerAor who placed the call
     * @param toAor the To address, the callee when no registered device says otherwise
     * @param known whether a party had a registered device when the call started (an INVITE flood's calls do not)
     * @param forwardedTo the users whose registered device the INVITE was forwarded to
     * @param legs the dialogs, in the order they were seen
     * @param lastActivityMicros when the call's last message was seen
     * @param sessionExpiresMicros the negotiated session interval (RFC 4028), or -1 when none
     * @param endedAtMicros when the call ended (a tombstone), or -1 while it goes on
     * @param challenged whether the last answer was a 401/407 the caller has not retried yet
     * @param everConfirmed whether any dialog of it was ever answered
     */
    public record SavedCall(String callId, String fromTag, long inviteCseq, String callerAor, String toAor,
                            boolean known, List<String> forwardedTo, List<SavedLeg> legs, long lastActivityMicros,
                            long sessionExpiresMicros, long endedAtMicros, boolean challenged,
                            boolean everConfirmed) {
        public SavedCall {
            nonEmpty(callId, "callId");
            nonEmpty(callerAor, "callerAor");
            nonEmpty(toAor, "toAor");
            forwardedTo = List.copyOf(forwardedTo);
            legs = List.copyOf(legs);
            if (sessionExpiresMicros < -1 || sessionExpiresMicros == 0) {
                throw new IllegalArgumentException("sessionExpiresMicros must be positive or -1: "
                        + sessionExpiresMicros);
            }
            if (endedAtMicros < -1) {
                throw new IllegalArgumentException("endedAtMicros must be a time or -1: " + endedAtMicros);
            }
        }

        /** Whether the call is over and only remembered so late copies do not revive it. */
        public boolean ended() {
            return endedAtMicros >= 0;
        }
    }

    private static void nonEmpty(String s, String name) {
        Objects.requireNonNull(s, name);
        if (s.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}
