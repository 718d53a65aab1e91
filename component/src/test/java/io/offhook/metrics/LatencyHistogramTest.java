package io.offhook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Fixed buckets, inclusive upper bounds, cumulative when read, exact under concurrent recording. */
class LatencyHistogramTest {
    @Test
    void boundsAreInclusiveAndCountsCumulative() {
        LatencyHistogram h = new LatencyHistogram(List.of(100L, 1_000L));
        for (long micros : new long[] {0, 100, 101, 1_000, 1_001, 5_000_000, -3}) {
            h.recordMicros(micros);
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(List.of(2L, 4L, 6L), s.cumulative(), "-3 (a clock step) is not recorded");
        assertEquals(6, s.count());
        assertEquals(0 + 100 + 101 + 1_000 + 1_001 + 5_000_000, s.sumMicros());
        assertEquals(List.of(new BigDecimal("0.0001"), new BigDecimal("0.001")), s.boundsSeconds());
    }

    @Test
    void theDefaultBucketsRunFromATenthOfAMillisecondToAQuarterSecond() {
        List<String> le = new LatencyHistogram().snapshot().boundsSeconds().stream().map(BigDecimal::toPlainString)
                .toList();
        assertEquals(List.of("0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                "0.1", "0.25"), le);
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        h.recordMicros(i % 400_000);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(40_000, h.snapshot().count());
        assertEquals(4L * (9_999L * 10_000L / 2), h.snapshot().sumMicros());
    }

    @Test
    void boundsMustAscend() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyHistogram(List.of(5L, 5L)));
        assertThrows(IllegalArgumentException.class, () -> new LatencyHistogram(List.of(0L)));
        assertThrows(IllegalArgumentException.class, () -> new LatencyHistogram(List.of()));
    }
}
