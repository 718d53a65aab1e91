package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingFile;
import io.offhook.mapping.NumberPlan;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.publish.EngineSettings;
import io.offhook.publish.PresenceEngine;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.io.StringReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.dom4j.DocumentHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/** The engine's thread: inputs from several threads run in order, batches are written, shutdown hands back. */
class EngineLoopTest {
    private final BlockingQueue<List<Packet>> written = new LinkedBlockingQueue<>();
    private EngineLoop loop;

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
    }

    private EngineLoop started(int capacity) throws MappingException {
        loop = new EngineLoop(capacity, Duration.ofMillis(50));
        PresenceEngine engine = new PresenceEngine(EngineSettings.defaults(new JID("phone.localhost")),
                new DefaultPresenceMapping(), MappingFile.parse(new StringReader(
                "sip:alice@example.com = alice@localhost\n"), "t.map", NumberPlan.NONE), loop.outbox(),
                Clock.systemUTC());
        loop.start(engine, written::add);
        return loop;
    }

    private static Packet xml(String text) throws org.dom4j.DocumentException {
        var el = DocumentHelper.parseText(text).getRootElement();
        return switch (el.getName()) {
            case "iq" -> new IQ(el);
            case "message" -> new Message(el);
            default -> new Presence(el);
        };
    }

    private List<Packet> next() throws InterruptedException {
        List<Packet> batch = written.poll(5, TimeUnit.SECONDS);
        if (batch == null) {
            throw new AssertionError("nothing written within 5 s");
        }
        return batch;
    }

    private static PhoneEvent event(PhoneEventType type, PhoneState state, PhoneState previous, String callId) {
        Instant now = Instant.now();
        return new PhoneEvent(now.getEpochSecond() * 1_000_000 + now.getNano() / 1000, "sip:alice@example.com", type,
                state, previous, callId, null, null);
    }

    @Test
    void inputsRunInOrderAndTheirStanzasAreWrittenAndTimed() throws Exception {
        EngineLoop l = started(1000);
        l.connected();
        l.stanza(xml("<message from='localhost' to='phone.localhost'><privilege xmlns='urn:xmpp:privilege:2'>"
                + "<perm access='roster' type='get'/><perm access='presence' type='roster'/></privilege></message>"));
        IQ get = (IQ) next().get(0);
        l.stanza(xml("<iq type='result' id='" + get.getID() + "' from='alice@localhost' to='phone.localhost'>"
                + "<query xmlns='jabber:iq:roster'><item jid='bob@localhost' subscription='both'/></query></iq>"));
        // A phone event may run at once on its own thread, before queued stanzas: wait until the roster is in.
        l.call(e -> e.stats(), Duration.ofSeconds(5));
        l.onEvent(event(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null));
        l.onEvent(event(PhoneEventType.RINGING, PhoneState.RINGING, PhoneState.AVAILABLE, "c1"));
        l.onEvent(event(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1"));
        List<String> statuses = new ArrayList<>();
        while (statuses.size() < 6) {
            for (Packet p : next()) {
                statuses.add(((Presence) p).getTo() + " " + ((Presence) p).getStatus());
            }
        }
        assertEquals(List.of("alice@localhost Phone available", "bob@localhost Phone available",
                "alice@localhost Phone ringing", "bob@localhost Phone ringing", "alice@localhost On the phone",
                "bob@localhost On the phone"), statuses);
        // A task queued now runs after the loop has finished writing (and timing) the last batch.
        long timed = l.call(e -> l.latency().snapshot().count(), Duration.ofSeconds(5));
        assertEquals(3, timed);
        assertEquals(3, l.histogram().snapshot().count(), "the metrics histogram times the same events");
        assertTrue(l.latency().snapshot().max() < 5_000_000, "latency in microseconds");
        assertEquals(3, l.latencyToWrite().snapshot().count(), "the same events, timed to their write's start");
        assertTrue(l.latencyToWrite().snapshot().max() <= l.latency().snapshot().max(),
                "the write's start comes before its end");

        List<Packet> last = l.stop(Duration.ofSeconds(5));
        assertEquals(2, last.size(), "both recipients are sent unavailable");
        assertTrue(last.stream().allMatch(p -> ((Presence) p).getType() == Presence.Type.unavailable));
    }

    @Test
    void afterASlowWriteTheCallersThreadNeitherRunsTheEngineNorWaitsOnTheSocket() throws Exception {
        AtomicLong nanos = new AtomicLong();
        AtomicBoolean slow = new AtomicBoolean(true);
        CountDownLatch firstWrite = new CountDownLatch(1);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<String> writers = new LinkedBlockingQueue<>();
        loop = new EngineLoop(1000, Duration.ofMillis(50), nanos::get);
        PresenceEngine engine = new PresenceEngine(EngineSettings.defaults(new JID("phone.localhost")),
                new DefaultPresenceMapping(), MappingFile.parse(new StringReader(
                "sip:alice@example.com = alice@localhost\n"), "t.map", NumberPlan.NONE), loop.outbox(),
                Clock.systemUTC());
        loop.start(engine, batch -> {
            writers.add(Thread.currentThread().getName());
            if (slow.getAndSet(false)) {
                nanos.addAndGet(EngineLoop.SLOW_WRITE.toNanos() + 1); // this write lagged
                firstWrite.countDown();
            } else if (writers.size() == 2) {
                writing.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // the server stops reading
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        loop.connected();
        loop.stanza(xml("<message from='localhost' to='phone.localhost'><privilege xmlns='urn:xmpp:privilege:2'>"
                + "<perm access='roster' type='get'/><perm access='presence' type='roster'/></privilege></message>"));
        assertTrue(firstWrite.await(5, TimeUnit.SECONDS), "the roster get is written (slowly)");
        loop.call(e -> e.stats(), Duration.ofSeconds(5)); // the loop has finished timing that write
        assertEquals(1, loop.slowWrites());

        loop.onEvent(event(PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null));
        assertTrue(writing.await(5, TimeUnit.SECONDS), "the presence is written");
        assertEquals("offhook-engine", List.copyOf(writers).get(1),
                "after a slow write the event is the loop's to run and write, not the caller's");
        // The loop's thread is stuck in the write: the caller's next events must not wait for it.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            loop.onEvent(event(PhoneEventType.RINGING, PhoneState.RINGING, PhoneState.AVAILABLE, "c1"));
            loop.onEvent(event(PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1"));
        });
        release.countDown();
        assertEquals(0, loop.dropped());
    }

    @Test
    void phoneEventsBeyondTheQueueAreDroppedAndCountedNeverBlocking() throws Exception {
        loop = new EngineLoop(1000, Duration.ofMillis(50));
        // Not started: nothing takes from the queue, so the 1001st event finds it full.
        for (int i = 0; i < 1500; i++) {
            loop.onEvent(event(PhoneEventType.STILL_ONLINE, PhoneState.AVAILABLE, PhoneState.AVAILABLE, null));
        }
        assertEquals(500, loop.dropped());
    }

    @Test
    void aCallOnAFullQueueTimesOutInsteadOfWaitingForRoom() throws Exception {
        loop = new EngineLoop(1000, Duration.ofMillis(50));
        for (int i = 0; i < 1000; i++) {
            loop.onEvent(event(PhoneEventType.STILL_ONLINE, PhoneState.AVAILABLE, PhoneState.AVAILABLE, null));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(TimeoutException.class,
                () -> loop.call(e -> e.stats(), Duration.ofMillis(100))));
    }
}
