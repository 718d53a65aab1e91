package io.offhook.publish;

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
 */
public record EngineStats(long events, long unmapped, long stanzasSent, long rosterRequests, long rosterErrors,
                          long echoesIgnored, long subscriptionsDenied, long mappingFailures, int users, int shown) {
}
