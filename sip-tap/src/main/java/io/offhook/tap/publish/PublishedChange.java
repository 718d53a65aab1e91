package io.offhook.tap.publish;

import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.util.Objects;

/**
 * One thing a publication changed for one address of record, with what all of that address's publications say
 * after it. The {@link StateCombiner} turns it into a {@link io.offhook.tap.track.PhoneEvent}.
 *
 * @param timeMicros when, microseconds since the epoch (the store's clock)
 * @param aor the address of record
 * @param published the highest state of all the address's live publications after the change
 *     ({@link PhoneState#OFFLINE} when none says anything)
 * @param type what happened, in the tracker's words
 * @param callId the dialog's Call-ID (or dialog-info id) for dialog events; {@code null} for presence
 * @param remote the other party's address of record, or {@code null}
 * @param detail why, for the log: {@code published}, {@code terminated: rejected}, {@code publication expired}...
 */
public record PublishedChange(long timeMicros, String aor, PhoneState published, PhoneEventType type,
                              String callId, String remote, String detail) {
    public PublishedChange {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(published, "published");
        Objects.requireNonNull(type, "type");
    }
}
