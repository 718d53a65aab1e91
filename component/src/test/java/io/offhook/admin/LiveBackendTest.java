package io.offhook.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.admin.AdminBackend.AdminException;
import io.offhook.admin.AdminBackend.ClearReport;
import io.offhook.admin.AdminBackend.Counter;
import io.offhook.admin.AdminBackend.UserList;
import io.offhook.admin.AdminBackend.UserReport;
import io.offhook.admin.AdminBackend.UserRow;
import io.offhook.mapping.MappingReloader;
import io.offhook.mapping.NumberPlan;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.presence.PresentationMode;
import io.offhook.publish.EngineSettings;
import io.offhook.publish.PresenceEngine;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.publish.PublishConfig;
import io.offhook.tap.publish.PublishRequest;
import io.offhook.tap.publish.StateCombiner;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackedUser;
import io.offhook.tap.track.TrackerConfig;
import io.offhook.xmpp.stream.ConnectionStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;

/**
 * The admin commands' backend on a real engine, tracker and mapping file: SIP in, the admin's view out; a clear
 * goes through the tracker and comes back to the engine as events, as in the running program.
 */
class LiveBackendTest {
    static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
    static final String MAP = """
            sip:alice@example.com = alice@localhost
            sip:bob@example.com = bob@localhost remote=show
            sip:carol@example.com = carol@localhost mode=gateway
            sip:*@rule.example.com = *@other.localhost
            """;

    @TempDir
    Path dir;
    Path mapFile;
    final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    final List<Packet> sent = new ArrayList<>();
    final DropCounters drops = new DropCounters();
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    MappingReloader mapping;
    PresenceEngine engine;
    TapPipeline tap;
    PublicationStore publications;
    boolean engineBusy;
    LiveBackend backend;

    @BeforeEach
    void setUp() throws Exception {
        mapFile = dir.resolve("users.map");
        Files.writeString(mapFile, MAP, StandardCharsets.UTF_8);
        mapping = new MappingReloader(mapFile, NumberPlan.NONE, map -> engine.mappingChanged(map), scheduler,
                Duration.ofHours(1));
        engine = new PresenceEngine(EngineSettings.defaults(new JID("phone.localhost")),
                new DefaultPresenceMapping(), mapping.loadInitial(), sent::add, clock);
        StateCombiner combiner = new StateCombiner(engine::phoneEvent);
        tap = TapPipeline.onClock(new PhoneTracker(TrackerConfig.DEFAULTS, combiner, drops), drops, clock);
        publications = new PublicationStore(PublishConfig.defaults(), combiner, clock);
        EngineAccess direct = new EngineAccess() {
            @Override
            public <T> T call(Function<PresenceEngine, T> task, Duration timeout) throws TimeoutException {
                if (engineBusy) {
                    throw new TimeoutException("busy");
                }
                return task.apply(engine);
            }
        };
        backend = new LiveBackend(direct, tap, drops, mapping, PresentationMode.RESOURCE,
                () -> new ConnectionStats(1, 0, "", 10, 20, 3, 0, 0, 1, 0),
                () -> new LiveBackend.LoopCounters(0, 5, 120, 900), Publications.of(publications));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        mapping.close();
        scheduler.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
    }

    // ---------------------------------------------------------------- SIP

    void sip(String text) {
        tap.onPacket(SipPacket.of(0, text.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII)));
    }

    void register(String user, String host, int port) {
        sip("SIP/2.0 200 OK\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-r" + port + "\n"
                + "From: <sip:" + user + "@" + host + ">;tag=r\n"
                + "To: <sip:" + user + "@" + host + ">;tag=reg\n"
                + "Call-ID: reg-" + user + "-" + port + "\n"
                + "CSeq: 1 REGISTER\n"
                + "Contact: <sip:" + user + "@127.0.0.1:" + port + ">;expires=3600\n"
                + "Content-Length: 0\n\n");
    }

    /** {@code caller} calls {@code callee} (both on example.com), and the callee answers; no BYE follows. */
    void answeredCall(String callId, String caller, int callerPort, String callee, int calleePort) {
        String head = "From: <sip:" + caller + "@example.com>;tag=a-" + callId + "\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 INVITE\n";
        sip("INVITE sip:" + callee + "@127.0.0.1:" + calleePort + " SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + callerPort + ";branch=z9hG4bK-" + callId + "\n" + head
                + "To: <sip:" + callee + "@example.com>\n"
                + "Contact: <sip:" + caller + "@127.0.0.1:" + callerPort + ">\n"
                + "Content-Length: 0\n\n");
        sip("SIP/2.0 200 OK\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + callerPort + ";branch=z9hG4bK-" + callId + "\n" + head
                + "To: <sip:" + callee + "@example.com>;tag=b-" + callId + "\n"
                + "Contact: <sip:" + callee + "@127.0.0.1:" + calleePort + ">\n"
                + "Content-Length: 0\n\n");
    }

    // ---------------------------------------------------------------- users

    @Test
    void theListPutsTheBusiestFirstAndNamesEveryMappedUser() throws AdminException {
        register("alice", "example.com", 5061);
        register("bob", "example.com", 5062);
        register("zed", "rule.example.com", 5063);
        answeredCall("c1", "alice", 5061, "bob", 5062);
        UserList list = backend.users(200);
        assertEquals(4, list.total());
        assertEquals(List.of("alice@localhost ON_THE_PHONE", "bob@localhost ON_THE_PHONE", "zed@other.localhost AVAILABLE",
                "carol@localhost OFFLINE"), list.rows().stream().map(r -> r.jid() + " " + r.state()).toList());
        UserRow alice = list.rows().get(0);
        assertEquals(List.of("sip:alice@example.com"), alice.addresses());
        assertEquals(PresentationMode.RESOURCE, alice.mode());
        assertEquals("dnd: On the phone", alice.shown());
        UserRow carol = list.rows().get(3);
        assertEquals(PresentationMode.GATEWAY, carol.mode(), "the mapping's mode for an idle user");
        assertEquals("", carol.shown());

        UserList two = backend.users(2);
        assertEquals(4, two.total());
        assertEquals(2, two.rows().size());
    }

    @Test
    void oneUserByJidOrSipAddressWithTheRemotePartyOnlyWhenOptedIn() throws AdminException {
        register("alice", "example.com", 5061);
        register("bob", "example.com", 5062);
        answeredCall("c1", "alice", 5061, "bob", 5062);

        UserReport alice = backend.user("Alice@Localhost/laptop");
        assertEquals("alice@localhost", alice.row().jid().toString());
        assertEquals(PhoneState.ON_THE_PHONE, alice.row().state());
        assertEquals(1, alice.recipients(), "only herself: her roster was never read");
        TrackedUser tapped = alice.tap().get(0);
        assertEquals(List.of(new TrackedUser.Device("alice@127.0.0.1:5061", micros(NOW) + 3_600_000_000L)),
                tapped.devices());
        assertEquals("c1", tapped.calls().get(0).callId());
        assertEquals(LiveBackend.HIDDEN, tapped.calls().get(0).remote(), "alice did not opt in");
        assertFalse(alice.showRemoteParty());

        UserReport bob = backend.user("sip:bob@example.com");
        assertTrue(bob.showRemoteParty());
        assertEquals("sip:alice@example.com", bob.tap().get(0).calls().get(0).remote());

        UserReport carol = backend.user("carol@localhost");
        assertEquals(PhoneState.OFFLINE, carol.row().state());
        assertEquals(List.of("sip:carol@example.com"), carol.row().addresses());
        assertEquals(List.of(), carol.tap());
        assertEquals(List.of("sip:zed@rule.example.com"), backend.user("zed@other.localhost").row().addresses(),
                "a rule's user is found by JID too");
    }

    @Test
    void whoIsNotMappedIsNotShownAndBadInputIsNamed() {
        assertMessage(() -> backend.user("sip:xavier@example.com"), "sip:xavier@example.com is not in the mapping");
        assertMessage(() -> backend.user("xavier@elsewhere.example"), "xavier@elsewhere.example is not mapped");
        assertMessage(() -> backend.user("sip:"), "'sip:' is not a usable SIP or tel address");
        assertMessage(() -> backend.user("a@b@c"), "neither a JID");
        assertMessage(() -> backend.user("localhost"), "names a server");
        assertMessage(() -> backend.user("x".repeat(600)), "too long");
        assertMessage(() -> backend.clear("nobody@elsewhere.example"), "no SIP address to clear");
    }

    @Test
    void clearingAStuckCallBringsTheEngineBackToTheRegistrations() throws AdminException {
        register("alice", "example.com", 5061);
        register("bob", "example.com", 5062);
        answeredCall("c1", "alice", 5061, "bob", 5062);
        sent.clear();

        ClearReport report = backend.clear("alice@localhost");
        assertEquals(1, report.callsEnded());
        assertEquals(PhoneState.AVAILABLE, report.stateAfter());
        assertEquals(List.of("sip:alice@example.com"), report.addresses());
        assertEquals(PhoneState.AVAILABLE, backend.user("alice@localhost").row().state());
        assertEquals(PhoneState.AVAILABLE, backend.user("bob@localhost").row().state(), "one call, both parties");
        assertTrue(sent.stream().anyMatch(p -> p.toXML().contains("Phone available")), "presence went out");

        ClearReport again = backend.clear("sip:alice@example.com");
        assertEquals(0, again.callsEnded());
        assertEquals(PhoneState.AVAILABLE, again.stateAfter());
    }

    @Test
    void showAndClearCoverWhatAPublisherSaidToo() throws AdminException {
        register("alice", "example.com", 5061);
        byte[] onThePhone = ("<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\""
                + " xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\""
                + " entity=\"sip:alice@example.com\"><tuple id=\"t\"><status><basic>open</basic></status></tuple>"
                + "<dm:person id=\"p\"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>"
                + "</presence>").getBytes(StandardCharsets.UTF_8);
        assertEquals(200, publications.publish(new PublishRequest("sip:alice@example.com", "presence", null, 600,
                "application/pidf+xml", onThePhone, "127.0.0.1:5070")).status());
        UserReport shown = backend.user("sip:alice@example.com");
        assertEquals(PhoneState.ON_THE_PHONE, shown.row().state(), "the publication wins over the registration");
        assertEquals(List.of(new AdminBackend.Published("sip:alice@example.com", new PublicationStore.PublishedSource(
                "presence", "127.0.0.1:5070", PhoneState.ON_THE_PHONE, 0, NOW.plusSeconds(600)))), shown.published());
        assertEquals(List.of(), backend.user("bob@localhost").published());

        ClearReport report = backend.clear("alice@localhost");
        assertEquals(0, report.callsEnded());
        assertEquals(1, report.publicationsRemoved());
        assertEquals(PhoneState.AVAILABLE, report.stateAfter());
        assertEquals(PhoneState.AVAILABLE, backend.user("alice@localhost").row().state());
        assertEquals(List.of(), backend.user("alice@localhost").published());
    }

    @Test
    void clearAlsoRestatesAUserTheEngineStillShowsBusy() throws AdminException {
        register("alice", "example.com", 5061);
        // An event the engine never got: the tracker says available, the engine shows a call.
        engine.phoneEvent(new PhoneEvent(micros(NOW), "sip:alice@example.com",
                PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.AVAILABLE,
                "lost", null, null));
        assertEquals(PhoneState.ON_THE_PHONE, backend.user("alice@localhost").row().state());
        assertEquals(0, backend.clear("alice@localhost").callsEnded());
        assertEquals(PhoneState.AVAILABLE, backend.user("alice@localhost").row().state());
    }

    // ---------------------------------------------------------------- mapping, counters, timeouts

    @Test
    void reloadSaysWhatWasLoadedOrWhereTheFileIsBroken() throws Exception {
        Files.writeString(mapFile, MAP + "sip:dora@example.com = dora@localhost\n", StandardCharsets.UTF_8);
        String loaded = backend.reloadMapping();
        assertTrue(loaded.contains("4 pairs") && loaded.contains("naming 4 users"), loaded);
        assertEquals("dora@localhost", backend.users(200).rows().stream().map(r -> r.jid().toString())
                .filter(j -> j.startsWith("dora")).findFirst().orElseThrow());

        Files.writeString(mapFile, MAP + "sip:eve@example.com = eve@localhost mode=loud\n", StandardCharsets.UTF_8);
        AdminException e = assertThrows(AdminException.class, backend::reloadMapping);
        assertTrue(e.getMessage().contains("users.map:5:") && e.getMessage().contains("last good mapping stays"),
                e.getMessage());
    }

    @Test
    void countersNameTheEngineTheTapTheConnectionAndTheMapping() throws AdminException {
        register("alice", "example.com", 5061);
        sip("this is not SIP\n\n");
        List<Counter> counters = backend.counters();
        List<String> vars = counters.stream().map(Counter::var).toList();
        for (String expected : List.of("engine.events", "engine.dropped", "latency.p50-us", "latency.p99-us",
                "tap.messages", "tap.drops", "tap.drops.sip-malformed", "xmpp.connects", "xmpp.last-error",
                "mapping.loads", "mapping.last-error")) {
            assertTrue(vars.contains(expected), expected + " in " + vars);
        }
        assertEquals("1", value(counters, "engine.events"));
        assertEquals("900", value(counters, "latency.p99-us"));
        assertEquals("1", value(counters, "tap.drops.sip-malformed"));
        assertEquals("none", value(counters, "xmpp.last-error"));
    }

    @Test
    void anEngineThatDoesNotAnswerIsSaidSo() {
        engineBusy = true;
        assertMessage(() -> backend.users(10), "did not answer within 5 s");
        assertMessage(backend::counters, "did not answer");
    }

    // ---------------------------------------------------------------- helpers

    interface Call {
        void run() throws AdminException;
    }

    static void assertMessage(Call call, String part) {
        AdminException e = assertThrows(AdminException.class, call::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    static String value(List<Counter> counters, String var) {
        return counters.stream().filter(c -> c.var().equals(var)).findFirst().orElseThrow().value();
    }

    static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
