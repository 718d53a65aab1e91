package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.stream.XMLStreamException;
import org.junit.jupiter.api.Test;

/**
 * What fuzzing ({@link StanzaReaderFuzzTest}) found in the stream reader, one test per finding, each naming the
 * input (also kept as a regression input under {@code StanzaReaderFuzzTestInputs/readAnyBytes/}).
 */
class StanzaReaderFuzzFindingsTest {
    private static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns:stream="
            + "'http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='abc123' from='phone.localhost'>";

    /**
     * Input {@code element-name-starting-with-colon}: {@code <:item/>} inside a stanza. The JDK's parser passes the
     * name on, dom4j refuses it with an IllegalArgumentException, which left the reader as an "internal error"
     * (logged with a stack trace) instead of a stream the server broke.
     */
    @Test
    void anElementNameDom4jRefusesIsAnXmlError() throws Exception {
        StanzaReader reader = new StanzaReader(new ByteArrayInputStream((HEADER
                + "<iq type='result' id='r1'><query xmlns='jabber:iq:roster'><:item jid='x@y'/></query></iq>")
                .getBytes(StandardCharsets.UTF_8)), 10_000);
        reader.readHeader();
        XMLStreamException e = assertThrows(XMLStreamException.class, reader::next);
        assertTrue(e.getMessage().contains(":item"), e.getMessage());
    }

    /**
     * Input {@code nul-inside-a-dtd}: a DOCTYPE whose internal subset holds a NUL byte, before the stream header.
     * The JDK's parser (DTDs switched off) went to report "InvalidCharInDTD", has no message of that name, and threw
     * MissingResourceException, which escaped the reader as an internal error.
     */
    @Test
    void aParserFailureOnAMalformedDtdIsAnXmlError() throws Exception {
        byte[] input = "\t<!DOCTYPE x[<!DOCTYPE x\0\0 PUBLIC \"\" \"htt\">>".getBytes(StandardCharsets.ISO_8859_1);
        StanzaReader reader = new StanzaReader(new ByteArrayInputStream(input), 10_000);
        XMLStreamException e = assertThrows(XMLStreamException.class, reader::readHeader);
        assertTrue(e.getMessage().contains("MissingResourceException"), e.getMessage());
    }
}
