package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's call flows (as {@code lab/regenerate-captures.sh} runs them) against one Kamailio, and the assertions on
 * what a {@link LiveTap} made of them. Every background sipp it starts is stopped by {@link #close()}, which the
 * tests call after each test whatever happened.
 */
final class CallLab implements AutoCloseable {
    /** Callees ring this long before answering (the lab's RING_MS). */
    static final int RING_MS = 300;
    /** Time between a caller's in-dialog steps (the lab's TALK_MS). */
    static final int TALK_MS = 400;
    /** How long a user's expected states may take to arrive. */
    static final Duration AWAIT = Duration.ofSeconds(10);

    private final Path work;
    private final Kamailio kamailio;
    private final LiveTap tap;
    private final Deque<Sipp> started = new ArrayDeque<>();

    /** A lab whose results are asserted elsewhere (at XMPP watchers): {@link #assertStates} is not available. */
    CallLab(Path work, Kamailio kamailio) {
        this(work, kamailio, null);
    }

    CallLab(Path work, Kamailio kamailio, LiveTap tap) {
        this.work = work;
        this.kamailio = kamailio;
        this.tap = tap;
    }

    /** One REGISTER of the device (Expires 3600), run to its end. */
    void register(UserAgent ua) throws IOException {
        client(Sipp.lab("register.xml", ua)).runToEnd(work);
    }

    /** A user agent client's run, pointed at the proxy. */
    Sipp.Run client(Sipp.Run run) {
        return run.to(kamailio.sipPort());
    }

    /** Starts sipp in the background; {@link #close()} stops it if the test does not wait for it. */
    Sipp background(Sipp.Run run) throws IOException {
        Sipp sipp = run.start(work);
        started.push(sipp);
        return sipp;
    }

    /**
     * One call from {@code caller} to the user of {@code calleeDevices}: {@code calleeScenario} on each of the
     * callee's devices (in the background, ringing {@link #RING_MS}), {@code callerScenario} on the caller to its
     * end ({@link #TALK_MS}), then every callee's run awaited: each must succeed.
     */
    void call(UserAgent caller, String callerScenario, String calleeScenario, UserAgent... calleeDevices)
            throws IOException {
        List<Sipp> callees = new ArrayList<>();
        for (UserAgent device : calleeDevices) {
            callees.add(background(Sipp.lab(calleeScenario, device).pause(RING_MS)));
        }
        client(Sipp.lab(callerScenario, caller).pause(TALK_MS).key("callee", calleeDevices[0].user()))
                .runToEnd(work);
        for (Sipp callee : callees) {
            callee.awaitSuccess();
        }
    }

    /**
     * Asserts each user's whole sequence of states (user, states, user, states...): waits for each, then lets the
     * mirror flush ({@link LiveTap#awaitFlushed}) and checks that nothing was added since.
     */
    void assertStates(String... userAndStates) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < userAndStates.length; i += 2) {
            expected.put(userAndStates[i], userAndStates[i + 1]);
        }
        try {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                tap.events().awaitStates(e.getKey(), e.getValue(), AWAIT);
            }
            tap.awaitFlushed(kamailio, AWAIT);
            Map<String, String> actual = new LinkedHashMap<>();
            for (String aor : expected.keySet()) {
                actual.put(aor, tap.events().states(aor));
            }
            assertEquals(expected, actual, "states after the mirror was flushed");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n(Kamailio and sipp logs are kept in " + work + ")", e);
        }
    }

    /** Stops every background sipp still running, by its PID. */
    @Override
    public void close() {
        RuntimeException failure = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
