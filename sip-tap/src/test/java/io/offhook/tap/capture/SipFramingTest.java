package io.offhook.tap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SipFramingTest {

    private static boolean startLine(String line) {
        byte[] b = Frames.ascii(line + "\n");
        return SipFraming.isStartLine(b, 0, b.length - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INVITE sip:bob@example.com SIP/2.0\r",
        "INVITE sip:bob@example.com SIP/2.0",
        "REGISTER sips:example.com sip/2.0\r",
        "X-CUSTOM.method! tel:+1234 SIP/2.0\r",
        "SIP/2.0 200 OK\r",
        "SIP/2.0 180 Ringing",
        "SIP/2.0 404\r",
        "sip/2.0 486 Busy Here\r",
    })
    void recognisesStartLines(String line) {
        assertTrue(startLine(line), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r",
        "HTTP/1.1 200 OK\r",
        "INVITE sip:bob@example.com SIP/3.0\r",
        "INVITE sip:bob@example.com  SIP/2.0\r",
        "INVITE  sip:bob@example.com SIP/2.0\r",
        "INVITE nocolon SIP/2.0\r",
        "INV(TE sip:bob@example.com SIP/2.0\r",
        "SIP/2.0 20 OK\r",
        "SIP/2.0 2000 OK\r",
        "SIP/2.0200 OK\r",
        "Via: SIP/2.0/UDP host\r",
        "\r",
        "short",
    })
    void rejectsOtherLines(String line) {
        assertFalse(startLine(line), line);
    }

    @Test
    void contentLengthInAllSpellings() {
        assertEquals(12, length("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 12\r\n\r\n"));
        assertEquals(7, length("OPTIONS sip:a@b SIP/2.0\r\ncontent-length:7\r\n\r\n"));
        assertEquals(3, length("OPTIONS sip:a@b SIP/2.0\r\nl \t:  3 \r\n\r\n"));
        assertEquals(9, length("OPTIONS sip:a@b SIP/2.0\nVia: x\nL: 9\n\n"));
        assertEquals(SipFraming.ABSENT, length("OPTIONS sip:a@b SIP/2.0\r\nContent-Type: a/b\r\n\r\n"));
        assertEquals(SipFraming.ABSENT, length("OPTIONS sip:a@b SIP/2.0\r\nX-Content-Length: 5\r\n\r\n"));
        assertEquals(SipFraming.MALFORMED, length("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1x\r\n\r\n"));
        assertEquals(SipFraming.MALFORMED, length("OPTIONS sip:a@b SIP/2.0\r\nContent-Length:\r\n\r\n"));
        assertEquals(SipFraming.MALFORMED,
                length("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1234567890123456789\r\n\r\n"));
    }

    private static long length(String headers) {
        byte[] b = Frames.ascii(headers);
        int end = SipFraming.headersEnd(b, 0, b.length);
        assertEquals(b.length, end, "headers end at the empty line");
        return SipFraming.contentLength(b, 0, end);
    }

    @Test
    void headersEndNeedsTheEmptyLine() {
        byte[] b = Frames.ascii("OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r");
        assertEquals(-1, SipFraming.headersEnd(b, 0, b.length));
    }
}
