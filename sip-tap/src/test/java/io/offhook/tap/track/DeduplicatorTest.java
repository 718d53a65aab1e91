package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.sip.SipMessage;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    final Deduplicator dedup = new Deduplicator(32_000_000L, 10);

    @Test
    void secondCopyIsADuplicateButEachForkedBranchIsNot() {
        SipMessage invite = Msg.request("INVITE", "sip:bob@example.com").build();
        SipMessage branch1 = Msg.request("INVITE", "sip:bob@127.0.0.1:5062").build();
        SipMessage branch2 = Msg.request("INVITE", "sip:bob@127.0.0.1:5063").build();
        assertTrue(dedup.firstSeen(invite, 0));
        assertFalse(dedup.firstSeen(invite, 1));
        assertTrue(dedup.firstSeen(branch1, 2));
        assertTrue(dedup.firstSeen(branch2, 3));
        assertFalse(dedup.firstSeen(branch2, 4));
    }

    @Test
    void responsesDifferByStatusAndToTag() {
        assertTrue(dedup.firstSeen(Msg.response(180, "INVITE").to("sip:b@x", "t1").build(), 0));
        assertTrue(dedup.firstSeen(Msg.response(180, "INVITE").to("sip:b@x", "t2").build(), 0));
        assertTrue(dedup.firstSeen(Msg.response(200, "INVITE").to("sip:b@x", "t2").build(), 0));
        assertFalse(dedup.firstSeen(Msg.response(200, "INVITE").to("sip:b@x", "t2").build(), 0));
    }

    @Test
    void forgetsAfterTwoWindows() {
        SipMessage bye = Msg.request("BYE", "sip:x@y").build();
        assertTrue(dedup.firstSeen(bye, 0));
        assertFalse(dedup.firstSeen(bye, 40_000_000L));
        assertTrue(dedup.firstSeen(bye, 100_000_000L));
    }

    @Test
    void memoryStaysFixedWhenTheTableFills() {
        for (int i = 0; i < 10_000; i++) {
            assertTrue(dedup.firstSeen(Msg.request("INVITE", "sip:x@y").callId("flood-" + i).build(), i));
        }
        SipMessage last = Msg.request("INVITE", "sip:x@y").callId("flood-9999").build();
        assertFalse(dedup.firstSeen(last, 10_000), "the newest entries are still remembered");
    }

    @Test
    void seenAsksWithoutRememberingAndRememberStoresWhatSeenFoundNew() {
        assertFalse(dedup.seen(42L, 0));
        assertFalse(dedup.seen(42L, 0), "seen alone remembers nothing");
        dedup.remember(42L);
        assertTrue(dedup.seen(42L, 1));
        assertFalse(dedup.firstSeen(42L, 2));
        // remember only right after seen answered false for that very fingerprint.
        assertThrows(IllegalStateException.class, () -> dedup.remember(42L));
        assertFalse(dedup.seen(43L, 3));
        assertThrows(IllegalStateException.class, () -> dedup.remember(44L));
        assertTrue(dedup.firstSeen(45L, 4));
        assertThrows(IllegalStateException.class, () -> dedup.remember(43L), "firstSeen came in between");
        // Thousands of them, through rotations and a growing table: each found again, as with firstSeen.
        for (long f = 1_000; f < 11_000; f++) {
            assertFalse(dedup.seen(f, f));
            dedup.remember(f);
        }
        assertTrue(dedup.seen(10_999L, 11_000));
        assertFalse(dedup.firstSeen(10_999L, 11_000));
    }
}
