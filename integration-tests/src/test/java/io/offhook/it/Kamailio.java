package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One Kamailio 5.6 from the lab's config template ({@code lab/kamailio/kamailio.cfg.template}): registrar and
 * stateful proxy on a free UDP+TCP port of 127.0.0.1, mirroring every message it receives or sends as HEPv3 to
 * {@code 127.0.0.1:hepPort}, over UDP or (siptrace {@code duplicate_uri} with {@code ;transport=tcp}) over TCP.
 *
 * <p>It runs in the foreground ({@code -DD -E}) with its config, pid file and runtime directory in a directory of
 * its own, so several can run side by side; {@link #start} returns once it answers SIP, and {@link #close()} stops
 * the PID from its pid file (and its worker processes), whatever state the test left it in.
 */
final class Kamailio implements AutoCloseable {
    /** How HEP leaves Kamailio. */
    enum HepTransport { UDP, TCP }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int PROBE_WAIT_MILLIS = 200;
    private static final Pattern ERROR_LINE = Pattern.compile(".* (ERROR|CRITICAL|ALERT|BUG):.*");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Path dir;
    private final Path log;
    private final Path pidFile;
    private final int sipPort;
    private final int sharedMemoryMegabytes;
    private final Process process;
    private int probes;
    private boolean closed;

    private Kamailio(Path dir, int sipPort, int sharedMemoryMegabytes, Process process) {
        this.dir = dir;
        this.log = dir.resolve("kamailio.log");
        this.pidFile = dir.resolve("run/kamailio.pid");
        this.sipPort = sipPort;
        this.sharedMemoryMegabytes = sharedMemoryMegabytes;
        this.process = process;
    }

    /**
     * Writes the config into {@code dir}, starts Kamailio and waits until it answers an OPTIONS on its SIP port.
     *
     * @param sharedMemoryMegabytes Kamailio's {@code -m}: 64 for calls, more for a flood of open transactions
     */
    static Kamailio start(Path dir, int hepPort, HepTransport hepTransport, int sharedMemoryMegabytes)
            throws IOException {
        Objects.requireNonNull(hepTransport, "hepTransport");
        String hepTarget = hepPort + (hepTransport == HepTransport.TCP ? ";transport=tcp" : "");
        return start(dir, Lab.kamailioTemplate(), Map.of("HEP_PORT", hepTarget), sharedMemoryMegabytes);
    }

    /**
     * Writes {@code template} (the lab's, or another config such as a peer's presence gateway for the benchmarks)
     * into {@code dir} with {@code @SIP_PORT@} replaced by a free port and each {@code @NAME@} of {@code values} by
     * its value, starts Kamailio and waits until it answers an OPTIONS on its SIP port.
     */
    static Kamailio start(Path dir, Path template, Map<String, String> values, int sharedMemoryMegabytes)
            throws IOException {
        Path binary = Lab.kamailio();
        Files.createDirectories(dir.resolve("run"));
        int sipPort = FreePorts.one();
        String config = Files.readString(template, StandardCharsets.UTF_8)
                .replace("@SIP_PORT@", Integer.toString(sipPort));
        for (Map.Entry<String, String> e : values.entrySet()) {
            config = config.replace("@" + e.getKey() + "@", e.getValue());
        }
        Files.writeString(dir.resolve("kamailio.cfg"), config, StandardCharsets.UTF_8);
        return launch(binary, dir, sipPort, sharedMemoryMegabytes);
    }

    /**
     * Like {@link #start}, from another config template (a test's own): {@code @SIP_PORT@} gets a free port, every
     * other placeholder in {@code placeholders} its value. No HEP unless that template mirrors it.
     */
    static Kamailio startWith(Path template, Path dir, Map<String, String> placeholders) throws IOException {
        Path binary = Lab.kamailio();
        Files.createDirectories(dir.resolve("run"));
        int sipPort = FreePorts.one();
        String config = Files.readString(template, StandardCharsets.UTF_8)
                .replace("@SIP_PORT@", Integer.toString(sipPort));
        for (Map.Entry<String, String> p : placeholders.entrySet()) {
            config = config.replace(p.getKey(), p.getValue());
        }
        Files.writeString(dir.resolve("kamailio.cfg"), config, StandardCharsets.UTF_8);
        return launch(binary, dir, sipPort, 64);
    }

    /**
     * Stops this Kamailio and starts it again with the same config, on the same port (a proxy restart mid-call:
     * what it kept in memory, transactions and registrations, is gone). Returns the new one once it answers SIP.
     */
    Kamailio restart() throws IOException {
        close();
        return launch(Lab.kamailio(), dir, sipPort, sharedMemoryMegabytes);
    }

    private static Kamailio launch(Path binary, Path dir, int sipPort, int sharedMemoryMegabytes)
            throws IOException {
        Path run = dir.resolve("run").toAbsolutePath();
        Path cfg = dir.resolve("kamailio.cfg").toAbsolutePath();
        Files.deleteIfExists(run.resolve("kamailio.pid"));
        Path log = dir.resolve("kamailio.log");
        Process process = new ProcessBuilder(List.of(binary.toString(), "-DD", "-E", "-f", cfg.toString(),
                "-P", run.resolve("kamailio.pid").toString(), "-Y", run.toString(), "-w", run.toString(),
                "-m", Integer.toString(sharedMemoryMegabytes), "-M", "8"))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Processes.started(process);
        Kamailio k = new Kamailio(dir, sipPort, sharedMemoryMegabytes, process);
        try {
            k.awaitReady();
        } catch (IOException | RuntimeException | Error e) {
            k.close();
            throw e;
        }
        return k;
    }

    /** The UDP and TCP SIP port on 127.0.0.1. */
    int sipPort() {
        return sipPort;
    }

    /** Kamailio's PID (the one its pid file names). */
    long pid() {
        return process.pid();
    }

    /** The log lines Kamailio wrote at level ERROR or worse so far. */
    List<String> errors() {
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> ERROR_LINE.matcher(l).matches()).toList();
        } catch (IOException e) {
            return List.of("cannot read " + log + ": " + e);
        }
    }

    /** The end of Kamailio's log, for failure messages. */
    String logTail() {
        return Processes.tail(log, 40);
    }

    /**
     * Sends an OPTIONS with Call-ID {@code callId} and waits up to {@code timeout} for any answer. Kamailio's
     * config answers it itself (484, no user part), and mirrors both as HEP: a marker the tests can wait for.
     *
     * @return whether an answer came
     */
    boolean probe(String callId, Duration timeout) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            socket.setSoTimeout(PROBE_WAIT_MILLIS);
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[4096];
            do {
                byte[] options = options(callId, socket.getLocalPort());
                socket.send(new DatagramPacket(options, options.length, new InetSocketAddress(LOOPBACK, sipPort)));
                try {
                    socket.receive(new DatagramPacket(buffer, buffer.length));
                    return true;
                } catch (SocketTimeoutException e) {
                    if (!process.isAlive()) {
                        return false;
                    }
                }
            } while (System.nanoTime() - deadline < 0);
            return false;
        }
    }

    private byte[] options(String callId, int localPort) {
        probes++;
        String m = "OPTIONS sip:127.0.0.1:" + sipPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK-offhook-" + callId + "-" + probes
                + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@example.com>;tag=probe\r\n"
                + "To: <sip:127.0.0.1:" + sipPort + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + probes + " OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        return m.getBytes(StandardCharsets.US_ASCII);
    }

    private void awaitReady() throws IOException {
        if (!probe("offhook-kamailio-ready-" + sipPort, START_TIMEOUT)) {
            fail(process.isAlive()
                    ? "Kamailio (pid " + process.pid() + ") did not answer on 127.0.0.1:" + sipPort + " within "
                            + START_TIMEOUT.toSeconds() + " s; log " + log + ":\n" + logTail()
                    : "Kamailio exited at start (exit " + exitCode() + "); log " + log + ":\n" + logTail());
        }
        long named = pidFromFile();
        if (named != process.pid()) {
            fail("Kamailio's pid file " + pidFile + " names " + named + ", not the process started ("
                    + process.pid() + ")");
        }
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    private long pidFromFile() {
        try {
            return Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Stops Kamailio by its PID (the one its pid file names: {@link #start} checked they agree) and waits until it
     * and its worker processes are gone.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!Processes.stop(process.toHandle())) {
            throw new IllegalStateException("Kamailio (pid " + process.pid() + ", dir " + dir + ") did not stop");
        }
    }

    @Override
    public String toString() {
        return "Kamailio[127.0.0.1:" + sipPort + ", pid " + process.pid() + ", " + dir + "]";
    }
}
