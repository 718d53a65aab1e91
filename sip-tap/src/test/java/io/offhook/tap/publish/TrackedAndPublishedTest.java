package io.offhook.tap.publish;

import static io.offhook.tap.publish.Bodies.dialogInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real tracker and the real publication store behind one combiner, as {@code Services} wires them: what the tap
 * sees and what is published for the same address make one stream of events, and each source's expiry only takes
 * away its own part.
 */
class TrackedAndPublishedTest {
    private static final String ALICE = "sip:alice@example.com";

    private final TestClock clock = new TestClock();
    private final List<PhoneEvent> events = new ArrayList<>();
    private final StateCombiner combiner = new StateCombiner(events::add);
    private final DropCounters drops = new DropCounters();
    private final TapPipeline tap = TapPipeline.onClock(new PhoneTracker(TrackerConfig.DEFAULTS, combiner, drops),
            drops, clock);
    private final PublicationStore store = new PublicationStore(PublishConfig.defaults(), combiner, clock);

    private void sip(String text) {
        byte[] b = text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        tap.onPacket(SipPacket.of(clock.micros(), b));
    }

    private void registerFor(int seconds) {
        sip("REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKr1\n"
                + "From: <sip:alice@example.com>;tag=r1\nTo: <sip:alice@example.com>\nCall-ID: reg-1\n"
                + "CSeq: 1 REGISTER\nContact: <sip:alice@127.0.0.1:5062>\nExpires: " + seconds
                + "\nContent-Length: 0\n\n");
        sip("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKr1\n"
                + "From: <sip:alice@example.com>;tag=r1\nTo: <sip:alice@example.com>;tag=x\nCall-ID: reg-1\n"
                + "CSeq: 1 REGISTER\nContact: <sip:alice@127.0.0.1:5062>;expires=" + seconds
                + "\nContent-Length: 0\n\n");
    }

    private String publish(String etag, byte[] body, long expires) {
        PublishAnswer a = store.publish(new PublishRequest(ALICE, "dialog", etag, expires,
                body.length == 0 ? null : "application/dialog-info+xml", body, "127.0.0.1:5070"));
        assertEquals(200, a.status(), a.reason());
        return a.etag();
    }

    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (PhoneEvent e : events) {
            out.add(e.type() + " " + e.previous() + "->" + e.state());
        }
        events.clear();
        return out;
    }

    @Test
    void aPublishedCallOverARegisteredPhoneAndBack() {
        registerFor(60);
        String tag = publish(null, dialogInfo(ALICE, 0, true, "d1:early:recipient"), 30);
        tag = publish(tag, dialogInfo(ALICE, 1, true, "d1:confirmed:recipient"), 30);
        publish(tag, dialogInfo(ALICE, 2, true, "d1:terminated"), 30);
        assertEquals(List.of("ONLINE OFFLINE->AVAILABLE", "RINGING AVAILABLE->RINGING",
                "ON_THE_PHONE RINGING->ON_THE_PHONE", "CALL_ENDED ON_THE_PHONE->AVAILABLE"), drain());
    }

    @Test
    void eachSourcesExpiryTakesOnlyItsOwnPart() {
        registerFor(20);
        publish(null, dialogInfo(ALICE, 0, true, "d1:confirmed:initiator"), 40);
        drain();
        clock.advance(Duration.ofSeconds(21));
        tap.tick();
        store.tick();
        assertEquals(List.of("OFFLINE ON_THE_PHONE->ON_THE_PHONE"), drain(),
                "the registration expired; the published call goes on");
        clock.advance(Duration.ofSeconds(20));
        tap.tick();
        store.tick();
        assertEquals(List.of("CALL_ENDED ON_THE_PHONE->OFFLINE"), drain(), "and now the publication");
        assertEquals(0, combiner.size());
    }
}
