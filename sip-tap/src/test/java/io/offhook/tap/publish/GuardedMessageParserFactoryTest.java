package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The check in front of JAIN-SIP's parser: a backslash before a header line's end, and nothing else. */
class GuardedMessageParserFactoryTest {
    private static int at(String message) {
        return GuardedMessageParserFactory.escapedLineEnd(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aBackslashRightBeforeAHeaderLineEndIsFound() {
        String head = "PUBLISH sip:a@example.com SIP/2.0\r\n";
        assertEquals(head.length() + 29, at(head + "Via: SIP/2.0/UDP 192.0.2.1 (x\\\r\nCSeq: 1 PUBLISH\r\n\r\n"));
        assertEquals(head.length() + 29, at(head + "Via: SIP/2.0/UDP 192.0.2.1 (x\\\nCSeq: 1 PUBLISH\n\n"));
        assertEquals(head.length() + 24, at(head + "User-Agent: phone \"quote\\"), "at the very end");
    }

    @Test
    void wellFormedEscapesBodiesAndEmptyInputPass() {
        assertEquals(-1, at("PUBLISH sip:a@example.com SIP/2.0\r\nSubject: \"a \\\" b\" (c \\) d)\r\n\r\n"));
        assertEquals(-1, at("PUBLISH sip:a@example.com SIP/2.0\r\nContent-Length: 3\r\n\r\n\\\r\n"), "in the body");
        assertEquals(-1, at("PUBLISH sip:a@example.com SIP/2.0\nContent-Length: 3\n\n\\\n"), "in the body, LF only");
        assertEquals(-1, at(""));
        assertEquals(-1, GuardedMessageParserFactory.escapedLineEnd(null));
    }
}
