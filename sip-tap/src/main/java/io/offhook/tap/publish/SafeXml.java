package io.offhook.tap.publish;

import java.io.ByteArrayInputStream;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The one way this package reads XML from the network: the JDK's own StAX pull parser with DTDs and external
 * entities off, and any document that has a DTD at all refused. Without a DTD no entity can be declared, so none
 * can be expanded (no "billion laughs") and none can point at a file or a URL (no XXE); refusing the DOCTYPE
 * outright also keeps the parser from fetching an external DTD subset. Bodies are already bounded in size by the
 * receiver; a pull parser keeps no tree, so deep nesting costs nothing either.
 */
final class SafeXml {
    private SafeXml() {
    }

    /** A reader over {@code body}, positioned before the root element. */
    static XMLStreamReader open(byte[] body) throws BodyException {
        // The JDK's built-in implementation, never whatever a jar on the class path registers; one per document
        // (creating readers from a shared factory is not documented as thread-safe).
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are not read: " + systemId);
        });
        try {
            return factory.createXMLStreamReader(new ByteArrayInputStream(body));
        } catch (XMLStreamException e) {
            throw new BodyException("not XML" + where(e) + ": " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            throw parserFailed("not XML", e);
        }
    }

    /**
     * The next parse event; a DTD is refused, and a parse error becomes a {@link BodyException} naming where.
     */
    static int next(XMLStreamReader reader) throws BodyException {
        int event;
        try {
            event = reader.next();
        } catch (XMLStreamException e) {
            throw new BodyException("malformed XML" + where(e) + ": " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            throw parserFailed("malformed XML", e);
        }
        if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_DECLARATION
                || event == XMLStreamConstants.ENTITY_REFERENCE) {
            throw new BodyException("a DTD or entity is not allowed in a publication");
        }
        return event;
    }

    /** The text content of the current element (which must hold text only), stripped. */
    static String text(XMLStreamReader reader) throws BodyException {
        String name = reader.getLocalName();
        try {
            return reader.getElementText().strip();
        } catch (XMLStreamException e) {
            throw new BodyException("element " + name + " must hold text only");
        } catch (RuntimeException e) {
            throw parserFailed("malformed XML in element " + name, e);
        }
    }

    /** Moves to the root element, refusing anything but comments and processing instructions before it. */
    static void toRoot(XMLStreamReader reader) throws BodyException {
        while (true) {
            int event = next(reader);
            if (event == XMLStreamConstants.START_ELEMENT) {
                return;
            }
            if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new BodyException("no root element");
            }
        }
    }

    static void close(XMLStreamReader reader) {
        try {
            reader.close();
        } catch (XMLStreamException e) {
            // Nothing is held open: the input is a byte array.
        }
    }

    /**
     * The JDK's parser throws unchecked exceptions on some malformed input (a control character inside a DOCTYPE
     * makes it look up an error message it does not have: {@code MissingResourceException}); they say the input is
     * broken, like its {@link XMLStreamException}s.
     */
    private static BodyException parserFailed(String what, RuntimeException e) {
        return new BodyException(what + ": the parser failed (" + e.getClass().getSimpleName() + ")");
    }

    private static String where(XMLStreamException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNumber() + " column "
                + e.getLocation().getColumnNumber();
    }

    /**
     * The parser's message without its position prefix and without anything after the first line, short enough
     * for a SIP reason phrase.
     */
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        String m = message;
        int msg = m.indexOf("Message: ");
        if (msg >= 0) {
            m = m.substring(msg + "Message: ".length());
        }
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        m = m.strip();
        return m.length() > 120 ? m.substring(0, 120) : m;
    }
}
