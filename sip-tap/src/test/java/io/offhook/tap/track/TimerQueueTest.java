package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The timer queue against {@link PriorityQueue} with a comparator on {@code scheduledAt}, the queue it replaced:
 * the same entries leave in the same order, ties included, through additions, polls and bulk removals.
 */
class TimerQueueTest {

    /** A timer whose deadline the test does not use. */
    private static final class Entry extends Timed {
        final int id;

        Entry(int id, long at) {
            this.id = id;
            this.scheduledAt = at;
        }

        @Override
        long deadline() {
            return scheduledAt;
        }

        @Override
        public String toString() {
            return "#" + id + "@" + scheduledAt;
        }
    }

    @Test
    void leavesInTheOrderPriorityQueueGives() {
        Random random = new Random(3);
        for (int run = 0; run < 200; run++) {
            TimerQueue queue = new TimerQueue(1 + random.nextInt(4));
            PriorityQueue<Timed> reference = new PriorityQueue<>((a, b) -> Long.compare(a.scheduledAt, b.scheduledAt));
            long now = 0;
            int ids = 0;
            // Few distinct times, so that many entries tie.
            int spread = 1 + random.nextInt(20);
            for (int step = 0; step < 2_000; step++) {
                int op = random.nextInt(100);
                if (op < 55) {
                    Entry e = new Entry(ids++, now + random.nextInt(spread));
                    queue.add(e);
                    reference.add(e);
                } else if (op < 97) {
                    now += random.nextInt(3);
                    while (queue.hasDue(now)) {
                        Timed head = reference.peek();
                        assertTrue(head != null && head.scheduledAt <= now, "run " + run + " step " + step);
                        assertSame(reference.poll(), queue.poll(), "run " + run + " step " + step);
                    }
                    Timed head = reference.peek();
                    assertFalse(head != null && head.scheduledAt <= now, "run " + run + " step " + step);
                } else {
                    int mod = 2 + random.nextInt(3);
                    queue.removeIf(t -> ((Entry) t).id % mod == 0);
                    reference.removeIf(t -> ((Entry) t).id % mod == 0);
                }
                assertEquals(reference.size(), queue.size());
            }
            List<Timed> rest = new ArrayList<>();
            while (queue.size() > 0) {
                rest.add(queue.poll());
            }
            List<Timed> expected = new ArrayList<>();
            while (!reference.isEmpty()) {
                expected.add(reference.poll());
            }
            assertEquals(expected, rest, "run " + run);
        }
    }
}
