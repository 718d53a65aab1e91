package io.offhook.xmpp.stream;

import java.util.Objects;

/**
 * Why a connection attempt or a stream ended, and what that means for the next attempt.
 *
 * @param kind   decides the backoff
 * @param reason one line for the log and the listener, naming the server and any config key to check
 */
record Failure(Kind kind, String reason) {

    /** The classes of failure that the reconnect loop treats differently. */
    enum Kind {
        /** Refused, lost, timed out, closed by the server: retry soon ({@code retryMin} up to {@code retryMax}). */
        TRANSIENT,
        /** The server refused our configuration: retry slowly (up to {@code authRetryMax}), log at ERROR. */
        CONFIG,
        /** We closed the connection: no retry. */
        CLOSED
    }

    Failure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    static Failure transientFailure(String reason) {
        return new Failure(Kind.TRANSIENT, reason);
    }

    static Failure config(String reason) {
        return new Failure(Kind.CONFIG, reason);
    }
}
