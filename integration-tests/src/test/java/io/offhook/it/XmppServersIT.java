package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.xmpp.stream.ComponentConnection;
import io.offhook.xmpp.stream.ComponentListener;
import io.offhook.xmpp.stream.ComponentSettings;
import io.offhook.xmpp.stream.ConnectionStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jivesoftware.smack.packet.Presence;
import org.xmpp.packet.Packet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The harness itself, on both servers: Prosody 0.12 and ejabberd 23.01, each configured from its {@code etc/} file,
 * accept a trusted XEP-0114 component whose presence from a user's address (the resource mode of Offhook) reaches
 * that user's contact, logged in with a real client (Smack); grant it the XEP-0356 permissions the etc files document;
 * deliver such presence to a non-contact too (the servers do not check subscriptions for a trusted component: the
 * component must, and the watcher records it, so a later "non-contact receives nothing" test can fail); and after a
 * server restart the client is back within 5 seconds (issue 3's bound for the restart-mid-call test); and answer
 * Offhook's own connection's XEP-0199 keep-alive pings, so that an idle link is never thought dead.
 *
 * <p>Both servers start once for the class and are stopped in {@link #stopServers()}, by PID.
 */
class XmppServersIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-0123456789";
    private static final String PASSWORD = "it-password-1";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String BOB = "bob@" + DOMAIN;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RECONNECT_BOUND = Duration.ofSeconds(5);
    /** The XEP-0356 permission message: namespace :2 from Prosody's module, :1 from ejabberd's. */
    private static final Pattern PRIVILEGE = Pattern.compile(
            "<privilege xmlns=['\"]urn:xmpp:privilege:[12]['\"]>.*?</privilege>", Pattern.DOTALL);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static Prosody prosody;
    private static Ejabberd ejabberd;

    @BeforeAll
    static void startServers() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        ejabberd = Ejabberd.start(work.resolve("ejabberd"), DOMAIN, COMPONENT, SECRET);
        for (XmppServer s : List.<XmppServer>of(prosody, ejabberd)) {
            for (String user : List.of("alice", "bob", "carol")) {
                s.register(user, PASSWORD);
            }
            s.addRosterItem("alice", BOB, "both");
            s.addRosterItem("bob", ALICE, "both");
        }
    }

    @AfterAll
    static void stopServers() {
        try {
            if (prosody != null) {
                prosody.stop();
            }
        } finally {
            if (ejabberd != null) {
                ejabberd.stop();
            }
        }
    }

    static Stream<XmppServer> servers() {
        return Stream.of(prosody, ejabberd);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void componentPresenceFromAUsersResourceReachesTheirContact(XmppServer server) throws IOException {
        try (Watcher bob = Watcher.login(server, "bob", PASSWORD, "desk");
             RawComponent component = RawComponent.connect(server, SECRET, WAIT)) {
            component.await(PRIVILEGE, WAIT, "the XEP-0356 permission message");
            String perms = component.received();
            for (String perm : List.of("roster", "presence", "message")) {
                assertTrue(Pattern.compile("<perm\\s[^>]*access=['\"]" + perm + "['\"]").matcher(perms).find(),
                        () -> server.name() + " did not grant the '" + perm + "' permission of its etc file: "
                                + perms);
            }
            bob.mark();
            component.send("<presence from='" + ALICE + "/phone' to='" + BOB + "'><show>dnd</show>"
                    + "<status>On the phone</status><priority>5</priority></presence>");
            Presence p = bob.awaitPresence(ALICE + "/phone", Presence::isAvailable, WAIT);
            assertEquals(Presence.Mode.dnd, p.getMode());
            assertEquals("On the phone", p.getStatus());
            assertEquals(5, p.getPriority());

            bob.mark();
            component.send("<presence type='unavailable' from='" + ALICE + "/phone' to='" + BOB + "'/>");
            bob.awaitPresence(ALICE + "/phone", pr -> pr.getType() == Presence.Type.unavailable, WAIT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aWatcherRecordsPresenceFromAJidOutsideItsRoster(XmppServer server) throws IOException {
        try (Watcher carol = Watcher.login(server, "carol", PASSWORD, "laptop");
             RawComponent component = RawComponent.connect(server, SECRET, WAIT)) {
            carol.mark();
            component.send("<presence from='" + ALICE + "/phone' to='carol@" + DOMAIN + "'>"
                    + "<status>not for carol</status></presence>");
            carol.awaitPresence(ALICE + "/phone", pr -> "not for carol".equals(pr.getStatus()), WAIT);
            assertEquals(1, carol.receivedFrom(ALICE).size(), () -> "carol's presence from alice: "
                    + carol.receivedFrom(ALICE));
        }
    }

    /**
     * Offhook's connection, idle, pings every 200 ms: each ping is answered (a result or an error) and the one
     * connection stays up. A ping the server drops would count as failed and reconnect.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void theComponentsKeepAlivePingsAreAnswered(XmppServer server) throws InterruptedException {
        List<String> lost = new CopyOnWriteArrayList<>();
        ComponentSettings settings = ComponentSettings.of("127.0.0.1", server.componentPort(), COMPONENT, SECRET,
                DOMAIN).withPing(Duration.ofMillis(200), Duration.ofSeconds(3));
        ComponentConnection connection = new ComponentConnection(settings, new ComponentListener() {
            @Override
            public void connected() {
            }

            @Override
            public void stanza(Packet packet) {
            }

            @Override
            public void disconnected(String reason) {
                lost.add(reason);
            }
        }, Clock.systemUTC());
        try {
            connection.start();
            assertTrue(connection.awaitConnected(WAIT), server.name() + " did not accept the component");
            Await.until(WAIT, () -> connection.stats().pingsSent() >= 5,
                    () -> "pings sent: " + connection.stats());
            ConnectionStats stats = connection.stats();
            assertEquals(0, stats.pingsFailed(), () -> server.name() + " left a ping unanswered: " + stats);
            assertEquals(1, stats.connects(), () -> "reconnected: " + stats + " " + lost);
            assertEquals(List.of(), lost);
        } finally {
            connection.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aWatcherIsBackWithinFiveSecondsOfAServerRestart(XmppServer server) throws IOException {
        try (Watcher bob = Watcher.login(server, "bob", PASSWORD, "desk")) {
            bob.setPresence(Presence.Mode.away, "lunch", 1);
            server.restart();
            bob.awaitReconnected(RECONNECT_BOUND);
            try (Watcher alice = Watcher.login(server, "alice", PASSWORD, "laptop")) {
                alice.awaitPresence(BOB + "/desk", pr -> pr.getMode() == Presence.Mode.away
                        && "lunch".equals(pr.getStatus()), WAIT);
            }
        }
    }
}
