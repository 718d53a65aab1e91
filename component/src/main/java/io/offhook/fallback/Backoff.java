package io.offhook.fallback;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a user's session waits before its next login attempt: doubling from {@code min} with each failure in a
 * row, capped at {@code max} ({@code fallback.retry-min}, {@code fallback.retry-max}). A session that was lost after
 * running for a while instead comes back after a random share of {@code min} ({@link #spread}), so that the
 * sessions of a restarted server do not all log in within the same millisecond.
 *
 * @param min the first delay
 * @param max the longest delay
 */
record Backoff(Duration min, Duration max) {
    private static final int MAX_SHIFT = 30;

    Backoff {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.isZero()) {
            throw new IllegalArgumentException("fallback.retry-min must be positive");
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("fallback.retry-max (" + max + ") must not be less than "
                    + "fallback.retry-min (" + min + ")");
        }
    }

    /** The delay after the {@code failures}-th failure in a row (1 for the first). */
    Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures " + failures);
        }
        int shift = Math.min(failures - 1, MAX_SHIFT);
        Duration d = min;
        for (int i = 0; i < shift && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** {@code fraction} (0 inclusive to 1 exclusive) of {@code min}: the first delay after a lost session. */
    Duration spread(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction " + fraction);
        }
        return Duration.ofNanos((long) (min.toNanos() * fraction));
    }
}
