package io.offhook.it;

import io.offhook.app.Latency;
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
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
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
 * Benchmark of issue 3 ("Speed"): how long after a callee's {@code 200 OK} is on the wire a contact's XMPP client
 * receives "On the phone", through the whole product: a real Kamailio mirroring HEP over UDP to Offhook (started
 * in this JVM from the shipped config, {@link OffhookUnderTest}), Offhook as a trusted component of a real Prosody,
 * and a real Smack client ({@link Watcher}). Never part of the tests: {@code scripts/bench presence-latency} runs
 * it.
 *
 * <p>Setup: {@value #CALLEES} users callee1..calleeN, mapped by one rule ({@code sip:*@example.com =
 * *@offhook.test}), each with bob in their roster (subscription both, and the other way round); bob is logged in.
 * Every callee registers a binding {@code sip:calleeK@127.0.0.1:UAS} pointing at one sipp that answers for all of
 * them ({@code lab/sipp/bench/uas-answer-any.xml}, ringing {@value #RING_MS} ms); one sipp caller in an unmapped
 * domain takes its callees from an injection file ({@code lab/sipp/bench/uac-call-csv.xml}), bounded by {@code -m}
 * calls, {@code -r} calls per second, {@code -l} concurrent calls and {@code -timeout}.
 *
 * <p>Measurement: dumpcap captures the loopback interface during each phase ({@link BenchCapture}). Per call
 * (Call-ID) it finds the callee's {@code 200 OK} leaving the answering sipp, then the first of each of these after
 * it: Kamailio's HEP copy of that 200 (same Call-ID), Offhook's stanza "On the phone" from calleeK/phone to bob on
 * the component connection, Prosody's copy of it on bob's client connection, and the moment bob's Smack listener
 * got it ({@link Watcher} stamps {@link System#nanoTime()}, converted to epoch time with one offset per phase).
 * End to end is 200 OK on the wire to bob's listener; the parts between are reported too, and Offhook's part
 * (HEP copy on the wire to stanza on the wire) also for the 180 ("Phone ringing") and the BYE ("Phone available")
 * of each call, the same events its own latency covers. Offhook's own latency
 * (HEP packet handled to stanza written, every event of the phase) comes from {@code engine().latency()}, reset at
 * the start of each phase. Calls without a match are counted and listed, never left out.
 */
final class BenchPresenceLatency {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String SECRET = "bench-component-secret-0123456789";
    static final String PASSWORD = "bench-password-1";
    static final String USERS_MAP = "sip:*@example.com = *@offhook.test\n";
    static final String ON_THE_PHONE = "On the phone";
    static final int CALLEES = 200;
    static final int RING_MS = 100;
    /** A stage counts for a call only within this long after its 200 OK (calls to one callee are 4 s apart). */
    static final long WINDOW_MICROS = 2_000_000;
    /** Kamailio's shared memory: thousands of short transactions. */
    static final int KAMAILIO_MB = 128;
    /** The highest rate at which each callee's calls (ring + talk) never overlap with {@value #CALLEES} callees. */
    static final int MAX_RATE = 80;

    private static final Pattern PRESENCE = Pattern.compile("<presence\\b[^>]*>.*?</presence>", Pattern.DOTALL);
    private static final Pattern FROM = Pattern.compile("\\sfrom=(['\"])([^'\"]*)\\1");
    private static final Pattern TO = Pattern.compile("\\sto=(['\"])([^'\"]*)\\1");
    /** What the callee's phone shows after a 180, a 200 and a BYE (the shipped config's texts). */
    private static final Map<String, String> EVENTS = Map.of("180", "Phone ringing", "200", ON_THE_PHONE, "BYE",
            "Phone available");
    private static final Pattern STATUS = Pattern.compile("<status>([^<]*)</status>");

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

    /** A phase's measured numbers. */
    record Result(Phase phase, int invites, int answered, int matched, BenchStats.Summary endToEnd,
                  BenchStats.Summary kamailio, BenchStats.Summary offhook, BenchStats.Summary prosody,
                  BenchStats.Summary smack, Map<String, BenchStats.Summary> offhookByEvent, Latency.Snapshot inside, long offhookCpu, long prosodyCpu,
                  long kamailioCpu, double seconds, String capture, long clockDrift, List<String> notes,
                  long[] endToEndSamples, long[] offhookSamples) {
    }

    private final Path work;
    private Prosody prosody;
    private OffhookUnderTest offhook;
    private Kamailio kamailio;
    private Watcher bob;
    private final List<Sipp> sipps = new ArrayList<>();
    private final List<BenchCapture> captures = new ArrayList<>();
    private UserAgent uas;
    private UserAgent caller;

    private BenchPresenceLatency(Path work) {
        this.work = work;
    }

    /**
     * {@code [rate [seconds [sequential]]]}: the loaded phase's calls per second (default 50, at most
     * {@value #MAX_RATE}) and length (default 60 s), the number of sequential calls (default 100).
     */
    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int sequential = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        if (rate < 1 || rate > MAX_RATE || seconds < 1 || seconds > 600 || sequential < 1 || sequential > 1000) {
            throw new IllegalArgumentException("rate 1.." + MAX_RATE + ", seconds 1..600, sequential 1..1000");
        }
        List<Phase> phases = List.of(
                new Phase("warm-up", 4 * rate, rate, 500, 1000),
                new Phase("sequential", sequential, 10, 1, 100),
                new Phase(rate + " calls/s", rate * seconds, rate, 500, 1000));
        Path work = Files.createTempDirectory("offhook-bench-latency-");
        System.out.println("Work directory (logs, captures): " + work);
        BenchPresenceLatency bench = new BenchPresenceLatency(work);
        List<Result> results = new ArrayList<>();
        try {
            bench.setUp();
            for (Phase phase : phases) {
                Result r = bench.run(phase);
                results.add(r);
                print(List.of(r));
                plot(r);
            }
        } finally {
            bench.stopAll();
        }
        System.out.println();
        System.out.println("## Summary (" + ZonedDateTime.now(ZoneOffset.UTC).withNano(0) + ")");
        print(results);
        BenchStats.cleanUp(work);
    }

    private void setUp() throws IOException {
        long t0 = System.nanoTime();
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        List<String> users = new ArrayList<>(List.of("bob"));
        List<Prosody.RosterItem> items = new ArrayList<>();
        for (int k = 1; k <= CALLEES; k++) {
            users.add(callee(k));
            items.add(new Prosody.RosterItem(callee(k), "bob@" + DOMAIN, XmppServer.Subscription.BOTH));
            items.add(new Prosody.RosterItem("bob", callee(k) + "@" + DOMAIN, XmppServer.Subscription.BOTH));
        }
        prosody.registerAll(users, PASSWORD);
        prosody.addRosterItems(items);
        offhook = OffhookUnderTest.start(work.resolve("offhook"), prosody, SECRET, USERS_MAP, Map.of());
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), offhook.hepPort(), Kamailio.HepTransport.UDP,
                KAMAILIO_MB);
        bob = Watcher.login(prosody, "bob", PASSWORD, "desk");
        uas = UserAgent.of("uas");
        caller = UserAgent.of("caller");
        UserAgent registrar = UserAgent.of("registrar");
        List<String> all = new ArrayList<>();
        for (int k = 1; k <= CALLEES; k++) {
            all.add(callee(k));
        }
        Path csv = injection("register", all);
        Sipp.lab("bench/register-csv.xml", registrar).to(kamailio.sipPort()).calls(CALLEES).rate(100)
                .key("uas_port", Integer.toString(uas.port())).args("-inf", csv.toString())
                .timeout(Duration.ofSeconds(60)).runToEnd(work);
        for (int k = 1; k <= CALLEES; k++) {
            bob.awaitPresence(phone(callee(k)), p -> p.getType() == Presence.Type.available
                    && "Phone available".equals(p.getStatus()), Duration.ofSeconds(30));
        }
        System.out.printf(Locale.ROOT, "Set up in %.1f s: Prosody %s, Kamailio %s, %d callees registered and shown "
                + "to bob%n", (System.nanoTime() - t0) / 1e9, prosody, kamailio, CALLEES);
    }

    private Result run(Phase phase) throws IOException {
        System.out.printf(Locale.ROOT, "%nPhase %s: %d calls, -r %d, -l %d, ring %d ms, talk %d ms%n",
                phase.name(), phase.calls(), phase.rate(), phase.limit(), RING_MS, phase.talkMillis());
        List<String> notes = new ArrayList<>();
        List<String> callees = new ArrayList<>();
        for (int i = 0; i < phase.calls(); i++) {
            callees.add(callee(i % CALLEES + 1));
        }
        Path csv = injection(phase.name().replaceAll("[^a-z0-9]+", "-"), callees);
        String filter = "(udp and (src port " + uas.port() + " or src port " + caller.port() + " or dst port "
                + offhook.hepPort() + ")) or (tcp and (dst port " + prosody.componentPort() + " or src port "
                + prosody.c2sPort() + "))";
        BenchCapture capture = BenchCapture.start(work, "capture-" + phase.name().replaceAll("[^a-z0-9]+", "-"),
                filter);
        captures.add(capture);
        long offset = BenchStats.nanoToEpochMicros();
        long startNanos = System.nanoTime();
        Map<Long, Long> offhookCpu = BenchStats.threadCpuMicros(BenchStats::isOffhookThread);
        long prosodyCpu = BenchStats.processCpuMicros(prosody.pid());
        long kamailioCpu = BenchStats.treeCpuMicros(kamailio.pid());
        offhook.services().engine().latency().reset();

        Sipp answering = Sipp.lab("bench/uas-answer-any.xml", uas).calls(phase.calls()).pause(RING_MS)
                .timeout(phase.bound().plusSeconds(10)).start(work);
        sipps.add(answering);
        Sipp calling = Sipp.lab("bench/uac-call-csv.xml", caller).to(kamailio.sipPort()).calls(phase.calls())
                .rate(phase.rate()).pause(phase.talkMillis()).timeout(phase.bound())
                .args("-inf", csv.toString(), "-l", Integer.toString(phase.limit())).start(work);
        sipps.add(calling);
        awaitSipp(calling, "caller", notes);
        awaitSipp(answering, "callee", notes);
        // Every answered call's "On the phone" (and its "Phone available") should have reached bob by now or soon.
        boolean allSeen = BenchStats.awaitQuietly(Duration.ofSeconds(10),
                () -> watcherTimes(startNanos, offset, "Phone available").values().stream()
                        .mapToInt(List::size).sum() >= phase.calls());
        if (!allSeen) {
            notes.add("bob did not see every call end within 10 s of the last one (see the unmatched calls)");
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Latency.Snapshot inside = offhook.services().engine().latency().snapshot();
        long offhookUsed = BenchStats.threadCpuSince(offhookCpu,
                BenchStats.threadCpuMicros(BenchStats::isOffhookThread));
        long prosodyUsed = BenchStats.processCpuMicros(prosody.pid()) - prosodyCpu;
        long kamailioUsed = BenchStats.treeCpuMicros(kamailio.pid()) - kamailioCpu;
        long drift = BenchStats.nanoToEpochMicros() - offset;
        String captured = capture.stop();
        Map<String, List<Long>> watcher = watcherTimes(startNanos, offset, ON_THE_PHONE);
        return analyse(phase, capture, watcher, inside, offhookUsed, prosodyUsed, kamailioUsed, seconds, captured,
                drift, notes);
    }

    private static void awaitSipp(Sipp sipp, String role, List<String> notes) {
        try {
            sipp.awaitSuccess();
        } catch (AssertionError e) {
            String first = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            notes.add("sipp " + role + ": " + first + " (its logs are in the work directory)");
        }
    }

    /** Per callee, when bob's listener got each presence with this status since {@code startNanos}, epoch µs. */
    private Map<String, List<Long>> watcherTimes(long startNanos, long offset, String status) {
        Map<String, List<Long>> out = new HashMap<>();
        for (Watcher.Received r : bob.received()) {
            Presence p = r.presence();
            if (r.nanos() - startNanos < 0 || p.getFrom() == null || p.getType() != Presence.Type.available
                    || !status.equals(p.getStatus())) {
                continue;
            }
            String from = p.getFrom().toString();
            if (from.endsWith("@" + DOMAIN + "/phone")) {
                out.computeIfAbsent(from.substring(0, from.indexOf('@')), u -> new ArrayList<>())
                        .add(r.nanos() / 1000 + offset);
            }
        }
        return out;
    }

    private Result analyse(Phase phase, BenchCapture capture, Map<String, List<Long>> watcher,
                           Latency.Snapshot inside, long offhookCpu, long prosodyCpu, long kamailioCpu,
                           double seconds, String captured, long drift, List<String> notes) throws IOException {
        Map<String, Long> invites = new HashMap<>();
        Map<String, Long> oks = new LinkedHashMap<>();
        Map<String, String> okCallee = new HashMap<>();
        Map<String, TreeSet<Long>> component = new HashMap<>();
        Map<String, TreeSet<Long>> client = new HashMap<>();
        Map<String, Long> hepOf = new HashMap<>(); // "180 callId", "200 callId", "BYE callId": first HEP copy
        int[] unreadable = {0};
        capture.read(f -> {
            if (!f.tcp() && f.sourcePort() == caller.port()) {
                SipMessage m = sip(f.data(), f.offset(), f.length(), unreadable);
                if (m != null && "INVITE".equals(m.method())) {
                    invites.putIfAbsent(m.callId(), f.timeMicros());
                }
            } else if (!f.tcp() && f.sourcePort() == uas.port()) {
                SipMessage m = sip(f.data(), f.offset(), f.length(), unreadable);
                if (isOkToInvite(m) && !oks.containsKey(m.callId())) {
                    oks.put(m.callId(), f.timeMicros());
                    okCallee.put(m.callId(), user(m.toUri()));
                }
            } else if (!f.tcp() && f.destinationPort() == offhook.hepPort()) {
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
                stanzas(f.text(), f.timeMicros(), "bob@" + DOMAIN, component);
            } else if (f.tcp() && f.sourcePort() == prosody.c2sPort()) {
                stanzas(f.text(), f.timeMicros(), "bob@" + DOMAIN, client);
            }
        });
        Map<String, TreeSet<Long>> listener = new HashMap<>();
        watcher.forEach((user, times) -> listener.put(key(ON_THE_PHONE, user), new TreeSet<>(times)));
        List<Call> calls = new ArrayList<>();
        for (Map.Entry<String, Long> ok : oks.entrySet()) {
            String callee = okCallee.get(ok.getKey());
            long t = ok.getValue();
            long h = hepOf.getOrDefault("200 " + ok.getKey(), -1L);
            calls.add(new Call(ok.getKey(), callee, t, h >= t && h - t <= WINDOW_MICROS ? h : -1,
                    first(component, key(ON_THE_PHONE, callee), t), first(client, key(ON_THE_PHONE, callee), t),
                    first(listener, key(ON_THE_PHONE, callee), t)));
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
        List<Long> pro = new ArrayList<>();
        List<Long> sm = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        int[] missing = new int[4];
        for (Call c : calls) {
            if (c.watcher() >= 0) {
                e2e.add(c.watcher() - c.ok());
            } else {
                unmatched.add(c.callee() + " " + c.callId() + " (HEP " + seen(c.hep()) + ", component "
                        + seen(c.component()) + ", client stream " + seen(c.client()) + ")");
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
        if (missing[0] + missing[1] + missing[2] > 0) {
            notes.add("stages not found on the wire: HEP " + missing[0] + ", component " + missing[1]
                    + ", client stream " + missing[2] + " (a stanza split across TCP segments is not found)");
        }
        if (unreadable[0] > 0) {
            notes.add(unreadable[0] + " captured SIP/HEP datagrams could not be read");
        }
        Collections.sort(sm);
        if (!sm.isEmpty() && sm.get(0) < 0) {
            notes.add("the listener's time was before the wire time for " + sm.stream().filter(x -> x < 0).count()
                    + " calls (clock conversion off by up to " + -sm.get(0) + " µs)");
        }
        return new Result(phase, invites.size(), oks.size(), e2e.size(), BenchStats.Summary.of(e2e),
                BenchStats.Summary.of(kam), BenchStats.Summary.of(off), BenchStats.Summary.of(pro),
                BenchStats.Summary.of(sm), offhookByEvent, inside, offhookCpu, prosodyCpu, kamailioCpu, seconds, captured, drift,
                notes, longs(e2e), longs(off));
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
     * The presence stanzas from a callee's phone to {@code bare} (or one of its resources) in one TCP segment, by
     * {@link #key} of their status text and the callee.
     */
    private static void stanzas(String text, long micros, String bare, Map<String, TreeSet<Long>> into) {
        Matcher m = PRESENCE.matcher(text);
        while (m.find()) {
            String stanza = m.group();
            String open = stanza.substring(0, stanza.indexOf('>') + 1);
            Matcher from = FROM.matcher(open);
            Matcher to = TO.matcher(open);
            Matcher status = STATUS.matcher(stanza);
            if (status.find() && from.find() && to.find()
                    && (to.group(2).equals(bare) || to.group(2).startsWith(bare + "/"))
                    && from.group(2).endsWith("@" + DOMAIN + "/phone")) {
                String user = from.group(2).substring(0, from.group(2).indexOf('@'));
                into.computeIfAbsent(key(status.group(1), user), u -> new TreeSet<>()).add(micros);
            }
        }
    }

    private static String key(String status, String user) {
        return status + "|" + user;
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

    private static String phone(String user) {
        return user + "@" + DOMAIN + "/phone";
    }

    private static void print(List<Result> results) {
        System.out.println();
        System.out.println("| phase | calls | 200 OK | matched | p50 (ms) | p99 (ms) | max (ms) | inside p50 / p99 / max "
                + "(µs) | inside events |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %d / %d / %d | %d |%n",
                    r.phase().name(), r.invites(), r.answered(), r.matched(), BenchStats.ms(r.endToEnd().p50()),
                    BenchStats.ms(r.endToEnd().p99()), BenchStats.ms(r.endToEnd().max()), r.inside().p50(),
                    r.inside().p99(), r.inside().max(), r.inside().count());
        }
        System.out.println();
        System.out.println("| phase | 200 OK -> HEP copy (Kamailio) | HEP -> stanza on the wire (Offhook) | component "
                + "-> client stream (Prosody) | client stream -> listener (Smack) |");
        System.out.println("|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.phase().name(),
                    r.kamailio().millis(), r.offhook().millis(), r.prosody().millis(), r.smack().millis());
        }
        System.out.println("(each: p50 / p99 / max in ms)");
        System.out.println();
        System.out.println("| phase | Offhook on the wire: HEP copy of the 180 -> 'Phone ringing' | 200 -> 'On the phone' "
                + "| BYE -> 'Phone available' | all three |");
        System.out.println("|---|---|---|---|---|");
        for (Result r : results) {
            Map<String, BenchStats.Summary> e = r.offhookByEvent();
            System.out.printf(Locale.ROOT, "| %s | %s (%d) | %s (%d) | %s (%d) | %s (%d) |%n", r.phase().name(),
                    e.get("180").millis(), e.get("180").n(), e.get("200").millis(), e.get("200").n(),
                    e.get("BYE").millis(), e.get("BYE").n(), e.get("all").millis(), e.get("all").n());
        }
        System.out.println("(each: p50 / p99 / max in ms, and how many events were found on the wire)");
        System.out.println();
        System.out.println("| phase | seconds | CPU Offhook threads | CPU Prosody | CPU Kamailio | capture | clock "
                + "drift |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %s ms | %s ms | %s ms | %s | %d µs |%n",
                    r.phase().name(), r.seconds(), BenchStats.ms(r.offhookCpu()), BenchStats.ms(r.prosodyCpu()),
                    BenchStats.ms(r.kamailioCpu()), r.capture(), r.clockDrift());
        }
        for (Result r : results) {
            for (String note : r.notes()) {
                System.out.println("- " + r.phase().name() + ": " + note);
            }
        }
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
