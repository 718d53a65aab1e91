package io.offhook.tap.track;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The tracker's timer queue: a binary min-heap of {@link Timed} entries by {@link Timed#scheduledAt}, which each
 * entry keeps while it is queued.
 *
 * <p>Why not {@link java.util.PriorityQueue}: the tracker looks at the queue's head on every message, and a
 * comparator that reads each entry's time through its object cost about 3% of the tap's whole path. Here the times
 * lie in an array beside the entries, so the heap's comparisons read no entry. The heap moves entries exactly as
 * {@code PriorityQueue} does with a comparator on {@code scheduledAt} (the same sift-up, sift-down and, after a
 * bulk removal, the same heapify), so entries due at the same time leave in the same order as before.
 *
 * <p>Not thread-safe, like the tracker.
 */
final class TimerQueue {
    private Timed[] entries;
    private long[] times;
    private int size;

    TimerQueue(int initialCapacity) {
        entries = new Timed[initialCapacity];
        times = new long[initialCapacity];
    }

    int size() {
        return size;
    }

    /** Whether an entry is due at {@code now}: its time is at or before it. */
    boolean hasDue(long now) {
        return size > 0 && times[0] <= now;
    }

    /** Queues {@code t} at its {@link Timed#scheduledAt}, which must not change while it is queued. */
    void add(Timed t) {
        int k = size;
        if (k == entries.length) {
            int grown = k + Math.max(k >> 1, 1);
            entries = Arrays.copyOf(entries, grown);
            times = Arrays.copyOf(times, grown);
        }
        size = k + 1;
        siftUp(k, t, t.scheduledAt);
    }

    /** Removes and returns the entry with the earliest time; the queue must not be empty. */
    Timed poll() {
        Timed first = entries[0];
        int n = --size;
        Timed last = entries[n];
        long lastTime = times[n];
        entries[n] = null;
        if (n > 0) {
            siftDown(0, last, lastTime, n);
        }
        return first;
    }

    /** Removes every entry {@code filter} accepts, keeping the others in heap order. */
    void removeIf(Predicate<Timed> filter) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Timed t = entries[i];
            if (!filter.test(t)) {
                entries[kept] = t;
                times[kept] = times[i];
                kept++;
            }
        }
        Arrays.fill(entries, kept, size, null);
        size = kept;
        for (int i = (kept >>> 1) - 1; i >= 0; i--) {
            siftDown(i, entries[i], times[i], kept);
        }
    }

    private void siftUp(int k, Timed t, long time) {
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            if (time >= times[parent]) {
                break;
            }
            entries[k] = entries[parent];
            times[k] = times[parent];
            k = parent;
        }
        entries[k] = t;
        times[k] = time;
    }

    private void siftDown(int k, Timed t, long time, int n) {
        int half = n >>> 1;
        while (k < half) {
            int child = (k << 1) + 1;
            int right = child + 1;
            if (right < n && times[child] > times[right]) {
                child = right;
            }
            if (time <= times[child]) {
                break;
            }
            entries[k] = entries[child];
            times[k] = times[child];
            k = child;
        }
        entries[k] = t;
        times[k] = time;
    }
}
