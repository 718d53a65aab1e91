package io.offhook.it;

import io.offhook.fallback.FallbackStats;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import org.jivesoftware.smack.packet.Presence;

/**
 * Benchmark of issue 4 ("many sessions on one JVM"): {@code sessions} users in login mode on a Prosody VirtualHost
 * that does not trust the component, each with a line in the credentials file, all with one contact, hank (a Smack
 * client, subscription both). Their phones come online at once (the phone events are put straight into Offhook's
 * engine, as in {@link BenchFanOut}); Offhook logs every user in, through {@code fallback.concurrent-logins}
 * threads, and hank must see every user's {@code /phone} resource. Then every phone goes on the phone and back,
 * and finally offline (every session logs off).
 *
 * <p>What it reports: how long the logins took, and what the open sessions cost this JVM: heap after a full
 * collection, live threads (by name: Smack's reader and writer per connection, Offhook's own), the process's
 * resident memory, and Prosody's. The watcher is in the same JVM; it is logged in before the baseline is taken, so
 * its cost is not counted (but the presences it keeps for its contacts are). Never part of the tests:
 * {@code scripts/bench fallback [sessions [concurrent-logins]]} runs it. A run in which hank misses a user's state
 * exits with status 1.
 */
final class BenchFallback {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String OTHER = "other.test";
    static final String SECRET = "bench-component-secret-0123456789";
    static final String PASSWORD = "bench-password-1";
    static final int SESSIONS = 1000;
    static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);
    static final String IDLE = "Phone available";
    static final String ON = "On the phone";

    /** One reading of what the process holds. */
    private record Footprint(long heapBytes, long rssBytes, long prosodyRssBytes, Map<String, Integer> threads,
                             long threadStacksBytes) {
        int threadCount() {
            return threads.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final Path work;
    private final int sessions;
    private final int concurrent;
    private Prosody prosody;
    private OffhookUnderTest offhook;
    private Watcher hank;

    private BenchFallback(Path work, int sessions, int concurrent) {
        this.work = work;
        this.sessions = sessions;
        this.concurrent = concurrent;
    }

    /** {@code [sessions [concurrent-logins]]}: defaults {@value #SESSIONS} and 8. */
    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : SESSIONS;
        int concurrent = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        if (sessions < 1 || sessions > 5000 || concurrent < 1 || concurrent > 64) {
            throw new IllegalArgumentException("sessions 1..5000, concurrent-logins 1..64");
        }
        Path work = Files.createTempDirectory("offhook-bench-fallback-");
        System.out.println("Work directory (logs): " + work);
        BenchFallback bench = new BenchFallback(work, sessions, concurrent);
        boolean ok;
        try {
            bench.setUp();
            ok = bench.measure();
        } finally {
            bench.stopAll();
        }
        if (!ok) {
            System.out.println("FAILED: hank did not see every user's state");
            System.exit(1);
        }
        BenchStats.cleanUp(work);
    }

    private static String user(int k) {
        return "fb" + k;
    }

    private static String aor(int k) {
        return "sip:" + user(k) + "@example.com";
    }

    private static String phone(int k) {
        return user(k) + "@" + OTHER + "/phone";
    }

    private void setUp() throws Exception {
        long t0 = System.nanoTime();
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET, List.of(OTHER));
        List<String> users = new ArrayList<>(List.of("hank"));
        List<Prosody.RosterItem> items = new ArrayList<>();
        StringBuilder credentials = new StringBuilder();
        StringBuilder map = new StringBuilder();
        for (int k = 1; k <= sessions; k++) {
            users.add(user(k));
            items.add(new Prosody.RosterItem("hank", user(k) + "@" + OTHER, XmppServer.Subscription.BOTH));
            items.add(new Prosody.RosterItem(user(k), "hank@" + OTHER, XmppServer.Subscription.BOTH));
            credentials.append(user(k)).append('@').append(OTHER).append(" = ").append(PASSWORD)
                    .append(" host=127.0.0.1 port=").append(prosody.c2sPort()).append(" tls=disabled\n");
            map.append(aor(k)).append(" = ").append(user(k)).append('@').append(OTHER).append(" mode=login\n");
        }
        prosody.registerAllOn(OTHER, users, PASSWORD);
        prosody.addRosterItemsOn(OTHER, items);
        long accounts = System.nanoTime();
        Path dir = Files.createDirectories(work.resolve("offhook"));
        Path file = dir.resolve("fallback.credentials");
        Files.writeString(file, credentials, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        offhook = OffhookUnderTest.start(dir, prosody, SECRET, map.toString(), Map.of(
                "fallback.credentials-file", file.toString(),
                "fallback.concurrent-logins", Integer.toString(concurrent)));
        hank = Watcher.login(prosody, OTHER, "hank", PASSWORD, "desk");
        System.out.printf(Locale.ROOT, "Set up: %d accounts and %d roster items in %.1f s; %s%n", users.size(),
                items.size(), (accounts - t0) / 1e9, prosody);
    }

    private boolean measure() throws IOException {
        Footprint before = footprint();
        long cpu0 = BenchStats.processCpuMicros(prosody.pid());
        long jvm0 = BenchStats.jvmCpuMicros();

        // Every phone comes online at once.
        int base = hank.received().size();
        long t0 = System.nanoTime();
        inject(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        boolean allOpen = BenchStats.awaitQuietly(PHASE_TIMEOUT, () -> stats().open() == sessions);
        long opened = System.nanoTime();
        int seenIdle = awaitSeen(base, IDLE);
        long seen = System.nanoTime();
        long prosodyLogin = BenchStats.processCpuMicros(prosody.pid()) - cpu0;
        long jvmLogin = BenchStats.jvmCpuMicros() - jvm0;
        Footprint open = footprint();

        // Every phone goes on the phone, then back.
        base = hank.received().size();
        long t1 = System.nanoTime();
        inject(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.AVAILABLE, "bench-call");
        int seenOn = awaitSeen(base, ON);
        long onSeen = System.nanoTime();
        base = hank.received().size();
        inject(PhoneEventType.CALL_ENDED, PhoneState.AVAILABLE, PhoneState.ON_THE_PHONE, "bench-call");
        int seenBack = awaitSeen(base, IDLE);

        // Every phone goes offline: every session logs off.
        base = hank.received().size();
        long t2 = System.nanoTime();
        inject(PhoneEventType.OFFLINE, PhoneState.OFFLINE, PhoneState.AVAILABLE, null);
        boolean allClosed = BenchStats.awaitQuietly(PHASE_TIMEOUT, () -> stats().open() == 0);
        int seenGone = awaitSeen(base, "unavailable");
        long closed = System.nanoTime();
        BenchStats.awaitQuietly(Duration.ofSeconds(30), () -> smackThreads() == 0);
        Footprint after = footprint();

        print(before, open, after, (opened - t0) / 1000, (seen - t0) / 1000, (onSeen - t1) / 1000,
                (closed - t2) / 1000, prosodyLogin, jvmLogin);
        System.out.printf(Locale.ROOT, "hank saw: %d of %d idle, %d on the phone, %d back, %d unavailable; all "
                + "open: %s, all closed: %s; %s%n", seenIdle, sessions, seenOn, seenBack, seenGone, allOpen,
                allClosed, stats());
        return allOpen && allClosed && seenIdle == sessions && seenOn == sessions && seenBack == sessions
                && seenGone == sessions && stats().loginsFailed() == 0;
    }

    private void print(Footprint before, Footprint open, Footprint after, long openMicros, long seenMicros,
                       long onMicros, long closeMicros, long prosodyLoginCpu, long jvmLoginCpu) {
        System.out.println();
        System.out.println("## Login fallback: " + sessions + " sessions (" + ZonedDateTime.now(ZoneOffset.UTC)
                .withNano(0) + ")");
        System.out.println();
        System.out.printf(Locale.ROOT, "Every phone online at once: all %d sessions logged in after %s ms "
                        + "(fallback.concurrent-logins = %d: %.0f logins/s); hank saw every one after %s ms. Every "
                        + "phone on the phone: hank saw all after %s ms. Every phone offline: all logged off and "
                        + "seen unavailable after %s ms.%n", sessions, BenchStats.ms(openMicros), concurrent,
                sessions / (openMicros / 1e6), BenchStats.ms(seenMicros), BenchStats.ms(onMicros),
                BenchStats.ms(closeMicros));
        System.out.printf(Locale.ROOT, "CPU of the logins: Prosody %s ms (%.2f ms per login), this JVM %s ms "
                        + "(%.2f ms per login, Smack's SCRAM included).%n", BenchStats.ms(prosodyLoginCpu),
                prosodyLoginCpu / 1000.0 / sessions, BenchStats.ms(jvmLoginCpu), jvmLoginCpu / 1000.0 / sessions);
        System.out.println();
        System.out.println("| | before | " + sessions + " sessions open | after logoff | per session |");
        System.out.println("|---|---|---|---|---|");
        row("heap after full GC (MiB)", before.heapBytes(), open.heapBytes(), after.heapBytes(), true);
        row("JVM resident memory (MiB)", before.rssBytes(), open.rssBytes(), after.rssBytes(), true);
        row("Prosody resident memory (MiB)", before.prosodyRssBytes(), open.prosodyRssBytes(),
                after.prosodyRssBytes(), true);
        if (before.threadStacksBytes() >= 0) {
            row("thread stacks committed (MiB, NMT)", before.threadStacksBytes(), open.threadStacksBytes(),
                    after.threadStacksBytes(), true);
        }
        row("live threads", before.threadCount(), open.threadCount(), after.threadCount(), false);
        Map<String, Integer> names = new TreeMap<>();
        for (Footprint f : List.of(before, open, after)) {
            f.threads().keySet().forEach(n -> names.put(n, 0));
        }
        for (String name : names.keySet()) {
            int b = before.threads().getOrDefault(name, 0);
            int o = open.threads().getOrDefault(name, 0);
            int a = after.threads().getOrDefault(name, 0);
            if (b != o || o != a) {
                row("- threads \"" + name + "\"", b, o, a, false);
            }
        }
    }

    private void row(String what, long before, long open, long after, boolean bytes) {
        if (bytes) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f KiB |%n", what, before / 1048576.0,
                    open / 1048576.0, after / 1048576.0, (open - before) / 1024.0 / sessions);
        } else {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f |%n", what, before, open, after,
                    (open - before) / (double) sessions);
        }
    }

    private FallbackStats stats() {
        return offhook.services().fallback().stats();
    }

    private void inject(PhoneEventType type, PhoneState state, PhoneState previous, String callId) {
        for (int k = 1; k <= sessions; k++) {
            offhook.services().engine().onEvent(new PhoneEvent(BenchStats.epochMicros(), aor(k), type, state,
                    previous, callId == null ? null : callId + "-" + k, null,
                    type == PhoneEventType.CALL_ENDED ? "BYE" : null));
        }
    }

    /** Waits (bounded) until hank has had {@code status} from every user's phone since {@code base}. */
    private int awaitSeen(int base, String status) {
        BenchStats.awaitQuietly(PHASE_TIMEOUT, () -> seen(base, status) == sessions);
        return seen(base, status);
    }

    /** How many users' phones hank received {@code status} from (or unavailable) since {@code base}. */
    private int seen(int base, String status) {
        List<Watcher.Received> all = hank.received();
        Map<String, Boolean> phones = new HashMap<>();
        for (Watcher.Received r : all.subList(Math.min(base, all.size()), all.size())) {
            Presence p = r.presence();
            if (p.getFrom() == null || !p.getFrom().toString().endsWith("@" + OTHER + "/phone")) {
                continue;
            }
            boolean match = status.equals("unavailable") ? p.getType() == Presence.Type.unavailable
                    : p.getType() == Presence.Type.available && status.equals(p.getStatus());
            if (match) {
                phones.put(p.getFrom().toString(), true);
            }
        }
        return phones.size();
    }

    private Footprint footprint() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Map<String, Integer> threads = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            threads.merge(threadKind(t.getName()), 1, Integer::sum);
        }
        return new Footprint(heap, rss("self"), rss(Long.toString(prosody.pid())), threads, threadStacks());
    }

    /**
     * The memory committed for thread stacks, from Native Memory Tracking ({@code -XX:NativeMemoryTracking=summary}
     * in {@code BENCH_JAVA_OPTS}); -1 without it.
     */
    private static long threadStacks() {
        String summary;
        try {
            summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            return -1;
        }
        Matcher m = Pattern.compile("- +Thread \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    private static int smackThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("Smack Reader") || t.getName().startsWith("Smack Writer")) {
                n++;
            }
        }
        return n - 2; // hank's own reader and writer
    }

    /** A thread's name without its number: "Smack Reader (12)" and "offhook-fallback-login-3" count together. */
    private static String threadKind(String name) {
        return name.replaceAll("\\s*\\(\\d+\\)$", "").replaceAll("-\\d+$", "");
    }

    private static long rss(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the memory of process " + pid, e);
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    private void stopAll() {
        for (AutoCloseable c : new AutoCloseable[] {hank, offhook}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("stopping: " + e);
                }
            }
        }
        if (prosody != null) {
            prosody.stop();
        }
    }
}
