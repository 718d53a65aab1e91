package io.offhook.presence;

import io.offhook.tap.track.PhoneState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.xmpp.packet.JID;

/**
 * A mapped user's phone situation, the input of a {@link PresenceMapping}: the aggregate over all the SIP
 * addresses that map to the user and all their calls.
 *
 * @param user the user's bare JID
 * @param state the aggregate state (the highest of all devices and calls)
 * @param since when the aggregate state was entered
 * @param calls the current calls, longest-running first; empty when idle or offline
 */
public record PhoneStatus(JID user, PhoneState state, Instant since, List<CallView> calls) {
    public PhoneStatus {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        calls = List.copyOf(calls);
    }
}
