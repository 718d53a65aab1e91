package io.offhook.tap.sip;

import gov.nist.core.CommonLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sdp.MediaDescriptionImpl;
import gov.nist.javax.sdp.SessionDescriptionImpl;
import gov.nist.javax.sdp.fields.AttributeField;
import gov.nist.javax.sdp.fields.ConnectionField;
import gov.nist.javax.sdp.parser.SDPAnnounceParser;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.ContentType;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.extensions.SessionExpiresHeader;
import gov.nist.javax.sip.header.ims.PAssertedIdentityHeader;
import gov.nist.javax.sip.message.Content;
import gov.nist.javax.sip.message.MultipartMimeContentImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.HeaderParser;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.ParserFactory;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Test-side adapter: parses a message with JAIN-SIP 1.3.0-91 (the reference parser) and maps the result to our
 * {@link SipMessage} fields, so that {@link DifferentialCheck} can compare it with {@link SipScanner}.
 *
 * <p>Mapping decisions (each one written down because it shapes what "agree" means):
 * <ul>
 *   <li>JAIN-SIP is lenient: it accepts a message without Call-ID, CSeq, From or To, and it drops a header it cannot
 *       parse without saying so. A message missing one of the four is mapped to a rejection (our contract cannot
 *       hold it); every dropped header is recorded in {@link Result#droppedHeaders()} so that a difference can be
 *       traced to it.</li>
 *   <li>Body framing: JAIN-SIP in datagram mode keeps every byte after the header section as the body (ignoring
 *       Content-Length, against RFC 3261 18.3), rejects a body shorter than Content-Length, and reads no body at all
 *       when the message has no Content-Length. The adapter therefore parses the header section with JAIN-SIP and
 *       cuts the body itself by the scanner's documented rule: bounded by the declared Content-Length (what is
 *       there when it is shorter), the rest of the data when there is no Content-Length header.</li>
 *   <li>The SDP body is read with JAIN-SIP's own SDP parser ({@code gov.nist.javax.sdp}) and multipart bodies with
 *       its {@link MultipartMimeContentImpl}; the rules applied to the parsed SDP (first audio stream, media level
 *       beats session level, first direction attribute per level, effective {@code c=} equal to 0.0.0.0) are the
 *       scanner's documented ones. A body not starting with {@code v=} is not SDP, as in the scanner.</li>
 *   <li>A contact {@code expires} parameter JAIN-SIP reads as a negative number ({@code expires=-5}) is mapped to
 *       absent: our contract has no negative expiry, and the scanner treats a value that is not digits as absent.</li>
 *   <li>URIs are taken with {@code getURI().toString()}; JAIN-SIP re-serialises them, see
 *       {@link DifferentialCheck} for the canonical form both sides are compared in.</li>
 * </ul>
 */
final class JainSipReference {

    private static final Logger LOG = LogManager.getLogger(JainSipReference.class);

    static {
        // JAIN-SIP logs through log4j 1.2, which is not on the class path: any logging path would throw
        // NoClassDefFoundError. Route it to Log4j2 instead; this must happen before the first parse.
        CommonLogger.useLegacyLogger = true;
        CommonLogger.legacyLogger = new Log4j2StackLogger();
    }

    /**
     * What JAIN-SIP made of a message: either {@code message} (our fields) or {@code rejection} (why not), plus the
     * names of the headers it dropped as unparseable.
     */
    record Result(SipMessage message, String rejection, List<String> droppedHeaders) {
        Result {
            droppedHeaders = List.copyOf(droppedHeaders);
        }
    }

    private JainSipReference() {
    }

    static Result parse(byte[] data, int offset, int length) {
        byte[] bytes = Arrays.copyOfRange(data, offset, offset + length);
        ObservingParser parser = new ObservingParser();
        SIPMessage m;
        try {
            m = parser.parseSIPMessage(bytes, false, false, null);
        } catch (ParseException e) {
            return rejected("ParseException: " + e.getMessage(), parser);
        } catch (RuntimeException e) {
            return rejected("JAIN-SIP failed: " + e, parser);
        }
        if (m == null) {
            return rejected("no message (only control characters)", parser);
        }
        CallID callId = (CallID) m.getCallId();
        CSeq cseq = (CSeq) m.getCSeq();
        From from = (From) m.getFrom();
        To to = (To) m.getTo();
        if (callId == null || cseq == null || from == null || to == null) {
            return rejected("missing " + (callId == null ? "Call-ID" : cseq == null ? "CSeq" : from == null ? "From"
                    : "To"), parser);
        }

        String method = null;
        String requestUri = null;
        int status = 0;
        if (m instanceof SIPRequest request) {
            method = request.getMethod();
            requestUri = request.getRequestURI() == null ? null : request.getRequestURI().toString();
        } else {
            status = ((SIPResponse) m).getStatusCode();
        }

        List<Contact> contacts = new ArrayList<>();
        boolean wildcard = false;
        Iterator<?> it = m.getHeaders("Contact");
        while (it.hasNext()) {
            ContactHeader c = (ContactHeader) it.next();
            if (c.isWildCard()) {
                wildcard = true;
            } else {
                contacts.add(new Contact(uri(c.getAddress().getURI()), Math.max(c.getExpires(), SipMessage.ABSENT)));
            }
        }
        ExpiresHeader expiresHeader = m.getExpires();
        int expires = expiresHeader == null ? SipMessage.ABSENT : expiresHeader.getExpires();
        Header se = m.getHeader("Session-Expires");
        int sessionExpires = se == null ? SipMessage.ABSENT : ((SessionExpiresHeader) se).getExpires();
        ContentType ct = m.getContentTypeHeader();
        String contentType = ct == null ? null
                : (ct.getContentType() + "/" + ct.getContentSubType()).toLowerCase(Locale.ROOT);
        Header pai = m.getHeader("P-Asserted-Identity");
        String assertedIdentity = pai == null ? null : uri(((PAssertedIdentityHeader) pai).getAddress().getURI());

        int bodyStart = m.getSize();
        int bodyEnd = bytes.length;
        if (parser.contentLengthSeen) {
            ContentLength cl = (ContentLength) m.getContentLength();
            bodyEnd = (int) Math.min(bytes.length, (long) bodyStart + cl.getContentLength());
        }
        byte[] body = Arrays.copyOfRange(bytes, Math.min(bodyStart, bodyEnd), bodyEnd);
        Sdp sdp = null;
        try {
            if ("application/sdp".equals(contentType)) {
                sdp = sdp(new String(body, StandardCharsets.UTF_8));
            } else if (contentType != null && contentType.startsWith("multipart/")
                    && ct.getParameter("boundary") != null) {
                MultipartMimeContentImpl multipart = new MultipartMimeContentImpl(ct);
                multipart.createContentList(new String(body, StandardCharsets.UTF_8));
                for (Iterator<Content> parts = multipart.getContents(); parts.hasNext(); ) {
                    Content part = parts.next();
                    javax.sip.header.ContentTypeHeader pct = part.getContentTypeHeader();
                    if (pct != null && "application".equalsIgnoreCase(pct.getContentType())
                            && "sdp".equalsIgnoreCase(pct.getContentSubType())) {
                        sdp = sdp(String.valueOf(part.getContent()));
                        break;
                    }
                }
            }
        } catch (ParseException | javax.sdp.SdpException e) {
            return rejected("JAIN-SIP could not parse the body: " + e.getMessage(), parser);
        } catch (RuntimeException e) {
            // Its multipart splitter compiles the boundary as a regular expression (PatternSyntaxException).
            return rejected("JAIN-SIP failed on the body: " + e, parser);
        }

        SipMessage message;
        try {
            message = new SipMessage(method, status, requestUri, callId.getCallId(), cseq.getSeqNumber(),
                    cseq.getMethod(), uri(from.getAddress().getURI()), from.getTag(), uri(to.getAddress().getURI()),
                    to.getTag(), contacts, wildcard, expires, sessionExpires, contentType,
                    sdp == null ? null : sdp.direction, sdp != null && sdp.nullConnection, assertedIdentity);
        } catch (RuntimeException e) {
            return rejected("not representable: " + e.getMessage(), parser);
        }
        return new Result(message, null, parser.dropped);
    }

    /** The multipart boundary parameter as JAIN-SIP reads it from the Content-Type, or {@code null}. */
    static String boundary(byte[] message) {
        try {
            SIPMessage m = new ObservingParser().parseSIPMessage(message.clone(), false, false, null);
            ContentType ct = m == null ? null : m.getContentTypeHeader();
            return ct == null ? null : ct.getParameter("boundary");
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    /** A URI as JAIN-SIP's own URI parser reads and prints it, or {@code null} when it cannot parse it. */
    static String reprintUri(String uri) {
        try {
            return new gov.nist.javax.sip.address.AddressFactoryImpl().createURI(uri).toString();
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A URI as JAIN-SIP's address parser reads and prints it inside angle brackets (as in a From header; for a URI
     * of an unknown scheme it re-escapes differently from its URI parser), or {@code null}.
     */
    static String reprintAddressUri(String uri) {
        try {
            return new gov.nist.javax.sip.address.AddressFactoryImpl().createAddress("<" + uri + ">").getURI()
                    .toString();
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private static Result rejected(String why, ObservingParser parser) {
        return new Result(null, why, parser.dropped);
    }

    private static String uri(URI uri) {
        return uri == null ? null : uri.toString();
    }

    private record Sdp(MediaDirection direction, boolean nullConnection) {
    }

    /** Our SDP rules applied to JAIN-SIP's parse of the SDP text; {@code null} when the text is not SDP. */
    private static Sdp sdp(String text) throws ParseException, javax.sdp.SdpException {
        if (!text.stripLeading().startsWith("v=")) {
            return null;
        }
        SessionDescriptionImpl session = new SDPAnnounceParser(text).parse();
        MediaDirection sessionDirection = direction(session.getAttributes(false));
        Boolean sessionNull = isNull(session.getConnection() == null ? null
                : ((ConnectionField) session.getConnection()).getAddress());
        MediaDescriptionImpl chosen = null;
        List<?> media = session.getMediaDescriptions(false);
        if (media != null) {
            for (Object o : media) {
                MediaDescriptionImpl md = (MediaDescriptionImpl) o;
                if (chosen == null) {
                    chosen = md;
                }
                if ("audio".equals(md.getMedia().getMediaType())) {
                    chosen = md;
                    break;
                }
            }
        }
        MediaDirection direction = chosen == null ? null : direction(chosen.getAttributes(false));
        Boolean mediaNull = chosen == null || chosen.getConnectionField() == null ? null
                : isNull(chosen.getConnectionField().getAddress());
        MediaDirection effective = direction != null ? direction
                : sessionDirection != null ? sessionDirection : MediaDirection.SENDRECV;
        boolean nullConnection = mediaNull != null ? mediaNull : sessionNull != null && sessionNull;
        return new Sdp(effective, nullConnection);
    }

    private static MediaDirection direction(List<?> attributes) throws javax.sdp.SdpParseException {
        if (attributes == null) {
            return null;
        }
        for (Object o : attributes) {
            AttributeField a = (AttributeField) o;
            if (a.hasValue()) {
                continue;
            }
            switch (a.getName()) {
                case "sendrecv":
                    return MediaDirection.SENDRECV;
                case "sendonly":
                    return MediaDirection.SENDONLY;
                case "recvonly":
                    return MediaDirection.RECVONLY;
                case "inactive":
                    return MediaDirection.INACTIVE;
                default:
                    break;
            }
        }
        return null;
    }

    private static Boolean isNull(String address) {
        return address == null ? null : "0.0.0.0".equals(address);
    }

    /**
     * JAIN-SIP's own message parser with its header step observed: does exactly what the original does when no
     * {@link ParseExceptionListener} is given (a header whose name cannot be read aborts the parse, a header whose
     * value cannot be parsed is dropped silently), and records the dropped headers and whether a Content-Length
     * header was present (JAIN-SIP reports 0 both for {@code Content-Length: 0} and for no header at all).
     */
    /** A Via header (full or compact name) with a comment whose last character is a backslash. */
    private static final java.util.regex.Pattern VIA_COMMENT_ESCAPING_LINE_END =
            java.util.regex.Pattern.compile("(?is)\\s*(via|v)\\s*:.*\\(.*\\\\");

    private static final class ObservingParser extends StringMsgParser {
        final List<String> dropped = new ArrayList<>();
        boolean contentLengthSeen;

        @Override
        protected void processHeader(String header, SIPMessage message, ParseExceptionListener listener,
                byte[] rawMessage) throws ParseException {
            if (header == null || header.isEmpty()) {
                return;
            }
            if (VIA_COMMENT_ESCAPING_LINE_END.matcher(header).matches()) {
                // JAIN-SIP's ViaParser reads a comment until ')' or '\n'; a final '\' escapes the '\n' it is given,
                // and past the end its lexer returns NUL forever: it appends to the comment until the heap is gone
                // (found by fuzzing, via-comment-escaping-its-line-end). Counted as JAIN-SIP failing on the header.
                throw new ParseException("JAIN-SIP's Via parser never ends on a comment escaping the line end", 0);
            }
            HeaderParser headerParser = ParserFactory.createParser(header + "\n");
            SIPHeader parsed;
            try {
                parsed = headerParser.parse();
            } catch (ParseException e) {
                dropped.add(header.substring(0, Math.max(0, header.indexOf(':'))).strip());
                return;
            }
            if (parsed instanceof ContentLength) {
                contentLengthSeen = true;
            }
            message.attachHeader(parsed, false);
        }
    }

    /** Sends JAIN-SIP's log lines to Log4j2 (at debug: its complaints about test input are expected). */
    private static final class Log4j2StackLogger implements StackLogger {
        @Override
        public void logStackTrace() {
        }

        @Override
        public void logStackTrace(int traceLevel) {
        }

        @Override
        public int getLineCount() {
            return 0;
        }

        @Override
        public void logException(Throwable ex) {
            LOG.debug("JAIN-SIP exception", ex);
        }

        @Override
        public void logDebug(String message) {
            LOG.trace(message);
        }

        @Override
        public void logDebug(String message, Exception ex) {
            LOG.trace(message, ex);
        }

        @Override
        public void logTrace(String message) {
            LOG.trace(message);
        }

        @Override
        public void logFatalError(String message) {
            LOG.debug(message);
        }

        @Override
        public void logError(String message) {
            LOG.debug(message);
        }

        @Override
        public boolean isLoggingEnabled() {
            return LOG.isDebugEnabled();
        }

        @Override
        public boolean isLoggingEnabled(int logLevel) {
            return logLevel <= TRACE_ERROR ? LOG.isDebugEnabled() : LOG.isTraceEnabled();
        }

        @Override
        public void logError(String message, Exception ex) {
            LOG.debug(message, ex);
        }

        @Override
        public void logWarning(String message) {
            LOG.debug(message);
        }

        @Override
        public void logInfo(String message) {
            LOG.debug(message);
        }

        @Override
        public void disableLogging() {
        }

        @Override
        public void enableLogging() {
        }

        @Override
        public void setBuildTimeStamp(String buildTimeStamp) {
        }

        @Override
        public void setStackProperties(Properties stackProperties) {
        }

        @Override
        public String getLoggerName() {
            return LOG.getName();
        }
    }
}
