package io.offhook.tap.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeAxisTest {
    /** 2026-11-25T18:33:54.362421Z. */
    static final long T = 1_795_631_634_362_421L;

    @Test
    void isoHasSixDecimalsAlways() {
        assertEquals("2026-11-25T18:33:54.362421Z", TimeAxis.iso(T));
        assertEquals("2026-11-25T18:33:54.000000Z", TimeAxis.iso(T - 362_421));
        assertEquals("1970-01-01T00:00:00.000000Z", TimeAxis.iso(0));
    }

    @Test
    void theStepPutsAtMostMaxTicksOnTheSpan() {
        assertEquals(1, TimeAxis.step(1));
        assertEquals(200_000, TimeAxis.step(1_865_000));
        assertEquals(15_000_000, TimeAxis.step(110_000_000));
        assertEquals(43_200_000_000L, TimeAxis.step(5 * 86_400_000_000L));
        assertEquals(2 * 86_400_000_000L, TimeAxis.step(15 * 86_400_000_000L));
    }

    @Test
    void ticksAreAtRoundTimes() {
        List<Long> ticks = TimeAxis.ticks(T, T + 1_865_000);
        assertEquals(T - 362_421 + 400_000, ticks.get(0));
        assertEquals(10, ticks.size());
        assertEquals("18:33:54.400", TimeAxis.label(ticks.get(0), 200_000));
        assertEquals("18:33:54", TimeAxis.label(T, 1_000_000));
        assertEquals("18:33", TimeAxis.label(T, 60_000_000));
        assertEquals("2026-11-25", TimeAxis.label(T, 86_400_000_000L));
        assertEquals("18:33:54.362421", TimeAxis.label(T, 100));
    }

    @Test
    void durationsForPeople() {
        assertEquals("850 µs", TimeAxis.duration(850));
        assertEquals("12.5 ms", TimeAxis.duration(12_500));
        assertEquals("1.865 s", TimeAxis.duration(1_865_000));
        assertEquals("4 min 5 s", TimeAxis.duration(245_000_000));
        assertEquals("2 h 3 min", TimeAxis.duration(7_380_000_000L));
    }
}
