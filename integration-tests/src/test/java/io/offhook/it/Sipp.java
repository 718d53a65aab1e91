package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bounded sipp 3.6 run of one scenario for one {@link UserAgent}, over UDP on 127.0.0.1: either in the
 * foreground ({@link Run#runToEnd}: waits for it and fails unless sipp exits 0) or in the background
 * ({@link Run#start}: a user agent server is awaited listening before it returns; {@link #awaitSuccess()} later).
 *
 * <p>Every run is bounded: {@code -m} calls, {@code -timeout} (20 s unless told) with {@code -timeout_error}, and
 * {@code -nostdin}; the scenario's keys {@code user}, {@code contact}, {@code rtp_port} and {@code expires} (3600)
 * are always given, as the lab's script does. Each run writes its screen and its error log into a directory of its
 * own, which a failure message quotes.
 */
final class Sipp implements AutoCloseable {
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(10);
    /** Grace beyond sipp's own -timeout before the test gives up on it. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(15);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String name;
    private final Path dir;
    private final Path log;
    private final Process process;
    private final Duration timeout;
    private boolean closed;

    private Sipp(String name, Path dir, Process process, Duration timeout) {
        this.name = name;
        this.dir = dir;
        this.log = dir.resolve("sipp.log");
        this.process = process;
        this.timeout = timeout;
    }

    /** A run of {@code scenario} as the device {@code ua}; one call unless told otherwise. */
    static Run of(Path scenario, UserAgent ua) {
        return new Run(scenario, ua);
    }

    /** A run of one of the lab's scenarios ({@code lab/sipp/NAME}). */
    static Run lab(String scenario, UserAgent ua) {
        return of(Lab.scenario(scenario), ua);
    }

    /** What one sipp run does; each setter returns this run. */
    static final class Run {
        private final Path scenario;
        private final UserAgent ua;
        private final Map<String, String> keys = new LinkedHashMap<>();
        private final List<String> extra = new ArrayList<>();
        private int calls = 1;
        private int pauseMillis;
        private int rate;
        private int proxyPort = -1;
        private Duration timeout = Duration.ofSeconds(20);

        private Run(Path scenario, UserAgent ua) {
            this.scenario = Objects.requireNonNull(scenario, "scenario");
            this.ua = Objects.requireNonNull(ua, "ua");
            keys.put("user", ua.user());
            keys.put("contact", ua.contact());
            keys.put("rtp_port", Integer.toString(ua.mediaPort()));
            keys.put("expires", "3600");
        }

        /** A user agent client: sends its first request to the proxy at 127.0.0.1:{@code port}. */
        Run to(int port) {
            this.proxyPort = port;
            return this;
        }

        /** {@code -m}: the run ends after this many calls. */
        Run calls(int n) {
            this.calls = n;
            return this;
        }

        /** {@code -d}: the length of the scenario's {@code <pause/>} (ring time of callees, talk time of callers). */
        Run pause(int millis) {
            this.pauseMillis = millis;
            return this;
        }

        /** {@code -r}: new calls per second (sipp's default is 10). */
        Run rate(int callsPerSecond) {
            this.rate = callsPerSecond;
            return this;
        }

        /** {@code -key}: a value the scenario uses as {@code [name]}. */
        Run key(String name, String value) {
            keys.put(name, value);
            return this;
        }

        /**
         * Further sipp options, added after the usual ones (benchmarks: {@code -inf FILE} for an injection file,
         * {@code -l N} to bound concurrent calls).
         */
        Run args(String... options) {
            extra.addAll(List.of(options));
            return this;
        }

        /** {@code -timeout}: the whole run's bound (20 s unless told). */
        Run timeout(Duration d) {
            this.timeout = d;
            return this;
        }

        /** Runs sipp to its end in {@code workDir} and fails, quoting its logs, unless it exits 0. */
        void runToEnd(Path workDir) throws IOException {
            try (Sipp sipp = launch(workDir)) {
                sipp.awaitSuccess();
            }
        }

        /**
         * Starts sipp in the background in {@code workDir}. A user agent server (no proxy given) is awaited until
         * it listens on its port, so that a caller started next finds it. The caller must {@link Sipp#close()} it.
         */
        Sipp start(Path workDir) throws IOException {
            Sipp sipp = launch(workDir);
            if (proxyPort < 0) {
                try {
                    sipp.awaitListening(ua.port());
                } catch (RuntimeException | Error e) {
                    sipp.close();
                    throw e;
                }
            }
            return sipp;
        }

        private Sipp launch(Path workDir) throws IOException {
            String scenarioName = scenario.getFileName().toString().replaceFirst("\\.xml$", "");
            String name = ua.user() + ":" + ua.port() + " " + scenarioName;
            Path dir = Files.createDirectories(workDir.resolve(String.format(Locale.ROOT, "sipp-%03d-%s-%s",
                    RUNS.incrementAndGet(), ua.user(), scenarioName)));
            List<String> cmd = new ArrayList<>(List.of(Lab.sipp().toString(), "-sf", scenario.toString(),
                    "-t", "u1", "-i", "127.0.0.1", "-p", Integer.toString(ua.port()),
                    "-mp", Integer.toString(ua.mediaPort()), "-m", Integer.toString(calls),
                    "-d", Integer.toString(pauseMillis), "-timeout", timeout.toSeconds() + "s", "-timeout_error",
                    "-nostdin", "-trace_err"));
            if (rate > 0) {
                cmd.addAll(List.of("-r", Integer.toString(rate)));
            }
            for (Map.Entry<String, String> k : keys.entrySet()) {
                cmd.addAll(List.of("-key", k.getKey(), k.getValue()));
            }
            cmd.addAll(extra);
            if (proxyPort >= 0) {
                cmd.add("127.0.0.1:" + proxyPort);
            }
            Files.writeString(dir.resolve("command"), String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sipp.log").toFile())
                    .start();
            Processes.started(p);
            return new Sipp(name, dir, p, timeout);
        }
    }

    /** Whether sipp is still running. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for sipp to end (its own timeout plus a grace) and fails, quoting its logs, unless it exited 0. */
    void awaitSuccess() {
        boolean ended;
        try {
            ended = process.waitFor(timeout.plus(EXIT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for sipp " + name, e);
        }
        if (!ended) {
            close();
            fail("sipp " + name + " did not end within " + timeout.plus(EXIT_GRACE).toSeconds() + " s; killed\n"
                    + logs());
        }
        if (process.exitValue() != 0) {
            fail("sipp " + name + " failed (exit " + process.exitValue() + ")\n" + logs());
        }
    }

    private void awaitListening(int port) {
        Await.until(LISTEN_TIMEOUT, () -> {
            if (!process.isAlive()) {
                fail("sipp " + name + " exited at start (exit " + process.exitValue() + ")\n" + logs());
            }
            return UdpSockets.bound(port);
        }, () -> "sipp " + name + " not listening on 127.0.0.1:" + port + "\n" + logs());
    }

    /** Its screen and error log, for failure messages. */
    String logs() {
        StringBuilder b = new StringBuilder("--- ").append(log).append('\n').append(Processes.tail(log, 30));
        try (DirectoryStream<Path> errors = Files.newDirectoryStream(dir, "*_errors.log")) {
            for (Path e : errors) {
                b.append("\n--- ").append(e).append('\n').append(Processes.tail(e, 40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }

    /** Stops sipp by its PID if it still runs, and waits until it is gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!Processes.stop(process.toHandle())) {
            throw new IllegalStateException("sipp " + name + " (pid " + process.pid() + ") did not stop");
        }
    }

    @Override
    public String toString() {
        return "sipp " + name + " (pid " + process.pid() + ")";
    }
}
