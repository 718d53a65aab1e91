package io.offhook.tap.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackedUser;
import io.offhook.tap.track.TrackerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The operator's read and clear of one user through the pipeline: consistent copies and a clear that is ordered
 * with the packets of the sources, from any thread.
 */
class TapPipelineAdminTest {
    static final String ALICE = "sip:alice@example.com";
    static final String BOB = "sip:bob@example.com";
    static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    final List<PhoneEvent> events = Collections.synchronizedList(new ArrayList<>());
    final DropCounters drops = new DropCounters();
    final TapPipeline pipeline = TapPipeline.onClock(new PhoneTracker(TrackerConfig.DEFAULTS, events::add, drops),
            drops, Clock.fixed(NOW, ZoneOffset.UTC));

    static SipPacket packet(String text) {
        return SipPacket.of(0, text.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    static String registered(String user, int port, String callId) {
        return "SIP/2.0 200 OK\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-" + callId + "\n"
                + "From: <sip:" + user + "@example.com>;tag=r\n"
                + "To: <sip:" + user + "@example.com>;tag=reg\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 REGISTER\n"
                + "Contact: <sip:" + user + "@127.0.0.1:" + port + ">;expires=3600\n"
                + "Content-Length: 0\n\n";
    }

    static String invite(String callId) {
        return "INVITE sip:bob@127.0.0.1:5062 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-i-" + callId + "\n"
                + "From: <sip:alice@example.com>;tag=a-" + callId + "\n"
                + "To: <sip:bob@example.com>\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 INVITE\n"
                + "Contact: <sip:alice@127.0.0.1:5061>\n"
                + "Content-Length: 0\n\n";
    }

    static String answered(String callId) {
        return "SIP/2.0 200 OK\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-i-" + callId + "\n"
                + "From: <sip:alice@example.com>;tag=a-" + callId + "\n"
                + "To: <sip:bob@example.com>;tag=b-" + callId + "\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 INVITE\n"
                + "Contact: <sip:bob@127.0.0.1:5062>\n"
                + "Content-Length: 0\n\n";
    }

    static String bye(String callId) {
        return "BYE sip:bob@127.0.0.1:5062 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-b-" + callId + "\n"
                + "From: <sip:alice@example.com>;tag=a-" + callId + "\n"
                + "To: <sip:bob@example.com>;tag=b-" + callId + "\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 2 BYE\n"
                + "Content-Length: 0\n\n";
    }

    @Test
    void snapshotShowsTheCallAndClearEndsItAtTheClocksTime() {
        pipeline.onPacket(packet(registered("alice", 5061, "ra")));
        pipeline.onPacket(packet(registered("bob", 5062, "rb")));
        pipeline.onPacket(packet(invite("c1")));
        pipeline.onPacket(packet(answered("c1")));

        TrackedUser bob = pipeline.snapshot(BOB).orElseThrow();
        assertEquals(PhoneState.ON_THE_PHONE, bob.state());
        assertEquals(List.of("c1"), bob.calls().stream().map(TrackedUser.ActiveCall::callId).toList());
        assertEquals(List.of(new TrackedUser.Device("bob@127.0.0.1:5062", micros(NOW) + 3_600_000_000L)),
                bob.devices());

        events.clear();
        assertEquals(1, pipeline.clear(BOB, "cleared by admin"));
        assertEquals(2, events.size());
        for (PhoneEvent e : events) {
            assertEquals(PhoneEventType.CALL_ENDED, e.type());
            assertEquals(PhoneState.AVAILABLE, e.state());
            assertEquals("cleared by admin", e.detail());
            assertEquals(micros(NOW), e.timeMicros());
        }
        assertEquals(PhoneState.AVAILABLE, pipeline.snapshot(ALICE).orElseThrow().state());
    }

    @Test
    void readsAndClearsFromAnotherThreadWhileSourcesDeliver() throws InterruptedException {
        pipeline.onPacket(packet(registered("alice", 5061, "ra")));
        pipeline.onPacket(packet(registered("bob", 5062, "rb")));
        int calls = 2_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread source = new Thread(() -> {
            try {
                for (int i = 0; i < calls; i++) {
                    pipeline.onPacket(packet(invite("c" + i)));
                    pipeline.onPacket(packet(answered("c" + i)));
                    pipeline.onPacket(packet(bye("c" + i)));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-source");
        source.start();
        int reads = 0;
        int cleared = 0;
        while (source.isAlive() && reads < 1_000_000) {
            TrackedUser bob = pipeline.snapshot(BOB).orElseThrow();
            assertTrue(bob.calls().size() <= 1, () -> "calls " + bob.calls());
            if (reads++ % 50 == 0) {
                cleared += pipeline.clear(BOB, "cleared by admin");
            }
        }
        source.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(source.isAlive(), "the source finished");
        assertEquals(null, failure.get());
        assertEquals(0, drops.get(DropReason.TRACKER_FAILED));
        assertEquals(List.of(), pipeline.snapshot(BOB).orElseThrow().calls());
        long ended = events.stream().filter(e -> e.aor().equals(BOB) && e.type() == PhoneEventType.CALL_ENDED
                && "cleared by admin".equals(e.detail())).count();
        assertEquals(cleared, ended, "one event per call cleared");
    }

    static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
