package io.offhook.tap.publish;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
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
 *
 * <p>The bytes are decoded here, not by the parser: the JDK's parser reports bytes that are not UTF-8 (or not
 * ASCII, when declared so) by printing {@code [Fatal Error] ...} on the process's standard error before it throws,
 * whatever reporter it is given. A sender of broken bodies would so write a line each, outside the logs and their
 * rate limits. Here the encoding is found as XML 1.0 Appendix F says (byte order mark, else the XML declaration,
 * else UTF-8), the bytes are decoded strictly, and what is not text in that encoding is one {@link BodyException}.
 */
final class SafeXml {
    /** How far an XML declaration is looked for: it is short, and the name of an encoding shorter still. */
    private static final int MAX_DECLARATION = 256;

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
            return factory.createXMLStreamReader(new StringReader(decode(body)));
        } catch (XMLStreamException e) {
            throw new BodyException("not XML" + where(e) + ": " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            throw parserFailed("not XML", e);
        }
    }

    /**
     * {@code body} as text: in the encoding its byte order mark names (UTF-8, UTF-16), else the one its XML
     * declaration names, else UTF-8; bytes that are not text in that encoding are refused, never replaced.
     */
    static String decode(byte[] body) throws BodyException {
        Charset charset;
        int skip = 0;
        if (startsWith(body, 0xEF, 0xBB, 0xBF)) {
            charset = StandardCharsets.UTF_8;
            skip = 3;
        } else if (startsWith(body, 0xFE, 0xFF)) {
            charset = StandardCharsets.UTF_16BE;
            skip = 2;
        } else if (startsWith(body, 0xFF, 0xFE)) {
            charset = StandardCharsets.UTF_16LE;
            skip = 2;
        } else if (startsWith(body, 0x00, '<', 0x00, '?')) {
            charset = StandardCharsets.UTF_16BE;
        } else if (startsWith(body, '<', 0x00, '?', 0x00)) {
            charset = StandardCharsets.UTF_16LE;
        } else {
            charset = declaredEncoding(body);
        }
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body, skip, body.length - skip);
        CharBuffer out = CharBuffer.allocate((int) Math.ceil(in.remaining() * (double) decoder.maxCharsPerByte()) + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError() || result.isOverflow()) {
            throw new BodyException("not " + charset.name() + " text at byte " + in.position());
        }
        return out.flip().toString();
    }

    /** The encoding an ASCII-compatible XML declaration names ({@code <?xml ... encoding="..."?>}), else UTF-8. */
    private static Charset declaredEncoding(byte[] body) throws BodyException {
        if (!startsWith(body, '<', '?', 'x', 'm', 'l')) {
            return StandardCharsets.UTF_8;
        }
        int end = Math.min(body.length, MAX_DECLARATION);
        StringBuilder declaration = new StringBuilder();
        for (int i = 0; i < end && body[i] != '>'; i++) {
            declaration.append((char) (body[i] & 0xFF));
        }
        int at = declaration.indexOf("encoding");
        if (at < 0) {
            return StandardCharsets.UTF_8;
        }
        int i = skipBlanks(declaration, at + "encoding".length());
        if (i >= declaration.length() || declaration.charAt(i) != '=') {
            return StandardCharsets.UTF_8; // malformed: the parser says so
        }
        i = skipBlanks(declaration, i + 1);
        if (i >= declaration.length() || (declaration.charAt(i) != '"' && declaration.charAt(i) != '\'')) {
            return StandardCharsets.UTF_8;
        }
        int close = declaration.indexOf(String.valueOf(declaration.charAt(i)), i + 1);
        if (close < 0) {
            return StandardCharsets.UTF_8;
        }
        String name = declaration.substring(i + 1, close);
        try {
            Charset charset = Charset.forName(name);
            charset.newDecoder(); // a few charsets only encode
            return charset;
        } catch (IllegalCharsetNameException | UnsupportedCharsetException | UnsupportedOperationException e) {
            throw new BodyException("unsupported encoding in the XML declaration: "
                    + (name.length() > 40 ? name.substring(0, 40) : name).replaceAll("[^\\x21-\\x7e]", "?"));
        }
    }

    private static int skipBlanks(CharSequence s, int from) {
        int i = from;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r'
                || s.charAt(i) == '\n')) {
            i++;
        }
        return i;
    }

    private static boolean startsWith(byte[] body, int... prefix) {
        if (body.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((body[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
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
            // Nothing is held open: the input is a string.
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
