package io.offhook.app;

import java.util.Arrays;

/**
 * How long phone events take inside Offhook: from the tap's handling of the HEP packet (the event's time) to the
 * presence stanzas it caused being written to the XMPP connection. Keeps the latest samples in a fixed ring, so
 * memory stays bounded however long Offhook runs; percentiles are computed on demand.
 */
public final class Latency {
    /** The percentiles of the samples kept, in microseconds. */
    public record Snapshot(long count, long p50, long p99, long max) {
    }

    private final long[] ring;
    private long count;

    /** @param capacity how many of the latest samples are kept */
    public Latency(int capacity) {
        ring = new long[capacity];
    }

    /** Records one sample in microseconds; negative ones (a clock step) are ignored. */
    public synchronized void record(long micros) {
        if (micros < 0) {
            return;
        }
        ring[(int) (count % ring.length)] = micros;
        count++;
    }

    /** The percentiles of the samples kept so far. */
    public synchronized Snapshot snapshot() {
        int n = (int) Math.min(count, ring.length);
        if (n == 0) {
            return new Snapshot(0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(ring, n);
        Arrays.sort(sorted);
        return new Snapshot(count, sorted[(n - 1) / 2], sorted[(int) Math.ceil(n * 0.99) - 1], sorted[n - 1]);
    }

    /** Forgets every sample (between benchmark phases). */
    public synchronized void reset() {
        count = 0;
    }
}
