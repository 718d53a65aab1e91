package io.offhook.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stopping a process by its PID and reading its log: what the process wrappers share. Every process they start is
 * {@link #started registered}, so that one the tests or a benchmark did not stop themselves (the JVM ended by
 * SIGTERM or Ctrl-C, a failure in a set-up) is still stopped, with everything it started, when the JVM ends.
 */
final class Processes {
    static final long STOP_MILLIS = 5_000;

    /** Started and not yet ended; each leaves the set when it ends, however it was stopped. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Processes::stopRunning, "stop-lab-processes"));
    }

    private Processes() {
    }

    /** Registers a process just started, to be stopped when the JVM ends if nobody stopped it before. */
    static Process started(Process process) {
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        return process;
    }

    /** The shutdown hook: whatever is still running is stopped as {@link #stop} does, all at once. */
    private static void stopRunning() {
        List<Thread> stoppers = new ArrayList<>();
        for (Process p : List.copyOf(RUNNING)) {
            Thread t = new Thread(() -> stop(p.toHandle()), "stop-" + p.pid());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join(3 * STOP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops the process and everything it started: SIGTERM to the process, awaited; SIGKILL to whatever is still
     * alive after {@link #STOP_MILLIS}, awaited too. Returns whether everything is gone.
     */
    static boolean stop(ProcessHandle process) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process);
        process.descendants().forEach(all::add);
        process.destroy();
        if (!awaitExit(process, STOP_MILLIS)) {
            process.destroyForcibly();
        }
        boolean gone = true;
        for (ProcessHandle p : all) {
            if (!awaitExit(p, STOP_MILLIS)) {
                p.destroyForcibly();
                gone &= awaitExit(p, STOP_MILLIS);
            }
        }
        return gone;
    }

    private static boolean awaitExit(ProcessHandle p, long millis) {
        if (!p.isAlive()) {
            return true;
        }
        try {
            p.onExit().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** The last {@code lines} lines of a log file, or a note saying why there are none. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e + ")";
        }
    }
}
