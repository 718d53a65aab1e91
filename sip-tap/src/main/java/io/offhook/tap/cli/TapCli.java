package io.offhook.tap.cli;

import io.offhook.tap.capture.CaptureFormatException;
import io.offhook.tap.capture.CaptureReader;
import io.offhook.tap.capture.CaptureSummary;
import io.offhook.tap.capture.ReassemblyLimits;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.timeline.Timeline;
import io.offhook.tap.timeline.TimelineLimits;
import io.offhook.tap.timeline.TimelineRecorder;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The tap's command line. {@code replay FILE...} reads pcap/pcapng captures (plain SIP or HEP) in the order given,
 * tracks every user on packet time, and prints one JSON object per line on stdout for each change of a user's
 * aggregate state ({@code --all-events}: every event, refreshes included). Everything else goes to stderr, so the
 * output can be piped into other tools. {@code --timeline OUT.html} also draws every user's state over time in one
 * HTML page, with the SIP message behind each change.
 *
 * <p>Exit status: 0 when every file was read, 1 when a file could not be read or is not a capture (the others are
 * still replayed) or the timeline could not be written, 2 for a usage error.
 */
public final class TapCli {
    static final String USAGE = """
            usage: offhook-tap replay [--all-events] [--progress] [--asserted-identity] [--timeline OUT.html] FILE...
                   offhook-tap listen [OPTIONS]
                   offhook-tap --version | --help

            replay      read pcap/pcapng captures (plain SIP over UDP/TCP, or HEP) and print each user's
                        phone-state changes as JSON lines on stdout; a summary of drops goes to stderr
            --all-events  print every event (registration refreshes, re-INVITEs...), not only state changes
            --progress    report progress on stderr while reading large captures
            --asserted-identity  name the caller by P-Asserted-Identity (RFC 3325) when no registered
                          device matches, instead of From (networks that hide the caller in From)
            --timeline OUT.html  also draw each user's state over time in one self-contained HTML page
                          (hover a change for the SIP message behind it); stdout is unchanged

            """ + ListenCommand.USAGE;

    private TapCli() {
    }

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:offhook-tap-cli-log4j2.xml");
        }
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        Writer out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), 1 << 16);
        int status = run(args, out, err);
        try {
            out.flush();
        } catch (IOException e) {
            err.println("offhook-tap: cannot write output: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /** Runs the command line; returns the exit status. */
    static int run(String[] args, Writer out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : new PrintStream(new FileOutputStream(FileDescriptor.out), true,
                    StandardCharsets.UTF_8)).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version")) {
            String v = TapCli.class.getPackage().getImplementationVersion();
            err.println("offhook-tap " + (v == null ? "(development build)" : v));
            return 0;
        }
        if (args[0].equals("listen")) {
            return listen(List.of(args).subList(1, args.length), out, err);
        }
        if (!args[0].equals("replay")) {
            err.println("offhook-tap: unknown command '" + args[0] + "'");
            err.print(USAGE);
            return 2;
        }
        boolean allEvents = false;
        boolean progress = false;
        boolean assertedIdentity = false;
        Path timeline = null;
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--all-events" -> allEvents = true;
                case "--progress" -> progress = true;
                case "--asserted-identity" -> assertedIdentity = true;
                case "--timeline" -> {
                    if (++i >= args.length || args[i].isEmpty() || args[i].startsWith("--")) {
                        err.println("offhook-tap: --timeline needs the HTML file to write"
                                + (i < args.length ? ", got '" + args[i] + "'" : ""));
                        err.print(USAGE);
                        return 2;
                    }
                    timeline = Path.of(args[i]);
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        err.println("offhook-tap: unknown option '" + args[i] + "'");
                        err.print(USAGE);
                        return 2;
                    }
                    files.add(Path.of(args[i]));
                }
            }
        }
        if (files.isEmpty()) {
            err.println("offhook-tap: replay needs at least one capture file");
            err.print(USAGE);
            return 2;
        }
        if (timeline != null) {
            String problem = TimelineFile.check(timeline, files);
            if (problem != null) {
                err.println("offhook-tap: --timeline " + timeline + ": " + problem);
                return 2;
            }
        }
        return replay(files, allEvents, progress,
                TrackerConfig.DEFAULTS.withUseAssertedIdentity(assertedIdentity), timeline, out, err);
    }

    private static int listen(List<String> options, Writer out, PrintStream err) {
        ListenCommand command;
        try {
            command = ListenCommand.parse(options);
        } catch (IllegalArgumentException e) {
            err.println("offhook-tap: listen: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ListenCommand.Running running;
        try {
            running = command.start(out, err, Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            err.println("offhook-tap: listen: cannot start: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "tap-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                if (running.printer.failure() != null) {
                    running.close();
                    err.println("offhook-tap: listen: cannot write output: " + running.printer.failure().getMessage());
                    return 1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.close();
        }
        err.println("listen: stopped; dropped " + running.drops.snapshot());
        return 0;
    }

    private static int replay(List<Path> files, boolean allEvents, boolean progress, TrackerConfig config,
                              Path timeline, Writer out, PrintStream err) {
        DropCounters drops = new DropCounters();
        JsonLinePrinter printer = new JsonLinePrinter(out, allEvents, false);
        TimelineRecorder recorder = timeline == null ? null : new TimelineRecorder(TimelineLimits.DEFAULTS);
        PhoneTracker tracker = new PhoneTracker(config, recorder == null ? printer : e -> {
            printer.onEvent(e);
            recorder.onEvent(e);
        }, drops);
        TapPipeline pipeline = TapPipeline.onPacketTime(tracker, drops);
        PacketListener source = recorder == null ? pipeline : recorder.around(pipeline);
        int status = 0;
        long records = 0;
        long started = System.nanoTime();
        for (Path file : files) {
            CaptureReader reader = new CaptureReader(ReassemblyLimits.DEFAULTS, progress
                    ? (n, bytes) -> err.printf(Locale.ROOT, "replay: %s: %,d records, %,d bytes%n", file, n, bytes)
                    : (n, bytes) -> { }, 100_000);
            try {
                if (Files.isDirectory(file)) {
                    throw new IOException("is a directory, not a capture file");
                }
                CaptureSummary summary = reader.read(file, source, drops);
                records += summary.records();
            } catch (NoSuchFileException e) {
                err.println("offhook-tap: " + file + ": no such file");
                status = 1;
            } catch (CaptureFormatException e) {
                err.println("offhook-tap: " + e.getMessage());
                status = 1;
            } catch (IOException e) {
                err.println("offhook-tap: " + file + ": cannot read: " + e.getMessage());
                status = 1;
            }
            if (printer.failure() != null) {
                err.println("offhook-tap: cannot write output: " + printer.failure().getMessage());
                return 1;
            }
        }
        long elapsedMs = Math.max(1, (System.nanoTime() - started) / 1_000_000);
        err.printf(Locale.ROOT, "replay: %d file(s), %,d records, %,d SIP messages (%,d duplicates), %,d users and"
                        + " %,d calls tracked at the end, %,d ms%n", files.size(), records, pipeline.messages(),
                drops.get(DropReason.DUPLICATE), tracker.userCount(), tracker.callCount(), elapsedMs);
        Map<DropReason, Long> dropped = drops.snapshot();
        dropped.remove(DropReason.DUPLICATE);
        if (!dropped.isEmpty()) {
            StringBuilder b = new StringBuilder("replay: dropped");
            dropped.forEach((reason, n) -> b.append(' ').append(reason).append('=').append(n));
            err.println(b);
        }
        if (recorder != null) {
            Timeline drawn = recorder.timeline();
            try {
                TimelineFile.write(timeline, drawn, files);
                err.printf(Locale.ROOT, "replay: timeline of %,d users and %,d events written to %s%n",
                        drawn.lanes().size(), drawn.marks().size(), timeline);
                drawn.notes().forEach(n -> err.println("replay: timeline: " + n));
            } catch (IOException e) {
                err.println("offhook-tap: --timeline " + timeline + ": cannot write: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }
}
