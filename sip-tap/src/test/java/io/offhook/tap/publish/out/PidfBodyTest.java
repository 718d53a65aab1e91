package io.offhook.tap.publish.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.PidfDocument;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Chat states as PIDF with RPID, read back by Offhook's own PIDF reader. */
class PidfBodyTest {
    private static final String ALICE = "sip:alice@example.com";

    @Test
    void eachStatusHasItsBasicAndActivity() throws Exception {
        assertEquals("open|", summary(new ChatState(ChatStatus.AVAILABLE, "")));
        assertEquals("open|", summary(new ChatState(ChatStatus.CHAT, "")));
        assertEquals("open|away", summary(new ChatState(ChatStatus.AWAY, "")));
        assertEquals("open|away", summary(new ChatState(ChatStatus.XA, "")));
        assertEquals("open|busy", summary(new ChatState(ChatStatus.DND, "")));
        assertEquals("closed|", summary(ChatState.OFFLINE));
    }

    @Test
    void theNoteIsEscapedCleanedAndBounded() {
        String body = PidfBody.render(ALICE, new ChatState(ChatStatus.DND, "<b>&\"x\"</b>\u0001 ok"));
        assertTrue(body.contains("<note>&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt; ok</note>"), body);
        String longNote = "\uD83D\uDE00".repeat(150);
        ChatState s = new ChatState(ChatStatus.AWAY, longNote);
        assertEquals(ChatState.MAX_NOTE - 1, s.note().length());
        assertTrue(s.note().endsWith("\u2026"));
        assertFalse(Character.isHighSurrogate(s.note().charAt(s.note().length() - 2)));
        assertEquals("", new ChatState(ChatStatus.OFFLINE, "ignored").note());
    }

    private static String summary(ChatState state) throws Exception {
        String body = PidfBody.render(ALICE, state);
        PidfDocument doc = PidfDocument.parse(body.getBytes(StandardCharsets.UTF_8));
        return (doc.open() ? "open" : "closed") + "|" + String.join(",", new java.util.TreeSet<>(doc.activities()));
    }
}
