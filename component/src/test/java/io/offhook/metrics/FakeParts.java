package io.offhook.metrics;

import io.offhook.mapping.ReloadStats;
import io.offhook.presence.PresentationMode;
import io.offhook.publish.EngineStats;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.track.PhoneState;
import io.offhook.xmpp.stream.ConnectionStats;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** Parts whose numbers a test sets: every metric has a known, distinct value. */
final class FakeParts {
    final DropCounters drops = new DropCounters();
    final LatencyHistogram latency = new LatencyHistogram();
    volatile boolean connected = true;
    volatile boolean engineRunning = true;
    volatile boolean engineAnswers = true;
    volatile ConnectionStats connection = new ConnectionStats(2, 1, "", 40, 50, 6, 0, 0, 3, 0);
    volatile EngineStats engine = new EngineStats(100, 7, 60, 5, 1, 2, 0, 0, 3, 9,
            Map.of(PresentationMode.RESOURCE, 30L, PresentationMode.GATEWAY, 4L),
            Map.of(PhoneState.ON_THE_PHONE, 2, PhoneState.AVAILABLE, 1), Map.of(PhoneState.ON_THE_PHONE, 2));

    OffhookMetrics metrics() {
        return new OffhookMetrics(new OffhookMetrics.Parts(
                Map.of("hep_udp", () -> 11, "hep_tcp", () -> 12, "capture", () -> 13), () -> 30, drops,
                () -> new OffhookMetrics.TrackerSize(4, 5, 6), this::engine, () -> 8, () -> connection,
                () -> connected, () -> engineRunning, () -> new ReloadStats(2, 1, Optional.of("users.map:3: bad"),
                false), latency, null, () -> 14, () -> 15), Duration.ofMillis(50));
    }

    private EngineStats engine(Duration timeout) throws TimeoutException {
        if (!engineAnswers) {
            throw new TimeoutException("engine busy for " + timeout);
        }
        return engine;
    }
}
