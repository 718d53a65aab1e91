package io.offhook.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.PhonePresence;
import io.offhook.presence.PresentationMode;
import io.offhook.presence.Show;
import io.offhook.xmpp.stream.LogCapture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.JID;

/** The sessions' behaviour over {@link FakeSessions}: real threads, no server. */
class FallbackSessionsTest {
    private static final String PASSWORD = "Zq7-password";
    private static final JID ALICE = new JID("alice@other.test");
    private static final JID BOB = new JID("bob@other.test");
    private static final PhonePresence IDLE = PhonePresence.idle(Show.AVAILABLE, "Phone available", -1);
    private static final PhonePresence TALKING = PhonePresence.busy(Show.DND, "On the phone", 50);

    private final FakeSessions fake = new FakeSessions();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private FallbackSessions sessions(int concurrentLogins, String... users) {
        Map<JID, Account> accounts = new LinkedHashMap<>();
        for (String user : users) {
            JID jid = new JID(user);
            accounts.put(jid, new Account(jid, PASSWORD, Optional.of("127.0.0.1"), OptionalInt.of(5222),
                    TlsMode.DISABLED));
        }
        Credentials credentials = new Credentials(Optional.of(Path.of("/etc/offhook/fallback.credentials")),
                accounts);
        FallbackSettings settings = new FallbackSettings(credentials, "phone", "{own} ({phone})", -1,
                concurrentLogins,
                Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(1));
        FallbackSessions s = new FallbackSessions(settings, "localhost", fake, Clock.systemUTC(), new Random(7));
        toClose.add(s);
        return s;
    }

    @AfterEach
    void closeAll() throws Exception {
        fake.release();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void aRegisteredPhoneLogsInShowsEveryChangeWithTheFallbackPriorityAndLogsOffWhenUnregistered() {
        FallbackSessions s = sessions(2, "alice@other.test");
        s.show(ALICE, true, IDLE);
        fake.await(() -> fake.of("alice@other.test").size() == 2, () -> "the login and the first presence");
        s.show(ALICE, true, TALKING);
        s.show(ALICE, true, TALKING);
        fake.await(() -> fake.of("alice@other.test").size() == 3, () -> "the call");
        s.show(ALICE, true, IDLE);
        fake.await(() -> fake.of("alice@other.test").size() == 4, () -> "the call's end");
        s.show(ALICE, false, PhonePresence.NONE);
        fake.await(() -> fake.of("alice@other.test").contains("close"), () -> "the logoff");
        assertEquals(List.of("open /phone", "send available Phone available -1", "send dnd On the phone -1",
                "send available Phone available -1", "close"), fake.of("alice@other.test"));
        assertEquals(new FallbackStats(1, 0, 1, 0, 0, 0), s.stats());
    }

    @Test
    void wishesThatComeFasterThanTheyAreCarriedOutAreCoalescedToTheLatest() {
        FallbackSessions s = sessions(2, "alice@other.test");
        fake.hold();
        s.show(ALICE, true, IDLE);
        fake.await(() -> fake.opening() == 1, () -> "the login");
        for (int i = 0; i < 100; i++) {
            s.show(ALICE, true, i % 2 == 0 ? TALKING : IDLE);
        }
        s.show(ALICE, true, TALKING);
        fake.release();
        fake.await(() -> fake.of("alice@other.test").size() == 2, () -> "the login");
        assertEquals(List.of("open /phone", "send dnd On the phone -1"), fake.of("alice@other.test"));
    }

    @Test
    void theUsersOwnDndOrXaOutranksThePhoneAndKeepsTheirWords() {
        FallbackSessions s = sessions(2, "alice@other.test");
        s.show(ALICE, true, TALKING);
        fake.await(() -> fake.of("alice@other.test").size() == 2, () -> "the login");
        FakeSessions.Session session = fake.latest.get(ALICE);
        session.own("laptop", Optional.of(new OwnPresence(Show.DND, "Focus time", 5)));
        fake.await(() -> fake.of("alice@other.test").size() == 3, () -> "alice's own dnd");
        session.own("mobile", Optional.of(new OwnPresence(Show.AWAY, "", 0)));
        session.own("laptop", Optional.of(new OwnPresence(Show.XA, "", 5)));
        fake.await(() -> fake.of("alice@other.test").size() == 4, () -> "xa without words");
        session.own("laptop", Optional.empty());
        fake.await(() -> fake.of("alice@other.test").size() == 5, () -> "the laptop gone");
        s.show(ALICE, true, IDLE);
        fake.await(() -> fake.of("alice@other.test").size() == 6, () -> "the call's end");
        assertEquals(List.of("open /phone", "send dnd On the phone -1", "send dnd Focus time (On the phone) -1",
                "send xa On the phone -1", "send dnd On the phone -1", "send available Phone available -1"),
                fake.of("alice@other.test"), "the mobile's away (priority 0) does not outrank the phone");
    }

    @Test
    void aStateTheMappingDoesNotShowKeepsTheSessionWithoutPresence() {
        FallbackSessions s = sessions(2, "alice@other.test");
        s.show(ALICE, true, PhonePresence.NONE);
        fake.await(() -> s.stats().open() == 1, () -> "the login");
        s.show(ALICE, true, TALKING);
        fake.await(() -> fake.of("alice@other.test").size() == 2, () -> "the call");
        s.show(ALICE, true, PhonePresence.NONE);
        fake.await(() -> fake.of("alice@other.test").size() == 3, () -> "the call's end");
        assertEquals(List.of("open /phone", "send dnd On the phone -1", "send unavailable"),
                fake.of("alice@other.test"));
    }

    @Test
    void aWrongPasswordIsReportedForThatUserAloneRetriedWithBackoffAndNeverLogged()
            throws InterruptedException, TimeoutException {
        FallbackSessions s = sessions(2, "alice@other.test", "bob@other.test");
        fake.wrongPassword.add(BOB);
        try (LogCapture log = new LogCapture(FallbackSessions.class.getName(), Level.DEBUG)) {
            s.show(BOB, true, IDLE);
            s.show(ALICE, true, IDLE);
            fake.await(() -> fake.of("bob@other.test").size() >= 3, () -> "three attempts of bob");
            s.show(ALICE, true, TALKING);
            fake.await(() -> fake.of("alice@other.test").contains("send dnd On the phone -1"),
                    () -> "alice's call, while bob's logins fail");
            SessionStatus bob = awaitStatus(s, BOB, st -> st.failures() >= 3);
            assertFalse(bob.online());
            assertEquals(Optional.of("AUTH: the server refused the password (not-authorized)"), bob.lastFailure());
            assertTrue(s.status(ALICE, Duration.ofSeconds(5)).orElseThrow().online());
            assertTrue(s.stats().authFailures() >= 3);
            List<String> lines = log.lines();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN Login as user=bob@other.test failed: the "
                    + "server refused the password (not-authorized); check the user's line in "
                    + "/etc/offhook/fallback.credentials (fallback.credentials-file); next attempt in")), "" + lines);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("INFO Login as user=bob@other.test failed again")),
                    "repeats are INFO: " + lines);
            assertEquals(1, lines.stream().filter(l -> l.startsWith("WARN")).count(), "" + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains(PASSWORD)), "" + lines);
        }
        assertTrue(fake.of("alice@other.test").stream().noneMatch(e -> e.contains("failed")));
    }

    @Test
    void aLostSessionLogsInAgainAndShowsTheCurrentPresenceAgain() {
        FallbackSessions s = sessions(2, "alice@other.test");
        s.show(ALICE, true, TALKING);
        fake.await(() -> fake.of("alice@other.test").size() == 2, () -> "the login");
        fake.latest.get(ALICE).lose();
        fake.await(() -> fake.of("alice@other.test").size() == 5, () -> "the new login");
        assertEquals(List.of("open /phone", "send dnd On the phone -1", "abort", "open /phone",
                "send dnd On the phone -1"), fake.of("alice@other.test"));
        assertEquals(1, s.stats().lost());
        assertEquals(1, s.stats().open());
    }

    @Test
    void aThousandPhonesRegisteringAtOnceLogInAFewAtATime() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            users.add("u" + i + "@other.test");
        }
        FallbackSessions s = sessions(3, users.toArray(new String[0]));
        fake.hold();
        for (String u : users) {
            s.show(new JID(u), true, IDLE);
        }
        fake.await(() -> fake.opening() == 3, () -> "three logins running");
        fake.release();
        fake.await(() -> s.stats().open() == 1000, () -> "every session open");
        assertEquals(3, fake.mostOpening(), "at most fallback.concurrent-logins at once");
        for (String u : users) {
            assertEquals(List.of("open /phone", "send available Phone available -1"), fake.of(u));
        }
    }

    @Test
    void closeLogsEveryoneOffAndIgnoresLaterWishes() {
        FallbackSessions s = sessions(2, "alice@other.test", "bob@other.test");
        s.show(ALICE, true, IDLE);
        s.show(BOB, true, TALKING);
        fake.await(() -> s.stats().open() == 2 && fake.events().size() == 4, () -> "two sessions");
        s.close(Duration.ofSeconds(5));
        s.show(ALICE, true, TALKING);
        s.close(Duration.ofSeconds(5));
        assertEquals("close", last(fake.of("alice@other.test")));
        assertEquals("close", last(fake.of("bob@other.test")));
        assertTrue(fake.of("alice@other.test").stream().noneMatch(e -> e.contains("On the phone")));
    }

    @Test
    void aLoginUserWithoutCredentialsIsAnErrorOnceAndNoSession() {
        FallbackSessions s = sessions(2, "alice@other.test");
        try (LogCapture log = new LogCapture(FallbackSessions.class.getName(), Level.INFO)) {
            s.show(BOB, true, IDLE);
            s.show(BOB, true, TALKING);
            assertEquals(List.of("ERROR user=bob@other.test is in login mode, but /etc/offhook/fallback.credentials "
                    + "(fallback.credentials-file) has no line for it: the phone is not shown. Add the line "
                    + "'bob@other.test = PASSWORD' (chmod 600) and restart Offhook; the file is read at start"),
                    log.lines());
        }
        assertEquals(List.of(), fake.events());
    }

    @Test
    void usersOnOtherServersAreLoggedInWhenTheOperatorGaveTheirPassword() {
        FallbackSessions s = sessions(2, "alice@other.test");
        try (LogCapture log = new LogCapture(FallbackSessions.class.getName(), Level.INFO)) {
            assertEquals(PresentationMode.LOGIN, s.mode(ALICE, PresentationMode.RESOURCE));
            assertEquals(PresentationMode.LOGIN, s.mode(ALICE, PresentationMode.OVERLAY));
            assertEquals(PresentationMode.GATEWAY, s.mode(ALICE, PresentationMode.GATEWAY),
                    "gateway works on any server");
            assertEquals(PresentationMode.LOGIN, s.mode(new JID("carol@localhost"), PresentationMode.LOGIN));
            assertEquals(PresentationMode.RESOURCE, s.mode(new JID("carol@localhost"), PresentationMode.RESOURCE),
                    "the component's own server");
            assertEquals(List.of(), log.lines());
            assertEquals(PresentationMode.RESOURCE, s.mode(BOB, PresentationMode.RESOURCE), "no password");
            assertEquals(PresentationMode.OVERLAY, s.mode(BOB, PresentationMode.OVERLAY));
            assertEquals(List.of("WARN user=bob@other.test is in resource mode, but other.test is not the "
                    + "component's server (xmpp.server-domain = localhost): unless that server trusts Offhook's "
                    + "component too, it shows the phone to nobody. Give Offhook the user's password in "
                    + "/etc/offhook/fallback.credentials (fallback.credentials-file) to log in as the user (login "
                    + "mode), or map the user with mode=gateway"), log.lines(), "once per user");
        }
    }

    /** Polls (bounded) until the user's status, as the control thread sees it, matches. */
    private static SessionStatus awaitStatus(FallbackSessions s, JID user, Predicate<SessionStatus> condition)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Optional<SessionStatus> status = s.status(user, Duration.ofSeconds(5));
            if (status.isPresent() && condition.test(status.get())) {
                return status.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("status of " + user + " never matched; last " + status);
            }
            Thread.sleep(10);
        }
    }

    private static String last(List<String> events) {
        return events.get(events.size() - 1);
    }
}
