package io.offhook.it;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * What the benchmarks ({@link BenchPresenceLatency}, {@link BenchFanOut}) share: percentiles, the conversion of
 * {@link System#nanoTime()} stamps (what {@link Watcher} records) to the epoch microseconds of packet captures and of
 * Offhook's own latency, and CPU time read from {@code /proc} and from the JVM.
 */
final class BenchStats {
    /** The kernel's USER_HZ: the unit of utime and stime in {@code /proc/PID/stat}, 100 on every Linux we run. */
    private static final long USER_HZ = 100;
    private static final int OFFSET_READINGS = 200;

    private BenchStats() {
    }

    /** Percentiles of a set of samples, in the samples' unit; nearest rank, as {@link io.offhook.app.Latency}. */
    record Summary(int n, long p50, long p99, long max) {
        static Summary of(long[] samples) {
            if (samples.length == 0) {
                return new Summary(0, 0, 0, 0);
            }
            long[] sorted = samples.clone();
            Arrays.sort(sorted);
            return new Summary(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]);
        }

        static Summary of(List<Long> samples) {
            return of(samples.stream().mapToLong(Long::longValue).toArray());
        }

        private static long rank(long[] sorted, double q) {
            return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
        }

        /** {@code p50 / p99 / max} of microsecond samples, in milliseconds with two decimals. */
        String millis() {
            return n == 0 ? "-" : ms(p50) + " / " + ms(p99) + " / " + ms(max);
        }
    }

    /** Microseconds as milliseconds with two decimals. */
    static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    /** Now, in microseconds since the epoch (the clock of pcap timestamps and of Offhook's latency). */
    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /**
     * The offset to add to {@code nanoTime / 1000} to get epoch microseconds: of {@value #OFFSET_READINGS} readings
     * of the real-time clock, the one most tightly bracketed by two {@code nanoTime} readings.
     */
    static long nanoToEpochMicros() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < OFFSET_READINGS; i++) {
            long before = System.nanoTime();
            long epoch = epochMicros();
            long after = System.nanoTime();
            if (after - before < best) {
                best = after - before;
                offset = epoch - (before + (after - before) / 2) / 1000;
            }
        }
        return offset;
    }

    /** utime + stime of one process from {@code /proc/PID/stat}, in microseconds (10 ms resolution). */
    static long processCpuMicros(long pid) {
        return statMicros(Long.toString(pid), 11);
    }

    /**
     * cutime + cstime of this JVM from {@code /proc/self/stat}: the CPU time of its child processes that ended and
     * were waited for, in microseconds (10 ms resolution). Its growth over a phase is what the processes that ended
     * in it used, e.g. the sipp runs of the phase (once ended, a process's own stat is gone).
     */
    static long reapedChildrenCpuMicros() {
        return statMicros("self", 13);
    }

    /**
     * How many datagrams the kernel dropped, since each socket was opened, at the IPv4 UDP sockets bound to local
     * {@code port} ({@code /proc/net/udp}, last column: a full receive buffer, i.e. the socket's reader was too
     * slow). Tells a datagram lost before its reader (Offhook's HEP listener, Kamailio) from one lost after.
     */
    static long udpDrops(int port) {
        try {
            return udpDrops(Files.readAllLines(Path.of("/proc/net/udp"), StandardCharsets.US_ASCII), port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/net/udp: " + e, e);
        }
    }

    /** {@link #udpDrops(int)} over the lines of {@code /proc/net/udp}. */
    static long udpDrops(List<String> lines, int port) {
        long sum = 0;
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            int colon = f.length > 1 ? f[1].indexOf(':') : -1;
            if (f.length < 13 || colon < 0 || !f[0].endsWith(":")) {
                continue; // the header, or a line of another layout
            }
            if (Integer.parseInt(f[1].substring(colon + 1), 16) == port) {
                sum += Long.parseLong(f[f.length - 1]);
            }
        }
        return sum;
    }

    /** Two adjacent clock-tick fields of {@code /proc/PROC/stat}, counted from the state field, in µs. */
    private static long statMicros(String proc, int first) {
        try {
            String stat = Files.readString(Path.of("/proc", proc, "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold blanks: count fields after its ")".
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[first]) + Long.parseLong(f[first + 1]);
            return ticks * 1_000_000L / USER_HZ;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the CPU time of process " + proc + ": " + e, e);
        }
    }

    /** {@link #processCpuMicros} of a process and every process it started (Kamailio's workers). */
    static long treeCpuMicros(long pid) {
        long sum = processCpuMicros(pid);
        for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
            try {
                sum += processCpuMicros(child.pid());
            } catch (IllegalStateException gone) {
                // a child that ended between listing and reading: its time is lost, as it would be anyway
            }
        }
        return sum;
    }

    /** CPU time of this JVM process, in microseconds. */
    static long jvmCpuMicros() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1000;
        }
        throw new IllegalStateException("this JVM does not report its process CPU time");
    }

    /**
     * CPU time of this JVM's threads whose names {@code threads} accepts, per thread id, in microseconds; the
     * difference of two readings is what those threads used in between (a thread that ended in between is lost).
     */
    static Map<Long, Long> threadCpuMicros(Predicate<String> threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (threads.test(t.getName())) {
                long nanos = mx.getThreadCpuTime(t.getId());
                if (nanos >= 0) {
                    out.put(t.getId(), nanos / 1000);
                }
            }
        }
        return out;
    }

    /** What the threads of {@code after} used since {@code before}, in microseconds. */
    static long threadCpuSince(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    /** Offhook's own threads: the engine, the XMPP connection, the HEP listener, its scheduler. */
    static boolean isOffhookThread(String name) {
        return name.startsWith("offhook-") || name.startsWith("xmpp-") || name.startsWith("hep-listener");
    }

    /**
     * Deletes a benchmark's work directory after a run that completed, unless {@code -Doffhook.bench.keep} is set
     * ({@code KEEP_WORK=1 scripts/bench ...}); a failed run keeps it for its logs.
     */
    static void cleanUp(Path work) throws IOException {
        if (!System.getProperty("offhook.bench.keep", "").isEmpty()) {
            System.out.println("Kept " + work);
            return;
        }
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. Never fails. */
    static boolean awaitQuietly(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Await.pause();
        }
        return true;
    }
}
