package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.capture.CaptureReader;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.sip.SipFrame;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pipeline de-duplicates on {@link SipFrame#fingerprint()} (raw bytes) where it used to on
 * {@link Deduplicator#fingerprint} of the scanned message: on every message of the real Kamailio captures, two
 * messages share a frame fingerprint exactly when they share a message fingerprint, so the same copies are dropped.
 */
class FrameFingerprintTest {
    static final String[] SCENARIOS = {
        "basic-call", "busy", "call-waiting", "callee-hangs-up", "cancel", "deregister", "forking", "hold-resume",
        "refresh", "registration-expiry", "tcp-call", "early-media-prack", "late-offer", "hold-by-callee",
        "update-hold", "blind-transfer", "attended-transfer", "redirect-302", "glare-491", "challenge-407",
        "fragmented-call",
    };

    @Test
    void frameAndMessageFingerprintsGroupTheFixtureMessagesAlike() throws IOException, SipParseException {
        List<SipPacket> packets = new ArrayList<>();
        for (String s : SCENARIOS) {
            for (String file : new String[] {s + ".pcap", s + "-hep.pcap"}) {
                try (InputStream in = FrameFingerprintTest.class.getResourceAsStream("/captures/" + file)) {
                    new CaptureReader().read(in, file, packets::add, new DropCounters());
                }
            }
        }
        SipFrame frame = new SipFrame();
        Map<Long, Long> frameToMessage = new HashMap<>();
        Map<Long, Long> messageToFrame = new HashMap<>();
        int copies = 0;
        for (SipPacket p : packets) {
            SipScanner.frame(p.data(), p.offset(), p.length(), frame);
            long byFrame = frame.fingerprint();
            long byMessage = Deduplicator.fingerprint(SipScanner.scan(p.data(), p.offset(), p.length()));
            Long seen = frameToMessage.putIfAbsent(byFrame, byMessage);
            if (seen != null) {
                copies++;
                assertEquals(seen, byMessage, "same frame fingerprint, different message: " + p);
            }
            assertEquals(byFrame, messageToFrame.computeIfAbsent(byMessage, k -> byFrame),
                    "same message fingerprint, different frame: " + p);
        }
        assertTrue(packets.size() > 200, "packets read: " + packets.size());
        assertTrue(copies > packets.size() / 2, "copies found: " + copies + " of " + packets.size());
    }

    @Test
    void aFrameFingerprintDeduplicates() {
        Deduplicator dedup = new Deduplicator(32_000_000L, 10);
        assertTrue(dedup.firstSeen(42L, 0));
        assertEquals(false, dedup.firstSeen(42L, 1));
        assertTrue(dedup.firstSeen(43L, 2));
    }
}
