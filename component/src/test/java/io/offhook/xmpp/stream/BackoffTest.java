package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reconnect delays: doubling, capped, and slower when the server refused our configuration. */
class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(60));

    @Test
    void transientFailuresDoubleUpToRetryMax() {
        assertEquals(List.of(250L, 500L, 1000L, 2000L, 2000L, 2000L), delays(Failure.Kind.TRANSIENT, 6));
    }

    @Test
    void anAcceptedHandshakeStartsTransientDelaysAgain() {
        delays(Failure.Kind.TRANSIENT, 5);
        backoff.accepted();
        assertEquals(List.of(250L, 500L), delays(Failure.Kind.TRANSIENT, 2));
    }

    @Test
    void refusedConfigurationGrowsUpToAuthRetryMax() {
        assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L),
                delays(Failure.Kind.CONFIG, 10));
    }

    @Test
    void anAcceptedHandshakeDoesNotForgetARefusedConfiguration() {
        // invalid-from arrives after the handshake: accept, refuse, accept, refuse... must still slow down.
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            backoff.accepted();
            delays.add(backoff.next(Failure.Kind.CONFIG).toMillis());
        }
        assertEquals(List.of(250L, 500L, 1000L, 2000L), delays);
        backoff.configProvedGood();
        assertEquals(250L, backoff.next(Failure.Kind.CONFIG).toMillis());
    }

    @Test
    void neverOverflowsAndNeverRetriesAtOnce() {
        Backoff tiny = new Backoff(Duration.ofNanos(1), Duration.ofMillis(3), Duration.ofDays(365));
        assertEquals(1L, tiny.next(Failure.Kind.TRANSIENT).toMillis());
        for (int i = 0; i < 200; i++) {
            tiny.next(Failure.Kind.CONFIG);
        }
        assertEquals(Duration.ofDays(365), tiny.next(Failure.Kind.CONFIG));
        assertThrows(IllegalArgumentException.class, () -> tiny.next(Failure.Kind.CLOSED));
    }

    private List<Long> delays(Failure.Kind kind, int n) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            delays.add(backoff.next(kind).toMillis());
        }
        return delays;
    }
}
