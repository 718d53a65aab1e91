package io.offhook.tap.publish.out;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how chat presence is published ({@code sip-publish.*} in offhook.conf).
 *
 * @param targetHost the presence server's address (every PUBLISH goes there, whatever the entity's domain)
 * @param targetPort its port
 * @param transport {@code udp} or {@code tcp}
 * @param listenAddress the local address the publisher's SIP stack binds (and puts in Via)
 * @param listenPort the local port
 * @param expires the Expires asked for
 * @param timeout how long a PUBLISH waits for its answer before the server counts as down (at least 1 s)
 * @param backoffMin the first wait after the server went down
 * @param backoffMax the longest wait
 * @param maxUsers users held at most (pending and published); beyond, updates of new users are dropped and counted
 */
public record SipPublishConfig(String targetHost, int targetPort, String transport, String listenAddress,
                               int listenPort, Duration expires, Duration timeout, Duration backoffMin,
                               Duration backoffMax, int maxUsers) {
    /** Checks every value; messages name what is wrong. */
    public SipPublishConfig {
        Objects.requireNonNull(targetHost, "targetHost");
        Objects.requireNonNull(listenAddress, "listenAddress");
        transport = transport.toLowerCase(Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new IllegalArgumentException("transport '" + transport + "' is neither udp nor tcp");
        }
        if (targetHost.isBlank() || targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("target must be HOST:PORT with a port of 1 to 65535");
        }
        if (listenPort < 1 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port must be 1 to 65535");
        }
        if (timeout.toMillis() < 1000 || timeout.toMinutes() > 5) {
            throw new IllegalArgumentException("timeout must be 1 s to 5 min, not " + timeout);
        }
        new OutboundPublications.Settings(expires, backoffMin, backoffMax, 1, Math.max(1, maxUsers));
        if (maxUsers < 1) {
            throw new IllegalArgumentException("max users must be positive");
        }
    }

    /** The state machine's settings. */
    OutboundPublications.Settings settings() {
        return new OutboundPublications.Settings(expires, backoffMin, backoffMax, 64, maxUsers);
    }
}
