package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every event the tracker reported, per address of record, safe to read from the test thread while the listener's
 * thread adds to it; and the wait for a user's sequence of states.
 */
final class EventLog implements PhoneEventListener {
    private final Map<String, List<PhoneEvent>> byAor = new HashMap<>();
    private long total;

    @Override
    public synchronized void onEvent(PhoneEvent event) {
        byAor.computeIfAbsent(event.aor(), k -> new ArrayList<>()).add(event);
        total++;
    }

    /** The user's events so far, in order. */
    synchronized List<PhoneEvent> of(String aor) {
        return List.copyOf(byAor.getOrDefault(aor, List.of()));
    }

    /** Events of all users so far. */
    synchronized long total() {
        return total;
    }

    /**
     * The user's aggregate state after each event that changed it, space-separated ({@code "AVAILABLE DIALING
     * ON_THE_PHONE AVAILABLE"}); every user starts OFFLINE, which is not listed.
     */
    String states(String aor) {
        return of(aor).stream().filter(PhoneEvent::changesState).map(e -> e.state().name())
                .collect(Collectors.joining(" "));
    }

    /**
     * Waits until the user's sequence of states is {@code expected}; fails at once when it stops being a prefix
     * of it (a wrong or extra state), or after {@code timeout}.
     */
    void awaitStates(String aor, String expected, Duration timeout) {
        List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(" "));
        Await.until(timeout, () -> {
            String actual = states(aor);
            List<String> got = actual.isEmpty() ? List.of() : List.of(actual.split(" "));
            if (got.size() > want.size() || !want.subList(0, got.size()).equals(got)) {
                fail(aor + ": expected states [" + expected + "] but got [" + actual + "]; events:\n"
                        + describe(aor));
            }
            return got.size() == want.size();
        }, () -> aor + ": expected states [" + expected + "] but got only [" + states(aor) + "]; events:\n"
                + describe(aor));
    }

    /** The user's events, one a line, for failure messages. */
    String describe(String aor) {
        return of(aor).stream().map(PhoneEvent::toString).collect(Collectors.joining("\n  ", "  ", ""));
    }
}
