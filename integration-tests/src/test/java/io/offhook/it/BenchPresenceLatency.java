package io.offhook.it;

import io.offhook.app.Latency;
import io.offhook.it.BenchOptions.Shown;
import io.offhook.it.BenchOptions.Target;
import io.offhook.it.BenchOptions.Verdict;
import io.offhook.tap.hep.HepDecoder;
import io.offhook.tap.hep.HepException;
import io.offhook.tap.hep.HepPacket;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jivesoftware.smack.packet.Presence;

/**
 * Benchmark of issue 3 ("Speed") and of issue 6 ("A harness that can race peers"): how long after a callee's
 * {@code 200 OK} is on the wire a contact's XMPP client receives "On the phone", through the whole product: a real
 * Kamailio mirroring HEP over UDP to Offhook (started in this JVM from the shipped config,
 * {@link OffhookUnderTest}), Offhook as a trusted component of a real Prosody, and a real Smack client
 * ({@link Watcher}). Never part of the tests: {@code scripts/bench presence-latency} runs it.
 *
 * <p>The path under test is configurable ({@link BenchOptions}): with {@code --target external} Offhook is not
 * started, Kamailio runs the given config (e.g. its own pua_dialoginfo + presence + pua_xmpp gateway, connected as a
 * component to the same Prosody), and the watcher watches the JIDs and states the options name. Everything but
 * Offhook's own stages is measured the same way for any target.
 *
 * <p>Setup: {@code callees} users callee1..calleeN (200 by default), mapped by one rule
 * ({@code sip:*@example.com = *@offhook.test}), each with bob in their roster (subscription both, and the other way
 * round); bob is logged in. Every callee registers a binding {@code sip:calleeK@127.0.0.1:UAS} pointing at one sipp
 * that answers for all of them ({@code lab/sipp/bench/uas-answer-any.xml}, ringing {@value #RING_MS} ms); one sipp
 * caller in an unmapped domain takes its callees from an injection file ({@code lab/sipp/bench/uac-call-csv.xml}),
 * bounded by {@code -m} calls, {@code -r} calls per second, {@code -l} concurrent calls and {@code -timeout}.
 *
 * <p>Measurement: dumpcap captures the loopback interface during each phase ({@link BenchCapture}). Per call
 * (Call-ID) it finds the callee's {@code 200 OK} leaving the answering sipp, then the first of each of these after
 * it: Kamailio's HEP copy of that 200 (same Call-ID), the stanza "On the phone" from the callee's watched JID to bob
 * on the component connection, Prosody's copy of it on bob's client connection, and the moment bob's Smack listener
 * got it ({@link Watcher} stamps {@link System#nanoTime()}, converted to epoch time with one offset per phase).
 * End to end is 200 OK on the wire to bob's listener; the parts between are reported too, and Offhook's part
 * (HEP copy on the wire to stanza on the wire) also for the 180 ("Phone ringing") and the BYE ("Phone available")
 * of each call, the same events its own latency covers. Offhook's own latency
 * (HEP packet handled to stanza written, every event of the phase) comes from {@code engine().latency()}, reset at
 * the start of each phase. Calls without a match are counted and listed, never left out.
 *
 * <p>Every call is also judged at the watcher: between its INVITE and the callee's next call, bob must receive
 * ringing, on the phone and available, in that order ({@link Verdict}); with the latency of each from the 180, the
 * 200 and the BYE on the wire. A ramp ({@code --ramp}) runs steps of rising call rates and stops at the first step
 * where a call's state change is missing or out of order, or where the SIP side itself was late (the INVITEs did not
 * leave at the rate asked, or a 200 OK left the callee late or not at all): then sipp and Kamailio, not the presence
 * path, are the limit. CPU per call is Offhook's own threads ({@link BenchStats#isOffhookThread}, ThreadMXBean),
 * Prosody's and Kamailio's processes ({@code /proc}) and the sipp runs of the phase.
 */
final class BenchPresenceLatency {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String SECRET = "bench-component-secret-0123456789";
    static final String PASSWORD = "bench-password-1";
    static final String USERS_MAP = "sip:*@example.com = *@offhook.test\n";
    static final String ON_THE_PHONE = "On the phone";
    static final int RING_MS = 100;
    /** A stage counts for a call only within this long after its SIP event (calls to one callee are seconds apart). */
    static final long WINDOW_MICROS = 2_000_000;
    /** The sipp caller's SIP user. */
    private static final String CALLER = "caller";
    /** How deep a peer's {@code kamailio-files} directory is copied. */
    private static final int MAX_COPY_DEPTH = 4;
    /** Kamailio's shared memory: thousands of short transactions. */
    static final int KAMAILIO_MB = 128;
    /**
     * The SIP side is on time when its 200 OKs leave the callee within this long of their INVITEs (p99): the ring
     * time plus a quarter second. Other jobs on the shared cores put the p99 at 150 - 190 ms at any rate; sipp and
     * Kamailio short of CPU queue, and then every call is late (p99 600 ms at 1000 calls/s), which also makes a
     * callee's calls overlap (they are {@link BenchOptions#minCallees} apart: twice ring and talk).
     */
    static final long ON_TIME_MICROS = (RING_MS + 250) * 1000L;
    /** ... and the INVITEs leave at no less than this share of the rate asked. */
    static final double RATE_SHARE = 0.9;

    private static final Pattern PRESENCE = Pattern.compile("<presence\\b[^>]*?(?:/>|>.*?</presence>)",
            Pattern.DOTALL);
    private static final Pattern FROM = Pattern.compile("\\sfrom=(['\"])([^'\"]*)\\1");
    private static final Pattern TO = Pattern.compile("\\sto=(['\"])([^'\"]*)\\1");
    /** The SIP event each state answers: the 180, the 200 and the BYE. */
    private static final Map<String, Shown> EVENTS = Map.of("180", Shown.RINGING, "200", Shown.ON_THE_PHONE,
            "BYE", Shown.AVAILABLE);

    /** One run of the caller: how many calls, how fast, how many at once, how long each talks. */
    record Phase(String name, int calls, int rate, int limit, int talkMillis) {
        /** Enough for every call at the rate, the last one's ring and talk, and retransmissions. */
        Duration bound() {
            return Duration.ofSeconds((long) Math.ceil((double) calls / rate) + 30
                    + (limit == 1 ? (long) calls * (RING_MS + talkMillis) / 1000 : 0));
        }
    }

    /** When each stage happened for one call, epoch microseconds, or -1. */
    private record Call(String callId, String callee, long ok, long hep, long component, long client,
                        long watcher) {
    }

    /** CPU time used during a phase, µs; -1 where not measured (Offhook's threads for an external target). */
    record Cpu(long offhook, long jvm, long prosody, long kamailio, long sipp) {
    }

    /** What bob received per call, judged ({@link Verdict}), and the latency of each state at his client. */
    record AtWatcher(int judged, int complete, int outOfOrder, Map<Shown, Integer> missing,
                     Map<Shown, BenchStats.Summary> latency) {
        int failed() {
            return judged - complete;
        }
    }

    /** Whether the SIP side kept to the phase's pace: INVITE rate, INVITE to 200 OK, calls that failed. */
    record SipSide(double inviteRate, BenchStats.Summary inviteToOk, int unanswered, boolean sippFailed,
                   boolean onTime) {
    }

    /**
     * Datagrams the kernel dropped during a phase because their reader was too slow: at Kamailio's SIP socket, and
     * at the HEP socket (Offhook's listener; -1 when HEP goes nowhere).
     */
    record Drops(long proxy, long hep) {
    }

    /** A phase's measured numbers. */
    record Result(Phase phase, int invites, int answered, int matched, BenchStats.Summary endToEnd,
                  BenchStats.Summary kamailio, BenchStats.Summary offhook, BenchStats.Summary prosody,
                  BenchStats.Summary smack, BenchStats.Summary toComponent,
                  Map<String, BenchStats.Summary> offhookByEvent, Latency.Snapshot inside,
                  Latency.Snapshot insideToWrite, Cpu cpu,
                  AtWatcher atWatcher, SipSide sip, Drops drops, double seconds, String capture, long clockDrift,
                  List<String> notes, long[] endToEndSamples, long[] offhookSamples) {
    }

    private final Path work;
    private final BenchOptions options;
    private Prosody prosody;
    private OffhookUnderTest offhook;
    private Kamailio kamailio;
    private int hepPort;
    private Watcher bob;
    /** What bob received from watched JIDs so far, classified ({@link #classifyNew}); how much of it. */
    private final List<Seen> seen = new ArrayList<>();
    private int classified;
    private final List<Sipp> sipps = new ArrayList<>();
    private final List<BenchCapture> captures = new ArrayList<>();
    private UserAgent uas;
    private UserAgent caller;

    private BenchPresenceLatency(Path work, BenchOptions options) {
        this.work = work;
        this.options = options;
    }

    /**
     * {@code [rate [seconds [sequential]]]}: the loaded phase's calls per second (default 50) and length (default
     * 60 s), the number of sequential calls (default 100); then {@code --KEY VALUE} options and {@code --config FILE}
     * ({@link BenchOptions#usage()}, {@code --help}).
     */
    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(BenchOptions.usage());
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("presence-latency: " + e.getMessage());
            System.err.println(BenchOptions.usage());
            System.exit(2);
            return;
        }
        List<Phase> phases = phases(options);
        Path work = Files.createTempDirectory("offhook-bench-latency-");
        System.out.println("Work directory (logs, captures): " + work);
        System.out.println("Options: " + options.describe());
        BenchPresenceLatency bench = new BenchPresenceLatency(work, options);
        List<Result> results = new ArrayList<>();
        String ramp = null;
        try {
            bench.setUp();
            int kept = 0;
            for (Phase phase : phases) {
                Result r = bench.run(phase);
                results.add(r);
                print(List.of(r), options);
                plot(r);
                if (!options.ramp().isEmpty() && !phase.name().equals("warm-up")) {
                    String limit = limit(r);
                    if (limit != null) {
                        ramp = "Ramp: kept up with " + (kept == 0 ? "none of the rates" : kept + " calls/s")
                                + "; stopped at " + phase.rate() + " calls/s: " + limit;
                        break;
                    }
                    kept = phase.rate();
                }
            }
            if (!options.ramp().isEmpty() && ramp == null) {
                ramp = "Ramp: kept up with every rate, up to " + kept + " calls/s (the highest asked)";
            }
        } finally {
            bench.stopAll();
        }
        System.out.println();
        System.out.println("## Summary (" + ZonedDateTime.now(ZoneOffset.UTC).withNano(0) + ")");
        System.out.println("Options: " + options.describe());
        print(results, options);
        if (ramp != null) {
            System.out.println();
            System.out.println(ramp);
        }
        BenchStats.cleanUp(work);
    }

    /**
     * Issue 3's warm-up, sequential and loaded phases, then the sequential calls again ("sequential, warm"): the
     * first sequential phase follows 200 calls only, so parts of Offhook still run compiled by C1 or interpreted,
     * while a server that has run for a while is as warm as after the loaded phase. Or, with a ramp, a warm-up and
     * one step per rate.
     */
    static List<Phase> phases(BenchOptions o) {
        if (o.ramp().isEmpty()) {
            return List.of(
                    new Phase("warm-up", 4 * o.rate(), o.rate(), 500, BenchOptions.TALK_MS),
                    new Phase("sequential", o.sequential(), 10, 1, 100),
                    new Phase(o.rate() + " calls/s", o.rate() * o.seconds(), o.rate(), 500, BenchOptions.TALK_MS),
                    new Phase("sequential, warm", o.sequential(), 10, 1, 100));
        }
        List<Phase> phases = new ArrayList<>();
        int first = o.ramp().get(0);
        // sipp's -l: twice the calls a rate keeps open, so that it never throttles the rate itself.
        phases.add(new Phase("warm-up", 4 * first, first,
                Math.max(1000, BenchOptions.minCallees(first, o.rampTalkMillis())), o.rampTalkMillis()));
        for (int rate : o.ramp()) {
            phases.add(new Phase("ramp " + rate + " calls/s", o.rampCalls(), rate,
                    Math.max(1000, BenchOptions.minCallees(rate, o.rampTalkMillis())), o.rampTalkMillis()));
        }
        return phases;
    }

    /**
     * Why a ramp step did not keep up, or {@code null} when it did. A state change missing or out of order at the
     * watcher while the kernel dropped HEP datagrams at Offhook's socket: Offhook's intake was the limit. Otherwise
     * the SIP side late (then sipp and Kamailio on this machine are the limit, whatever the watcher saw), or a state
     * change missing or out of order with the SIP side on time (then the presence path after the proxy is).
     */
    static String limit(Result r) {
        AtWatcher w = r.atWatcher();
        String states = w.failed() == 0 ? "every call's three states reached the watcher in order"
                : w.failed() + " of " + w.judged() + " calls' states did not (missing ringing "
                        + w.missing().get(Shown.RINGING) + ", on the phone " + w.missing().get(Shown.ON_THE_PHONE)
                        + ", available " + w.missing().get(Shown.AVAILABLE) + "; out of order " + w.outOfOrder()
                        + ")";
        SipSide s = r.sip();
        if (w.failed() > 0 && r.drops().hep() > 0) {
            return String.format(Locale.ROOT, "Offhook's HEP intake was the limit: the kernel dropped %d HEP "
                    + "datagrams at its socket (its listener thread did not read them in time); %s; the SIP side "
                    + "was %s (INVITE -> 200 OK p99 %s ms, %d datagrams dropped at Kamailio's socket)",
                    r.drops().hep(), states, s.onTime() ? "on time" : "late too", BenchStats.ms(s.inviteToOk().p99()),
                    r.drops().proxy());
        }
        if (!s.onTime()) {
            return String.format(Locale.ROOT, "the SIP side (sipp and Kamailio on this machine) was the limit: "
                    + "INVITEs left at %.1f calls/s of %d asked, INVITE -> 200 OK p99 %s ms (on time: at most %s), "
                    + "%d calls without a 200 OK%s, %d datagrams dropped at Kamailio's socket; meanwhile %s",
                    s.inviteRate(), r.phase().rate(), BenchStats.ms(s.inviteToOk().p99()),
                    BenchStats.ms(ON_TIME_MICROS), s.unanswered(), s.sippFailed() ? ", sipp reported failed calls"
                            : "", r.drops().proxy(), states);
        }
        if (w.failed() > 0) {
            return "the presence path was the limit, with the SIP side on time: " + states;
        }
        return null;
    }

    private void setUp() throws IOException {
        long t0 = System.nanoTime();
        int callees = options.callees();
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, options.component(), SECRET);
        List<String> users = new ArrayList<>(List.of("bob"));
        List<Prosody.RosterItem> items = new ArrayList<>();
        if (options.roster()) {
            List<String> watched = new ArrayList<>();
            for (int k = 1; k <= callees; k++) {
                watched.add(callee(k));
            }
            if (options.watchesCaller()) {
                watched.add(CALLER);
            }
            for (String user : watched) {
                users.add(user);
                items.add(new Prosody.RosterItem(user, "bob@" + DOMAIN, XmppServer.Subscription.BOTH));
                items.add(new Prosody.RosterItem("bob", user + "@" + DOMAIN, XmppServer.Subscription.BOTH));
            }
        }
        prosody.registerAll(users, PASSWORD);
        if (!items.isEmpty()) {
            prosody.addRosterItems(items);
        }
        if (options.target() == Target.OFFHOOK) {
            offhook = OffhookUnderTest.start(work.resolve("offhook"), prosody, SECRET, USERS_MAP, Map.of());
        }
        hepPort = options.hep().offhook() ? offhook.hepPort() : options.hep().none() ? FreePorts.one()
                : options.hep().port();
        Lab.sipp();
        Path template = options.kamailioConfig() == null ? Lab.kamailioTemplate() : options.kamailioConfig();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("HEP_PORT", Integer.toString(hepPort));
        values.put("XMPP_HOST", "127.0.0.1");
        values.put("XMPP_PORT", Integer.toString(prosody.componentPort()));
        values.put("XMPP_DOMAIN", DOMAIN);
        values.put("COMPONENT_DOMAIN", options.component());
        values.put("COMPONENT_SECRET", SECRET);
        Path kamailioDir = work.resolve("kamailio").toAbsolutePath();
        values.put("KAMAILIO_DIR", kamailioDir.toString());
        if (options.kamailioFiles() != null) {
            copyTree(options.kamailioFiles(), kamailioDir);
        }
        kamailio = Kamailio.start(kamailioDir, template, values, options.kamailioMegabytes());
        bob = Watcher.login(prosody, "bob", PASSWORD, "desk");
        if (options.subscribe()) {
            for (int k = 1; k <= callees; k++) {
                bob.subscribe(options.watch().bare(callee(k)));
            }
            if (options.watchesCaller()) {
                bob.subscribe(options.watch().bare(CALLER));
            }
        }
        uas = UserAgent.of("uas");
        caller = UserAgent.of(CALLER);
        UserAgent registrar = UserAgent.of("registrar");
        List<String> all = new ArrayList<>();
        for (int k = 1; k <= callees; k++) {
            all.add(callee(k));
        }
        Path csv = injection("register", all);
        Sipp.lab("bench/register-csv.xml", registrar).to(kamailio.sipPort()).calls(callees).rate(100)
                .key("uas_port", Integer.toString(uas.port())).args("-inf", csv.toString())
                .timeout(Duration.ofSeconds(60)).runToEnd(work);
        String shown;
        if (options.target() == Target.OFFHOOK) {
            for (int k = 1; k <= callees; k++) {
                bob.awaitPresence(options.watch().jid(callee(k)), p -> options.available().matches(xml(p)),
                        Duration.ofSeconds(30));
            }
            shown = "shown to bob";
        } else {
            // A peer may show nothing before the first call: wait a bounded time, then go on and say so.
            BenchStats.awaitQuietly(Duration.ofSeconds(30), () -> availableCallees() >= callees);
            shown = availableCallees() + " of them shown available to bob";
        }
        System.out.printf(Locale.ROOT, "Set up in %.1f s: Prosody %s, Kamailio %s (%s), HEP to %s, %d callees "
                + "registered, %s%n", (System.nanoTime() - t0) / 1e9, prosody, kamailio, template,
                options.hep().none() ? "nowhere (port " + hepPort + ")" : "127.0.0.1:" + hepPort, callees, shown);
    }

    /** Copies the files under {@code from} (a peer's, e.g. empty db_text tables) into {@code to}. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from, MAX_COPY_DEPTH)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** How many callees bob has seen available since he logged in. */
    private long availableCallees() {
        classifyNew();
        return seen.stream().filter(s -> s.shown() == Shown.AVAILABLE).map(Seen::user).distinct().count();
    }

    private Result run(Phase phase) throws IOException {
        System.out.printf(Locale.ROOT, "%nPhase %s: %d calls, -r %d, -l %d, ring %d ms, talk %d ms%n",
                phase.name(), phase.calls(), phase.rate(), phase.limit(), RING_MS, phase.talkMillis());
        List<String> notes = new ArrayList<>();
        List<String> callees = new ArrayList<>();
        for (int i = 0; i < phase.calls(); i++) {
            callees.add(callee(i % options.callees() + 1));
        }
        Path csv = injection(phase.name().replaceAll("[^a-z0-9]+", "-"), callees);
        String filter = "(udp and (src port " + uas.port() + " or src port " + caller.port()
                + (options.hep().none() ? "" : " or dst port " + hepPort) + ")) or (tcp and (dst port "
                + prosody.componentPort() + " or src port " + prosody.c2sPort() + "))";
        BenchCapture capture = BenchCapture.start(work, "capture-" + phase.name().replaceAll("[^a-z0-9]+", "-"),
                filter);
        captures.add(capture);
        long offset = BenchStats.nanoToEpochMicros();
        long startNanos = System.nanoTime();
        Map<Long, Long> offhookCpu = BenchStats.threadCpuMicros(BenchStats::isOffhookThread);
        long jvmCpu = BenchStats.jvmCpuMicros();
        long prosodyCpu = BenchStats.processCpuMicros(prosody.pid());
        long kamailioCpu = BenchStats.treeCpuMicros(kamailio.pid());
        long sippCpu = BenchStats.reapedChildrenCpuMicros();
        long proxyDrops = BenchStats.udpDrops(kamailio.sipPort());
        long hepDrops = options.hep().none() ? 0 : BenchStats.udpDrops(hepPort);
        if (offhook != null) {
            offhook.services().engine().latency().reset();
            offhook.services().engine().latencyToWrite().reset();
        }

        Sipp answering = Sipp.lab("bench/uas-answer-any.xml", uas).calls(phase.calls()).pause(RING_MS)
                .timeout(phase.bound().plusSeconds(10)).start(work);
        sipps.add(answering);
        Sipp calling = Sipp.lab("bench/uac-call-csv.xml", caller).to(kamailio.sipPort()).calls(phase.calls())
                .key("caller_domain", options.callerDomain())
                .rate(phase.rate()).pause(phase.talkMillis()).timeout(phase.bound())
                .args("-inf", csv.toString(), "-l", Integer.toString(phase.limit())).start(work);
        sipps.add(calling);
        boolean sippFailed = !awaitSipp(calling, "caller", notes);
        sippFailed |= !awaitSipp(answering, "callee", notes);
        long sippUsed = BenchStats.reapedChildrenCpuMicros() - sippCpu;
        // Every answered call's "On the phone" (and its "Phone available") should have reached bob by now or soon.
        boolean allSeen = BenchStats.awaitQuietly(Duration.ofSeconds(10),
                () -> watcherSequence(startNanos, offset).stream().filter(s -> s.shown() == Shown.AVAILABLE)
                        .count() >= phase.calls());
        if (!allSeen) {
            notes.add("bob did not see every call end within 10 s of the last one (see the unmatched calls)");
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Latency.Snapshot inside = offhook == null ? null : offhook.services().engine().latency().snapshot();
        Latency.Snapshot insideToWrite = offhook == null ? null
                : offhook.services().engine().latencyToWrite().snapshot();
        long offhookUsed = offhook == null ? -1 : BenchStats.threadCpuSince(offhookCpu,
                BenchStats.threadCpuMicros(BenchStats::isOffhookThread));
        Cpu cpu = new Cpu(offhookUsed, BenchStats.jvmCpuMicros() - jvmCpu,
                BenchStats.processCpuMicros(prosody.pid()) - prosodyCpu,
                BenchStats.treeCpuMicros(kamailio.pid()) - kamailioCpu, sippUsed);
        Drops drops = new Drops(BenchStats.udpDrops(kamailio.sipPort()) - proxyDrops,
                options.hep().none() ? -1 : BenchStats.udpDrops(hepPort) - hepDrops);
        if (drops.proxy() > 0 || drops.hep() > 0) {
            notes.add("the kernel dropped datagrams for a slow reader: " + drops.proxy() + " at Kamailio's SIP "
                    + "socket, " + drops.hep() + " at the HEP socket");
        }
        long drift = BenchStats.nanoToEpochMicros() - offset;
        String captured = capture.stop();
        return analyse(phase, capture, startNanos, offset, inside, insideToWrite, cpu, drops, sippFailed, seconds,
                captured, drift, notes);
    }

    /** Waits for a sipp run; notes its failure and returns false if it failed. */
    private static boolean awaitSipp(Sipp sipp, String role, List<String> notes) {
        try {
            sipp.awaitSuccess();
            return true;
        } catch (AssertionError e) {
            String first = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            notes.add("sipp " + role + ": " + first + " (its logs are in the work directory)");
            return false;
        }
    }

    /**
     * Per state and callee, when bob's listener got each presence of that state from the callee's watched JID since
     * {@code startNanos}, epoch µs.
     */
    private Map<Shown, Map<String, TreeSet<Long>>> watcherTimes(long startNanos, long offset) {
        Map<Shown, Map<String, TreeSet<Long>>> out = new EnumMap<>(Shown.class);
        for (Seen s : watcherSequence(startNanos, offset)) {
            out.computeIfAbsent(s.shown(), x -> new HashMap<>()).computeIfAbsent(s.user(), u -> new TreeSet<>())
                    .add(s.time());
        }
        return out;
    }

    /** One state bob received from a callee; {@code time}: its {@code System.nanoTime()}, or epoch µs converted. */
    private record Seen(String user, Shown shown, long time) {
    }

    /** Classifies what bob received since the last call (each stanza once: polling must stay cheap). */
    private void classifyNew() {
        List<Watcher.Received> all = bob.received();
        for (Watcher.Received r : all.subList(classified, all.size())) {
            String user = options.watch().user(from(r.presence()));
            Shown shown = user == null ? null : options.classify(xml(r.presence()));
            if (shown != null) {
                seen.add(new Seen(user, shown, r.nanos()));
            }
        }
        classified = all.size();
    }

    /**
     * Every state bob received from a watched JID since {@code startNanos}, in the order received, its time
     * converted to epoch µs.
     */
    private List<Seen> watcherSequence(long startNanos, long offset) {
        classifyNew();
        List<Seen> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.time() - startNanos >= 0) {
                out.add(new Seen(s.user(), s.shown(), s.time() / 1000 + offset));
            }
        }
        return out;
    }

    private static String from(Presence p) {
        return p.getFrom() == null ? null : p.getFrom().toString();
    }

    private static String xml(Presence p) {
        return p.toXML().toString();
    }

    private Result analyse(Phase phase, BenchCapture capture, long startNanos, long offset, Latency.Snapshot inside,
                           Latency.Snapshot insideToWrite,
                           Cpu cpu, Drops drops, boolean sippFailed, double seconds, String captured, long drift,
                           List<String> notes) throws IOException {
        Map<String, Long> invites = new LinkedHashMap<>();
        Map<String, String> inviteCallee = new HashMap<>();
        Map<String, Long> oks = new LinkedHashMap<>();
        Map<String, String> okCallee = new HashMap<>();
        Map<String, Long> sipOf = new HashMap<>(); // "180 callId", "BYE callId": first on the wire
        Map<String, TreeSet<Long>> component = new HashMap<>();
        Map<String, TreeSet<Long>> client = new HashMap<>();
        Map<String, Long> hepOf = new HashMap<>(); // "180 callId", "200 callId", "BYE callId": first HEP copy
        int[] unreadable = {0};
        String bobBare = "bob@" + DOMAIN;
        capture.read(f -> {
            if (!f.tcp() && f.sourcePort() == caller.port()) {
                SipMessage m = sip(f.data(), f.offset(), f.length(), unreadable);
                if (m != null && "INVITE".equals(m.method()) && !invites.containsKey(m.callId())) {
                    invites.put(m.callId(), f.timeMicros());
                    inviteCallee.put(m.callId(), user(m.toUri()));
                } else if (m != null && "BYE".equals(m.method())) {
                    sipOf.putIfAbsent("BYE " + m.callId(), f.timeMicros());
                }
            } else if (!f.tcp() && f.sourcePort() == uas.port()) {
                SipMessage m = sip(f.data(), f.offset(), f.length(), unreadable);
                if (isOkToInvite(m) && !oks.containsKey(m.callId())) {
                    oks.put(m.callId(), f.timeMicros());
                    okCallee.put(m.callId(), user(m.toUri()));
                } else if (m != null && m.statusCode() == 180 && "INVITE".equals(m.cseqMethod())) {
                    sipOf.putIfAbsent("180 " + m.callId(), f.timeMicros());
                }
            } else if (!f.tcp() && f.destinationPort() == hepPort) {
                try {
                    HepPacket h = HepDecoder.decode(f.data(), f.offset(), f.length());
                    if (h.isSip()) {
                        SipPacket s = h.toSipPacket(f.timeMicros());
                        SipMessage m = sip(s.data(), s.offset(), s.length(), unreadable);
                        String kind = m == null ? null : "BYE".equals(m.method()) ? "BYE"
                                : "INVITE".equals(m.cseqMethod()) && m.statusCode() == 180 ? "180"
                                : isOkToInvite(m) ? "200" : null;
                        if (kind != null) {
                            hepOf.putIfAbsent(kind + " " + m.callId(), f.timeMicros());
                        }
                    }
                } catch (HepException e) {
                    unreadable[0]++;
                }
            } else if (f.tcp() && f.destinationPort() == prosody.componentPort()) {
                stanzas(f.text(), f.timeMicros(), bobBare, component);
            } else if (f.tcp() && f.sourcePort() == prosody.c2sPort()) {
                stanzas(f.text(), f.timeMicros(), bobBare, client);
            }
        });
        Map<String, TreeSet<Long>> listener = new HashMap<>();
        watcherTimes(startNanos, offset).forEach((shown, byUser) -> byUser.forEach((user, times) ->
                listener.put(key(shown, user), times)));
        List<Call> calls = new ArrayList<>();
        for (Map.Entry<String, Long> ok : oks.entrySet()) {
            String callee = okCallee.get(ok.getKey());
            long t = ok.getValue();
            long h = hepOf.getOrDefault("200 " + ok.getKey(), -1L);
            String k = key(Shown.ON_THE_PHONE, callee);
            calls.add(new Call(ok.getKey(), callee, t, h >= t && h - t <= WINDOW_MICROS ? h : -1,
                    first(component, k, t), first(client, k, t), first(listener, k, t)));
        }
        Map<String, List<Long>> byEvent = new LinkedHashMap<>();
        for (String kind : List.of("180", "200", "BYE")) {
            List<Long> samples = new ArrayList<>();
            for (Map.Entry<String, String> call : okCallee.entrySet()) {
                Long h = hepOf.get(kind + " " + call.getKey());
                long c = h == null ? -1 : first(component, key(EVENTS.get(kind), call.getValue()), h);
                if (c >= 0) {
                    samples.add(c - h);
                }
            }
            byEvent.put(kind, samples);
        }
        List<Long> allEvents = new ArrayList<>();
        byEvent.values().forEach(allEvents::addAll);
        Map<String, BenchStats.Summary> offhookByEvent = new LinkedHashMap<>();
        byEvent.forEach((kind, samples) -> offhookByEvent.put(kind, BenchStats.Summary.of(samples)));
        offhookByEvent.put("all", BenchStats.Summary.of(allEvents));
        List<Long> e2e = new ArrayList<>();
        List<Long> kam = new ArrayList<>();
        List<Long> off = new ArrayList<>();
        List<Long> path = new ArrayList<>();
        List<Long> pro = new ArrayList<>();
        List<Long> sm = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        int[] missing = new int[4];
        for (Call c : calls) {
            if (c.watcher() >= 0) {
                e2e.add(c.watcher() - c.ok());
            } else {
                unmatched.add(c.callee() + " " + c.callId() + " (" + (options.hep().none() ? ""
                        : "HEP " + seen(c.hep()) + ", ") + "component " + seen(c.component()) + ", client stream "
                        + seen(c.client()) + ")");
            }
            missing[0] += c.hep() < 0 ? 1 : 0;
            missing[1] += c.component() < 0 ? 1 : 0;
            missing[2] += c.client() < 0 ? 1 : 0;
            missing[3] += c.watcher() < 0 ? 1 : 0;
            if (c.hep() >= 0) {
                kam.add(c.hep() - c.ok());
            }
            if (c.hep() >= 0 && c.component() >= 0) {
                off.add(c.component() - c.hep());
            }
            if (c.component() >= 0) {
                path.add(c.component() - c.ok());
            }
            if (c.component() >= 0 && c.client() >= 0) {
                pro.add(c.client() - c.component());
            }
            if (c.client() >= 0 && c.watcher() >= 0) {
                sm.add(c.watcher() - c.client());
            }
        }
        int neverAnswered = 0;
        for (String callId : invites.keySet()) {
            if (!oks.containsKey(callId)) {
                neverAnswered++;
            }
        }
        if (neverAnswered > 0) {
            notes.add(neverAnswered + " INVITEs sent got no 200 OK from the callee");
        }
        if (!unmatched.isEmpty()) {
            notes.add(unmatched.size() + " answered calls not matched at bob's client; first ones: "
                    + String.join("; ", unmatched.subList(0, Math.min(5, unmatched.size()))));
        }
        boolean hepSeen = !options.hep().none();
        if ((hepSeen ? missing[0] : 0) + missing[1] + missing[2] > 0) {
            notes.add("stages not found on the wire: " + (hepSeen ? "HEP " + missing[0] + ", " : "") + "component "
                    + missing[1] + ", client stream " + missing[2] + " (a stanza split across TCP segments is not "
                    + "found)");
        }
        if (unreadable[0] > 0) {
            notes.add(unreadable[0] + " captured SIP/HEP datagrams could not be read");
        }
        Collections.sort(sm);
        if (!sm.isEmpty() && sm.get(0) < 0) {
            notes.add("the listener's time was before the wire time for " + sm.stream().filter(x -> x < 0).count()
                    + " calls (clock conversion off by up to " + -sm.get(0) + " µs)");
        }
        AtWatcher atWatcher = judge(invites, inviteCallee, oks, sipOf, listener, startNanos, offset, notes);
        if (options.watchesCaller() && phase.limit() == 1) {
            judgeCaller(invites, startNanos, offset, notes);
        }
        SipSide sip = sipSide(phase, invites, oks, sippFailed);
        return new Result(phase, invites.size(), oks.size(), e2e.size(), BenchStats.Summary.of(e2e),
                BenchStats.Summary.of(kam), BenchStats.Summary.of(off), BenchStats.Summary.of(pro),
                BenchStats.Summary.of(sm), BenchStats.Summary.of(path), offhookByEvent, inside, insideToWrite, cpu, atWatcher, sip,
                drops, seconds, captured, drift, notes, longs(e2e), longs(off));
    }

    /**
     * Judges every call by what bob received from its callee between its INVITE on the wire and the callee's next
     * call's INVITE (or the end of the phase), and measures each state from its SIP event (180, 200, BYE) on the
     * wire to bob's listener.
     */
    private AtWatcher judge(Map<String, Long> invites, Map<String, String> inviteCallee, Map<String, Long> oks,
                            Map<String, Long> sipOf, Map<String, TreeSet<Long>> listener, long startNanos,
                            long offset, List<String> notes) {
        Map<String, List<Seen>> byUser = new HashMap<>();
        for (Seen s : watcherSequence(startNanos, offset)) {
            byUser.computeIfAbsent(s.user(), u -> new ArrayList<>()).add(s);
        }
        Map<String, TreeSet<Long>> callsOf = new HashMap<>();
        invites.forEach((callId, t) -> callsOf.computeIfAbsent(inviteCallee.get(callId), u -> new TreeSet<>())
                .add(t));
        int complete = 0;
        int outOfOrder = 0;
        Map<Shown, Integer> missing = new EnumMap<>(Shown.class);
        for (Shown s : Shown.values()) {
            missing.put(s, 0);
        }
        Map<Shown, List<Long>> latency = new EnumMap<>(Shown.class);
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, Long> invite : invites.entrySet()) {
            String callId = invite.getKey();
            String callee = inviteCallee.get(callId);
            long from = invite.getValue();
            Long next = callsOf.get(callee).higher(from);
            long until = next == null ? Long.MAX_VALUE : next;
            List<Shown> received = new ArrayList<>();
            for (Seen s : byUser.getOrDefault(callee, List.of())) {
                if (s.time() >= from && s.time() < until) {
                    received.add(s.shown());
                }
            }
            Verdict v = Verdict.of(received);
            if (v.complete()) {
                complete++;
            } else {
                outOfOrder += v.outOfOrder() ? 1 : 0;
                v.missing().forEach(s -> missing.merge(s, 1, Integer::sum));
                failed.add(callee + " " + callId + ": " + Verdict.letters(received));
            }
            Map<Shown, Long> events = new EnumMap<>(Shown.class);
            events.put(Shown.RINGING, sipOf.getOrDefault("180 " + callId, -1L));
            events.put(Shown.ON_THE_PHONE, oks.getOrDefault(callId, -1L));
            events.put(Shown.AVAILABLE, sipOf.getOrDefault("BYE " + callId, -1L));
            events.forEach((shown, t) -> {
                long got = t < 0 ? -1 : first(listener, key(shown, callee), t);
                if (got >= 0 && got < until) {
                    latency.computeIfAbsent(shown, x -> new ArrayList<>()).add(got - t);
                }
            });
        }
        if (!failed.isEmpty()) {
            notes.add(failed.size() + " calls did not show ringing, on the phone, available in order at bob "
                    + "(R ringing, P on the phone, A available, as received); first ones: "
                    + String.join("; ", failed.subList(0, Math.min(5, failed.size()))));
        }
        Map<Shown, BenchStats.Summary> summaries = new EnumMap<>(Shown.class);
        for (Shown s : Shown.values()) {
            summaries.put(s, BenchStats.Summary.of(latency.getOrDefault(s, List.of())));
        }
        return new AtWatcher(invites.size(), complete, outOfOrder, missing, summaries);
    }

    /**
     * Judges the caller's states at bob for calls placed one at a time (its calls do not overlap then): between
     * each INVITE on the wire and the next, ringing, on the phone, available in that order. One note says how
     * many were complete and lists the first that were not.
     */
    private void judgeCaller(Map<String, Long> invites, long startNanos, long offset, List<String> notes) {
        TreeSet<Long> times = new TreeSet<>(invites.values());
        Map<Long, String> callOf = new HashMap<>();
        invites.forEach((callId, t) -> callOf.put(t, callId));
        List<Seen> ofCaller = watcherSequence(startNanos, offset).stream().filter(s -> s.user().equals(CALLER))
                .toList();
        int complete = 0;
        int outOfOrder = 0;
        Map<Shown, Integer> missing = new EnumMap<>(Shown.class);
        List<String> failed = new ArrayList<>();
        for (long from : times) {
            Long next = times.higher(from);
            long until = next == null ? Long.MAX_VALUE : next;
            List<Shown> received = ofCaller.stream().filter(s -> s.time() >= from && s.time() < until)
                    .map(Seen::shown).toList();
            Verdict v = Verdict.of(received);
            if (v.complete()) {
                complete++;
            } else {
                outOfOrder += v.outOfOrder() ? 1 : 0;
                v.missing().forEach(s -> missing.merge(s, 1, Integer::sum));
                failed.add(callOf.get(from) + ": " + Verdict.letters(received));
            }
        }
        notes.add(String.format(Locale.ROOT, "the caller (%s@%s, watched as %s): %d of %d calls complete and in "
                + "order at bob, %d out of order, missing ringing / on the phone / available %d / %d / %d%s",
                CALLER, options.callerDomain(), options.watch().bare(CALLER), complete, times.size(), outOfOrder,
                missing.getOrDefault(Shown.RINGING, 0), missing.getOrDefault(Shown.ON_THE_PHONE, 0),
                missing.getOrDefault(Shown.AVAILABLE, 0), failed.isEmpty() ? ""
                        : "; first ones: " + String.join("; ", failed.subList(0, Math.min(8, failed.size())))));
    }

    /** The pace of the SIP side in a phase, from the INVITEs leaving the caller and the 200 OKs leaving the callee. */
    private static SipSide sipSide(Phase phase, Map<String, Long> invites, Map<String, Long> oks,
                                   boolean sippFailed) {
        List<Long> sent = new ArrayList<>(invites.values());
        Collections.sort(sent);
        double rate = sent.size() < 2 ? 0 : (sent.size() - 1) * 1e6 / (sent.get(sent.size() - 1) - sent.get(0));
        List<Long> toOk = new ArrayList<>();
        int unanswered = 0;
        for (Map.Entry<String, Long> i : invites.entrySet()) {
            Long ok = oks.get(i.getKey());
            if (ok == null) {
                unanswered++;
            } else {
                toOk.add(ok - i.getValue());
            }
        }
        BenchStats.Summary s = BenchStats.Summary.of(toOk);
        boolean paced = phase.limit() == 1 || rate >= RATE_SHARE * phase.rate();
        boolean onTime = paced && !sippFailed && unanswered == 0 && invites.size() == phase.calls()
                && s.p99() <= ON_TIME_MICROS;
        return new SipSide(rate, s, unanswered, sippFailed, onTime);
    }

    private static long[] longs(List<Long> samples) {
        return samples.stream().mapToLong(Long::longValue).toArray();
    }

    private static String seen(long t) {
        return t >= 0 ? "seen" : "missing";
    }

    private static boolean isOkToInvite(SipMessage m) {
        return m != null && m.statusCode() == 200 && "INVITE".equals(m.cseqMethod());
    }

    private static SipMessage sip(byte[] data, int offset, int length, int[] unreadable) {
        try {
            return SipScanner.scan(data, offset, length);
        } catch (SipParseException e) {
            unreadable[0]++;
            return null;
        }
    }

    /**
     * The presence stanzas from a callee's watched JID to {@code bare} (or one of its resources) in one TCP segment,
     * by {@link #key} of the state they show and the callee.
     */
    private void stanzas(String text, long micros, String bare, Map<String, TreeSet<Long>> into) {
        Matcher m = PRESENCE.matcher(text);
        while (m.find()) {
            String stanza = m.group();
            String open = stanza.substring(0, stanza.indexOf('>') + 1);
            Matcher from = FROM.matcher(open);
            Matcher to = TO.matcher(open);
            if (!from.find() || !to.find() || !(to.group(2).equals(bare) || to.group(2).startsWith(bare + "/"))) {
                continue;
            }
            String user = options.watch().user(BenchOptions.StateMatcher.decode(from.group(2)));
            Shown shown = user == null ? null : options.classify(stanza);
            if (shown != null) {
                into.computeIfAbsent(key(shown, user), u -> new TreeSet<>()).add(micros);
            }
        }
    }

    private static String key(Shown shown, String user) {
        return shown + "|" + user;
    }

    /** The first time at or after {@code t} (within the window) for {@code user}, or -1. */
    private static long first(Map<String, TreeSet<Long>> times, String user, long t) {
        TreeSet<Long> set = times.get(user);
        Long found = set == null ? null : set.ceiling(t);
        return found != null && found - t <= WINDOW_MICROS ? found : -1;
    }

    /** {@code sip:user@host} to {@code user}. */
    private static String user(String uri) {
        int colon = uri.indexOf(':');
        int at = uri.indexOf('@');
        return at > colon ? uri.substring(colon + 1, at) : uri;
    }

    /**
     * The phase's distributions as PNGs in {@link BenchPlot#outputDir()}: end to end (200 OK on the wire to bob's
     * listener) and Offhook's part (HEP copy on the wire to stanza on the wire).
     */
    private static void plot(Result r) throws IOException {
        String phase = r.phase().name().replaceAll("[^a-z0-9]+", "-");
        Path dir = BenchPlot.outputDir();
        List<Path> written = new ArrayList<>();
        for (Path p : new Path[] {
            BenchPlot.write(dir, "presence-latency-" + phase + "-end-to-end", "presence-latency, " + r.phase().name()
                    + ": callee's 200 OK on the wire -> watcher's client", r.endToEndSamples()),
            BenchPlot.write(dir, "presence-latency-" + phase + "-offhook", "presence-latency, " + r.phase().name()
                    + ": HEP copy of the 200 OK -> Offhook's stanza on the wire", r.offhookSamples())}) {
            if (p != null) {
                written.add(p);
            }
        }
        System.out.println("Plots: " + (written.isEmpty() ? "none (no samples)" : written));
    }

    private Path injection(String name, List<String> users) throws IOException {
        StringBuilder b = new StringBuilder("SEQUENTIAL\n");
        for (String u : users) {
            b.append(u).append(";\n");
        }
        Path file = work.resolve(name + ".csv");
        Files.writeString(file, b.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    private static String callee(int k) {
        return "callee" + k;
    }

    private static void print(List<Result> results, BenchOptions options) {
        boolean offhook = options.target() == Target.OFFHOOK;
        System.out.println();
        System.out.println("| phase | calls | 200 OK | matched | p50 (ms) | p99 (ms) | max (ms) | inside p50 / p99 / "
                + "max (µs) | inside to the write's start (µs) | inside events |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            Latency.Snapshot in = r.inside();
            Latency.Snapshot toWrite = r.insideToWrite();
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s |%n",
                    r.phase().name(), r.invites(), r.answered(), r.matched(), BenchStats.ms(r.endToEnd().p50()),
                    BenchStats.ms(r.endToEnd().p99()), BenchStats.ms(r.endToEnd().max()),
                    in == null ? "-" : in.p50() + " / " + in.p99() + " / " + in.max(),
                    toWrite == null ? "-" : toWrite.p50() + " / " + toWrite.p99() + " / " + toWrite.max(),
                    in == null ? "-" : Long.toString(in.count()));
        }
        System.out.println();
        if (offhook) {
            System.out.println("| phase | 200 OK -> HEP copy (Kamailio) | HEP -> stanza on the wire (Offhook) | "
                    + "component -> client stream (Prosody) | client stream -> listener (Smack) |");
            System.out.println("|---|---|---|---|---|");
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.phase().name(),
                        r.kamailio().millis(), r.offhook().millis(), r.prosody().millis(), r.smack().millis());
            }
        } else {
            System.out.println("| phase | 200 OK -> stanza on the component wire (path under test) | component -> "
                    + "client stream (Prosody) | client stream -> listener (Smack) |");
            System.out.println("|---|---|---|---|");
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", r.phase().name(),
                        r.toComponent().millis(), r.prosody().millis(), r.smack().millis());
            }
        }
        System.out.println("(each: p50 / p99 / max in ms)");
        if (offhook) {
            System.out.println();
            System.out.println("| phase | Offhook on the wire: HEP copy of the 180 -> 'Phone ringing' | 200 -> 'On the "
                    + "phone' | BYE -> 'Phone available' | all three |");
            System.out.println("|---|---|---|---|---|");
            for (Result r : results) {
                Map<String, BenchStats.Summary> e = r.offhookByEvent();
                System.out.printf(Locale.ROOT, "| %s | %s (%d) | %s (%d) | %s (%d) | %s (%d) |%n", r.phase().name(),
                        e.get("180").millis(), e.get("180").n(), e.get("200").millis(), e.get("200").n(),
                        e.get("BYE").millis(), e.get("BYE").n(), e.get("all").millis(), e.get("all").n());
            }
            System.out.println("(each: p50 / p99 / max in ms, and how many events were found on the wire)");
        }
        System.out.println();
        System.out.println("| phase | seconds | CPU Offhook threads | CPU Prosody | CPU Kamailio | capture | clock "
                + "drift |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %s ms | %s ms | %s ms | %s | %d µs |%n",
                    r.phase().name(), r.seconds(), r.cpu().offhook() < 0 ? "-" : BenchStats.ms(r.cpu().offhook()),
                    BenchStats.ms(r.cpu().prosody()), BenchStats.ms(r.cpu().kamailio()), r.capture(), r.clockDrift());
        }
        System.out.println();
        System.out.println("| phase | calls | at the watcher: complete, in order | out of order | missing ringing / on "
                + "the phone / available | 180 -> ringing | 200 -> on the phone | BYE -> available |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            AtWatcher w = r.atWatcher();
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d / %d / %d | %s | %s | %s |%n", r.phase().name(),
                    w.judged(), w.complete(), w.outOfOrder(), w.missing().get(Shown.RINGING),
                    w.missing().get(Shown.ON_THE_PHONE), w.missing().get(Shown.AVAILABLE),
                    w.latency().get(Shown.RINGING).millis(), w.latency().get(Shown.ON_THE_PHONE).millis(),
                    w.latency().get(Shown.AVAILABLE).millis());
        }
        System.out.println("(latencies: the SIP event leaving its sender on the wire -> bob's listener, p50 / p99 / "
                + "max in ms)");
        System.out.println();
        System.out.println("| phase | rate asked | INVITEs left at | INVITE -> 200 OK on the wire | SIP side on time | "
                + "UDP drops: Kamailio / HEP socket | CPU per call: Offhook threads | whole benchmark JVM | Prosody | "
                + "Kamailio | sipp (both) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            SipSide s = r.sip();
            int n = Math.max(1, r.invites());
            Cpu c = r.cpu();
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f/s | %s | %s | %d / %s | %s | %s | %s | %s | %s |%n",
                    r.phase().name(), r.phase().limit() == 1 ? "one at a time" : r.phase().rate() + "/s",
                    s.inviteRate(), s.inviteToOk().millis(), s.onTime() ? "yes" : "**no**", r.drops().proxy(),
                    r.drops().hep() < 0 ? "-" : Long.toString(r.drops().hep()),
                    c.offhook() < 0 ? "-" : perCall(c.offhook(), n), perCall(c.jvm(), n), perCall(c.prosody(), n),
                    perCall(c.kamailio(), n), perCall(c.sipp(), n));
        }
        System.out.println("(INVITE -> 200 OK: p50 / p99 / max in ms, ringing " + RING_MS + " ms included; CPU in ms "
                + "per call; the JVM holds Offhook, the Smack watcher, GC and JIT; /proc times have 10 ms "
                + "resolution)");
        for (Result r : results) {
            for (String note : r.notes()) {
                System.out.println("- " + r.phase().name() + ": " + note);
            }
        }
    }

    private static String perCall(long micros, int calls) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0 / calls);
    }

    private void stopAll() {
        List<AutoCloseable> all = new ArrayList<>();
        all.addAll(sipps);
        all.addAll(captures);
        all.add(bob);
        all.add(kamailio);
        all.add(offhook);
        RuntimeException failure = null;
        for (AutoCloseable c : all) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("stopping failed") : failure;
                failure.addSuppressed(e);
            }
        }
        if (prosody != null) {
            try {
                prosody.stop();
            } catch (RuntimeException e) {
                failure = failure == null ? new IllegalStateException("stopping failed") : failure;
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        System.out.println("Every process the benchmark started (Prosody, Kamailio, sipp, dumpcap) was stopped by "
                + "its PID.");
    }
}
