package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.xml.stream.XMLStreamException;
import org.dom4j.Attribute;
import org.dom4j.Element;
import org.dom4j.Node;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target for the XMPP stream reader (bytes the XMPP server, or whoever answers on its port, sends). Run as a
 * regression test on every build (seeds: a stream header with typical stanzas, and the inputs under
 * {@code StanzaReaderFuzzTestInputs/}); fuzzed by {@code scripts/fuzz stanza}.
 */
class StanzaReaderFuzzTest {
    /** Small, so that fuzzing reaches the limit. */
    private static final int MAX_STANZA_CHARS = 2000;
    private static final byte[] HEADER = ("<?xml version='1.0'?><stream:stream xmlns:stream="
            + "'http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='abc123' from='phone.localhost'>")
            .getBytes(StandardCharsets.UTF_8);

    static Stream<byte[]> examples() {
        return Stream.of(
                "<handshake/><presence from='a@b/c' to='phone.localhost'><show>away</show></presence>",
                "<iq type='result' id='r1'><query xmlns='jabber:iq:roster'><item jid='x@y' subscription='both'/>"
                        + "</query></iq><message><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'"
                        + " from='a@b'><body>hi &amp; bye</body></message></forwarded></message>",
                "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
                        + "</stream:stream>")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Any bytes after a stream header (or instead of one, when the first byte is odd): the reader ends with the
     * stream's end, an {@link XMLStreamException} or an {@link IOException} (a stanza too large among them), never
     * anything else; it reads at most one element per input byte; and no element it returns is larger than the
     * limit it was given.
     */
    @MethodSource("examples")
    @FuzzTest(maxDuration = "20s")
    void readAnyBytes(byte[] input) {
        boolean raw = input.length > 0 && (input[0] & 1) == 1 && input[0] != '<';
        byte[] stream = raw ? input : concat(HEADER, input);
        try {
            StanzaReader reader = new StanzaReader(new ByteArrayInputStream(stream), MAX_STANZA_CHARS);
            reader.readHeader();
            for (int elements = 0; ; elements++) {
                assertTrue(elements <= stream.length, "more elements than bytes");
                Element e = reader.next();
                if (e == null) {
                    return;
                }
                long chars = chars(e);
                assertTrue(chars <= MAX_STANZA_CHARS, "an element of " + chars + " characters passed a limit of "
                        + MAX_STANZA_CHARS);
            }
        } catch (XMLStreamException | IOException e) {
            // a clean failure: the connection reports it and reconnects
        }
    }

    /** The characters the reader counts for an element: names, attributes and text. */
    private static long chars(Element e) {
        long n = e.getName().length() * 2L + 5;
        for (Attribute a : e.attributes()) {
            n += a.getName().length() + a.getValue().length() + 4L;
        }
        for (Node child : e.content()) {
            n += child instanceof Element c ? chars(c) : child.getText().length();
        }
        return n;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
