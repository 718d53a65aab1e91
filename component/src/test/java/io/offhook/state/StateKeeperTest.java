package io.offhook.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingFile;
import io.offhook.mapping.NumberPlan;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.publish.EngineSettings;
import io.offhook.publish.PresenceEngine;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

/**
 * Saving only when something changed, always at shutdown, and a full cycle: a registration and a call saved by one
 * pipeline come back in a new one with their events, the call still in progress.
 */
class StateKeeperTest {
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    private final List<PhoneEvent> events = new ArrayList<>();

    private TapPipeline pipeline(Clock clock) {
        DropCounters drops = new DropCounters();
        return TapPipeline.onClock(new PhoneTracker(TrackerConfig.DEFAULTS, events::add, drops), drops, clock);
    }

    private static PresenceEngine engine() {
        IdentityMap map;
        try {
            map = MappingFile.parse(new StringReader("sip:alice@example.com = alice@localhost\n"), "t.map",
                    NumberPlan.NONE);
        } catch (MappingException e) {
            throw new IllegalStateException(e);
        }
        return new PresenceEngine(EngineSettings.defaults(new JID("phone.localhost")), new DefaultPresenceMapping(),
                map, packet -> { }, Clock.fixed(START, ZoneOffset.UTC));
    }

    /** Runs engine tasks on the calling thread, as a test may. */
    private static StateKeeper.Engine direct(PresenceEngine engine) {
        return new StateKeeper.Engine() {
            @Override
            public <T> T call(Function<PresenceEngine, T> task, Duration timeout) {
                return task.apply(engine);
            }
        };
    }

    private static void sip(TapPipeline pipeline, String text) {
        byte[] bytes = text.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
        pipeline.onPacket(SipPacket.of(0, bytes));
    }

    private static String registered() {
        return """
                SIP/2.0 200 OK
                Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r1
                From: <sip:alice@example.com>;tag=r
                To: <sip:alice@example.com>;tag=s
                Call-ID: reg-1
                CSeq: 1 REGISTER
                Contact: <sip:alice@192.0.2.10:5060>;expires=3600
                Content-Length: 0

                """;
    }

    private static String answered() {
        return """
                SIP/2.0 200 OK
                Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-c1
                From: <sip:xavier@example.com>;tag=x1
                To: <sip:alice@example.com>;tag=a1
                Call-ID: call-1
                CSeq: 1 INVITE
                Contact: <sip:alice@192.0.2.10:5060>
                Content-Length: 0

                """;
    }

    @Test
    void savesWhenSomethingChangedAndAlwaysAtShutdown() throws IOException {
        Path file = dir.resolve("offhook.snapshot");
        TapPipeline pipeline = pipeline(Clock.fixed(START, ZoneOffset.UTC));
        StateKeeper keeper = new StateKeeper(file, pipeline, direct(engine()));
        keeper.saveIfChanged();
        assertEquals(1, keeper.saves(), "the first save writes what there is, even nothing");
        keeper.saveIfChanged();
        assertEquals(1, keeper.saves(), "nothing changed");
        sip(pipeline, registered());
        keeper.saveIfChanged();
        assertEquals(2, keeper.saves());
        keeper.saveNow();
        assertEquals(3, keeper.saves(), "the shutdown save writes whatever changed");
        assertTrue(Files.size(file) > 36);
    }

    @Test
    void aCallSavedByOneProcessIsInProgressInTheNext() throws InterruptedException, TimeoutException {
        Path file = dir.resolve("state/offhook.snapshot");
        TapPipeline first = pipeline(Clock.fixed(START, ZoneOffset.UTC));
        PresenceEngine engine = engine();
        sip(first, registered());
        sip(first, answered());
        new StateKeeper(file, first, direct(engine)).saveIfChanged();

        events.clear();
        Clock later = Clock.fixed(START.plusSeconds(30), ZoneOffset.UTC);
        Snapshot saved = SnapshotFile.load(file, later).orElseThrow();
        TapPipeline second = pipeline(later);
        PhoneTracker.Restored restored = StateKeeper.restore(direct(engine), second, saved, file, later);
        assertEquals(new PhoneTracker.Restored(1, 1, 0, 0, 2), restored);
        assertEquals(PhoneState.ON_THE_PHONE, events.stream().filter(e -> e.aor().equals("sip:alice@example.com"))
                .findFirst().orElseThrow().state());
        assertTrue(events.stream().allMatch(e -> PhoneTracker.RESTORED.equals(e.detail())), events::toString);
    }

    @Test
    void aFailedSaveIsLoggedAndDoesNotThrow() throws IOException {
        Files.writeString(dir.resolve("state"), "a file where the folder should be");
        StateKeeper keeper = new StateKeeper(dir.resolve("state/offhook.snapshot"),
                pipeline(Clock.fixed(START, ZoneOffset.UTC)), direct(engine()));
        keeper.saveIfChanged();
        keeper.saveNow();
        assertEquals(0, keeper.saves());
    }
}
