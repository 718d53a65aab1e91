package io.offhook.tap.timeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The time axis in UTC: ticks at round times (1-2-5 steps below a second, then 1, 2, 5, 10, 15, 30 s, minutes,
 * hours, days) with labels as precise as the step needs. The page's script does the same when zooming; the steps
 * are listed in {@link #STEPS_MICROS} and handed to it, so both agree.
 */
final class TimeAxis {
    /** Tick steps in microseconds, smallest first. */
    static final long[] STEPS_MICROS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
        50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 15_000_000, 30_000_000,
        60_000_000, 120_000_000, 300_000_000, 600_000_000, 900_000_000, 1_800_000_000, 3_600_000_000L,
        7_200_000_000L, 10_800_000_000L, 21_600_000_000L, 43_200_000_000L, 86_400_000_000L};
    /** At most about this many ticks across the axis. */
    static final int MAX_TICKS = 10;
    private static final long DAY = 86_400_000_000L;
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private TimeAxis() {
    }

    /** The smallest step that puts at most {@link #MAX_TICKS} ticks on {@code spanMicros}. */
    static long step(long spanMicros) {
        for (long s : STEPS_MICROS) {
            if (s * MAX_TICKS >= spanMicros) {
                return s;
            }
        }
        return DAY * Math.max(1, (spanMicros + DAY * MAX_TICKS - 1) / (DAY * MAX_TICKS));
    }

    /** The tick times (epoch microseconds) from {@code from} to {@code to} inclusive, at multiples of the step. */
    static List<Long> ticks(long from, long to) {
        long step = step(to - from);
        List<Long> out = new ArrayList<>();
        for (long t = Math.floorDiv(from + step - 1, step) * step; t <= to && out.size() <= 2 * MAX_TICKS;
             t += step) {
            out.add(t);
        }
        return out;
    }

    /** A tick's label: the date for day steps, else the time of day to the precision of the step. */
    static String label(long micros, long step) {
        String iso = iso(micros); // 2026-11-25T18:33:54.362421Z
        if (step >= DAY) {
            return iso.substring(0, 10);
        }
        if (step >= 60_000_000) {
            return iso.substring(11, 16);
        }
        if (step >= 1_000_000) {
            return iso.substring(11, 19);
        }
        if (step >= 1_000) {
            return iso.substring(11, 23);
        }
        return iso.substring(11, 26);
    }

    /** ISO-8601 in UTC with exactly six decimals, e.g. {@code 2026-11-25T18:33:54.362421Z}. */
    static String iso(long micros) {
        return ISO.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1000L));
    }

    /**
     * A duration for people: {@code 850 µs}, {@code 12.5 ms}, {@code 3.25 s}, {@code 4 min 5 s}, {@code 2 h 3 min}.
     */
    static String duration(long micros) {
        if (micros < 1_000) {
            return micros + " µs";
        }
        if (micros < 1_000_000) {
            return trim(micros / 1_000.0) + " ms";
        }
        if (micros < 60_000_000) {
            return trim(micros / 1_000_000.0) + " s";
        }
        long s = micros / 1_000_000;
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
