package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingFile;
import io.offhook.mapping.NumberPlan;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.publish.EngineSettings;
import io.offhook.publish.PresenceEngine;
import io.offhook.state.Snapshot;
import io.offhook.state.StateKeeper;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import io.offhook.tap.track.TrackerSnapshot;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.JID;

/**
 * A start-up restore of many users through the real engine loop, as {@link Services} does it: its queue is far
 * smaller than the number of restored users and it ticks all the time, yet no event is dropped and every user is
 * known to the engine with the state the snapshot said.
 */
class StartupRestoreTest {
    private static final int USERS = 5_000;
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void everyRestoredUserReachesTheEngineEvenWithASmallQueue() throws MappingException, InterruptedException,
            TimeoutException {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        EngineLoop loop = new EngineLoop(1_000, Duration.ofMillis(1));
        try {
            PresenceEngine engine = new PresenceEngine(EngineSettings.defaults(new JID("phone.localhost")),
                    new DefaultPresenceMapping(), MappingFile.parse(new StringReader(
                            "sip:*@example.com = *@localhost\n"), "t.map", NumberPlan.NONE), loop.outbox(), clock);
            loop.start(engine, packets -> { });
            DropCounters drops = new DropCounters();
            TapPipeline pipeline = TapPipeline.onClock(new PhoneTracker(TrackerConfig.DEFAULTS, loop, drops), drops,
                    clock);
            long now = NOW.getEpochSecond() * 1_000_000L;
            List<TrackerSnapshot.SavedBinding> bindings = new ArrayList<>(USERS);
            for (int i = 0; i < USERS; i++) {
                bindings.add(new TrackerSnapshot.SavedBinding("sip:u" + i + "@example.com",
                        "u" + i + "@10.0." + (i >> 8) + "." + (i & 0xff) + ":5060", now + 3_600_000_000L));
            }
            Snapshot snapshot = new Snapshot(new TrackerSnapshot(now - 1_000_000L, bindings, List.of()), List.of());

            PhoneTracker.Restored restored = StateKeeper.restore(loop::call, pipeline, snapshot,
                    Path.of("offhook.snapshot"), clock);

            assertEquals(USERS, restored.bindings());
            assertEquals(0, loop.dropped(), "phone events dropped");
            io.offhook.publish.EngineStats stats = loop.call(PresenceEngine::stats, Duration.ofSeconds(30));
            assertEquals(USERS, stats.users());
            assertEquals(USERS, stats.usersByState().get(PhoneState.AVAILABLE));
        } finally {
            loop.close();
        }
    }
}
