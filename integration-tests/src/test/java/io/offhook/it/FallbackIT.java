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
 * also logs in with a client of her own, whose dnd the phone takes over (the rule of every mode). kate and lena
 * log in over BOSH (XEP-0124/XEP-0206: {@code bosh=} in the credentials, Prosody's mod_bosh on other.test at
 * {@code /http-bind}, plain HTTP for the same reason as {@code tls=disabled}), kate with her password and lena with
 * a wrong one; hank is their contact too. Offhook runs in this JVM, so the test also counts jbosh's threads
 * ("RequestProcessor[...]"): a failed or closed BOSH session must leave none behind. Offhook's own shutdown runs
 * last.
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
    static final String KATE_PHONE = "kate@" + OTHER + "/phone";
    static final String LENA_PHONE = "lena@" + OTHER + "/phone";
    /** How jbosh names the threads that carry a session's requests. */
    static final String JBOSH_THREAD = "RequestProcessor[";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String USERS_MAP = """
            sip:fiona@example.com = fiona@other.test mode=login
            sip:gus@example.com = gus@other.test
            sip:kate@example.com = kate@other.test mode=login
            sip:lena@example.com = lena@other.test mode=login
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
    static UserAgent kate;
    static UserAgent lena;
    static UserAgent xavier;

    CallLab lab;

    @BeforeAll
    static void startAll() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET, List.of(OTHER), true);
        for (String user : List.of("fiona", "gus", "hank", "ivan", "kate", "lena")) {
            prosody.registerOn(OTHER, user, PASSWORD);
        }
        for (String user : List.of("fiona", "gus", "kate", "lena")) {
            prosody.addRosterItemOn(OTHER, user, "hank@" + OTHER, XmppServer.Subscription.BOTH);
            prosody.addRosterItemOn(OTHER, "hank", user + "@" + OTHER, XmppServer.Subscription.BOTH);
        }
        Path dir = work.resolve("offhook");
        Files.createDirectories(dir);
        Path credentials = dir.resolve("fallback.credentials");
        String server = " host=127.0.0.1 port=" + prosody.c2sPort() + " tls=disabled\n";
        Files.writeString(credentials, "# test accounts on a Prosody without a certificate (tls=disabled)\n"
                + "fiona@other.test = " + PASSWORD + server
                + "gus@other.test = " + WRONG_PASSWORD + server
                + "kate@other.test = " + PASSWORD + " bosh=" + prosody.boshUrl() + " tls=disabled\n"
                + "lena@other.test = " + WRONG_PASSWORD + " bosh=" + prosody.boshUrl() + " tls=disabled\n",
                StandardCharsets.UTF_8);
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
        kate = UserAgent.of("kate");
        lena = UserAgent.of("lena");
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
                assertEquals(List.of(), ivan.receivedFrom("kate@" + OTHER));
            }
        } finally {
            Lab.closeQuietly(hank, ivan, kamailio, offhook);
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
        callAndSeeItAtHank(fiona, FIONA_PHONE);
    }

    /** hank sees the call to {@code callee} from the session {@code phone}: ringing, on the phone, back to idle. */
    void callAndSeeItAtHank(UserAgent callee, String phone) throws IOException {
        hank.mark();
        lab.call(xavier, "uac-call.xml", "uas-answer.xml", callee);
        hank.awaitPresence(phone, status("Phone available"), WAIT);
        // One session, one stream: once the last has arrived, everything before it has.
        assertEquals(List.of("Phone ringing", "On the phone", "Phone available"), hank.statusesSinceMark(phone));
    }

    /** jbosh's threads in this JVM (Offhook runs here): two per open BOSH session. */
    static long jboshThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(JBOSH_THREAD)).count();
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
    void aUserWithABoshEndpointLogsInOverBoshAndTheContactSeesTheCall() throws IOException {
        lab.register(kate);
        Presence idle = hank.awaitPresence(KATE_PHONE, status("Phone available"), WAIT);
        assertEquals(-1, idle.getPriority(), "the same priority over BOSH");
        callAndSeeItAtHank(kate, KATE_PHONE);
        assertTrue(session("kate@" + OTHER).orElseThrow().online());
        assertEquals(2, jboshThreads(), "one BOSH session, jbosh's two request threads (Prosody allows two "
                + "requests at a time): kate is logged in over BOSH, fiona over TCP");
    }

    @Test
    @Order(3)
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
    @Order(4)
    void aWrongPasswordOverBoshIsReportedAndLeavesNoBoshSessionBehind() throws IOException {
        lab.register(lena);
        Await.until(WAIT, () -> session("lena@" + OTHER).map(s -> s.failures() >= 2).orElse(false),
                () -> "lena's logins did not fail twice: " + session("lena@" + OTHER));
        assertEquals(Optional.of("AUTH: the server refused the password (not-authorized)"),
                session("lena@" + OTHER).orElseThrow().lastFailure());
        lab.client(Sipp.lab("unregister-all.xml", lena)).runToEnd(work);
        Await.until(WAIT, () -> session("lena@" + OTHER).isEmpty(), () -> "lena's session is still kept");
        // Each failed login dropped its jbosh session: only kate's threads are left.
        Await.until(WAIT, () -> jboshThreads() == 2, () -> jboshThreads() + " jbosh threads, not kate's 2");
        assertEquals(List.of(), hank.receivedFrom(LENA_PHONE), "lena was never logged in");
        assertTrue(session("kate@" + OTHER).orElseThrow().online());
    }

    @Test
    @Order(5)
    void afterAServerRestartTheSessionComesBackAndTheContactSeesTheCurrentStateAgain() throws IOException {
        long lostBefore = offhook.services().fallback().stats().lost();
        prosody.restart();
        hank.awaitReconnected(Duration.ofSeconds(20));
        hank.awaitPresence(FIONA_PHONE, status("Phone available"), Duration.ofSeconds(20));
        // Over BOSH too: the restart ends kate's BOSH session, and a new one shows her phone again.
        hank.awaitPresence(KATE_PHONE, status("Phone available"), Duration.ofSeconds(20));
        assertTrue(offhook.services().fallback().stats().lost() >= lostBefore + 2,
                offhook.services().fallback().stats().toString());
        assertTrue(session("kate@" + OTHER).orElseThrow().online());
        callFionaAndSeeItAtHank();
    }

    @Test
    @Order(6)
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
    @Order(7)
    void anUnregisteredPhoneLogsOff() throws IOException {
        lab.client(Sipp.lab("unregister-all.xml", fiona)).runToEnd(work);
        hank.awaitPresence(FIONA_PHONE, unavailable(), WAIT);
        Await.until(WAIT, () -> session("fiona@" + OTHER).isEmpty(),
                () -> "fiona's session is still kept: " + session("fiona@" + OTHER));
        lab.client(Sipp.lab("unregister-all.xml", kate)).runToEnd(work);
        hank.awaitPresence(KATE_PHONE, unavailable(), WAIT);
        Await.until(WAIT, () -> session("kate@" + OTHER).isEmpty(),
                () -> "kate's session is still kept: " + session("kate@" + OTHER));
        Await.until(WAIT, () -> jboshThreads() == 0, () -> jboshThreads() + " jbosh threads after kate's logoff");
    }

    @Test
    @Order(8)
    void offhooksShutdownTakesTheSessionDownFirst() throws IOException {
        lab.register(fiona);
        lab.register(kate);
        hank.awaitPresence(FIONA_PHONE, status("Phone available"), WAIT);
        hank.awaitPresence(KATE_PHONE, status("Phone available"), WAIT);
        hank.mark();
        offhook.close();
        hank.awaitPresence(FIONA_PHONE, unavailable(), WAIT);
        hank.awaitPresence(KATE_PHONE, unavailable(), WAIT);
        assertEquals(List.of("unavailable"), hank.statusesSinceMark(FIONA_PHONE));
        assertEquals(List.of("unavailable"), hank.statusesSinceMark(KATE_PHONE));
        Await.until(WAIT, () -> jboshThreads() == 0, () -> jboshThreads() + " jbosh threads after the shutdown");
    }
}
