package io.offhook.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cumulative latency histogram with fixed buckets, for Prometheus: unlike a ring of recent samples it never
 * forgets, so a scraper can compute any percentile over any time window from two scrapes
 * ({@code histogram_quantile} over a {@code rate}). Recording is lock-free (one {@link LongAdder} per bucket) and
 * allocates nothing, so the engine thread can call it for every event.
 *
 * <p>Buckets are kept per interval and made cumulative when read; a snapshot's {@code +Inf} bucket is its count by
 * construction. A snapshot taken while samples are recorded may count a sample in the buckets but not yet in the
 * sum: Prometheus tolerates that; it never sees a bucket decrease.
 */
public final class LatencyHistogram {
    /**
     * Upper bounds in microseconds: 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100 and 250 ms. Offhook's own latency
     * is well under a millisecond (BENCHMARKS.md); the upper buckets catch a slow XMPP server or a full queue.
     */
    public static final List<Long> DEFAULT_BOUNDS_MICROS = List.of(100L, 250L, 500L, 1_000L, 2_500L, 5_000L,
            10_000L, 25_000L, 50_000L, 100_000L, 250_000L);

    /**
     * What was recorded until the moment of the snapshot.
     *
     * @param boundsMicros the buckets' upper bounds (inclusive), ascending
     * @param cumulative per bound the samples at or below it, then the count of all samples (the +Inf bucket)
     * @param sumMicros the sum of all samples
     */
    public record Snapshot(List<Long> boundsMicros, List<Long> cumulative, long sumMicros) {
        /** Copies the lists; checks there is one count per bound plus +Inf. */
        public Snapshot {
            boundsMicros = List.copyOf(boundsMicros);
            cumulative = List.copyOf(cumulative);
            if (cumulative.size() != boundsMicros.size() + 1) {
                throw new IllegalArgumentException("one count per bound and one for +Inf");
            }
        }

        /** All samples. */
        public long count() {
            return cumulative.get(cumulative.size() - 1);
        }

        /** The bounds in seconds, exactly (for the {@code le} labels). */
        public List<BigDecimal> boundsSeconds() {
            List<BigDecimal> out = new ArrayList<>(boundsMicros.size());
            for (long b : boundsMicros) {
                out.add(BigDecimal.valueOf(b, 6).stripTrailingZeros());
            }
            return out;
        }
    }

    private final long[] bounds;
    private final LongAdder[] buckets;
    private final LongAdder sum = new LongAdder();

    /** A histogram with {@link #DEFAULT_BOUNDS_MICROS}. */
    public LatencyHistogram() {
        this(DEFAULT_BOUNDS_MICROS);
    }

    /** @param boundsMicros upper bounds in microseconds, positive and strictly ascending, at least one */
    public LatencyHistogram(List<Long> boundsMicros) {
        if (boundsMicros.isEmpty()) {
            throw new IllegalArgumentException("a histogram needs at least one bound");
        }
        bounds = new long[boundsMicros.size()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = boundsMicros.get(i);
            if (bounds[i] <= 0 || i > 0 && bounds[i] <= bounds[i - 1]) {
                throw new IllegalArgumentException("bounds must be positive and ascending: " + boundsMicros);
            }
        }
        buckets = new LongAdder[bounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one sample; negative ones (a clock step) are ignored. */
    public void recordMicros(long micros) {
        if (micros < 0) {
            return;
        }
        int i = 0;
        while (i < bounds.length && micros > bounds[i]) {
            i++;
        }
        buckets[i].increment();
        sum.add(micros);
    }

    /** The counts so far, cumulative. */
    public Snapshot snapshot() {
        List<Long> boundList = new ArrayList<>(bounds.length);
        List<Long> cumulative = new ArrayList<>(buckets.length);
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative.add(running);
            if (i < bounds.length) {
                boundList.add(bounds[i]);
            }
        }
        return new Snapshot(boundList, cumulative, sum.sum());
    }
}
