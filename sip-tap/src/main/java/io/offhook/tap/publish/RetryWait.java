package io.offhook.tap.publish;

/**
 * How long to wait before trying a SIP request again that Offhook sends itself (a SUBSCRIBE to a PBX, a PUBLISH to
 * a presence server) after failures in a row: doubling from a minimum up to a maximum, and only half of it fixed,
 * the other half random, so that many users' retries after one outage do not arrive together. Stateless: each
 * caller counts its own failures.
 */
public final class RetryWait {
    private RetryWait() {
    }

    /**
     * Between half and all of {@code minMillis * 2^(failures - 1)}, that at most {@code maxMillis}; at least 1.
     *
     * @param failures failures in a row, the first being 1 (0 counts as 1)
     * @param random a number in [0, 1) choosing where in the upper half the wait falls (clamped to it)
     */
    public static long millis(long minMillis, long maxMillis, int failures, double random) {
        long full = Math.max(1, minMillis);
        for (int i = 1; i < failures && full < maxMillis; i++) {
            full = full > maxMillis / 2 ? maxMillis : full * 2;
        }
        full = Math.min(full, Math.max(maxMillis, 1));
        long half = full / 2;
        double r = Math.min(Math.max(random, 0), 1);
        return Math.max(1, half + (long) (r * (full - half)));
    }
}
