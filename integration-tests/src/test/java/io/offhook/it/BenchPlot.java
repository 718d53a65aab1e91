package io.offhook.it;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A benchmark's latency distribution as a PNG that BENCHMARKS.md can show: a histogram of the samples, their CDF
 * over it (right axis), p50 and p99 as dashed lines, labelled axes in milliseconds. Java2D and ImageIO only, drawn
 * off-screen ({@code java.awt.headless}), so it runs on a server and needs no library.
 *
 * <p>A long tail would squeeze the body of the distribution into a few pixels: when the largest sample is beyond
 * twice the p99, the axis ends a little after the p99 and the plot says how many samples lie beyond it and how far.
 */
final class BenchPlot {
    static final int WIDTH = 800;
    static final int HEIGHT = 420;
    static final int BINS = 50;
    /** Where the benchmarks write their plots (scripts/bench sets it next to the text it saves). */
    static final String OUT_PROPERTY = "offhook.bench.out";
    static final Color BARS = new Color(0x56b4e9);
    static final Color CDF = new Color(0xd55e00);
    private static final int LEFT = 72;
    private static final int RIGHT = WIDTH - 64;
    private static final int TOP = 58;
    private static final int BOTTOM = HEIGHT - 52;
    private static final Color AXES = new Color(0x333333);
    private static final Color GRID = new Color(0xe6e6e6);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private BenchPlot() {
    }

    /**
     * The x axis of a set of sorted samples (microseconds): from 0 (or below, for negative samples) to a round
     * value at or after the largest sample, or after the p99 when the largest is beyond twice the p99.
     *
     * @param beyond how many samples lie right of {@code max}
     */
    record Axis(long min, long max, long step, int beyond) {
        static Axis of(long[] sorted, BenchStats.Summary s) {
            long last = sorted[sorted.length - 1];
            long limit = last > 2 * s.p99() && s.p99() > 0 ? s.p99() + s.p99() / 4 : last;
            long step = niceStep(Math.max(1, (limit - Math.min(0, sorted[0])) / 6));
            long max = Math.max(step, ceil(limit, step));
            long min = sorted[0] < 0 ? -ceil(-sorted[0], step) : 0;
            int beyond = sorted.length - upperBound(sorted, max);
            return new Axis(min, max, step, beyond);
        }
    }

    /** Draws and writes {@code dir/name.png}; returns the file, or {@code null} when there are no samples. */
    static Path write(Path dir, String name, String title, long[] micros) throws IOException {
        if (micros.length == 0) {
            return null;
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        if (!ImageIO.write(draw(title, micros), "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
        return file;
    }

    /** The directory of {@value #OUT_PROPERTY}, or {@code target/bench} of the working directory. */
    static Path outputDir() {
        return Path.of(System.getProperty(OUT_PROPERTY, "target/bench")).toAbsolutePath();
    }

    /** Draws the distribution of {@code micros} (at least one sample). */
    static BufferedImage draw(String title, long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        BenchStats.Summary s = BenchStats.Summary.of(sorted);
        Axis axis = Axis.of(sorted, s);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int[] bins = new int[BINS];
            for (long v : sorted) {
                if (v <= axis.max()) {
                    bins[(int) Math.min(BINS - 1, (v - axis.min()) * BINS / (axis.max() - axis.min()))]++;
                }
            }
            // A quarter of headroom above the highest bar keeps the percentile labels off the bars.
            long top = Arrays.stream(bins).max().orElse(1) * 5L / 4 + 1;
            long countStep = niceStep(Math.max(1, top / 5));
            long countMax = Math.max(countStep, ceil(top, countStep));
            grid(g, axis, countStep, countMax);
            histogram(g, axis, bins, countMax);
            cdf(g, axis, sorted);
            percentile(g, axis, s.p50(), "p50 " + ms(s.p50()) + " ms", 0);
            percentile(g, axis, s.p99(), "p99 " + ms(s.p99()) + " ms", 1);
            frame(g, axis, countStep, countMax);
            text(g, title, s, axis);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void grid(Graphics2D g, Axis axis, long countStep, long countMax) {
        g.setColor(GRID);
        for (long c = countStep; c <= countMax; c += countStep) {
            int y = yCount(c, countMax);
            g.drawLine(LEFT, y, RIGHT, y);
        }
        for (long t = axis.min() + axis.step(); t < axis.max(); t += axis.step()) {
            int x = x(t, axis);
            g.drawLine(x, TOP, x, BOTTOM);
        }
    }

    private static void histogram(Graphics2D g, Axis axis, int[] bins, long countMax) {
        g.setColor(BARS);
        double width = (double) (RIGHT - LEFT) / BINS;
        for (int i = 0; i < BINS; i++) {
            if (bins[i] > 0) {
                int x0 = LEFT + (int) Math.round(i * width);
                int x1 = LEFT + (int) Math.round((i + 1) * width);
                int y = yCount(bins[i], countMax);
                g.fillRect(x0, y, Math.max(1, x1 - x0 - 1), BOTTOM - y);
            }
        }
    }

    private static void cdf(Graphics2D g, Axis axis, long[] sorted) {
        Path2D.Double line = new Path2D.Double();
        line.moveTo(x(axis.min(), axis), BOTTOM);
        int n = sorted.length;
        for (int i = 0; i < n && sorted[i] <= axis.max(); i++) {
            double x = x(sorted[i], axis);
            line.lineTo(x, yFraction((double) i / n));
            line.lineTo(x, yFraction((double) (i + 1) / n));
        }
        int inside = n - axis.beyond();
        line.lineTo(RIGHT, yFraction((double) inside / n));
        g.setColor(CDF);
        g.setStroke(new BasicStroke(2f));
        g.draw(line);
        g.setStroke(new BasicStroke(1f));
    }

    private static void percentile(Graphics2D g, Axis axis, long value, String label, int row) {
        if (value > axis.max()) {
            return;
        }
        int x = x(value, axis);
        g.setColor(AXES);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f},
                0f));
        g.drawLine(x, TOP, x, BOTTOM);
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        FontMetrics fm = g.getFontMetrics();
        int w = fm.stringWidth(label);
        int tx = x + 4 + w <= RIGHT ? x + 4 : x - 4 - w;
        int ty = TOP + 14 + row * 16;
        g.setColor(Color.WHITE);
        g.fillRect(tx - 2, ty - fm.getAscent(), w + 4, fm.getHeight());
        g.setColor(AXES);
        g.drawString(label, tx, ty);
    }

    private static void frame(Graphics2D g, Axis axis, long countStep, long countMax) {
        g.setColor(AXES);
        g.drawRect(LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (long t = axis.min(); t <= axis.max(); t += axis.step()) {
            int x = x(t, axis);
            g.drawLine(x, BOTTOM, x, BOTTOM + 4);
            String label = ms(t);
            g.drawString(label, x - fm.stringWidth(label) / 2, BOTTOM + 16);
        }
        for (long c = 0; c <= countMax; c += countStep) {
            int y = yCount(c, countMax);
            g.drawLine(LEFT - 4, y, LEFT, y);
            String label = Long.toString(c);
            g.drawString(label, LEFT - 7 - fm.stringWidth(label), y + 4);
        }
        g.setColor(CDF);
        for (int p = 0; p <= 100; p += 25) {
            int y = yFraction(p / 100.0);
            g.drawLine(RIGHT, y, RIGHT + 4, y);
            g.drawString(p + " %", RIGHT + 7, y + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        g.setColor(AXES);
        String xLabel = "latency (ms)";
        g.drawString(xLabel, (LEFT + RIGHT - fm.stringWidth(xLabel)) / 2, HEIGHT - 16);
        vertical(g, "samples per bin of " + ms((axis.max() - axis.min()) / BINS) + " ms", 18, AXES);
        vertical(g, "cumulative share of samples (CDF)", WIDTH - 12, CDF);
    }

    private static void vertical(Graphics2D g, String label, int x, Color color) {
        AffineTransform saved = g.getTransform();
        FontMetrics fm = g.getFontMetrics();
        g.rotate(-Math.PI / 2);
        g.setColor(color);
        g.drawString(label, -(TOP + BOTTOM + fm.stringWidth(label)) / 2, x);
        g.setTransform(saved);
    }

    private static void text(Graphics2D g, String title, BenchStats.Summary s, Axis axis) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String line = "n = " + s.n() + ", p50 " + ms(s.p50()) + " ms, p99 " + ms(s.p99()) + " ms, max " + ms(s.max())
                + " ms" + (axis.beyond() > 0 ? "; " + axis.beyond() + " beyond the right edge" : "");
        g.setColor(AXES);
        g.drawString(line, LEFT, 42);
    }

    private static int x(long micros, Axis axis) {
        return LEFT + (int) Math.round((double) (micros - axis.min()) * (RIGHT - LEFT) / (axis.max() - axis.min()));
    }

    private static int yCount(long count, long countMax) {
        return BOTTOM - (int) Math.round((double) count * (BOTTOM - TOP) / countMax);
    }

    private static int yFraction(double f) {
        return BOTTOM - (int) Math.round(f * (BOTTOM - TOP));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static long niceStep(long raw) {
        long p = 1;
        while (p * 10 <= raw && p <= Long.MAX_VALUE / 100) {
            p *= 10;
        }
        for (long f : new long[] {1, 2, 5, 10}) {
            if (f * p >= raw) {
                return f * p;
            }
        }
        return 10 * p;
    }

    private static long ceil(long v, long step) {
        return Math.floorDiv(v + step - 1, step) * step;
    }

    /** The number of samples at or below {@code v}. */
    private static int upperBound(long[] sorted, long v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Microseconds as milliseconds, as few decimals as needed (at most three). */
    static String ms(long micros) {
        String s = String.format(Locale.ROOT, "%.3f", micros / 1000.0);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
