package io.offhook.xmpp.stream;

import java.util.Objects;

/**
 * A snapshot of what the connection has done since it was created, for metrics and health checks.
 *
 * @param connects        handshakes the server accepted
 * @param disconnects     accepted streams that ended (for any reason, including close)
 * @param lastError       why the last attempt or stream failed, empty if nothing has failed yet
 * @param stanzasIn       stanzas received after the handshake, including pings and replies
 * @param stanzasOut      stanzas written, including pings and ping replies
 * @param pingsSent       XEP-0199 pings sent to the server
 * @param pingsFailed     pings not answered in time (each one dropped the connection)
 * @param authFailures    attempts the server refused: wrong secret, unknown domain, not trusted
 * @param connectAttempts connection attempts started
 * @param oversizeStanzas stanzas over the size limit (each one dropped the connection)
 */
public record ConnectionStats(long connects, long disconnects, String lastError, long stanzasIn, long stanzasOut,
        long pingsSent, long pingsFailed, long authFailures, long connectAttempts, long oversizeStanzas) {

    /** Counts are never negative; the error text is never null. */
    public ConnectionStats {
        Objects.requireNonNull(lastError, "lastError");
        if (connects < 0 || disconnects < 0 || stanzasIn < 0 || stanzasOut < 0 || pingsSent < 0 || pingsFailed < 0
                || authFailures < 0 || connectAttempts < 0 || oversizeStanzas < 0) {
            throw new IllegalArgumentException("negative count in connection stats");
        }
    }
}
