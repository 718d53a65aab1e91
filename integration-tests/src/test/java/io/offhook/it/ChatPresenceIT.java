package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.out.OutboundPublications.Outcome;
import io.offhook.tap.publish.out.SipPublisher;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat presence into SIP (RFC 3903 PUBLISH, RFC 3863 PIDF, RFC 4480 RPID), end to end: alice's real Smack client on
 * Prosody changes her status; Offhook, which sees it through XEP-0356, publishes it to a real Kamailio 5.6 presence
 * server ({@code presence} + {@code presence_xml}, Debian {@code kamailio-presence-modules}, db_text tables); a sipp
 * watcher SUBSCRIBEd (RFC 3856, Event: presence) to alice at Kamailio receives a NOTIFY whose PIDF shows it: dnd as
 * busy, away as away, offline as closed. Then Kamailio goes away while alice changes her status: Offhook counts the
 * server down and backs off; when Kamailio is back, Offhook publishes again and a new watcher sees the current state.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatPresenceIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-chatpub-0123";
    private static final String PASSWORD = "it-password-1";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AtomicInteger SCENARIOS = new AtomicInteger();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    static XmppServer server;
    static Kamailio kamailio;
    static OffhookUnderTest offhook;
    static Watcher alice;

    @BeforeAll
    static void startAll() throws IOException {
        server = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        server.addRosterItem("alice", "bob@" + DOMAIN, "both");
        server.addRosterItem("bob", "alice@" + DOMAIN, "both");
        Path dir = work.resolve("kamailio-presence");
        Path db = Files.createDirectories(dir.resolve("db"));
        // db_text tables of Kamailio's own schema (Debian ships them with the kamailio package), every column
        // but the id nullable: Kamailio writes rows with empty columns back at exit (presentity's sender,
        // active_watchers' user agent) that it then refuses to read at the next start.
        Path schema = Path.of("/usr/share/kamailio/dbtext/kamailio");
        Files.copy(schema.resolve("version"), db.resolve("version"));
        for (String table : new String[] {"presentity", "active_watchers", "watchers", "xcap"}) {
            Files.writeString(db.resolve(table), Files.readString(schema.resolve(table), StandardCharsets.UTF_8)
                    .replace("(string)", "(string,null)").replace("(int)", "(int,null)"), StandardCharsets.UTF_8);
        }
        kamailio = Kamailio.startWith(resource("/kamailio/presence-server.cfg.template"), dir,
                Map.of("@DB_DIR@", db.toAbsolutePath().toString()));
        offhook = OffhookUnderTest.start(work.resolve("offhook"), server, SECRET,
                "sip:alice@example.com = alice@offhook.test\n",
                Map.of("sip-publish.target", "127.0.0.1:" + kamailio.sipPort(),
                        "sip-publish.listen", "127.0.0.1:" + FreePorts.one(),
                        "sip-publish.timeout", "2s", "sip-publish.backoff-min", "200ms",
                        "sip-publish.backoff-max", "1s"));
        Lab.sipp();
        alice = Watcher.login(server, "alice", PASSWORD, "laptop");
    }

    @AfterAll
    static void stopAll() {
        Lab.closeQuietly(alice, offhook, kamailio);
        if (server != null) {
            server.stop();
        }
    }

    private static Path resource(String name) {
        URL url = ChatPresenceIT.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("no " + name + " on the class path");
        }
        return Path.of(URI.create(url.toString()));
    }

    /** A sipp watcher of alice at Kamailio that succeeds at the first NOTIFY whose body matches {@code regexp}. */
    private static Sipp.Run watcher(String regexp) throws IOException {
        String template = Files.readString(resource("/sipp/presence-watcher.xml.template"), StandardCharsets.UTF_8);
        Path scenario = work.resolve("presence-watcher-" + SCENARIOS.incrementAndGet() + ".xml");
        Files.writeString(scenario, template.replace("@WANT@", regexp), StandardCharsets.UTF_8);
        return Sipp.of(scenario, UserAgent.of("watcher")).to(kamailio.sipPort()).key("presentity", "alice")
                .timeout(WAIT);
    }

    private static SipPublisher publisher() {
        return offhook.services().sipPublisher();
    }

    @Test
    @Order(1)
    void aWatcherSeesDndAsBusyAndThenTheChangeToAway() throws IOException {
        alice.setPresence(Presence.Mode.dnd, "Focus time", 5);
        watcher("<basic>open</basic>.*Focus time.*<rpid:busy/>").runToEnd(work);
        try (Sipp watching = watcher("<rpid:away/>.*Lunch|Lunch.*<rpid:away/>").start(work)) {
            alice.setPresence(Presence.Mode.away, "Lunch", 5);
            watching.awaitSuccess();
        }
        assertEquals(java.util.List.of(), kamailio.errors(), "Kamailio's errors");
    }

    @Test
    @Order(2)
    void goingOfflineIsClosed() throws IOException {
        try (Sipp watching = watcher("<basic>closed</basic>").start(work)) {
            alice.disconnect();
            watching.awaitSuccess();
        }
    }

    @Test
    @Order(3)
    void aPresenceServerThatGoesAwayIsBackedOffFromAndPublishedAgainWhenBack() throws IOException {
        alice = Watcher.login(server, "alice", PASSWORD, "laptop");
        alice.setPresence(Presence.Mode.dnd, "Before the outage", 5);
        watcher("Before the outage").runToEnd(work);
        kamailio.close();
        alice.setPresence(Presence.Mode.xa, "During the outage", 5);
        Await.until(WAIT, () -> publisher().stats().serverDown(), () -> "Offhook did not notice the presence "
                + "server going away: " + publisher().stats());
        long downAnswers = publisher().stats().answers().get(Outcome.SERVER_DOWN);
        kamailio = kamailio.restart();
        Await.until(WAIT, () -> !publisher().stats().serverDown(), () -> "Offhook did not notice the presence "
                + "server back: " + publisher().stats());
        watcher("During the outage.*<rpid:away/>|<rpid:away/>.*During the outage").runToEnd(work);
        assertTrue(downAnswers >= 1, "unanswered requests counted: " + publisher().stats());
        assertTrue(downAnswers <= 20, "a bounded backoff, not a tight loop: " + publisher().stats());
        assertEquals(1, publisher().stats().timesDown(), "one outage: " + publisher().stats());
    }
}
