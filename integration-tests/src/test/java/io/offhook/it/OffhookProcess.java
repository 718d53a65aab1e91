package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code offhook} program as an operator runs it: its jar ({@code component/target/offhook.jar}), the shipped
 * Log4j config, a separate process whose output goes to a log file. Used by the tests of the program and by the
 * demo.
 */
final class OffhookProcess {
    /** How long the program may take to start, and to exit after SIGTERM. */
    static final Duration WAIT = Duration.ofSeconds(15);

    private OffhookProcess() {
    }

    /** The built jar; fails, saying how to build it, when it is missing. */
    static Path jar() {
        Path jar = XmppLab.etcFile("offhook.conf").getParent().getParent().resolve("component/target/offhook.jar");
        if (!Files.isRegularFile(jar)) {
            fail("no " + jar + ": build it first (mvn package)");
        }
        return jar;
    }

    /** Starts {@code offhook --config config extra...}, its stdout and stderr going to {@code log}. */
    static Process launch(Path config, Path log, String... extra) throws IOException {
        return launch(config, XmppLab.etcFile("log4j2.xml"), log, extra);
    }

    /** {@link #launch(Path, Path, String...)} with a Log4j config of the test's own. */
    static Process launch(Path config, Path log4jConfig, Path log, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dlog4j2.configurationFile=" + log4jConfig, "-jar",
                jar().toString(), "--config", config.toString()));
        command.addAll(List.of(extra));
        return Processes.started(
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    /** Launches the program and waits until it says it is running; stopped (forcibly if need be) when it is not. */
    static Process startRunning(Path config, Path log) throws IOException, InterruptedException {
        Process offhook = launch(config, log);
        try {
            Await.until(WAIT, () -> Processes.tail(log, 200).contains("Offhook running"),
                    () -> "offhook did not start:\n" + Processes.tail(log, 40));
            return offhook;
        } catch (RuntimeException | Error e) {
            stop(offhook);
            throw e;
        }
    }

    /** SIGTERM, then SIGKILL if the program has not exited within {@link #WAIT}; true if it exited on SIGTERM. */
    static boolean stop(Process offhook) throws InterruptedException {
        offhook.destroy();
        if (offhook.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            return true;
        }
        offhook.destroyForcibly();
        return false;
    }
}
