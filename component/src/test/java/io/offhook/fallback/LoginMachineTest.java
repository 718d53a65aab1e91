package io.offhook.fallback;

import static io.offhook.fallback.LoginMachine.Action.CLOSE;
import static io.offhook.fallback.LoginMachine.Action.CONNECT;
import static io.offhook.fallback.LoginMachine.Action.NONE;
import static io.offhook.fallback.LoginMachine.Action.SEND;
import static io.offhook.fallback.LoginMachine.Action.WAIT;
import static io.offhook.fallback.LoginMachine.State.CLOSING;
import static io.offhook.fallback.LoginMachine.State.CONNECTING;
import static io.offhook.fallback.LoginMachine.State.IDLE;
import static io.offhook.fallback.LoginMachine.State.ONLINE;
import static io.offhook.fallback.LoginMachine.State.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.fallback.LoginMachine.Action;
import io.offhook.fallback.LoginMachine.State;
import io.offhook.fallback.LoginMachine.Wanted;
import io.offhook.presence.Show;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whole sequences of one user's session: each step is an input and the action and state it leads to. */
class LoginMachineTest {
    private static final SessionPresence IDLE_PHONE = new SessionPresence(Show.AVAILABLE, "Phone available", -1);
    private static final SessionPresence TALKING = new SessionPresence(Show.DND, "On the phone", -1);
    private static final Wanted REGISTERED = Wanted.showing(IDLE_PHONE);
    private static final Wanted ON_THE_PHONE = Wanted.showing(TALKING);
    private static final Wanted HIDDEN = new Wanted(true, Optional.empty());
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private final LoginMachine m = new LoginMachine(new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Duration.ofSeconds(60));
    private final List<String> steps = new ArrayList<>();

    private void step(String input, Action action) {
        String s = input + " -> " + action + " " + m.state();
        if (action == SEND) {
            s += " " + m.presenceToSend().map(SessionPresence::status).orElse("unavailable");
        } else if (action == WAIT) {
            s += " " + m.delay().toMillis() + "ms";
        }
        steps.add(s);
    }

    private void want(Wanted w) {
        step("want " + (w.online() ? w.presence().map(SessionPresence::status).orElse("hidden") : "offline"),
                m.want(w));
    }

    private void opened(Instant at) {
        step("opened", m.opened(at));
    }

    private void failed() {
        step("failed", m.failed());
    }

    private void lost(Instant at, double random) {
        step("lost", m.lost(at, random));
    }

    private void closed() {
        step("closed", m.closed());
    }

    private void due() {
        step("due", m.due());
    }

    @Test
    void registeredCallUnregistered() {
        want(REGISTERED);
        opened(T0);
        want(ON_THE_PHONE);
        want(ON_THE_PHONE);
        want(REGISTERED);
        want(Wanted.OFFLINE);
        closed();
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available",
                "want On the phone -> SEND ONLINE On the phone",
                "want On the phone -> NONE ONLINE",
                "want Phone available -> SEND ONLINE Phone available",
                "want offline -> CLOSE CLOSING",
                "closed -> NONE IDLE"), steps);
    }

    @Test
    void wishesWhileConnectingAreDecidedWhenTheAttemptEnds() {
        want(REGISTERED);
        want(ON_THE_PHONE);
        opened(T0);
        want(Wanted.OFFLINE);
        want(REGISTERED);
        closed();
        opened(T0);
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "want On the phone -> NONE CONNECTING",
                "opened -> SEND ONLINE On the phone",
                "want offline -> CLOSE CLOSING",
                "want Phone available -> NONE CLOSING",
                "closed -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available"), steps);
    }

    @Test
    void aSessionOpenedForNobodyIsClosedAtOnce() {
        want(REGISTERED);
        want(Wanted.OFFLINE);
        opened(T0);
        closed();
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "want offline -> NONE CONNECTING",
                "opened -> CLOSE CLOSING",
                "closed -> NONE IDLE"), steps);
    }

    @Test
    void failuresBackOffAndASuccessForgetsThem() {
        want(REGISTERED);
        failed();
        due();
        failed();
        due();
        failed();
        assertEquals(3, m.failures());
        due();
        opened(T0);
        assertEquals(0, m.failures());
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "failed -> WAIT WAITING 5000ms",
                "due -> CONNECT CONNECTING",
                "failed -> WAIT WAITING 10000ms",
                "due -> CONNECT CONNECTING",
                "failed -> WAIT WAITING 20000ms",
                "due -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available"), steps);
    }

    @Test
    void aWaitIsNeverCutShortByThePhoneComingAndGoing() {
        want(REGISTERED);
        failed();
        want(Wanted.OFFLINE);
        want(REGISTERED);
        want(Wanted.OFFLINE);
        due();
        want(REGISTERED);
        failed();
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "failed -> WAIT WAITING 5000ms",
                "want offline -> NONE WAITING",
                "want Phone available -> NONE WAITING",
                "want offline -> NONE WAITING",
                "due -> NONE IDLE",
                "want Phone available -> CONNECT CONNECTING",
                "failed -> WAIT WAITING 10000ms"), steps);
    }

    @Test
    void aFailedAttemptIsFollowedByAWaitEvenWhenNobodyWantsTheSessionAnyMore() {
        want(REGISTERED);
        want(Wanted.OFFLINE);
        failed();
        due();
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "want offline -> NONE CONNECTING",
                "failed -> WAIT WAITING 5000ms",
                "due -> NONE IDLE"), steps);
    }

    @Test
    void aStableSessionThatIsLostComesBackSoonAndShowsItsPresenceAgain() {
        want(REGISTERED);
        opened(T0);
        want(ON_THE_PHONE);
        lost(T0.plusSeconds(600), 0.25);
        due();
        opened(T0.plusSeconds(602));
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available",
                "want On the phone -> SEND ONLINE On the phone",
                "lost -> WAIT WAITING 1250ms",
                "due -> CONNECT CONNECTING",
                "opened -> SEND ONLINE On the phone"), steps);
    }

    @Test
    void sessionsLostRightAfterLoginBackOff() {
        want(REGISTERED);
        opened(T0);
        lost(T0.plusSeconds(1), 0.5);
        due();
        opened(T0.plusSeconds(10));
        lost(T0.plusSeconds(11), 0.5);
        due();
        opened(T0.plusSeconds(30));
        lost(T0.plusSeconds(100), 0.5);
        assertEquals(List.of(
                "want Phone available -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available",
                "lost -> WAIT WAITING 5000ms",
                "due -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available",
                "lost -> WAIT WAITING 10000ms",
                "due -> CONNECT CONNECTING",
                "opened -> SEND ONLINE Phone available",
                "lost -> WAIT WAITING 2500ms"), steps);
    }

    @Test
    void aPhoneTheMappingShowsNothingForKeepsASessionWithoutPresence() {
        want(HIDDEN);
        opened(T0);
        want(ON_THE_PHONE);
        want(HIDDEN);
        want(HIDDEN);
        assertEquals(List.of(
                "want hidden -> CONNECT CONNECTING",
                "opened -> NONE ONLINE",
                "want On the phone -> SEND ONLINE On the phone",
                "want hidden -> SEND ONLINE unavailable",
                "want hidden -> NONE ONLINE"), steps);
    }

    @Test
    void staleOutcomesChangeNothing() {
        for (State expected : List.of(IDLE, CONNECTING, ONLINE, CLOSING, WAITING)) {
            LoginMachine fresh = new LoginMachine(new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5)),
                    Duration.ofSeconds(60));
            bring(fresh, expected);
            if (expected != CONNECTING) {
                assertEquals(NONE, fresh.opened(T0), expected + " opened");
                assertEquals(NONE, fresh.failed(), expected + " failed");
            }
            if (expected != ONLINE) {
                assertEquals(NONE, fresh.lost(T0, 0), expected + " lost");
            }
            if (expected != CLOSING) {
                assertEquals(NONE, fresh.closed(), expected + " closed");
            }
            if (expected != WAITING) {
                assertEquals(NONE, fresh.due(), expected + " due");
            }
            assertEquals(expected, fresh.state());
        }
    }

    private static void bring(LoginMachine fresh, State state) {
        switch (state) {
            case IDLE -> { }
            case CONNECTING -> assertEquals(CONNECT, fresh.want(REGISTERED));
            case ONLINE -> {
                fresh.want(REGISTERED);
                assertEquals(SEND, fresh.opened(T0));
            }
            case CLOSING -> {
                fresh.want(REGISTERED);
                fresh.opened(T0);
                assertEquals(CLOSE, fresh.want(Wanted.OFFLINE));
            }
            case WAITING -> {
                fresh.want(REGISTERED);
                assertEquals(WAIT, fresh.failed());
            }
        }
    }
}
