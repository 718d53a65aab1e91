package io.offhook.publish;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.PhoneState;
import java.util.Map;

/**
 * Counters of the engine, for logs and metrics.
 *
 * @param events phone events received
 * @param unmapped events of SIP users the mapping does not name (ignored: opt-in)
 * @param stanzasSent stanzas handed to the outbox
 * @param rosterRequests privileged roster gets sent
 * @param rosterErrors roster gets answered with an error or not at all
 * @param echoesIgnored presence the server forwarded back that was the component's own
 * @param subscriptionsDenied gateway subscriptions and probes refused (not a contact of the user)
 * @param mappingFailures times the presence mapping threw and the default was used
 * @param users users the engine holds state for
 * @param shown presences currently shown (one per sender and recipient)
 * @param presenceByMode presence stanzas handed to the outbox, by the presentation mode they were sent for (modes
 *        without any are absent)
 * @param usersByState the users the engine holds state for, by their aggregate phone state (absent: none)
 * @param callsByState the calls of those users, by state (absent: none)
 */
public record EngineStats(long events, long unmapped, long stanzasSent, long rosterRequests, long rosterErrors,
                          long echoesIgnored, long subscriptionsDenied, long mappingFailures, int users, int shown,
                          Map<PresentationMode, Long> presenceByMode, Map<PhoneState, Integer> usersByState,
                          Map<PhoneState, Integer> callsByState) {
    /** Copies the maps. */
    public EngineStats {
        presenceByMode = Map.copyOf(presenceByMode);
        usersByState = Map.copyOf(usersByState);
        callsByState = Map.copyOf(callsByState);
    }
}
