package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlotTest {
    @TempDir
    Path dir;

    /** Latencies around 2 ms with a tail to 40 ms, like a loaded phase of presence-latency. */
    static long[] samples(int n) {
        Random r = new Random(7);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (long) (2_000 * Math.exp(0.35 * r.nextGaussian()));
        }
        out[n - 1] = 40_000;
        return out;
    }

    static int pixels(BufferedImage image, Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff) ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void writesADecodablePngOfTheExpectedSizeWithBarsAndACdf() throws IOException {
        Path png = BenchPlot.write(dir.resolve("plots"), "latency", "200 OK -> watcher", samples(3000));
        assertEquals(dir.resolve("plots/latency.png"), png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO decodes it");
        assertEquals(BenchPlot.WIDTH, image.getWidth());
        assertEquals(BenchPlot.HEIGHT, image.getHeight());
        assertTrue(pixels(image, BenchPlot.BARS) > 10_000, "histogram bars: " + pixels(image, BenchPlot.BARS));
        assertTrue(pixels(image, BenchPlot.CDF) > 300, "the CDF line: " + pixels(image, BenchPlot.CDF));
        assertTrue(Files.size(png) < 100_000, Files.size(png) + " bytes");
    }

    @Test
    void aLongTailEndsTheAxisAfterTheP99AndIsCounted() {
        long[] sorted = samples(3000);
        java.util.Arrays.sort(sorted);
        BenchStats.Summary s = BenchStats.Summary.of(sorted);
        BenchPlot.Axis axis = BenchPlot.Axis.of(sorted, s);
        assertEquals(0, axis.min());
        assertTrue(axis.max() >= s.p99() && axis.max() < 40_000, axis.toString());
        assertEquals(java.util.Arrays.stream(sorted).filter(v -> v > axis.max()).count(), axis.beyond());
        assertTrue(axis.beyond() >= 1 && axis.beyond() <= 30, "at most the 1 % past the p99: " + axis.beyond());
        BenchPlot.Axis all = BenchPlot.Axis.of(new long[] {100, 200, 900}, BenchStats.Summary.of(new long[] {100,
            200, 900}));
        assertEquals(new BenchPlot.Axis(0, 1000, 200, 0), all);
    }

    @Test
    void noSamplesNoPlot() throws IOException {
        assertNull(BenchPlot.write(dir, "empty", "nothing", new long[0]));
        assertEquals(0, Files.list(dir).count());
    }

    @Test
    void niceStepsAndMilliseconds() {
        assertEquals(1, BenchPlot.niceStep(1));
        assertEquals(200, BenchPlot.niceStep(150));
        assertEquals(500, BenchPlot.niceStep(300));
        assertEquals(1000, BenchPlot.niceStep(501));
        assertEquals("1.25", BenchPlot.ms(1250));
        assertEquals("40", BenchPlot.ms(40_000));
        assertEquals("0.001", BenchPlot.ms(1));
    }
}
