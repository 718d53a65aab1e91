package io.offhook.presence;

import io.offhook.tap.track.PhoneState;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One of a user's current calls, as a {@link PresenceMapping} may see it.
 *
 * @param state {@link PhoneState#DIALING}, {@link PhoneState#RINGING}, {@link PhoneState#ON_THE_PHONE} or
 *     {@link PhoneState#ON_HOLD}
 * @param since when the call entered that state
 * @param started when the call began (first seen)
 * @param remote the other party's address, present only when the user opted in to showing it
 */
public record CallView(PhoneState state, Instant since, Instant started, Optional<String> remote) {
    public CallView {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(remote, "remote");
    }
}
