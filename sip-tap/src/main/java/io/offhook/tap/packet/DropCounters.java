package io.offhook.tap.packet;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Counts drops by reason and logs them rate-limited: the first drop of a reason is logged at once with its detail,
 * later ones at most once per interval with the number suppressed meanwhile. Safe for concurrent sources.
 *
 * <p>A flood of bad input must never turn into a flood of log lines, and an operator must still learn that it
 * happens and why: that is the whole reason this class exists.
 */
public final class DropCounters {
    private static final Logger LOG = LogManager.getLogger(DropCounters.class);
    private static final long DEFAULT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final LongAdder[] counts = new LongAdder[DropReason.values().length];
    private final AtomicLongArray lastLogNanos = new AtomicLongArray(DropReason.values().length);
    private final AtomicLong[] loggedAt = new AtomicLong[DropReason.values().length];
    private final LongSupplier nanoTime;
    private final long logIntervalNanos;

    public DropCounters() {
        this(System::nanoTime, DEFAULT_LOG_INTERVAL_NANOS);
    }

    /** For tests: a clock they control and the minimum time between two log lines of one reason. */
    public DropCounters(LongSupplier nanoTime, long logIntervalNanos) {
        this.nanoTime = nanoTime;
        this.logIntervalNanos = logIntervalNanos;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
            loggedAt[i] = new AtomicLong();
        }
    }

    /** Counts a drop without logging (expected and frequent drops such as duplicates). */
    public void count(DropReason reason) {
        counts[reason.ordinal()].increment();
    }

    /**
     * Counts a drop and logs it, rate-limited.
     *
     * @param detail what was wrong, for the log line: it names the bad input (never a secret)
     */
    public void drop(DropReason reason, String detail) {
        int i = reason.ordinal();
        counts[i].increment();
        long now = nanoTime.getAsLong();
        long last = lastLogNanos.get(i);
        long total = counts[i].sum();
        boolean first = loggedAt[i].get() == 0;
        if ((first || now - last >= logIntervalNanos) && lastLogNanos.compareAndSet(i, last, now)) {
            long previous = loggedAt[i].getAndSet(total);
            long suppressed = first ? 0 : Math.max(0, total - previous - 1);
            LOG.warn("Dropped input ({}): {}{}", reason, detail,
                    suppressed > 0 ? " (" + suppressed + " more since the last report)" : "");
        }
    }

    public long get(DropReason reason) {
        return counts[reason.ordinal()].sum();
    }

    public long total() {
        long sum = 0;
        for (LongAdder c : counts) {
            sum += c.sum();
        }
        return sum;
    }

    /** The non-zero counters, in declaration order. */
    public Map<DropReason, Long> snapshot() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = counts[r.ordinal()].sum();
            if (v != 0) {
                out.put(r, v);
            }
        }
        return out;
    }
}
