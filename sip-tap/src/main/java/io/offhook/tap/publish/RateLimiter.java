package io.offhook.tap.publish;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per publisher address: {@code rate} requests a second, in bursts of up to {@code rate}. Remembers
 * at most {@value #MAX_ADDRESSES} addresses, least recently seen forgotten first (a forgotten address starts with
 * a full bucket, which costs at most one burst). Thread-safe.
 */
final class RateLimiter {
    static final int MAX_ADDRESSES = 4096;

    private static final class Bucket {
        double tokens;
        long at;
    }

    private final double rate;
    private final LongSupplier nanoTime;
    private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    RateLimiter(int ratePerSecond, LongSupplier nanoTime) {
        this.rate = ratePerSecond;
        this.nanoTime = nanoTime;
    }

    /** Whether {@code sender} may send one more request now (and takes its token). */
    synchronized boolean allow(InetAddress sender) {
        long t = nanoTime.getAsLong();
        Bucket b = buckets.get(sender);
        if (b == null) {
            b = new Bucket();
            b.tokens = rate;
            b.at = t;
            buckets.put(sender, b);
        } else {
            b.tokens = Math.min(rate, b.tokens + (t - b.at) / 1e9 * rate);
            b.at = t;
        }
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }
}
