package io.offhook.tap.track;

import java.util.List;
import java.util.Objects;

/**
 * One user as the tracker holds them at one moment: the registered devices and the calls in progress. A copy, for
 * operators who ask why someone shows as they do (the component's admin commands); it does not change when the
 * tracker moves on, and holding it holds nothing of the tracker.
 *
 * @param aor the normalised address of record ({@link Aor#of(String)})
 * @param state the user's aggregate state
 * @param devices the registered devices, soonest expiry first
 * @param calls the calls in progress (ended calls are not listed), in the order the user joined them
 */
public record TrackedUser(String aor, PhoneState state, List<Device> devices, List<ActiveCall> calls) {
    public TrackedUser {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(state, "state");
        devices = List.copyOf(devices);
        calls = List.copyOf(calls);
    }

    /**
     * One registered device (RFC 3261 section 10: a Contact bound to the address of record).
     *
     * @param contact the device's key, {@code user@host:port} ({@link Aor#deviceKey(String)})
     * @param expiresAtMicros when the binding expires unless refreshed, microseconds since the epoch
     */
    public record Device(String contact, long expiresAtMicros) {
        public Device {
            Objects.requireNonNull(contact, "contact");
        }
    }

    /**
     * One call the user takes part in.
     *
     * @param callId the call's Call-ID
     * @param state what the call means for this user (DIALING, RINGING, ON_THE_PHONE or ON_HOLD)
     * @param remote the other party's address of record as the signalling names it, {@code null} if unknown;
     *     privacy is the consumer's business, as for {@link PhoneEvent#remote()}
     * @param outgoing whether this user placed the call
     * @param lastActivityMicros when the call's last message was seen, microseconds since the epoch
     */
    public record ActiveCall(String callId, PhoneState state, String remote, boolean outgoing,
                             long lastActivityMicros) {
        public ActiveCall {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(state, "state");
        }
    }
}
