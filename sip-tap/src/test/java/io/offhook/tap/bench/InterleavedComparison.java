package io.offhook.tap.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two builds of the tap side by side in one JVM: one {@link TapPathBenchmark} method of each, run in alternating
 * rounds on one thread, timed by that thread's CPU time; prints the median cost per datagram of each and the
 * median of the per-round ratios.
 *
 * <p>Why: JMH runs of one build after the other move by 5% and more on this shared machine, more than one change to
 * the scanner or the tracker gains. Within one JVM and one minute, alternating rounds see the same machine, and the
 * ratio of two neighbouring rounds cancels most of what the machine does to both. Each build has its own class
 * loader, so each is compiled by the JIT as it would be alone. The calls go through reflection, which adds the
 * same few nanoseconds to both sides: read the ratio, not the absolute numbers.
 *
 * <p>Run: {@code scripts/bench interleave OTHER_CHECKOUT [METHOD [ROUNDS [DATAGRAMS_PER_ROUND]]]}, where
 * OTHER_CHECKOUT is another worktree of this repository with {@code mvn -pl sip-tap -am test-compile} done in it
 * (e.g. {@code git worktree add /tmp/base HEAD~1}); "A" is that checkout, "B" this one. Defaults: {@code offhook},
 * 60 rounds, 100,000 datagrams per round. An A/A run (a checkout against itself) shows the noise floor.
 */
public final class InterleavedComparison {
    private static final int WARM_UP_ROUNDS = 10;

    private InterleavedComparison() {
    }

    /**
     * @param args the other checkout, this checkout, the classpath file of the dependencies, then optionally the
     *     method, the rounds and the datagrams per round
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: OTHER_CHECKOUT THIS_CHECKOUT CLASSPATH_FILE"
                    + " [METHOD [ROUNDS [DATAGRAMS_PER_ROUND]]]");
        }
        String method = args.length > 3 ? args[3] : "offhook";
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 60;
        int perRound = args.length > 5 ? Integer.parseInt(args[5]) : 100_000;
        if (rounds < 4 || rounds > 10_000 || perRound < 1 || perRound > 10_000_000) {
            throw new IllegalArgumentException("rounds 4..10,000, datagrams per round 1..10,000,000");
        }
        List<URL> dependencies = new ArrayList<>();
        for (String jar : Files.readString(Path.of(args[2])).trim().split(":")) {
            dependencies.add(Path.of(jar).toUri().toURL());
        }
        Object[] benchmarks = new Object[2];
        Method[] methods = new Method[2];
        for (int v = 0; v < 2; v++) {
            Path checkout = Path.of(args[v]);
            List<URL> urls = new ArrayList<>();
            urls.add(checkout.resolve("sip-tap/target/test-classes").toUri().toURL());
            urls.add(checkout.resolve("sip-tap/target/classes").toUri().toURL());
            urls.addAll(dependencies);
            ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            Class<?> type = loader.loadClass(TapPathBenchmark.class.getName());
            benchmarks[v] = type.getConstructor().newInstance();
            type.getField("copies").setInt(benchmarks[v], 200);
            type.getMethod("setUp").invoke(benchmarks[v]);
            methods[v] = type.getMethod(method);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] nanos = new double[2][rounds];
        for (int r = -WARM_UP_ROUNDS; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                int v = (r & 1) == 0 ? k : 1 - k; // which goes first alternates too
                long before = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < perRound; i++) {
                    methods[v].invoke(benchmarks[v]);
                }
                long after = threads.getCurrentThreadCpuTime();
                if (r >= 0) {
                    nanos[v][r] = (after - before) / (double) perRound;
                }
            }
        }
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = nanos[1][r] / nanos[0][r];
        }
        Arrays.sort(ratios);
        Arrays.sort(nanos[0]);
        Arrays.sort(nanos[1]);
        System.out.printf(Locale.ROOT, "%s, %d rounds of %,d datagrams: A (%s) median %.1f ns, B (%s) median %.1f ns;"
                        + " B/A median %.4f (quartiles %.4f - %.4f)%n", method, rounds, perRound, args[0],
                nanos[0][rounds / 2], args[1], nanos[1][rounds / 2], ratios[rounds / 2], ratios[rounds / 4],
                ratios[3 * rounds / 4]);
    }
}
