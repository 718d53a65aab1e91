package io.offhook.tap.cli;

import io.offhook.tap.capture.LiveCapture;
import io.offhook.tap.capture.LiveCaptureConfig;
import io.offhook.tap.hep.HepConfig;
import io.offhook.tap.hep.HepListener;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code listen}: the live tap. Receives HEP from a proxy's mirror (and/or captures an interface), tracks every user
 * on this machine's clock, and prints each state change as a JSON line the moment it happens, until stopped.
 */
final class ListenCommand {
    static final String USAGE = """
            listen      receive HEP (and/or capture live) and print state changes as JSON lines until stopped
              --hep ADDR:PORT          where to listen for HEP v1/v2/v3 (default 127.0.0.1:9060; port 0 picks one)
              --hep-udp-only / --hep-tcp-only
              --no-hep                 no HEP listener (live capture only)
              --allow ADDR[/BITS]      accept HEP only from these senders (repeat; default: any)
              --hep-auth-key-file F    require this HEP auth key; the file must not be readable by others
              --capture IFACE          also capture SIP from a network interface (libpcap, needs root)
              --filter BPF             capture filter (default: port 5060 and IP fragments; a mirror's tunnel
                                       needs its own, e.g. "udp port 4789" for VXLAN, "proto gre" for ERSPAN)
              --all-events             print every event, not only state changes
              --asserted-identity      name the caller by P-Asserted-Identity when no registered device matches
            """;

    private final HepConfig hep;
    private final LiveCaptureConfig capture;
    private final boolean allEvents;
    private final TrackerConfig trackerConfig;

    private ListenCommand(HepConfig hep, LiveCaptureConfig capture, boolean allEvents, TrackerConfig trackerConfig) {
        this.hep = hep;
        this.capture = capture;
        this.allEvents = allEvents;
        this.trackerConfig = trackerConfig;
    }

    /** Parses the options after {@code listen}; errors name the option and the bad value. */
    static ListenCommand parse(List<String> args) {
        HepConfig hep = HepConfig.defaults();
        boolean useHep = true;
        List<String> allow = new ArrayList<>();
        String iface = null;
        String filter = LiveCaptureConfig.DEFAULT_FILTER;
        boolean all = false;
        boolean pai = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--hep" -> {
                    String v = value(args, ++i, a);
                    int colon = v.lastIndexOf(':');
                    if (colon < 0) {
                        throw new IllegalArgumentException("--hep needs ADDR:PORT, got '" + v + "'");
                    }
                    String host = v.substring(0, colon).replace("[", "").replace("]", "");
                    hep = hep.withBindAddress(host).withPort(port(v.substring(colon + 1), a));
                }
                case "--hep-udp-only" -> hep = hep.withTcp(false);
                case "--hep-tcp-only" -> hep = hep.withUdp(false);
                case "--no-hep" -> useHep = false;
                case "--allow" -> allow.add(value(args, ++i, a));
                case "--hep-auth-key-file" -> hep = hep.withAuthKey(readSecret(Path.of(value(args, ++i, a)), a));
                case "--capture" -> iface = value(args, ++i, a);
                case "--filter" -> filter = value(args, ++i, a);
                case "--all-events" -> all = true;
                case "--asserted-identity" -> pai = true;
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (!useHep && iface == null) {
            throw new IllegalArgumentException("--no-hep needs --capture IFACE: there would be nothing to listen to");
        }
        return new ListenCommand(useHep ? hep.withAllowList(allow) : null,
                iface == null ? null : LiveCaptureConfig.of(iface, filter), all,
                TrackerConfig.DEFAULTS.withUseAssertedIdentity(pai));
    }

    /** Sources started and a tick scheduled; closing stops everything. */
    final class Running implements AutoCloseable {
        final HepListener hepListener;
        final LiveCapture liveCapture;
        final ScheduledExecutorService ticker;
        final DropCounters drops;
        final JsonLinePrinter printer;

        Running(HepListener hepListener, LiveCapture liveCapture, ScheduledExecutorService ticker,
                DropCounters drops, JsonLinePrinter printer) {
            this.hepListener = hepListener;
            this.liveCapture = liveCapture;
            this.ticker = ticker;
            this.drops = drops;
            this.printer = printer;
        }

        @Override
        public void close() {
            if (hepListener != null) {
                hepListener.close();
            }
            if (liveCapture != null) {
                liveCapture.close();
            }
            ticker.shutdownNow();
        }
    }

    Running start(Writer out, PrintStream err, Clock clock) throws IOException {
        DropCounters drops = new DropCounters();
        JsonLinePrinter printer = new JsonLinePrinter(out, allEvents, true);
        TapPipeline pipeline = TapPipeline.onClock(new PhoneTracker(trackerConfig, printer, drops), drops,
                clock);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tap-ticker");
            t.setDaemon(true);
            return t;
        });
        HepListener hepListener = null;
        LiveCapture liveCapture = null;
        try {
            if (hep != null) {
                hepListener = new HepListener(hep, pipeline, drops, clock);
                hepListener.start();
                err.println("listen: HEP on " + hep.bindAddress()
                        + (hep.udpEnabled() ? " udp:" + hepListener.udpPort() : "")
                        + (hep.tcpEnabled() ? " tcp:" + hepListener.tcpPort() : "")
                        + (hep.allowList().isEmpty() ? ", from any sender" : ", from " + hep.allowList()));
            }
            if (capture != null) {
                liveCapture = new LiveCapture(capture, pipeline, drops);
                liveCapture.start();
                err.println("listen: capturing on " + capture.interfaceName() + " (" + capture.filter() + ")");
            }
        } catch (IOException | RuntimeException e) {
            if (hepListener != null) {
                hepListener.close();
            }
            ticker.shutdownNow();
            throw e;
        }
        ticker.scheduleAtFixedRate(pipeline::tick, 1, 1, TimeUnit.SECONDS);
        return new Running(hepListener, liveCapture, ticker, drops, printer);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int port(String v, String option) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": port is not a number: '" + v + "'");
        }
    }

    /** Reads a secret from a file that only its owner may read; the secret itself never appears in errors. */
    static String readSecret(Path file, String option) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException(option + ": " + file + " is readable by others; "
                        + "chmod 600 it (it holds a secret)");
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new IllegalArgumentException(option + ": " + file + " is empty");
            }
            return secret;
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException(option + ": cannot check the permissions of " + file);
        }
    }
}
