package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.fallback.FallbackStats;
import io.offhook.fallback.SessionStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

/**
 * The per-user login fallback (issue 4) on a real Prosody: the users live on a second VirtualHost, {@code other.test},
 * that gives the component no XEP-0356 permissions (the "server that will not trust Offhook"). Offhook, started
 * in-process from the shipped config with {@code fallback.credentials-file} set, logs in as the user
 * (RFC 6120: SASL, resource binding; TLS is off only because the test's Prosody has no certificate, see
 * {@code tls=disabled} in the credentials) while the user's sipp phone is registered through Kamailio, and the
 * presence of that session (RFC 6121 section 4) is what the user's contact, a Smack client on other.test, sees.
 *
 * <p>Users: fiona ({@code mode=login}) and gus (resource mode by default, taken over by the fallback because his
 * domain is not the component's and the operator gave his password, here a wrong one), both with hank as a contact
 * (subscription both); ivan is nobody's contact and must receive nothing. xavier, who calls, is not mapped. fiona
 * also logs in with a client of her own, whose dnd the phone takes over (the rule of every mode). Offhook's own
 * shutdown runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FallbackIT {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String OTHER = "other.test";
    static final String SECRET = "it-component-secret-0123456789";
    static final String PASSWORD = "it-password-fallback-1";
    static final String WRONG_PASSWORD = "it-wrong-password-4711";
    static final String FIONA_PHONE = "fiona@" + OTHER + "/phone";
    static final String GUS_PHONE = "gus@" + OTHER + "/phone";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String USERS_MAP = """
            sip:fiona@example.com = fiona@other.test mode=login
            sip:gus@example.com = gus@other.test
            """;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    static Prosody prosody;
    static OffhookUnderTest offhook;
    static Kamailio kamailio;
    static Watcher hank;
    static Watcher ivan;
    static UserAgent fiona;
    static UserAgent gus;
    static UserAgent xavier;

    CallLab lab;

    @BeforeAll
    static void startAll() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET, List.of(OTHER));
        for (String user : List.of("fiona", "gus", "hank", "ivan")) {
            prosody.registerOn(OTHER, user, PASSWORD);
        }
        for (String user : List.of("fiona", "gus")) {
            prosody.addRosterItemOn(OTHER, user, "hank@" + OTHER, XmppServer.Subscription.BOTH);
            prosody.addRosterItemOn(OTHER, "hank", user + "@" + OTHER, XmppServer.Subscription.BOTH);
        }
        Path dir = work.resolve("offhook");
        Files.createDirectories(dir);
        Path credentials = dir.resolve("fallback.credentials");
        String server = " host=127.0.0.1 port=" + prosody.c2sPort() + " tls=disabled\n";
        Files.writeString(credentials, "# test accounts on a Prosody without a certificate (tls=disabled)\n"
                + "fiona@other.test = " + PASSWORD + server
                + "gus@other.test = " + WRONG_PASSWORD + server, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        offhook = OffhookUnderTest.start(dir, prosody, SECRET, USERS_MAP, Map.of(
                "fallback.credentials-file", credentials.toString(),
                "fallback.retry-min", "500ms",
                "fallback.retry-max", "2s"));
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), offhook.hepPort(), Kamailio.HepTransport.UDP, 64);
        hank = Watcher.login(prosody, OTHER, "hank", PASSWORD, "desk");
        ivan = Watcher.login(prosody, OTHER, "ivan", PASSWORD, "desk");
        fiona = UserAgent.of("fiona");
        gus = UserAgent.of("gus");
        xavier = UserAgent.of("xavier");
        CallLab setup = new CallLab(work, kamailio);
        setup.register(xavier);
    }

    @AfterAll
    static void stopAll() {
        try {
            if (ivan != null) {
                assertEquals(List.of(), ivan.receivedFrom("fiona@" + OTHER), "ivan is nobody's contact");
                assertEquals(List.of(), ivan.receivedFrom("gus@" + OTHER));
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {hank, ivan, kamailio, offhook}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        // Stopping the rest matters more; the logs stay in the work folder.
                    }
                }
            }
            if (prosody != null) {
                prosody.stop();
            }
        }
    }

    @BeforeEach
    void newLab() {
        lab = new CallLab(work, kamailio);
        hank.mark();
    }

    @AfterEach
    void stopPhones() {
        lab.close();
    }

    static Predicate<Presence> status(String text) {
        return p -> p.getType() == Presence.Type.available && text.equals(p.getStatus());
    }

    static Predicate<Presence> unavailable() {
        return p -> p.getType() == Presence.Type.unavailable;
    }

    static Optional<SessionStatus> session(String user) {
        try {
            return offhook.services().fallback().status(new JID(user), Duration.ofSeconds(5));
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("the login fallback did not answer", e);
        }
    }

    /** hank sees the call to fiona from her session: ringing, on the phone, back to idle, all in order. */
    void callFionaAndSeeItAtHank() throws IOException {
        hank.mark();
        lab.call(xavier, "uac-call.xml", "uas-answer.xml", fiona);
        hank.awaitPresence(FIONA_PHONE, status("Phone available"), WAIT);
        // One session, one stream: once the last has arrived, everything before it has.
        assertEquals(List.of("Phone ringing", "On the phone", "Phone available"), hank.statusesSinceMark(FIONA_PHONE));
    }

    @Test
    @Order(1)
    void aRegisteredPhoneLogsInAsTheUserAndTheContactSeesTheCall() throws IOException {
        lab.register(fiona);
        Presence idle = hank.awaitPresence(FIONA_PHONE, status("Phone available"), WAIT);
        assertEquals(-1, idle.getPriority(), "fallback.priority: the session never takes fiona's messages");
        assertEquals(Presence.Mode.available, idle.getMode());
        callFionaAndSeeItAtHank();
        Presence talking = hank.receivedFrom(FIONA_PHONE).stream().filter(status("On the phone")).findFirst()
                .orElseThrow();
        assertEquals(Presence.Mode.dnd, talking.getMode(), "the same presence mapping as the component modes");
        assertEquals(-1, talking.getPriority());
        assertTrue(session("fiona@" + OTHER).orElseThrow().online());
    }

    @Test
    @Order(2)
    void aWrongPasswordIsReportedForThatUserAloneWhileTheOtherWorks() throws IOException {
        lab.register(gus);
        Await.until(WAIT, () -> session("gus@" + OTHER).map(s -> s.failures() >= 2).orElse(false),
                () -> "gus's logins did not fail twice: " + session("gus@" + OTHER));
        SessionStatus status = session("gus@" + OTHER).orElseThrow();
        assertFalse(status.online());
        assertEquals(Optional.of("AUTH: the server refused the password (not-authorized)"), status.lastFailure());
        assertFalse(status.toString().contains(WRONG_PASSWORD));
        FallbackStats stats = offhook.services().fallback().stats();
        assertTrue(stats.authFailures() >= 2, stats.toString());
        callFionaAndSeeItAtHank();
        assertEquals(List.of(), hank.receivedFrom(GUS_PHONE), "gus was never logged in");
        assertTrue(session("fiona@" + OTHER).orElseThrow().online());
        lab.client(Sipp.lab("unregister-all.xml", gus)).runToEnd(work);
    }

    @Test
    @Order(3)
    void afterAServerRestartTheSessionComesBackAndTheContactSeesTheCurrentStateAgain() throws IOException {
        long lostBefore = offhook.services().fallback().stats().lost();
        prosody.restart();
        hank.awaitReconnected(Duration.ofSeconds(20));
        hank.awaitPresence(FIONA_PHONE, status("Phone available"), Duration.ofSeconds(20));
        assertTrue(offhook.services().fallback().stats().lost() > lostBefore);
        callFionaAndSeeItAtHank();
    }

    @Test
    @Order(4)
    void theUsersOwnDndOutranksThePhoneAndKeepsTheirWords() throws IOException {
        Watcher laptop = Watcher.login(prosody, OTHER, "fiona", PASSWORD, "laptop");
        try {
            laptop.setPresence(Presence.Mode.dnd, "Focus time", 5);
            Presence focused = hank.awaitPresence(FIONA_PHONE, status("Focus time (Phone available)"), WAIT);
            assertEquals(Presence.Mode.dnd, focused.getMode());
            assertEquals(-1, focused.getPriority());
        } finally {
            laptop.close();
        }
        hank.awaitPresence(FIONA_PHONE, status("Phone available"), WAIT);
        assertEquals(List.of("Focus time (Phone available)", "Phone available"), hank.statusesSinceMark(FIONA_PHONE));
    }

    @Test
    @Order(5)
    void anUnregisteredPhoneLogsOff() throws IOException {
        lab.client(Sipp.lab("unregister-all.xml", fiona)).runToEnd(work);
        hank.awaitPresence(FIONA_PHONE, unavailable(), WAIT);
        Await.until(WAIT, () -> session("fiona@" + OTHER).isEmpty(),
                () -> "fiona's session is still kept: " + session("fiona@" + OTHER));
    }

    @Test
    @Order(6)
    void offhooksShutdownTakesTheSessionDownFirst() throws IOException {
        lab.register(fiona);
        hank.awaitPresence(FIONA_PHONE, status("Phone available"), WAIT);
        hank.mark();
        offhook.close();
        hank.awaitPresence(FIONA_PHONE, unavailable(), WAIT);
        assertEquals(List.of("unavailable"), hank.statusesSinceMark(FIONA_PHONE));
    }
}
