package io.offhook.tap.pipeline;

import static io.offhook.tap.pipeline.TapPipelineAdminTest.ALICE;
import static io.offhook.tap.pipeline.TapPipelineAdminTest.packet;
import static io.offhook.tap.pipeline.TapPipelineAdminTest.registered;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the pipeline tells a copy from a new message when it reads a copy only as far as its fingerprint needs: the
 * proxy's second copy is dropped, a malformed first copy does not hide a good second one.
 */
class TapPipelineDuplicateTest {
    final List<PhoneEvent> events = new ArrayList<>();
    final DropCounters drops = new DropCounters();
    final PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS, events::add, drops);
    final TapPipeline pipeline = TapPipeline.onPacketTime(tracker, drops);

    /** The same message as the proxy forwards it on its other leg: a Via of its own on top. */
    static String forwarded(String message) {
        return message.replaceFirst("\n", "\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-proxy\n");
    }

    @Test
    void theProxysSecondCopyIsDroppedAsADuplicate() {
        String ok = registered("alice", 5061, "reg-1");
        pipeline.onPacket(packet(ok));
        pipeline.onPacket(packet(forwarded(ok)));
        assertEquals(PhoneState.AVAILABLE, tracker.stateOf(ALICE));
        assertEquals(1, events.size(), events.toString());
        assertEquals(1, drops.get(DropReason.DUPLICATE));
        assertEquals(2, pipeline.messages());
    }

    @Test
    void aMalformedFirstCopyDoesNotHideAGoodSecondOne() {
        String ok = registered("alice", 5061, "reg-1");
        // The Contact comes after the identifying fields: the first copy frames as far as its fingerprint, then fails.
        pipeline.onPacket(packet(ok.replace("Contact: <sip:alice@127.0.0.1:5061>", "Contact: <sip:alice@")));
        assertEquals(1, drops.get(DropReason.SIP_MALFORMED));
        assertEquals(PhoneState.OFFLINE, tracker.stateOf(ALICE));
        pipeline.onPacket(packet(forwarded(ok)));
        assertEquals(PhoneState.AVAILABLE, tracker.stateOf(ALICE));
        assertEquals(0, drops.get(DropReason.DUPLICATE));
        assertEquals(1, pipeline.messages());
    }

    @Test
    void aCopyIsRecognisedBeforeItsUnreadPartIsChecked() {
        String ok = registered("alice", 5061, "reg-1");
        pipeline.onPacket(packet(ok));
        pipeline.onPacket(packet(forwarded(ok).replace("Content-Length: 0", "Content-Length: none")));
        assertEquals(1, drops.get(DropReason.DUPLICATE));
        assertEquals(0, drops.get(DropReason.SIP_MALFORMED));
        // A copy broken among the fields of its fingerprint is malformed, not a duplicate.
        pipeline.onPacket(packet(forwarded(ok).replace("CSeq: 1 REGISTER", "CSeq: one REGISTER")));
        assertEquals(1, drops.get(DropReason.SIP_MALFORMED));
        assertEquals(PhoneState.AVAILABLE, tracker.stateOf(ALICE));
    }
}
