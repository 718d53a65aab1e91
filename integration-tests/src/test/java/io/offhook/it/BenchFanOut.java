package io.offhook.it;

import io.offhook.app.Latency;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.packet.Presence;

/**
 * Benchmark of issue 3 ("Speed", fan-out): one user, alice (resource mode), with {@value #CONTACTS} online
 * contacts, each a real Smack client ({@link Watcher}) in this JVM, each in alice's roster with subscription both
 * (and alice in theirs). alice's phone state then changes, and every contact must receive every change. Never part
 * of the tests: {@code scripts/bench fan-out} runs it.
 *
 * <p>This measures the XMPP side only, so the phone events are put straight into Offhook's engine
 * ({@code services.engine().onEvent}), each stamped with the moment it is put in; the SIP path is what
 * {@link BenchPresenceLatency} measures. Two phases: one change at a time (waiting until every contact has it),
 * which gives per change how long Offhook took to write its whole fan-out (its own latency sample: event in to
 * last stanza written to the socket) against how long until the first and the last contact received it; then all
 * changes at once, which gives the stanzas per second one component connection carries ({@code contacts x changes}
 * over the time from the first event to the last receipt). Around each phase it reads the CPU time of the Prosody
 * process ({@code /proc/PID/stat}), of Offhook's own threads (engine, XMPP connection) and of the whole JVM (the
 * rest is the Smack clients), to show which side is the bottleneck. Contacts that miss a change are counted and the
 * run exits with status 1.
 */
final class BenchFanOut {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String SECRET = "bench-component-secret-0123456789";
    static final String PASSWORD = "bench-password-1";
    static final String AOR = "sip:alice@example.com";
    static final String ALICE_PHONE = "alice@" + DOMAIN + "/phone";
    static final String USERS_MAP = AOR + " = alice@" + DOMAIN + "\n";
    static final int CONTACTS = 500;
    static final int CHANGES = 20;
    static final int LOGIN_THREADS = 8;
    static final Duration LOGIN_TIMEOUT = Duration.ofMinutes(3);
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(20);
    static final String ON = "On the phone";
    static final String IDLE = "Phone available";

    /** One change, done alone. All times in microseconds from the moment the event was put in. */
    private record Change(int number, String status, int delivered, int repeated, long written,
                          long firstReceived, long lastReceived) {
    }

    /**
     * What the watchers received of some changes: how many got exactly the expected statuses, how many got them
     * with one repeated (the same presence twice in a row: harmless to a user, but a stanza more), how many missed
     * one or saw them in another order, with a few of those as examples.
     */
    private record Delivery(int exact, int repeated, int wrong, List<String> examples) {
        int delivered() {
            return exact + repeated;
        }
    }

    /** CPU used during a phase, microseconds. */
    private record Cpu(long prosody, long offhook, long jvm) {
    }

    private final Path work;
    private Prosody prosody;
    private OffhookUnderTest offhook;
    private final List<Watcher> watchers = new ArrayList<>();
    private int contacts;

    private BenchFanOut(Path work) {
        this.work = work;
    }

    /** {@code [contacts [changes]]}: defaults {@value #CONTACTS} and {@value #CHANGES}. */
    public static void main(String[] args) throws Exception {
        int contacts = args.length > 0 ? Integer.parseInt(args[0]) : CONTACTS;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : CHANGES;
        if (contacts < 1 || contacts > 2000 || changes < 2 || changes > 200 || changes % 2 != 0) {
            throw new IllegalArgumentException("contacts 1..2000, changes an even number 2..200");
        }
        Path work = Files.createTempDirectory("offhook-bench-fanout-");
        System.out.println("Work directory (logs): " + work);
        BenchFanOut bench = new BenchFanOut(work);
        int misses;
        try {
            bench.setUp(contacts);
            misses = bench.measure(changes);
        } finally {
            bench.stopAll();
        }
        if (misses > 0) {
            System.out.println("FAILED: " + misses + " changes did not reach every contact");
            System.exit(1);
        }
        BenchStats.cleanUp(work);
    }

    private void setUp(int n) throws Exception {
        contacts = n;
        long t0 = System.nanoTime();
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        List<String> users = new ArrayList<>(List.of("alice"));
        List<Prosody.RosterItem> items = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            users.add(contact(k));
            items.add(new Prosody.RosterItem("alice", contact(k) + "@" + DOMAIN, XmppServer.Subscription.BOTH));
            items.add(new Prosody.RosterItem(contact(k), "alice@" + DOMAIN, XmppServer.Subscription.BOTH));
        }
        prosody.registerAll(users, PASSWORD);
        prosody.addRosterItems(items);
        long accounts = System.nanoTime();
        offhook = OffhookUnderTest.start(work.resolve("offhook"), prosody, SECRET, USERS_MAP, Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(LOGIN_THREADS);
        try {
            List<Callable<Watcher>> logins = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                String user = contact(k);
                logins.add(() -> Watcher.login(prosody, user, PASSWORD, "client"));
            }
            List<Future<Watcher>> done = pool.invokeAll(logins, LOGIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Throwable failed = null;
            int cancelled = 0;
            for (Future<Watcher> f : done) {
                if (f.isCancelled()) {
                    cancelled++;
                    continue;
                }
                try {
                    watchers.add(f.get()); // kept even when another login failed, so that stopAll closes it
                } catch (ExecutionException e) {
                    failed = failed == null ? e.getCause() : failed;
                }
            }
            if (failed != null) {
                throw new IllegalStateException("a contact could not log in", failed);
            }
            if (cancelled > 0) {
                throw new IllegalStateException(cancelled + " logins did not finish within " + LOGIN_TIMEOUT);
            }
        } finally {
            pool.shutdownNow();
        }
        long loggedIn = System.nanoTime();
        // alice's phone comes online: every contact must see it before the changes start.
        int[] baseline = baseline();
        inject(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null, BenchStats.epochMicros());
        Delivery ready = awaitDelivered(baseline, List.of(IDLE), Duration.ofSeconds(60));
        System.out.printf(Locale.ROOT, "Set up: %d accounts and %d roster items in %.1f s, %d contacts logged in "
                        + "in %.1f s (%d threads), %d of them see alice's phone (%d of them twice); %s%n", n + 1,
                items.size(), (accounts - t0) / 1e9, watchers.size(), (loggedIn - accounts) / 1e9, LOGIN_THREADS,
                ready.delivered(), ready.repeated(), prosody);
        if (ready.delivered() != n) {
            throw new IllegalStateException("only " + ready.delivered() + " of " + n + " contacts saw alice's phone "
                    + "come online; for example " + ready.examples());
        }
    }

    /** Both phases; returns how many (contact, change) pairs were missed. */
    private int measure(int changes) throws IOException {
        Latency latency = offhook.services().engine().latency();
        int misses = 0;

        // Warm-up (the JIT compiles the engine's and the connection's paths): as many changes, one at a time.
        int warm = 0;
        for (int i = 1; i <= changes; i++) {
            int[] baseline = baseline();
            change(i, BenchStats.epochMicros());
            Delivery d = awaitDelivered(baseline, List.of(i % 2 == 1 ? ON : IDLE), CHANGE_TIMEOUT);
            warm += d.delivered();
            report("warm-up change " + i, d);
        }
        misses += contacts * changes - warm;
        System.out.printf(Locale.ROOT, "Warm-up: %d changes one at a time, %d of %d deliveries made%n", changes,
                warm, contacts * changes);

        // Phase 1: one change at a time.
        long offset = BenchStats.nanoToEpochMicros();
        Cpu before = cpu();
        List<Change> one = new ArrayList<>();
        List<Long> receipts = new ArrayList<>();
        for (int i = 1; i <= changes; i++) {
            String status = i % 2 == 1 ? ON : IDLE;
            int[] baseline = baseline();
            latency.reset();
            long t0 = BenchStats.epochMicros();
            change(i, t0);
            Delivery d = awaitDelivered(baseline, List.of(status), CHANGE_TIMEOUT);
            report("change " + i, d);
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int w = 0; w < watchers.size(); w++) {
                List<Watcher.Received> got = fromAlice(watchers.get(w), baseline[w]);
                if (!got.isEmpty()) {
                    long at = got.get(0).nanos() / 1000 + offset - t0;
                    receipts.add(at);
                    first = Math.min(first, at);
                    last = Math.max(last, at);
                }
            }
            if (first == Long.MAX_VALUE) {
                first = -1;
                last = -1;
            }
            Latency.Snapshot s = latency.snapshot();
            one.add(new Change(i, status, d.delivered(), d.repeated(), s.count() == 1 ? s.max() : -1, first,
                    last));
            misses += contacts - d.delivered();
        }
        Cpu oneCpu = since(before);

        // Phase 2: every change at once.
        int[] baseline = baseline();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= changes; i++) {
            expected.add(i % 2 == 1 ? ON : IDLE);
        }
        before = cpu();
        latency.reset();
        long t0 = BenchStats.epochMicros();
        for (int i = 1; i <= changes; i++) {
            change(changes + i, BenchStats.epochMicros());
        }
        Delivery burst = awaitDelivered(baseline, expected, CHANGE_TIMEOUT.plusSeconds(changes));
        report("all at once", burst);
        long lastReceipt = Long.MIN_VALUE;
        for (int w = 0; w < watchers.size(); w++) {
            List<Watcher.Received> got = fromAlice(watchers.get(w), baseline[w]);
            if (!got.isEmpty()) {
                lastReceipt = Math.max(lastReceipt, got.get(got.size() - 1).nanos() / 1000 + offset - t0);
            }
        }
        Cpu burstCpu = since(before);
        Latency.Snapshot burstWrite = latency.snapshot();
        misses += (contacts - burst.delivered()) * changes;
        long drift = BenchStats.nanoToEpochMicros() - offset;

        print(one, oneCpu, changes, burst, lastReceipt, burstWrite, burstCpu, drift);
        Path plot = BenchPlot.write(BenchPlot.outputDir(), "fan-out-one-at-a-time", "fan-out to " + contacts
                        + " contacts, one change at a time: event in -> each contact's client",
                receipts.stream().mapToLong(Long::longValue).toArray());
        System.out.println("Plot: " + (plot == null ? "none (no samples)" : plot));
        return misses;
    }

    private void print(List<Change> one, Cpu oneCpu, int changes, Delivery burst, long lastReceipt,
                       Latency.Snapshot burstWrite, Cpu burstCpu, long drift) {
        System.out.println();
        System.out.println("## Fan-out to " + contacts + " contacts (" + ZonedDateTime.now(ZoneOffset.UTC).withNano(0)
                + ")");
        System.out.println();
        System.out.println("One change at a time (times from the event put in, ms):");
        System.out.println();
        System.out.println("| change | status | received by | of them twice | Offhook wrote all | first contact | "
                + "last contact |");
        System.out.println("|---|---|---|---|---|---|---|");
        List<Long> written = new ArrayList<>();
        List<Long> firsts = new ArrayList<>();
        List<Long> lasts = new ArrayList<>();
        long delivered = 0;
        for (Change c : one) {
            System.out.printf(Locale.ROOT, "| %d | %s | %d | %d | %s | %s | %s |%n", c.number(), c.status(),
                    c.delivered(), c.repeated(), c.written() < 0 ? "?" : BenchStats.ms(c.written()), BenchStats.ms(c.firstReceived()),
                    BenchStats.ms(c.lastReceived()));
            if (c.written() >= 0) {
                written.add(c.written());
            }
            firsts.add(c.firstReceived());
            lasts.add(c.lastReceived());
            delivered += c.delivered();
        }
        BenchStats.Summary w = BenchStats.Summary.of(written);
        BenchStats.Summary l = BenchStats.Summary.of(lasts);
        System.out.println();
        System.out.printf(Locale.ROOT, "Per change (p50 / max, ms): Offhook wrote all %d stanzas in %s / %s; first "
                        + "contact had it after %s / %s; last contact after %s / %s.%n", contacts,
                BenchStats.ms(w.p50()), BenchStats.ms(w.max()), BenchStats.ms(BenchStats.Summary.of(firsts).p50()),
                BenchStats.ms(BenchStats.Summary.of(firsts).max()), BenchStats.ms(l.p50()), BenchStats.ms(l.max()));
        printCpu("one at a time", oneCpu, delivered);
        long stanzas = (long) contacts * changes;
        System.out.println();
        System.out.printf(Locale.ROOT, "All %d changes at once: %d of %d contacts received all %d in order (%d "
                        + "of them with a repeat, %d missed one or saw another order); Offhook wrote all %d stanzas within %s ms (its latency max; p50 over the "
                        + "changes %s ms), the last contact had the last one after %s ms: %.0f stanzas/s through "
                        + "one component connection.%n", changes, burst.delivered(), contacts, changes,
                burst.repeated(), burst.wrong(), stanzas,
                BenchStats.ms(burstWrite.max()), BenchStats.ms(burstWrite.p50()), BenchStats.ms(lastReceipt),
                stanzas / (lastReceipt / 1e6));
        printCpu("all at once", burstCpu, stanzas);
        System.out.printf(Locale.ROOT, "(clock drift between nanoTime and the real-time clock during the run: %d µs; "
                + "each change also sends one presence to alice's own bare JID, not counted)%n", drift);
    }

    private static void printCpu(String phase, Cpu cpu, long stanzas) {
        System.out.printf(Locale.ROOT, "CPU, %s: Prosody %s ms (%.1f µs per stanza delivered), Offhook's threads %s "
                        + "ms (%.1f µs per stanza), the rest of this JVM (the %s Smack clients) %s ms.%n", phase,
                BenchStats.ms(cpu.prosody()), (double) cpu.prosody() / stanzas, BenchStats.ms(cpu.offhook()),
                (double) cpu.offhook() / stanzas, "contacts'", BenchStats.ms(cpu.jvm() - cpu.offhook()));
    }

    private Map<Long, Long> offhookThreadsBefore;

    private Cpu cpu() {
        offhookThreadsBefore = BenchStats.threadCpuMicros(BenchStats::isOffhookThread);
        return new Cpu(BenchStats.processCpuMicros(prosody.pid()), 0, BenchStats.jvmCpuMicros());
    }

    private Cpu since(Cpu before) {
        long offhookUsed = BenchStats.threadCpuSince(offhookThreadsBefore,
                BenchStats.threadCpuMicros(BenchStats::isOffhookThread));
        return new Cpu(BenchStats.processCpuMicros(prosody.pid()) - before.prosody(), offhookUsed,
                BenchStats.jvmCpuMicros() - before.jvm());
    }

    /** Change {@code i} (odd: alice's call {@code i} is answered; even: call {@code i - 1} ends). */
    private void change(int i, long micros) {
        if (i % 2 == 1) {
            inject(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.AVAILABLE, "fan-out-" + i, micros);
        } else {
            inject(PhoneEventType.CALL_ENDED, PhoneState.AVAILABLE, PhoneState.ON_THE_PHONE, "fan-out-" + (i - 1),
                    micros);
        }
    }

    private void inject(PhoneEventType type, PhoneState state, PhoneState previous, String callId, long micros) {
        offhook.services().engine().onEvent(new PhoneEvent(micros, AOR, type, state, previous, callId, null,
                type == PhoneEventType.CALL_ENDED ? "BYE" : null));
    }

    /** How many presences each watcher has received so far. */
    private int[] baseline() {
        int[] out = new int[watchers.size()];
        for (int w = 0; w < out.length; w++) {
            out[w] = watchers.get(w).received().size();
        }
        return out;
    }

    /** alice's phone presences a watcher received after {@code from}. */
    private static List<Watcher.Received> fromAlice(Watcher w, int from) {
        List<Watcher.Received> all = w.received();
        List<Watcher.Received> out = new ArrayList<>();
        for (Watcher.Received r : all.subList(Math.min(from, all.size()), all.size())) {
            if (r.presence().getFrom() != null && ALICE_PHONE.equals(r.presence().getFrom().toString())) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Waits (bounded) until every watcher has received {@code statuses} from alice's phone since its baseline
     * (repeats of one status in a row counting once), then says who got exactly that.
     */
    private Delivery awaitDelivered(int[] baseline, List<String> statuses, Duration timeout) {
        BenchStats.awaitQuietly(timeout, () -> {
            for (int w = 0; w < watchers.size(); w++) {
                if (collapse(seen(watchers.get(w), baseline[w])).size() < statuses.size()) {
                    return false;
                }
            }
            return true;
        });
        int exact = 0;
        int repeated = 0;
        List<String> examples = new ArrayList<>();
        for (int w = 0; w < watchers.size(); w++) {
            List<String> seen = seen(watchers.get(w), baseline[w]);
            if (seen.equals(statuses)) {
                exact++;
            } else if (collapse(seen).equals(statuses)) {
                repeated++;
            } else if (examples.size() < 3) {
                examples.add(contact(w + 1) + " saw " + seen);
            }
        }
        return new Delivery(exact, repeated, watchers.size() - exact - repeated, examples);
    }

    /** What a watcher saw of alice's phone since {@code from}: status texts, or the type when not available. */
    private static List<String> seen(Watcher w, int from) {
        return fromAlice(w, from).stream().map(r -> r.presence().getType() == Presence.Type.available
                ? String.valueOf(r.presence().getStatus()) : r.presence().getType().toString()).toList();
    }

    /** The list without repeats in a row. */
    private static List<String> collapse(List<String> seen) {
        List<String> out = new ArrayList<>();
        for (String s : seen) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Prints what went wrong in a delivery, if anything did. */
    private static void report(String what, Delivery d) {
        if (d.wrong() > 0) {
            System.out.println(what + ": " + d.wrong() + " contacts missed it, for example " + d.examples());
        }
    }

    private static String contact(int k) {
        return "c" + k;
    }

    private void stopAll() throws InterruptedException {
        RuntimeException failure = null;
        ExecutorService pool = Executors.newFixedThreadPool(LOGIN_THREADS);
        try {
            List<Callable<Void>> logouts = new ArrayList<>();
            for (Watcher w : watchers) {
                logouts.add(() -> {
                    w.close();
                    return null;
                });
            }
            pool.invokeAll(logouts, 60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (AutoCloseable c : new AutoCloseable[] {offhook}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                failure = new IllegalStateException("stopping Offhook failed", e);
            }
        }
        if (prosody != null) {
            prosody.stop();
        }
        if (failure != null) {
            throw failure;
        }
        System.out.println("Every process the benchmark started (Prosody) was stopped by its PID.");
    }
}
