package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.subscribe.NotifyOutcome;
import io.offhook.tap.subscribe.SubscriberStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offhook's dialog-event subscriber (RFC 6665 SUBSCRIBE/NOTIFY, RFC 4235 {@code Event: dialog}) against a sipp user
 * agent server standing in for a PBX's BLF service, end to end to a watcher on a real Prosody: Offhook subscribes
 * for the mapped user at start, the PBX notifies a call ringing, answered and ended (full and partial state), and
 * the watcher sees alice's phone resource ring, go "on the phone" and go away. Then the PBX ends the subscription
 * ({@code terminated;reason=deactivated;retry-after=3}) and a second PBX run on the same port must receive a new
 * SUBSCRIBE; it grants 4 s and answers the refresh with 481 (a PBX that lost the subscription), twice, so Offhook
 * must refresh in time and subscribe anew after each 481. No HEP and no PUBLISH reach Offhook here.
 */
class DialogSubscribeIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-subscribe-01";
    private static final String PASSWORD = "it-password-1";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ALICE_PHONE = "alice@" + DOMAIN + "/phone";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    static XmppServer server;
    static Watcher bob;
    static UserAgent pbx;

    @BeforeAll
    static void startServer() throws IOException {
        server = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        server.addRosterItem("alice", "bob@" + DOMAIN, "both");
        server.addRosterItem("bob", "alice@" + DOMAIN, "both");
        Lab.sipp();
        bob = Watcher.login(server, "bob", PASSWORD, "desk");
        pbx = UserAgent.of("pbx");
    }

    @AfterAll
    static void stopServer() {
        if (bob != null) {
            bob.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void notifiesBecomePresenceAndEndedOrLostSubscriptionsAreMadeAgain() throws IOException {
        bob.mark();
        // The PBX listens first: Offhook subscribes as soon as it starts.
        try (Sipp call = Sipp.of(Lab.testScenario("dialog-notifier-call.xml"), pbx).key("remote", "xavier")
                .timeout(Duration.ofSeconds(40)).start(work);
             OffhookUnderTest offhook = OffhookUnderTest.start(work.resolve("offhook"), server, SECRET,
                     "sip:alice@example.com = alice@offhook.test\n",
                     Map.of("dialog-subscribe.target", "127.0.0.1:" + pbx.port(),
                             "dialog-subscribe.listen", "127.0.0.1:" + FreePorts.one()))) {
            bob.awaitPresence(ALICE_PHONE, p -> p.getType() == Presence.Type.unavailable, WAIT);
            assertEquals(List.of("Phone ringing", "On the phone", "unavailable"), bob.statusesSinceMark(ALICE_PHONE),
                    "what the PBX's NOTIFYs said of alice's call");
            call.awaitSuccess();

            // The PBX ended the subscription with retry-after=3: the next run must get a new SUBSCRIBE, and after
            // its 481 to the refresh, another one.
            try (Sipp lossy = Sipp.of(Lab.testScenario("dialog-notifier-refresh-481.xml"), pbx).calls(2)
                    .timeout(Duration.ofSeconds(30)).start(work)) {
                lossy.awaitSuccess();
            }
            // Ended by the PBX once, refused with 481 twice: three subscriptions made again.
            Await.until(WAIT, () -> offhook.services().dialogSubscriptions().orElseThrow().failures() >= 3,
                    () -> "subscriber: " + offhook.services().dialogSubscriptions());
            SubscriberStats stats = offhook.services().dialogSubscriptions().orElseThrow();
            assertEquals(3, stats.failures(), stats::toString);
            assertEquals(7L, stats.notifies().get(NotifyOutcome.ACCEPTED), "5 NOTIFYs of the call, one of each "
                    + "later subscription: " + stats);
            assertEquals(List.of("Phone ringing", "On the phone", "unavailable"), bob.statusesSinceMark(ALICE_PHONE),
                    "re-subscribing showed nothing new: the PBX said no call");
        }
    }
}
