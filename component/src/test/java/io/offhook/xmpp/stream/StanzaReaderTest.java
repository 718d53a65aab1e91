package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.stream.XMLStreamException;
import org.dom4j.Element;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Message;
import org.xmpp.packet.Presence;

/** RFC 6120 stream parsing into Tinder-ready dom4j elements. */
class StanzaReaderTest {

    private static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns:stream="
            + "'http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='abc123' from='phone.localhost'>";

    @Test
    void readsTheStreamHeader() throws Exception {
        StanzaReader reader = reader(HEADER, 1_000_000);
        StanzaReader.StreamHeader header = reader.readHeader();
        assertEquals("abc123", header.id());
        assertEquals("phone.localhost", header.from());
        assertEquals("jabber:component:accept", header.contentNamespace());
    }

    @Test
    void givesStanzasNoNamespaceAndKeepsTheOthers() throws Exception {
        StanzaReader reader = reader(HEADER
                + "<presence from='alice@localhost/pc' to='phone.localhost'><show>away</show><status>out</status>"
                + "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>"
                + "<delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/></presence>", 1_000_000);
        reader.readHeader();

        Element element = reader.next();
        assertEquals("", element.getNamespaceURI());
        assertEquals("", element.element("show").getNamespaceURI());
        Presence presence = new Presence(element, true);
        assertEquals(Presence.Show.away, presence.getShow());
        assertEquals("out", presence.getStatus());
        assertEquals("<presence from=\"alice@localhost/pc\" to=\"phone.localhost\"><show>away</show>"
                + "<status>out</status><c xmlns=\"http://jabber.org/protocol/caps\" hash=\"sha-1\" node=\"n\" ver=\"v\"/>"
                + "<delay xmlns=\"urn:xmpp:delay\" stamp=\"2024-01-01T00:00:00Z\"/></presence>", presence.toXML());
    }

    @Test
    void keepsJabberClientInsideAnotherNamespace() throws Exception {
        // XEP-0356 privileged IQ reply as Prosody sends it: the inner stanza is in jabber:client.
        StanzaReader reader = reader(HEADER + "<message from='localhost' to='phone.localhost'>"
                + "<privilege xmlns='urn:xmpp:privilege:2'><forwarded xmlns='urn:xmpp:forward:0'>"
                + "<iq xmlns='jabber:client' type='result' id='x' from='alice@localhost'/>"
                + "</forwarded></privilege></message>", 1_000_000);
        reader.readHeader();

        Message message = new Message(reader.next(), true);
        Element forwarded = message.getChildElement("privilege", "urn:xmpp:privilege:2").elements().get(0);
        Element inner = forwarded.elements().get(0);
        assertEquals("jabber:client", inner.getNamespaceURI());
        assertEquals(IQ.Type.result, new IQ(inner.createCopy(), true).getType());
        assertTrue(message.toXML().contains("<iq xmlns=\"jabber:client\" type=\"result\""), message.toXML());
    }

    @Test
    void acceptsJabberClientAsTheContentNamespace() throws Exception {
        StanzaReader reader = reader("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
                + "xmlns='jabber:client' id='1'><message to='a@b'><body>x</body></message>", 1_000_000);
        assertEquals("jabber:client", reader.readHeader().contentNamespace());
        assertEquals("<message to=\"a@b\"><body>x</body></message>", reader.next().asXML());
    }

    @Test
    void skipsWhitespaceBetweenStanzasAndEndsAtTheStreamEnd() throws Exception {
        StanzaReader reader = reader(HEADER + "\n <message id='1'/> \n\n<iq id='2' type='get'/> </stream:stream>",
                1_000_000);
        reader.readHeader();
        assertEquals("1", reader.next().attributeValue("id"));
        assertEquals("2", reader.next().attributeValue("id"));
        assertNull(reader.next());
    }

    @Test
    void keepsTextWithEscapesAndCdata() throws Exception {
        StanzaReader reader = reader(HEADER + "<message><body>a &lt;b&gt; &amp; &#233;<![CDATA[<x/>]]></body></message>",
                1_000_000);
        reader.readHeader();
        assertEquals("a <b> & é<x/>", reader.next().elementText("body"));
    }

    @Test
    void streamErrorKeepsItsNamespaces() throws Exception {
        StanzaReader reader = reader(HEADER + "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "</stream:error>", 1_000_000);
        reader.readHeader();
        Element error = reader.next();
        assertEquals(StreamProtocol.STREAMS_NS, error.getNamespaceURI());
        assertEquals("conflict", StreamErrors.condition(error));
    }

    @Test
    void refusesAStanzaOverTheCharacterLimit() throws Exception {
        StanzaReader reader = reader(HEADER + "<message><body>" + "x".repeat(3000) + "</body></message>", 2048);
        reader.readHeader();
        StanzaReader.StanzaTooLargeException e =
                assertThrows(StanzaReader.StanzaTooLargeException.class, reader::next);
        assertTrue(e.getMessage().contains("<message>"), e.getMessage());
        assertTrue(e.getMessage().contains(ComponentSettings.KEY_MAX_STANZA_CHARS), e.getMessage());
    }

    @Test
    void refusesAHugeAttributeAndManySmallElements() throws Exception {
        StanzaReader attribute = reader(HEADER + "<message id='" + "y".repeat(100_000) + "'/>", 2048);
        attribute.readHeader();
        assertThrows(StanzaReader.StanzaTooLargeException.class, attribute::next);

        StanzaReader elements = reader(HEADER + "<message>" + "<a/>".repeat(1000) + "</message>", 2048);
        elements.readHeader();
        assertThrows(StanzaReader.StanzaTooLargeException.class, elements::next);
    }

    @Test
    void aLimitOnlyCountsOneStanza() throws Exception {
        String stanza = "<message><body>" + "x".repeat(1500) + "</body></message>";
        StanzaReader reader = reader(HEADER + stanza.repeat(200), 2048);
        reader.readHeader();
        for (int i = 0; i < 200; i++) {
            assertEquals(1500, reader.next().elementText("body").length());
        }
    }

    @Test
    void refusesDtdsAndUnknownEntities() {
        assertThrows(XMLStreamException.class, () -> reader("<?xml version='1.0'?><!DOCTYPE s [<!ENTITY a 'aaaa'>]>"
                + "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='1'>", 1_000_000).readHeader());

        assertThrows(XMLStreamException.class, () -> {
            StanzaReader reader = reader(HEADER + "<message><body>&lol;</body></message>", 1_000_000);
            reader.readHeader();
            reader.next();
        });
    }

    @Test
    void bytesThatAreNotUtf8EndTheStreamSayingSoAndPrintNothing() throws Exception {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        IOException e;
        try {
            byte[] stanza = "<message><body>caf\u00e9</body></message>".getBytes(StandardCharsets.ISO_8859_1);
            byte[] header = HEADER.getBytes(StandardCharsets.UTF_8);
            byte[] stream = new byte[header.length + stanza.length];
            System.arraycopy(header, 0, stream, 0, header.length);
            System.arraycopy(stanza, 0, stream, header.length, stanza.length);
            // The decoder reads ahead of the parser: the header may fail already, which ends the stream too.
            e = assertThrows(IOException.class, () -> {
                StanzaReader reader = new StanzaReader(new ByteArrayInputStream(stream), 1_000_000);
                reader.readHeader();
                reader.next();
            });
        } finally {
            System.setErr(original);
        }
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        assertEquals("", err.toString(StandardCharsets.UTF_8),
                "the JDK's parser prints '[Fatal Error]' for such bytes when it decodes them");
    }

    @Test
    void refusesSomethingElseThanAStream() {
        XMLStreamException e = assertThrows(XMLStreamException.class,
                () -> reader("<html><body/></html>", 1_000_000).readHeader());
        assertTrue(e.getMessage().contains("expected <stream:stream>"), e.getMessage());
    }

    @Test
    void aStreamCutInsideAStanzaIsAnError() throws Exception {
        StanzaReader reader = reader(HEADER + "<message><body>x", 1_000_000);
        reader.readHeader();
        assertThrows(XMLStreamException.class, reader::next);
    }

    @Test
    void aLongStreamNeverHitsTheJdkParserLimits() throws Exception {
        // A component stream is one document that lasts for weeks. The JDK parser has limits such as 64,000 entity
        // expansions and 50,000,000 characters of entities per document; predefined entities and character
        // references must not count towards them. ~420,000 stanzas with 9 references each: ~3.8 M references,
        // ~54 MB.
        byte[] stanza = ("<presence from='a@b/c' to='d@e' id='x&amp;&apos;&quot;'><status>O&apos;Neil &amp; "
                + "&lt;co&gt; &#233;&#x1F600;</status></presence>\n").getBytes(StandardCharsets.UTF_8);
        long count = 420_000;
        StanzaReader reader = new StanzaReader(new RepeatingInputStream(
                HEADER.getBytes(StandardCharsets.UTF_8), stanza, count), 1_000_000);
        reader.readHeader();
        for (long i = 0; i < count; i++) {
            assertEquals("O'Neil & <co> é\uD83D\uDE00", reader.next().elementText("status"));
        }
    }

    /** A header, then one stanza many times, without holding the whole stream in memory. */
    private static final class RepeatingInputStream extends InputStream {
        private final byte[] stanza;
        private final long count;
        private byte[] current;
        private long served;
        private int position;

        RepeatingInputStream(byte[] header, byte[] stanza, long count) {
            this.stanza = stanza;
            this.count = count;
            this.current = header;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position == current.length) {
                if (served == count) {
                    return -1;
                }
                served++;
                current = stanza;
                position = 0;
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, buffer, offset, n);
            position += n;
            return n;
        }
    }

    private static StanzaReader reader(String text, int maxChars) throws XMLStreamException, IOException {
        return new StanzaReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxChars);
    }
}
