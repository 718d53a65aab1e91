package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIP PUBLISH (RFC 3903) into Offhook, end to end: a sipp user agent client publishes PIDF (RFC 3863 with RPID,
 * RFC 4480) and dialog-info (RFC 4235) to Offhook's receiver on loopback, as a presence server or Kamailio's
 * pua_dialoginfo would, and a watcher on a real Prosody sees the user's phone resource follow: available, ringing,
 * on the phone and back; a superseded entity tag is refused with 412 (the scenario fails otherwise); a publication
 * that is not refreshed expires and the user comes back. Then a real Kamailio 5.6 with {@code pua_dialoginfo}
 * (Debian package {@code kamailio-presence-modules}) publishes the dialogs of a call it proxies, and the watcher
 * sees the callee ring, talk and come back. No HEP reaches Offhook here: the publications alone drive the presence.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublishIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-publish-0123";
    private static final String PASSWORD = "it-password-1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ALICE_PHONE = "alice@" + DOMAIN + "/phone";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    static XmppServer server;
    static OffhookUnderTest offhook;
    static Watcher bob;
    static int publishPort;

    @BeforeAll
    static void startAll() throws IOException {
        server = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        server.addRosterItem("alice", "bob@" + DOMAIN, "both");
        server.addRosterItem("bob", "alice@" + DOMAIN, "both");
        publishPort = FreePorts.one();
        // Lifetimes down to 2 s, so that the expiry test waits seconds, not minutes.
        offhook = OffhookUnderTest.start(work.resolve("offhook"), server, SECRET,
                "sip:alice@example.com = alice@offhook.test\n",
                Map.of("publish.listen", "127.0.0.1:" + publishPort, "publish.min-expires", "2s"));
        Lab.sipp();
        bob = Watcher.login(server, "bob", PASSWORD, "desk");
    }

    @AfterAll
    static void stopAll() {
        Lab.closeQuietly(bob, offhook);
        if (server != null) {
            server.stop();
        }
    }

    @BeforeEach
    void mark() {
        bob.mark();
    }

    private static Predicate<Presence> status(String text) {
        return p -> p.getType() == Presence.Type.available && text.equals(p.getStatus());
    }

    /** A sipp run that publishes PIDF with one RPID activity for alice. */
    private static Sipp.Run pidf(String activity, int expires) {
        return Sipp.of(Lab.testScenario("publish-pidf.xml"), UserAgent.of("presence-server")).to(publishPort)
                .key("presentity", "alice").key("activity", activity).key("expires", Integer.toString(expires));
    }

    /** Whether Debian's kamailio-presence-modules is there (its modules sit in an architecture's folder). */
    private static boolean puaDialoginfoInstalled() throws IOException {
        try (DirectoryStream<Path> arches = Files.newDirectoryStream(Path.of("/usr/lib"))) {
            for (Path arch : arches) {
                if (Files.exists(arch.resolve("kamailio/modules/pua_dialoginfo.so"))) {
                    return true;
                }
            }
        }
        return Files.exists(Path.of("/usr/lib/kamailio/modules/pua_dialoginfo.so"));
    }

    @Test
    @Order(1)
    void aPresencePublicationShowsThePhone() throws IOException {
        // "away" is the person's business, not the phone's: an open tuple means the phone is available.
        pidf("away", 3600).runToEnd(work);
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
    }

    @Test
    @Order(2)
    void aDialogPublicationRingsTalksAndEndsAndAStaleTagIsRefused() throws IOException {
        Sipp.of(Lab.testScenario("publish-dialog.xml"), UserAgent.of("pua")).to(publishPort)
                .key("presentity", "alice").key("remote", "xavier").runToEnd(work);
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
        assertEquals(List.of("Phone ringing", "On the phone", "Phone available"), bob.statusesSinceMark(ALICE_PHONE),
                "the dialog publication over the presence publication: the higher state wins, then back");
    }

    @Test
    @Order(3)
    void aPublicationThatIsNotRefreshedExpires() throws IOException {
        pidf("on-the-phone", 3).runToEnd(work);
        bob.awaitPresence(ALICE_PHONE, status("On the phone"), WAIT);
        // Nobody refreshes it: after its 3 s the hour-long "available" publication is all that is left.
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
        assertEquals(List.of("On the phone", "Phone available"), bob.statusesSinceMark(ALICE_PHONE));
    }

    @Test
    @Order(4)
    void kamailiosPuaDialoginfoPublishesTheCallsItProxies() throws IOException {
        Path dir = work.resolve("kamailio-pua");
        Path db = Files.createDirectories(dir.resolve("db"));
        // db_text tables: pua insists on a database module even with its publications in memory (db_mode 0).
        Files.writeString(db.resolve("version"), "id(int,auto) table_name(string) table_version(int) \n0:pua:7\n");
        Files.writeString(db.resolve("pua"), "id(int,auto) pres_uri(string) pres_id(string) event(int) expires(int) "
                + "desired_expires(int) flag(int) etag(string) tuple_id(string,null) watcher_uri(string) "
                + "call_id(string) to_tag(string) from_tag(string) cseq(int) record_route(string,null) "
                + "contact(string) remote_contact(string) version(int) extra_headers(string) \n");
        URL template = PublishIT.class.getResource("/kamailio/pua-dialoginfo.cfg.template");
        if (template == null) {
            throw new IllegalStateException("no /kamailio/pua-dialoginfo.cfg.template on the class path");
        }
        if (!puaDialoginfoInstalled()) {
            fail("Kamailio's pua_dialoginfo is not installed: apt-get install kamailio-presence-modules "
                    + "(scripts/install-deps does)");
        }
        try (Kamailio kamailio = Kamailio.startWith(Path.of(URI.create(template.toString())), dir,
                Map.of("@PUBLISH_PORT@", Integer.toString(publishPort), "@DB_DIR@", db.toAbsolutePath().toString()));
             CallLab lab = new CallLab(work, kamailio)) {
            UserAgent alice = UserAgent.of("alice");
            UserAgent xavier = UserAgent.of("xavier");
            lab.register(alice);
            lab.register(xavier);
            bob.mark();
            lab.call(xavier, "uac-call.xml", "uas-answer.xml", alice);
            bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
            assertEquals(List.of("Phone ringing", "On the phone", "Phone available"),
                    bob.statusesSinceMark(ALICE_PHONE), "what Kamailio published of alice's call");
            assertEquals(List.of(), kamailio.errors(), "Kamailio's errors (pua checks every answer)");
        }
    }
}
