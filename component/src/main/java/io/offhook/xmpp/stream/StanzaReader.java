package io.offhook.xmpp.stream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.dom4j.DocumentFactory;
import org.dom4j.Element;
import org.dom4j.Namespace;
import org.dom4j.QName;

/**
 * Reads an XMPP stream (RFC 6120 section 4) from bytes: first the server's stream header, then one dom4j element
 * per top-level stanza, built as soon as its end tag has been read (the JDK's StAX parser does not read ahead past
 * an end tag, so a stanza is never held back waiting for the next one).
 *
 * <p>Elements in the stream's content namespace ({@code jabber:component:accept}, also {@code jabber:client} and
 * {@code jabber:server}) get no namespace, as Tinder's packet classes build them, so {@code new Presence(element)}
 * works and the element serialises without a stray {@code xmlns}; a child in such a namespace keeps it when its
 * parent has another namespace (a {@code <message xmlns='jabber:client'>} inside a XEP-0297 {@code <forwarded/>}).
 * All other namespaces are kept. DTDs and entities other than XML's own are refused.
 *
 * <p>The stream is UTF-8 (RFC 6120 section 11.6), decoded here strictly rather than by the parser: the JDK's parser
 * reports bytes that are not UTF-8 by printing {@code [Fatal Error] ...} on the process's standard error, outside
 * the logs. Here such bytes are an {@link IOException} that says so and ends the stream like any other broken
 * input.
 *
 * <p>Memory is bounded: a stanza over {@code maxStanzaChars} characters (names, attribute values and text), or more
 * than about four bytes per allowed character without a complete stanza, ends the stream with
 * {@link StanzaTooLargeException}. Not thread-safe: one reader thread per stream.
 */
final class StanzaReader {

    private static final Set<String> CONTENT_NAMESPACES =
            Set.of(StreamProtocol.COMPONENT_NS, "jabber:client", "jabber:server");
    /** Room for the parser's own buffer beyond the bytes of one stanza. */
    private static final long PARSER_SLACK_BYTES = 64 * 1024;

    private final BudgetInputStream input;
    private final XMLStreamReader xml;
    private final int maxStanzaChars;
    private final DocumentFactory factory = DocumentFactory.getInstance();
    /** The name of the stanza being read, for the size error. */
    private String stanzaName = "";

    /** The server's stream header. */
    record StreamHeader(String id, String from, String contentNamespace) {
    }

    /** Thrown when a stanza exceeds the size limit. */
    static final class StanzaTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        StanzaTooLargeException(String message) {
            super(message);
        }
    }

    /**
     * Starts parsing. Blocks until the first bytes arrive: create it only after our own stream header is sent.
     */
    StanzaReader(InputStream in, int maxStanzaChars) throws XMLStreamException, IOException {
        this.maxStanzaChars = maxStanzaChars;
        this.input = new BudgetInputStream(in, 4L * maxStanzaChars + PARSER_SLACK_BYTES);
        try {
            this.xml = newFactory().createXMLStreamReader(new InputStreamReader(input, StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)));
        } catch (XMLStreamException e) {
            throw inputFailure(e);
        }
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        return factory;
    }

    /** Reads up to and including the server's {@code <stream:stream>} start tag. */
    StreamHeader readHeader() throws XMLStreamException, IOException {
        while (true) {
            int event = nextEvent();
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (!"stream".equals(xml.getLocalName()) || !StreamProtocol.STREAMS_NS.equals(xml.getNamespaceURI())) {
                    throw new XMLStreamException("expected <stream:stream>, got <" + xml.getName() + ">");
                }
                String id = xml.getAttributeValue(null, "id");
                String from = xml.getAttributeValue(null, "from");
                String content = xml.getNamespaceContext().getNamespaceURI("");
                input.resetBudget();
                return new StreamHeader(id, from, content);
            }
            if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new XMLStreamException("the stream ended before its header");
            }
            rejectDtd(event);
        }
    }

    /**
     * The next top-level element, or null when the peer ended the stream with {@code </stream:stream>}. Whitespace
     * between stanzas is skipped. Blocks until a whole element has arrived.
     */
    Element next() throws XMLStreamException, IOException {
        while (true) {
            int event = nextEvent();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT:
                    return readElement();
                case XMLStreamConstants.END_ELEMENT:
                case XMLStreamConstants.END_DOCUMENT:
                    return null;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.SPACE:
                    input.resetBudget();
                    break;
                default:
                    rejectDtd(event);
                    break;
            }
        }
    }

    private Element readElement() throws XMLStreamException, IOException {
        long[] chars = {0};
        stanzaName = xml.getLocalName();
        Element root = startElement(null, chars);
        Deque<Element> open = new ArrayDeque<>();
        open.push(root);
        while (!open.isEmpty()) {
            int event = nextEvent();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT:
                    Element child = startElement(open.peek(), chars);
                    open.peek().add(child);
                    open.push(child);
                    break;
                case XMLStreamConstants.END_ELEMENT:
                    open.pop();
                    break;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    count(chars, xml.getTextLength());
                    open.peek().addText(xml.getText());
                    break;
                case XMLStreamConstants.ENTITY_REFERENCE:
                    throw new XMLStreamException("entity reference &" + xml.getLocalName() + "; not allowed in XMPP");
                case XMLStreamConstants.END_DOCUMENT:
                    throw new XMLStreamException("the stream ended inside <" + root.getName() + ">");
                default:
                    rejectDtd(event); // comments and processing instructions are dropped
                    break;
            }
        }
        input.resetBudget();
        return root;
    }

    private Element startElement(Element parent, long[] chars) throws StanzaTooLargeException, XMLStreamException {
        try {
            return buildElement(parent, chars);
        } catch (IllegalArgumentException e) {
            // dom4j refuses a name the JDK's parser let through (such as ':item'): bad XML, not an internal error.
            throw new XMLStreamException("element <" + xml.getName() + "> has a name XML does not allow: "
                    + e.getMessage());
        }
    }

    private Element buildElement(Element parent, long[] chars) throws StanzaTooLargeException {
        String uri = xml.getNamespaceURI();
        String local = xml.getLocalName();
        boolean inherited = parent == null || parent.getNamespaceURI().isEmpty();
        QName name;
        if (uri == null || uri.isEmpty() || inherited && CONTENT_NAMESPACES.contains(uri)) {
            name = new QName(local);
        } else {
            String prefix = xml.getPrefix();
            name = new QName(local, new Namespace(prefix == null ? "" : prefix, uri));
        }
        Element element = factory.createElement(name);
        count(chars, local.length() * 2L + 5);
        for (int i = 0; i < xml.getAttributeCount(); i++) {
            String attributeUri = xml.getAttributeNamespace(i);
            String attributeLocal = xml.getAttributeLocalName(i);
            String value = xml.getAttributeValue(i);
            count(chars, attributeLocal.length() + value.length() + 4L);
            if (attributeUri == null || attributeUri.isEmpty()) {
                element.addAttribute(new QName(attributeLocal), value);
            } else {
                Namespace namespace = Namespace.XML_NAMESPACE.getURI().equals(attributeUri) ? Namespace.XML_NAMESPACE
                        : new Namespace(xml.getAttributePrefix(i), attributeUri);
                element.addAttribute(new QName(attributeLocal, namespace), value);
            }
        }
        return element;
    }

    private void count(long[] chars, long more) throws StanzaTooLargeException {
        chars[0] += more;
        if (chars[0] > maxStanzaChars) {
            throw new StanzaTooLargeException("stanza <" + stanzaName + "> is larger than " + maxStanzaChars
                    + " characters (" + ComponentSettings.KEY_MAX_STANZA_CHARS + ")");
        }
    }

    private int nextEvent() throws XMLStreamException, IOException {
        try {
            return xml.next();
        } catch (XMLStreamException e) {
            if (input.exhausted()) {
                throw new StanzaTooLargeException("more than " + input.budget() + " bytes without a complete stanza "
                        + "(limit " + maxStanzaChars + " characters, " + ComponentSettings.KEY_MAX_STANZA_CHARS + ")");
            }
            throw inputFailure(e);
        } catch (RuntimeException e) {
            // The JDK's parser fails on some malformed input with an unchecked exception of its own (a NUL in a DTD
            // looks up an error message it does not have: MissingResourceException). Still malformed input.
            throw new XMLStreamException("the XML parser failed on the input: " + e, e);
        }
    }

    /** The parser's failure, or the failure of the bytes under it: I/O, or bytes that are not UTF-8. */
    private static XMLStreamException inputFailure(XMLStreamException e) throws IOException {
        Throwable cause = e.getNestedException() != null ? e.getNestedException() : e.getCause();
        if (cause instanceof CharacterCodingException bad) {
            throw new IOException("the stream holds bytes that are not UTF-8 (RFC 6120 section 11.6)", bad);
        }
        if (cause instanceof IOException io) {
            throw io;
        }
        return e;
    }

    private static void rejectDtd(int event) throws XMLStreamException {
        if (event == XMLStreamConstants.DTD) {
            throw new XMLStreamException("a DTD is not allowed in an XMPP stream");
        }
    }

    /** Counts bytes since the last complete stanza and fails beyond the budget, so the parser cannot hoard. */
    private static final class BudgetInputStream extends FilterInputStream {
        private final long budget;
        private long used;
        private boolean exhausted;

        BudgetInputStream(InputStream in, long budget) {
            super(in);
            this.budget = budget;
        }

        long budget() {
            return budget;
        }

        boolean exhausted() {
            return exhausted;
        }

        void resetBudget() {
            used = 0;
        }

        @Override
        public int read() throws IOException {
            check(1);
            int b = super.read();
            if (b >= 0) {
                used++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check(length);
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                used += n;
            }
            return n;
        }

        private void check(int wanted) throws IOException {
            if (wanted > 0 && used >= budget) {
                exhausted = true;
                throw new StanzaTooLargeException("read budget of " + budget + " bytes exhausted");
            }
        }
    }
}
