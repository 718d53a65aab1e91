package io.offhook.xmpp.stream;

import java.time.Duration;

/**
 * Reconnect delays: doubling from {@code min}, capped at {@code max} for transient failures and at
 * {@code configMax} when the server refused our configuration. The two are counted apart, because a refused
 * configuration can also follow an accepted handshake (a stream error {@code invalid-from} when the server does not
 * trust the component): an accepted handshake resets only the transient count, and only a stream that ended for
 * a transient reason proves the configuration good. Not thread-safe: used by one reader thread at a time.
 */
final class Backoff {

    private static final int MAX_SHIFT = 62;

    private final long minMillis;
    private final long maxMillis;
    private final long configMaxMillis;
    private int transientStreak;
    private int configStreak;

    Backoff(Duration min, Duration max, Duration configMax) {
        this.minMillis = Math.max(1, min.toMillis());
        this.maxMillis = Math.max(minMillis, max.toMillis());
        this.configMaxMillis = Math.max(minMillis, configMax.toMillis());
    }

    /** The delay before the next attempt after this failure. */
    Duration next(Failure.Kind kind) {
        return switch (kind) {
            case TRANSIENT -> Duration.ofMillis(grow(++transientStreak, maxMillis));
            case CONFIG -> Duration.ofMillis(grow(++configStreak, configMaxMillis));
            case CLOSED -> throw new IllegalArgumentException("no retry after close");
        };
    }

    /** The server accepted the handshake. */
    void accepted() {
        transientStreak = 0;
    }

    /** An accepted stream ended for a reason that was not our configuration. */
    void configProvedGood() {
        configStreak = 0;
    }

    private long grow(int streak, long cap) {
        int shift = Math.min(streak - 1, MAX_SHIFT);
        if (shift >= Long.numberOfLeadingZeros(minMillis) - 1) {
            return cap;
        }
        return Math.min(minMillis << shift, cap);
    }
}
