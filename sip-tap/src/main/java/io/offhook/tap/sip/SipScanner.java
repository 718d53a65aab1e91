package io.offhook.tap.sip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads the few fields phone-state tracking needs out of one SIP message (RFC 3261) in a single pass over its bytes.
 *
 * <p>Why not a full parser: the tap sees every message a proxy handles (each one mirrored twice) and must keep up
 * with well over a million messages per second on one core. A full parse (JAIN-SIP) costs twenty times more and
 * builds objects for dozens of headers nobody here reads. This scanner compares header names on bytes, never builds
 * a String for a header it does not return, and allocates nothing beyond the returned values. It works in two
 * steps: {@link #frame} validates the message and records where the fields lie in a reusable {@link SipFrame},
 * which then gives a fingerprint for de-duplication and, for the messages worth it, the {@link SipMessage}
 * ({@link #scan} does both). A pipeline may frame in two parts, {@link #frameIdentity} and then {@link #frameRest},
 * to drop a copy before the header fields after Call-ID, CSeq, From and To are read; the two parts together give
 * what {@link #frame} gives, on rejecting too. JAIN-SIP stays the reference: a differential test holds the two to
 * the same answers and lists every place they differ on purpose.
 *
 * <p>What it accepts (see {@link SipMessage} for the fields):
 * <ul>
 *   <li>lines ended by CRLF or a bare LF; CRLFs before the start line are skipped (RFC 3261 7.5); a bare CR is an
 *       ordinary byte;</li>
 *   <li>header names in any case, with any whitespace before the colon, and the compact forms {@code i f t m l c x}
 *       (RFC 3261 7.3.3, RFC 4028); folded values (continuation lines starting with SP or HTAB, RFC 3261 7.3.1);</li>
 *   <li>name-addr with a quoted (escapes allowed) or token display name, and bare addr-spec, whose {@code ;}
 *       parameters are then header parameters (RFC 3261 20.10); several comma-separated Contact values per line
 *       (commas inside quotes or {@code <>} do not split) and several Contact lines;</li>
 *   <li>methods kept as they are on the wire: SIP methods are case-sensitive (RFC 3261 7.1), and JAIN-SIP does not
 *       change their case either.</li>
 * </ul>
 *
 * <p>What it decides when the input is odd:
 * <ul>
 *   <li>rejected with {@link SipParseException}: no start line, a version other than SIP/2.0, a status code that is
 *       not three digits (100-699), a bad method token or Request-URI, a header line without a colon, a header
 *       section without its closing empty line, a missing or malformed Call-ID, CSeq, From or To, a malformed
 *       or empty Contact or a malformed Content-Length, {@code Contact: *} with parameters or other contacts, numbers that overflow (CSeq at or
 *       above 2^31 per RFC 3261 8.1.1.5, Content-Length above {@code Integer.MAX_VALUE}, delta-seconds above
 *       2^32-1), a message longer than {@link #MAX_MESSAGE_BYTES} or a header field longer than
 *       {@link #MAX_HEADER_BYTES};</li>
 *   <li>ignored, as JAIN-SIP ignores them: a malformed Expires, Session-Expires, Content-Type or
 *       P-Asserted-Identity, or a contact {@code expires} parameter that is not digits: the field stays absent
 *       (a later well-formed header of the same name still counts);</li>
 *   <li>delta-seconds between 2^31 and 2^32-1 (valid, RFC 3261 20.19) become {@code Integer.MAX_VALUE};</li>
 *   <li>the first Call-ID, CSeq, From, To, Content-Type and Content-Length win; P-Asserted-Identity gives the URI
 *       of the first value of its first line;</li>
 *   <li>the body is bounded by Content-Length; bytes after it are ignored (RFC 3261 18.3); without Content-Length
 *       it is the rest of the data (a datagram). A Content-Length larger than what is there means a truncated
 *       capture: the body is what is there and the message stays usable;</li>
 *   <li>the SDP body (RFC 4566) is read when the Content-Type is {@code application/sdp}, or from the first
 *       {@code application/sdp} part of a {@code multipart/*} body (one level, no nested multiparts). A body that
 *       does not start with {@code v=} is not SDP. The media direction is that of the first audio stream (the first
 *       stream when none is audio; the session level when there is no {@code m=} line): a media-level {@code a=}
 *       direction beats the session-level one, the first direction attribute of a level wins, absent means
 *       sendrecv. The null connection is the effective {@code c=} address (media level, else session level)
 *       being {@code 0.0.0.0} (RFC 3264 8.4).</li>
 * </ul>
 *
 * <p>Framing on a stream transport (finding where one message ends in a TCP byte stream) is the caller's job; this
 * class reads one message. Stateless and thread-safe (a {@link SipFrame} is not: one per thread).
 */
public final class SipScanner {

    /** Longest message accepted: more than any UDP datagram carries, and a bound on the work per message. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** Longest header field accepted, name, continuation lines and line ends included. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;

    private static final long NONE = -1L;
    private static final long MALFORMED = -2L;

    private static final long DELTA_SECONDS_MAX = 0xFFFF_FFFFL;

    private static final int H_OTHER = 0;
    private static final int H_CALL_ID = 1;
    private static final int H_CSEQ = 2;
    private static final int H_FROM = 3;
    private static final int H_TO = 4;
    private static final int H_CONTACT = 5;
    private static final int H_EXPIRES = 6;
    private static final int H_SESSION_EXPIRES = 7;
    private static final int H_CONTENT_TYPE = 8;
    private static final int H_CONTENT_LENGTH = 9;
    private static final int H_ASSERTED_IDENTITY = 10;

    private static final byte[] CALL_ID = ascii("call-id");
    private static final byte[] CSEQ = ascii("cseq");
    private static final byte[] FROM = ascii("from");
    private static final byte[] TO = ascii("to");
    private static final byte[] CONTACT = ascii("contact");
    private static final byte[] EXPIRES = ascii("expires");
    private static final byte[] SESSION_EXPIRES = ascii("session-expires");
    private static final byte[] CONTENT_TYPE = ascii("content-type");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] ASSERTED_IDENTITY = ascii("p-asserted-identity");
    private static final byte[] TAG = ascii("tag");
    // Header names as words for headerId (see word()); static final longs are constants to the JIT.
    private static final long W_TO = word(TO, 0);
    private static final long LETTERS_2 = letters(TO, 0);
    private static final long W_FROM = word(FROM, 0);
    private static final long W_CSEQ = word(CSEQ, 0);
    private static final long LETTERS_4 = letters(FROM, 0);
    private static final long W_CALL_ID = word(CALL_ID, 0);
    private static final long L_CALL_ID = letters(CALL_ID, 0);
    private static final long W_CONTACT = word(CONTACT, 0);
    private static final long W_EXPIRES = word(EXPIRES, 0);
    private static final long LETTERS_7 = letters(CONTACT, 0);
    private static final long[] W_CONTENT_TYPE = words(CONTENT_TYPE);
    private static final long[] L_CONTENT_TYPE = letters(CONTENT_TYPE);
    private static final long[] W_CONTENT_LENGTH = words(CONTENT_LENGTH);
    private static final long[] L_CONTENT_LENGTH = letters(CONTENT_LENGTH);
    private static final long[] W_SESSION_EXPIRES = words(SESSION_EXPIRES);
    private static final long[] L_SESSION_EXPIRES = letters(SESSION_EXPIRES);
    private static final long[] W_ASSERTED_IDENTITY = words(ASSERTED_IDENTITY);
    private static final long[] L_ASSERTED_IDENTITY = letters(ASSERTED_IDENTITY);
    private static final byte[] BOUNDARY = ascii("boundary");
    private static final byte[] SIP_2_0 = ascii("sip/2.0");

    private static final String APPLICATION_SDP = "application/sdp";
    private static final byte[] APPLICATION_SDP_BYTES = ascii(APPLICATION_SDP);
    private static final byte[] AUDIO = ascii("audio");
    private static final byte[] NULL_ADDRESS = ascii("0.0.0.0");
    private static final byte[] A_SENDRECV = ascii("sendrecv");
    private static final byte[] A_SENDONLY = ascii("sendonly");
    private static final byte[] A_RECVONLY = ascii("recvonly");
    private static final byte[] A_INACTIVE = ascii("inactive");

    /** Method names returned as shared constants instead of new Strings (exact, case-sensitive match). */
    private static final String[] METHODS = {
        "INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "PRACK", "UPDATE", "SUBSCRIBE", "NOTIFY",
        "PUBLISH", "INFO", "REFER", "MESSAGE",
    };
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];
    /** The first eight bytes (or fewer) of each of {@link #METHODS} as a little-endian word. */
    private static final long[] METHOD_WORDS = new long[METHODS.length];
    /** Longer than any of {@link #METHODS}. */
    private static final int METHOD_MAX_LENGTH = 16;
    /** Index into {@link #METHODS} by length (times 32) and first letter (its low five bits), or -1. */
    private static final byte[] METHOD_BY_LENGTH_AND_FIRST = new byte[METHOD_MAX_LENGTH << 5];

    /** A one in each byte of a long, and each byte's high bit: for the eight-bytes-at-a-time tests. */
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long LF_WORD = '\n' * ONES;
    private static final long COLON_WORD = ':' * ONES;
    private static final long GT_WORD = '>' * ONES;
    /** {@code ;tag=} as a little-endian word, and 0x20 where it has a letter (see {@link #word}). */
    private static final long TAG_WORD = word(ascii(";tag="), 0);
    private static final long TAG_LETTERS = letters(ascii(";tag="), 0);
    private static final long SPACE_WORD = ' ' * ONES;
    private static final long DEL_WORD = 0x7F * ONES;
    private static final long SEMICOLON_WORD = ';' * ONES;
    private static final long COMMA_WORD = ',' * ONES;
    private static final long QUOTE_WORD = '"' * ONES;

    /** Reads eight bytes of a byte[] as one little-endian long (for {@link #indexOfLf}). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The header of each one-letter name, either case (RFC 3261 7.3.3, RFC 4028), else {@link #H_OTHER}. */
    private static final byte[] COMPACT_FORMS = new byte[256];
    /** RFC 3261 token characters (25.1), also used for method names and parameter names. */
    private static final boolean[] TOKEN = new boolean[256];
    /** Linear white space: SP, HTAB, CR, LF. */
    private static final boolean[] LWS = new boolean[256];
    /** What ends an unquoted parameter value: LWS, {@code ;}, {@code ,} and {@code "}. */
    private static final boolean[] PARAM_VALUE_END = new boolean[256];

    static {
        Arrays.fill(METHOD_BY_LENGTH_AND_FIRST, (byte) -1);
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = ascii(METHODS[i]);
            METHOD_WORDS[i] = word(METHOD_BYTES[i], 0);
            int key = (METHODS[i].length() << 5) | (METHODS[i].charAt(0) & 31);
            if (METHOD_BY_LENGTH_AND_FIRST[key] >= 0) {
                throw new AssertionError("two methods of one length and first letter: " + METHODS[i]);
            }
            METHOD_BY_LENGTH_AND_FIRST[key] = (byte) i;
        }
        String compact = "ifmlcxt";
        int[] ids = {H_CALL_ID, H_FROM, H_CONTACT, H_CONTENT_LENGTH, H_CONTENT_TYPE, H_SESSION_EXPIRES, H_TO};
        for (int i = 0; i < ids.length; i++) {
            COMPACT_FORMS[compact.charAt(i)] = (byte) ids[i];
            COMPACT_FORMS[Character.toUpperCase(compact.charAt(i))] = (byte) ids[i];
        }
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 'a' + 'A'] = true;
        }
        for (char c : "-.!%*_+`'~".toCharArray()) {
            TOKEN[c] = true;
        }
        for (char c : " \t\r\n".toCharArray()) {
            LWS[c] = true;
            PARAM_VALUE_END[c] = true;
        }
        for (char c : ";,\"".toCharArray()) {
            PARAM_VALUE_END[c] = true;
        }
    }

    private SipScanner() {
    }

    /**
     * Scans one SIP message: {@link #frame} then {@link SipFrame#toMessage()}.
     *
     * @param data the bytes holding the message
     * @param offset where the message starts in {@code data}
     * @param length how many bytes the message has (for a datagram: all of it)
     * @return the fields the tracker needs
     * @throws SipParseException if the bytes are not a SIP message the tap can use; the message names what was
     *     wrong and the byte offset from {@code offset}
     * @throws IndexOutOfBoundsException if offset and length do not lie within {@code data}
     */
    public static SipMessage scan(byte[] data, int offset, int length) throws SipParseException {
        SipFrame frame = new SipFrame();
        frame(data, offset, length, frame);
        return frame.toMessage();
    }

    /**
     * Frames one SIP message: validates all that {@link #scan} validates and records where each field lies,
     * without reading the fields into Strings or the body into a media direction (see {@link SipFrame}).
     *
     * @param data the bytes holding the message; {@code into} refers to them until it is filled again
     * @param offset where the message starts in {@code data}
     * @param length how many bytes the message has (for a datagram: all of it)
     * @param into the frame to fill; after an exception its content is meaningless
     * @throws SipParseException exactly when {@link #scan} throws it, with the same message and offset
     * @throws IndexOutOfBoundsException if offset and length do not lie within {@code data}
     */
    public static void frame(byte[] data, int offset, int length, SipFrame into) throws SipParseException {
        begin(data, offset, length, into);
        headers(into, false);
    }

    /**
     * Frames the first part of one SIP message: the start line and the header fields up to the last of the first
     * Call-ID, CSeq, From and To, which is all that {@link SipFrame#fingerprint()} needs. {@link #frameRest} then
     * completes the frame exactly as {@link #frame} would have filled it.
     *
     * <p>Why: much of a mirroring proxy's traffic is a second copy (each response it relays, retransmissions),
     * which a pipeline recognises by its fingerprint and drops; the header fields after the four (Contact, Content-Type, Content-Length and whatever else comes
     * last) need not be read for it. What this reads it validates as {@link #frame} does, so it throws only where
     * {@link #frame} throws, with the same message and offset; when it returns, {@link #frame} may still reject the
     * message for something in its unread part. When {@link #frame} accepts the message, both give the same
     * fingerprint.
     *
     * @param data the bytes holding the message; {@code into} refers to them until it is filled again
     * @param offset where the message starts in {@code data}
     * @param length how many bytes the message has (for a datagram: all of it)
     * @param into the frame to fill; after an exception its content is meaningless
     * @throws SipParseException if the part read is not what {@link #frame} accepts (the same exception)
     * @throws IndexOutOfBoundsException if offset and length do not lie within {@code data}
     */
    public static void frameIdentity(byte[] data, int offset, int length, SipFrame into) throws SipParseException {
        begin(data, offset, length, into);
        headers(into, true);
    }

    /**
     * Completes a frame that {@link #frameIdentity} filled: afterwards the frame is what {@link #frame} would have
     * made of the message, and this throws exactly where {@link #frame} would have (the same message and offset).
     * Does nothing to a complete frame.
     *
     * @throws SipParseException if the message is not one {@link #frame} accepts
     */
    public static void frameRest(SipFrame frame) throws SipParseException {
        if (!frame.complete) {
            headers(frame, false);
        }
    }

    /**
     * Checks the message's bounds, reads the start line into {@code f} and resets the header fields: the start of
     * {@link #frame} and {@link #frameIdentity}, a method of its own (it runs once per message) so that the JIT's
     * inlining budget goes to the header loop of {@link #headers}, which runs once per line.
     */
    private static void begin(byte[] data, int offset, int length, SipFrame into) throws SipParseException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length > MAX_MESSAGE_BYTES) {
            throw new SipParseException(
                    "message of " + length + " bytes is longer than the limit of " + MAX_MESSAGE_BYTES, 0);
        }
        final byte[] d = data;
        final int base = offset;
        final int end = offset + length;
        final SipFrame f = into;
        f.data = data;
        f.complete = false;

        int p = offset;
        while (p < end && (d[p] == '\r' || d[p] == '\n')) {
            p++;
        }
        if (p == end) {
            throw new SipParseException("no start line", p - base);
        }

        int lf = indexOfLf(d, p, end);
        if (lf < 0) {
            throw new SipParseException("start line not terminated", end - base);
        }
        int lineEnd = lf;
        while (lineEnd > p && (d[lineEnd - 1] == '\r' || d[lineEnd - 1] == ' ' || d[lineEnd - 1] == '\t')) {
            lineEnd--;
        }
        startLine(d, p, lineEnd, base, f);

        f.callIdStart = -1;
        f.cseqMethod = null;
        f.fromStart = -1;
        f.toStart = -1;
        f.contactCount = 0;
        f.contactWildcard = false;
        f.expires = SipMessage.ABSENT;
        f.sessionExpires = SipMessage.ABSENT;
        f.typeStart = -1;
        f.boundary = NONE;
        f.assertedStart = -1;
        f.contentLength = -1;
        f.assertedSeen = false;
        f.base = base;
        f.end = end;
        f.next = lf + 1;
    }

    /**
     * Reads header fields from where {@code f} stopped ({@code f.next}) to the end of the header section, then
     * checks that the mandatory ones were there and locates the body; or, when {@code stopWhenIdentified}, stops
     * after the field that completes the first Call-ID, CSeq, From and To, to be resumed later.
     */
    private static void headers(SipFrame f, boolean stopWhenIdentified) throws SipParseException {
        final byte[] d = f.data;
        final int base = f.base;
        final int end = f.end;
        int p = f.next;
        long contentLength = f.contentLength;
        boolean assertedSeen = f.assertedSeen;

        while (true) {
            if (p >= end) {
                throw new SipParseException("header section not terminated by an empty line", end - base);
            }
            byte first = d[p];
            if (first == '\n') {
                p++;
                break;
            }
            if (first == '\r' && p + 1 < end && d[p + 1] == '\n') {
                p += 2;
                break;
            }
            if (first == ' ' || first == '\t') {
                throw new SipParseException("continuation line without a header field", p - base);
            }
            int nameStart = p;
            // One pass finds the colon and the line's end.
            long colonAndLf = colonAndLf(d, p, end);
            int colon = start(colonAndLf);
            int nl = (int) colonAndLf;
            if (colon < 0) {
                throw new SipParseException("header line without a colon", nameStart - base);
            }
            int nameEnd = colon;
            while (nameEnd > nameStart && (d[nameEnd - 1] == ' ' || d[nameEnd - 1] == '\t')) {
                nameEnd--;
            }
            if (nameEnd == nameStart) {
                throw new SipParseException("header line without a name", nameStart - base);
            }
            int vs = colon + 1;
            while (true) {
                if (nl < 0) {
                    throw new SipParseException("header section not terminated by an empty line", end - base);
                }
                if (nl + 1 < end && (d[nl + 1] == ' ' || d[nl + 1] == '\t')) {
                    nl = indexOfLf(d, nl + 1, end);
                    continue;
                }
                break;
            }
            int ve = nl;
            p = nl + 1;
            if (p - nameStart > MAX_HEADER_BYTES) {
                throw new SipParseException("header field longer than " + MAX_HEADER_BYTES + " bytes",
                        nameStart - base);
            }
            int id = headerId(d, nameStart, nameEnd);
            if (id == H_OTHER) {
                continue; // most header fields: nothing more to look at
            }
            // The usual value is ": value\r\n": its one space and one CR go without the table lookups (the CR only
            // once a non-blank byte is known to precede it, so that an all-blank value ends where it did).
            if (vs < ve && d[vs] == ' ') {
                vs++;
            }
            vs = skipLws(d, vs, ve);
            if (ve > vs && d[ve - 1] == '\r') {
                ve--;
            }
            ve = trimLws(d, vs, ve);

            switch (id) {
                case H_CALL_ID:
                    if (f.callIdStart < 0) {
                        callId(d, vs, ve, base, f);
                    }
                    break;
                case H_CSEQ:
                    if (f.cseqMethod == null) {
                        cseq(d, vs, ve, base, f);
                    }
                    break;
                case H_FROM:
                case H_TO:
                    // One piece of code for both (not two copies): the JIT inlines only so much into this method.
                    boolean from = id == H_FROM;
                    if ((from ? f.fromStart : f.toStart) < 0) {
                        long uri = bracketedUri(d, vs, ve);
                        boolean uriChecked = uri >= 0;
                        if (!uriChecked) {
                            uri = addressUri(d, vs, ve);
                        }
                        long tag = MALFORMED;
                        boolean tagChecked = false;
                        if (uri >= 0) {
                            int params = afterUri(d, (int) uri, ve);
                            tag = onlyTag(d, params, ve);
                            tagChecked = tag >= 0;
                            if (tag == NONE) {
                                tag = findParam(d, params, ve, TAG);
                            }
                        }
                        if (tag == MALFORMED) {
                            throw new SipParseException(from ? "malformed From" : "malformed To", vs - base);
                        }
                        if (!uriChecked) {
                            validate(d, start(uri), (int) uri, base, from ? "From" : "To", false);
                        }
                        int tagStart = -1;
                        if (tag != NONE) {
                            tagStart = start(tag);
                            if (!tagChecked) {
                                validate(d, tagStart, (int) tag, base, from ? "From tag" : "To tag", false);
                            }
                        }
                        if (from) {
                            f.fromStart = start(uri);
                            f.fromEnd = (int) uri;
                            f.fromTagStart = tagStart;
                            f.fromTagEnd = (int) tag;
                        } else {
                            f.toStart = start(uri);
                            f.toEnd = (int) uri;
                            f.toTagStart = tagStart;
                            f.toTagEnd = (int) tag;
                        }
                    }
                    break;
                case H_CONTACT:
                    if (ve - vs == 1 && d[vs] == '*') {
                        f.contactWildcard = true;
                    } else {
                        contacts(d, vs, ve, base, f);
                    }
                    if (f.contactWildcard && f.contactCount > 0) {
                        throw new SipParseException("Contact: * together with other contacts", vs - base);
                    }
                    break;
                case H_EXPIRES:
                    if (f.expires == SipMessage.ABSENT) {
                        f.expires = deltaSeconds(d, vs, ve, base, "Expires");
                    }
                    break;
                case H_SESSION_EXPIRES:
                    if (f.sessionExpires == SipMessage.ABSENT) {
                        int q = vs;
                        while (q < ve && isDigit(d[q])) {
                            q++;
                        }
                        int r = skipLws(d, q, ve);
                        if (r == ve || d[r] == ';') {
                            f.sessionExpires = deltaSeconds(d, vs, q, base, "Session-Expires");
                        }
                    }
                    break;
                case H_CONTENT_TYPE:
                    if (f.typeStart < 0) {
                        long type = mediaType(d, vs, ve);
                        if (type >= 0) {
                            int ts = start(type);
                            int te = (int) type;
                            long b = findParam(d, te, ve, BOUNDARY);
                            if (b != MALFORMED) {
                                f.typeStart = vs;
                                f.subtypeStart = ts;
                                f.subtypeEnd = te;
                                f.boundary = b;
                            }
                        }
                    }
                    break;
                case H_CONTENT_LENGTH:
                    if (contentLength < 0) {
                        long n = decimal(d, vs, ve, Integer.MAX_VALUE);
                        if (n == NONE) {
                            throw new SipParseException("Content-Length is not a number", vs - base);
                        }
                        if (n == MALFORMED) {
                            throw new SipParseException("Content-Length overflows", vs - base);
                        }
                        contentLength = n;
                    }
                    break;
                case H_ASSERTED_IDENTITY:
                    if (!assertedSeen) {
                        assertedSeen = true;
                        long uri = addressUri(d, vs, ve);
                        if (uri >= 0 && findParam(d, afterUri(d, (int) uri, ve), ve, TAG) != MALFORMED) {
                            validate(d, start(uri), (int) uri, base, "P-Asserted-Identity", false);
                            f.assertedStart = start(uri);
                            f.assertedEnd = (int) uri;
                        }
                    }
                    break;
                default:
                    break;
            }
            if (stopWhenIdentified && id <= H_TO && f.callIdStart >= 0 && f.cseqMethod != null
                    && f.fromStart >= 0 && f.toStart >= 0) {
                f.next = p;
                f.contentLength = contentLength;
                f.assertedSeen = assertedSeen;
                return;
            }
        }

        if (f.callIdStart < 0) {
            throw new SipParseException("no Call-ID", p - base);
        }
        if (f.cseqMethod == null) {
            throw new SipParseException("no CSeq", p - base);
        }
        if (f.fromStart < 0) {
            throw new SipParseException("no From", p - base);
        }
        if (f.toStart < 0) {
            throw new SipParseException("no To", p - base);
        }
        f.bodyStart = p;
        f.bodyEnd = contentLength < 0 ? end : (int) Math.min(end, p + contentLength);
        f.complete = true;
    }

    /** Reads a Call-ID value in {@code [vs, ve)} into {@code f}. */
    private static void callId(byte[] d, int vs, int ve, int base, SipFrame f) throws SipParseException {
        if (vs == ve) {
            throw new SipParseException("empty Call-ID", vs - base);
        }
        validate(d, vs, ve, base, "Call-ID", true);
        f.callIdStart = vs;
        f.callIdEnd = ve;
    }

    /** Reads a CSeq value in {@code [vs, ve)} into {@code f}. */
    private static void cseq(byte[] d, int vs, int ve, int base, SipFrame f) throws SipParseException {
        // The digits are read as they are found (not found, then read again by decimal()).
        int q = vs;
        long n = 0;
        while (q < ve && isDigit(d[q])) {
            if (n <= Integer.MAX_VALUE) {
                n = n * 10 + (d[q] - '0');
            }
            q++;
        }
        if (q == vs) {
            throw new SipParseException("CSeq without a sequence number", vs - base);
        }
        if (n > Integer.MAX_VALUE) {
            throw new SipParseException("CSeq number overflows 2^31-1", vs - base);
        }
        int ms = skipLws(d, q, ve);
        int known = knownMethod(d, ms, ve);
        int me = ve;
        if (known < 0) {
            me = ms;
            while (me < ve && TOKEN[d[me] & 0xFF]) {
                me++;
            }
        }
        if (ms == q || me == ms || me != ve) {
            throw new SipParseException("CSeq is not a number and a method", vs - base);
        }
        f.cseq = n;
        f.cseqMethod = known >= 0 ? METHODS[known] : method(d, ms, me);
        f.cseqMethodStart = ms;
        f.cseqMethodEnd = me;
    }

    /**
     * Reads the start line in {@code [p, lineEnd)} into {@code f}: a method of its own (it runs once per message)
     * so that the JIT's inlining budget for {@link #frame} goes to the header loop, which runs once per line.
     */
    private static void startLine(byte[] d, int p, int lineEnd, int base, SipFrame f) throws SipParseException {
        f.method = null;
        f.statusCode = 0;
        if (regionMatchesIgnoreCase(d, p, lineEnd, SIP_2_0, 0, 4)) {
            f.statusCode = statusLine(d, p, lineEnd, base);
        } else {
            // A known method followed by a space (the usual start) is found by its word; anything else by the loop.
            int q = indexOf(d, SPACE_WORD, p, Math.min(lineEnd, p + METHOD_MAX_LENGTH));
            int known = q < 0 ? -1 : knownMethod(d, p, q);
            if (known < 0) {
                q = p;
                while (q < lineEnd && TOKEN[d[q] & 0xFF]) {
                    q++;
                }
                if (q == p || q == lineEnd || (d[q] != ' ' && d[q] != '\t')) {
                    throw new SipParseException("request line does not start with a method token", q - base);
                }
            }
            f.method = known >= 0 ? METHODS[known] : method(d, p, q);
            f.methodStart = p;
            f.methodEnd = q;
            q = skipBlanks(d, q, lineEnd);
            int us = q;
            // The URI ends at the first blank; when nothing but a blank stops the word scan, the URI is also free
            // of what validate rejects (control characters, DEL), and is not checked again.
            q = printableEnd(d, q, lineEnd);
            boolean clean = q == lineEnd || d[q] == ' ' || d[q] == '\t';
            while (q < lineEnd && d[q] != ' ' && d[q] != '\t') {
                q++;
            }
            int ue = q;
            if (!hasScheme(d, us, ue)) {
                throw new SipParseException("Request-URI without a scheme", us - base);
            }
            q = skipBlanks(d, q, lineEnd);
            if (q == ue || lineEnd - q != SIP_2_0.length
                    || !regionMatchesIgnoreCase(d, q, lineEnd, SIP_2_0, 0, SIP_2_0.length)) {
                throw new SipParseException("request line does not end with SIP/2.0", q - base);
            }
            if (!clean) {
                validate(d, us, ue, base, "Request-URI", false);
            }
            f.uriStart = us;
            f.uriEnd = ue;
        }
    }

    /**
     * Reads the body in {@code [p, end)} of the given content type: the SDP result of {@link #sdp} (directly or
     * from a multipart part), or -1 when there is no SDP.
     */
    static int body(byte[] d, int p, int end, String contentType, long boundary) {
        if (p >= end) {
            return -1;
        }
        if (contentType == APPLICATION_SDP) { // the shared constant mediaTypeText returns for this type
            return sdp(d, p, end);
        }
        if (boundary >= 0 && contentType.startsWith("multipart/")) {
            return multipartSdp(d, p, end, start(boundary), (int) boundary);
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------ start line

    private static int statusLine(byte[] d, int p, int lineEnd, int base) throws SipParseException {
        int q = p + SIP_2_0.length;
        if (q > lineEnd || !regionMatchesIgnoreCase(d, p, lineEnd, SIP_2_0, 0, SIP_2_0.length)
                || (q < lineEnd && d[q] != ' ' && d[q] != '\t')) {
            throw new SipParseException("status line does not start with SIP/2.0", p - base);
        }
        q = skipBlanks(d, q, lineEnd);
        int cs = q;
        while (q < lineEnd && isDigit(d[q])) {
            q++;
        }
        if (q - cs != 3 || (q < lineEnd && d[q] != ' ' && d[q] != '\t')) {
            throw new SipParseException("status code is not three digits", cs - base);
        }
        int code = (d[cs] - '0') * 100 + (d[cs + 1] - '0') * 10 + (d[cs + 2] - '0');
        if (code < 100 || code > 699) {
            throw new SipParseException("status code " + code + " out of 100-699", cs - base);
        }
        return code;
    }

    private static boolean hasScheme(byte[] d, int s, int e) {
        if (s >= e || !isAlpha(d[s])) {
            return false;
        }
        for (int i = s + 1; i < e; i++) {
            byte b = d[i];
            if (b == ':') {
                return i + 1 < e;
            }
            if (!isAlpha(b) && !isDigit(b) && b != '+' && b != '-' && b != '.') {
                return false;
            }
        }
        return false;
    }

    /**
     * The method token {@code [s, e)} (not empty): one of {@link #METHODS} when it is one, found by its length and
     * first letter (no two known methods share both) and one comparison, else a new String.
     */
    private static String method(byte[] d, int s, int e) {
        int i = knownMethod(d, s, e);
        return i >= 0 ? METHODS[i] : new String(d, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /**
     * The index in {@link #METHODS} of the method that {@code [s, e)} holds exactly, or -1: found by its length and
     * first letter, then compared as one word (byte by byte beyond eight bytes or at the end of the array).
     */
    private static int knownMethod(byte[] d, int s, int e) {
        int n = e - s;
        if (n <= 0 || n >= METHOD_MAX_LENGTH) {
            return -1;
        }
        int i = METHOD_BY_LENGTH_AND_FIRST[(n << 5) | (d[s] & 31)];
        if (i < 0) {
            return -1;
        }
        if (n <= Long.BYTES && s + Long.BYTES <= d.length) {
            long w = (long) LONGS.get(d, s) & (-1L >>> (Long.SIZE - Byte.SIZE * n));
            return w == METHOD_WORDS[i] ? i : -1;
        }
        return regionEquals(d, s, METHOD_BYTES[i]) ? i : -1;
    }

    // --------------------------------------------------------------------------------------------- header names

    /**
     * Which header a name is: dispatched on its length, then compared eight bytes at a time (see {@link #word}).
     * Kept small enough (bytecode) for the JIT to inline it into {@link #headers}, where it runs once per header
     * line; the long names are looked up apart.
     */
    private static int headerId(byte[] d, int s, int e) {
        int n = e - s;
        if (n == 1) {
            return COMPACT_FORMS[d[s] & 0xFF];
        }
        if (n > Long.BYTES) {
            return longHeaderId(d, s, e);
        }
        if (s + Long.BYTES > d.length) {
            return headerIdByBytes(d, s, e);
        }
        long w = (long) LONGS.get(d, s) & (-1L >>> (Long.SIZE - Byte.SIZE * n));
        switch (n) {
            case 2:
                return (w | LETTERS_2) == W_TO ? H_TO : H_OTHER;
            case 4:
                w |= LETTERS_4;
                return w == W_FROM ? H_FROM : w == W_CSEQ ? H_CSEQ : H_OTHER;
            case 7:
                return (w | L_CALL_ID) == W_CALL_ID ? H_CALL_ID
                        : (w | LETTERS_7) == W_CONTACT ? H_CONTACT
                        : (w | LETTERS_7) == W_EXPIRES ? H_EXPIRES : H_OTHER;
            default:
                return H_OTHER;
        }
    }

    /** {@link #headerId} for names longer than eight bytes: two or three words. */
    private static int longHeaderId(byte[] d, int s, int e) {
        int n = e - s;
        if (s + 3 * Long.BYTES > d.length) {
            return headerIdByBytes(d, s, e);
        }
        long w0 = (long) LONGS.get(d, s);
        long w1 = (long) LONGS.get(d, s + Long.BYTES) & (-1L >>> (Long.SIZE - Byte.SIZE * Math.min(n - 8, 8)));
        switch (n) {
            case 12:
                return (w0 | L_CONTENT_TYPE[0]) == W_CONTENT_TYPE[0] && (w1 | L_CONTENT_TYPE[1]) == W_CONTENT_TYPE[1]
                        ? H_CONTENT_TYPE : H_OTHER;
            case 14:
                return (w0 | L_CONTENT_LENGTH[0]) == W_CONTENT_LENGTH[0]
                        && (w1 | L_CONTENT_LENGTH[1]) == W_CONTENT_LENGTH[1] ? H_CONTENT_LENGTH : H_OTHER;
            case 15:
                return (w0 | L_SESSION_EXPIRES[0]) == W_SESSION_EXPIRES[0]
                        && (w1 | L_SESSION_EXPIRES[1]) == W_SESSION_EXPIRES[1] ? H_SESSION_EXPIRES : H_OTHER;
            case 19:
                long w2 = (long) LONGS.get(d, s + 2 * Long.BYTES) & 0xFF_FFFFL;
                return (w0 | L_ASSERTED_IDENTITY[0]) == W_ASSERTED_IDENTITY[0]
                        && (w1 | L_ASSERTED_IDENTITY[1]) == W_ASSERTED_IDENTITY[1]
                        && (w2 | L_ASSERTED_IDENTITY[2]) == W_ASSERTED_IDENTITY[2] ? H_ASSERTED_IDENTITY : H_OTHER;
            default:
                return H_OTHER;
        }
    }

    /** {@link #headerId} byte by byte, for a name so close to the end of the array that a word would run past it. */
    private static int headerIdByBytes(byte[] d, int s, int e) {
        switch (e - s) {
            case 2:
                return nameIs(d, s, TO) ? H_TO : H_OTHER;
            case 4:
                return nameIs(d, s, FROM) ? H_FROM : nameIs(d, s, CSEQ) ? H_CSEQ : H_OTHER;
            case 7:
                return nameIs(d, s, CALL_ID) ? H_CALL_ID
                        : nameIs(d, s, CONTACT) ? H_CONTACT
                        : nameIs(d, s, EXPIRES) ? H_EXPIRES : H_OTHER;
            case 12:
                return nameIs(d, s, CONTENT_TYPE) ? H_CONTENT_TYPE : H_OTHER;
            case 14:
                return nameIs(d, s, CONTENT_LENGTH) ? H_CONTENT_LENGTH : H_OTHER;
            case 15:
                return nameIs(d, s, SESSION_EXPIRES) ? H_SESSION_EXPIRES : H_OTHER;
            case 19:
                return nameIs(d, s, ASSERTED_IDENTITY) ? H_ASSERTED_IDENTITY : H_OTHER;
            default:
                return H_OTHER;
        }
    }

    /**
     * The bytes {@code lower[from, from + 8)} (fewer at the end) of a lower-case name as a little-endian word. A
     * name read as a word {@code w} matches when {@code (w | letters(...)) == word(...)}: OR-ing 0x20 into a byte
     * maps an upper-case letter to its lower case, and it is done only where the name has a letter, so every other
     * byte must match exactly (as {@link #nameIs} compares).
     */
    private static long word(byte[] lower, int from) {
        long w = 0;
        for (int i = Math.min(lower.length, from + Long.BYTES) - 1; i >= from; i--) {
            w = (w << Byte.SIZE) | (lower[i] & 0xFF);
        }
        return w;
    }

    /** 0x20 in each byte of {@link #word} that is a letter, 0 elsewhere. */
    private static long letters(byte[] lower, int from) {
        long w = 0;
        for (int i = Math.min(lower.length, from + Long.BYTES) - 1; i >= from; i--) {
            w = (w << Byte.SIZE) | (lower[i] >= 'a' && lower[i] <= 'z' ? 0x20 : 0);
        }
        return w;
    }

    private static long[] words(byte[] lower) {
        long[] w = new long[(lower.length + Long.BYTES - 1) / Long.BYTES];
        for (int i = 0; i < w.length; i++) {
            w[i] = word(lower, i * Long.BYTES);
        }
        return w;
    }

    private static long[] letters(byte[] lower) {
        long[] w = new long[(lower.length + Long.BYTES - 1) / Long.BYTES];
        for (int i = 0; i < w.length; i++) {
            w[i] = letters(lower, i * Long.BYTES);
        }
        return w;
    }

    /** {@code lower} (lower-case ASCII) equals the bytes at {@code s}, ignoring the case of letters only. */
    private static boolean nameIs(byte[] d, int s, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            byte t = lower[i];
            byte b = d[s + i];
            if (b != t && ((b | 0x20) != t || t < 'a' || t > 'z')) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------- addresses and parameters

    /**
     * The URI of a name-addr or addr-spec starting at {@code p} (leading LWS allowed), packed as start and end, or
     * {@link #MALFORMED}. For an addr-spec the URI stops at the first {@code ;} or {@code ,} (RFC 3261 20.10).
     */
    private static long addressUri(byte[] d, int p, int end) {
        p = skipLws(d, p, end);
        if (p >= end) {
            return MALFORMED;
        }
        int q = p;
        if (d[q] == '"') {
            q = skipQuoted(d, q, end);
            if (q < 0) {
                return MALFORMED;
            }
            q = skipLws(d, q, end);
            if (q >= end || d[q] != '<') {
                return MALFORMED;
            }
        } else {
            while (q < end) {
                byte b = d[q];
                if (b == '<' || b == ';' || b == ',' || b == '"') {
                    break;
                }
                q++;
            }
            if (q == end || d[q] != '<') {
                if (q < end && d[q] == '"') {
                    return MALFORMED;
                }
                int e = trimLws(d, p, q);
                return e == p ? MALFORMED : pack(p, e);
            }
        }
        int us = skipLws(d, q + 1, end);
        int gt = indexOf(d, GT_WORD, us, end);
        if (gt < 0) {
            return MALFORMED;
        }
        int ue = trimLws(d, us, gt);
        return ue == us ? MALFORMED : pack(us, ue);
    }

    /**
     * The usual name-addr without a display name: {@code <} at {@code p} and a URI up to the first {@code >} that
     * holds no blank, control character or DEL, packed as start and end; or {@link #NONE} for anything else, which
     * {@link #addressUri} then reads. One word scan finds the {@code >} and shows the URI needs no {@link #validate}:
     * for such a value {@link #addressUri} gives the same URI and {@link #validate} passes it.
     */
    private static long bracketedUri(byte[] d, int p, int end) {
        if (p >= end || d[p] != '<') {
            return NONE;
        }
        for (int i = p + 1; i < end && i + Long.BYTES <= d.length; i += Long.BYTES) {
            long x = (long) LONGS.get(d, i);
            long hit = unprintable(x) | bytesEqual(x, GT_WORD);
            if (hit != 0) {
                int at = i + (Long.numberOfTrailingZeros(hit) >>> 3);
                return at < end && at > p + 1 && d[at] == '>' ? pack(p + 1, at) : NONE;
            }
        }
        return NONE;
    }

    /** Where the header parameters start after a URI that ends at {@code uriEnd} (past the {@code >} if any). */
    private static int afterUri(byte[] d, int uriEnd, int end) {
        int q = skipLws(d, uriEnd, end);
        return q < end && d[q] == '>' ? q + 1 : uriEnd;
    }

    /**
     * Looks through {@code ;name[=value]} parameters from {@code p} up to the end or a {@code ,} for the one named
     * {@code lowerName}; returns its value (quotes removed, empty if it has none) packed as start and end,
     * {@link #NONE} if absent or {@link #MALFORMED} if something else than a parameter stands there.
     */
    private static long findParam(byte[] d, int p, int end, byte[] lowerName) {
        long found = NONE;
        while (true) {
            p = skipLws(d, p, end);
            if (p >= end || d[p] == ',') {
                return found;
            }
            if (d[p] != ';') {
                return MALFORMED;
            }
            p = skipLws(d, p + 1, end);
            int ns = p;
            while (p < end && TOKEN[d[p] & 0xFF]) {
                p++;
            }
            int ne = p;
            if (ne == ns) {
                return MALFORMED;
            }
            p = skipLws(d, p, end);
            int vs = p;
            int ve = p;
            if (p < end && d[p] == '=') {
                p = skipLws(d, p + 1, end);
                if (p < end && d[p] == '"') {
                    int q = skipQuoted(d, p, end);
                    if (q < 0) {
                        return MALFORMED;
                    }
                    vs = p + 1;
                    ve = q - 1;
                    p = q;
                } else {
                    vs = p;
                    while (p < end && !PARAM_VALUE_END[d[p] & 0xFF]) {
                        p++;
                    }
                    ve = p;
                    if (ve == vs) {
                        return MALFORMED;
                    }
                }
            }
            if (found == NONE && ne - ns == lowerName.length && nameIs(d, ns, lowerName)) {
                found = pack(vs, ve);
            }
        }
    }

    /**
     * The usual parameters of a From or To: {@code ;tag=} and a value that runs to {@code end}, free of blanks,
     * control characters and of what would end it ({@code ;}, {@code ,}, {@code "}), packed as start and end; or
     * {@link #NONE} for anything else, which {@link #findParam} then reads. The one word scan that finds the value's
     * end also shows it needs no {@link #validate}, which {@link #findParam}'s result would.
     */
    private static long onlyTag(byte[] d, int p, int end) {
        int vs = p + 5;
        if (vs >= end || p + Long.BYTES > d.length
                || (((long) LONGS.get(d, p) & 0xFF_FFFF_FFFFL) | TAG_LETTERS) != TAG_WORD) {
            return NONE;
        }
        for (int i = vs; i + Long.BYTES <= d.length; i += Long.BYTES) {
            long x = (long) LONGS.get(d, i);
            long hit = unprintable(x) | bytesEqual(x, SEMICOLON_WORD) | bytesEqual(x, COMMA_WORD)
                    | bytesEqual(x, QUOTE_WORD);
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3) >= end ? pack(vs, end) : NONE;
            }
            if (i + Long.BYTES >= end) {
                return pack(vs, end);
            }
        }
        return NONE;
    }

    /** Index of the {@code ,} ending the list element whose parameters start at {@code p}, or {@code end}. */
    private static int elementEnd(byte[] d, int p, int end) {
        while (p < end) {
            byte b = d[p];
            if (b == ',') {
                return p;
            }
            if (b == '"') {
                int q = skipQuoted(d, p, end);
                if (q < 0) {
                    return end;
                }
                p = q;
            } else {
                p++;
            }
        }
        return end;
    }

    /** Adds the contacts of one Contact header value to the frame. */
    private static void contacts(byte[] d, int p, int end, int base, SipFrame into) throws SipParseException {
        int before = into.contactCount;
        int start = p;
        while (p < end) {
            p = skipLws(d, p, end);
            if (p >= end) {
                break;
            }
            if (d[p] == ',') {
                p++;
                continue;
            }
            long uri = bracketedUri(d, p, end);
            boolean uriChecked = uri >= 0;
            if (!uriChecked) {
                uri = addressUri(d, p, end);
            }
            if (uri < 0) {
                throw new SipParseException("malformed Contact", p - base);
            }
            if ((int) uri - start(uri) == 1 && d[start(uri)] == '*') {
                throw new SipParseException("Contact: * together with other contacts or parameters", p - base);
            }
            int after = afterUri(d, (int) uri, end);
            int elementEnd = elementEnd(d, after, end);
            long ex = findParam(d, after, elementEnd, EXPIRES);
            if (ex == MALFORMED) {
                throw new SipParseException("malformed Contact parameters", after - base);
            }
            int expires = ex == NONE ? SipMessage.ABSENT
                    : deltaSeconds(d, start(ex), (int) ex, base, "Contact expires");
            if (!uriChecked) {
                validate(d, start(uri), (int) uri, base, "Contact", false);
            }
            into.addContact(start(uri), (int) uri, expires);
            p = elementEnd + 1;
        }
        if (into.contactCount == before) {
            throw new SipParseException("empty Contact", start - base);
        }
    }

    // ----------------------------------------------------------------------------------------------- media types

    /** The subtype of the {@code type/subtype} at {@code p} packed as start and end, or {@link #MALFORMED}. */
    private static long mediaType(byte[] d, int p, int end) {
        int q = p;
        while (q < end && TOKEN[d[q] & 0xFF]) {
            q++;
        }
        if (q == p) {
            return MALFORMED;
        }
        q = skipLws(d, q, end);
        if (q >= end || d[q] != '/') {
            return MALFORMED;
        }
        int ss = skipLws(d, q + 1, end);
        int se = ss;
        while (se < end && TOKEN[d[se] & 0xFF]) {
            se++;
        }
        return se == ss ? MALFORMED : pack(ss, se);
    }

    /** The media type as {@code type/subtype} in lower case; the shared {@link #APPLICATION_SDP} for SDP. */
    static String mediaTypeText(byte[] d, int typeStart, int subStart, int subEnd) {
        int typeEnd = typeStart;
        while (TOKEN[d[typeEnd] & 0xFF]) {
            typeEnd++;
        }
        int n = typeEnd - typeStart + 1 + subEnd - subStart;
        if (n == APPLICATION_SDP_BYTES.length && typeEnd - typeStart == 11
                && regionMatchesIgnoreCase(d, typeStart, typeEnd, APPLICATION_SDP_BYTES, 0, 11)
                && regionMatchesIgnoreCase(d, subStart, subEnd, APPLICATION_SDP_BYTES, 12, 3)) {
            return APPLICATION_SDP;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (int i = typeStart; i < typeEnd; i++) {
            out[o++] = lower(d[i]);
        }
        out[o++] = '/';
        for (int i = subStart; i < subEnd; i++) {
            out[o++] = lower(d[i]);
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    // -------------------------------------------------------------------------------------------------------- SDP

    /**
     * Reads an SDP body: returns the {@link MediaDirection} ordinal, plus 4 when the connection address is
     * 0.0.0.0, or -1 when the bytes are not SDP (do not start with {@code v=}).
     */
    private static int sdp(byte[] d, int p, int end) {
        p = skipLws(d, p, end);
        if (end - p < 2 || d[p] != 'v' || d[p + 1] != '=') {
            return -1;
        }
        int sessionDir = -1;
        int sessionNull = 0;
        boolean inMedia = false;
        boolean audio = false;
        int dir = -1;
        int conn = -1;
        int firstDir = -1;
        int firstConn = -1;
        boolean haveFirst = false;
        while (p < end) {
            int nl = indexOfLf(d, p, end);
            int le = nl < 0 ? end : nl;
            int next = nl < 0 ? end : nl + 1;
            int ve = trimLws(d, p, le);
            if (ve - p >= 2 && d[p + 1] == '=') {
                int vs = p + 2;
                switch (d[p]) {
                    case 'm':
                        if (inMedia) {
                            if (audio) {
                                return result(dir, conn, sessionDir, sessionNull);
                            }
                            if (!haveFirst) {
                                haveFirst = true;
                                firstDir = dir;
                                firstConn = conn;
                            }
                        }
                        inMedia = true;
                        audio = ve - vs > AUDIO.length && regionEquals(d, vs, AUDIO)
                                && (d[vs + AUDIO.length] == ' ' || d[vs + AUDIO.length] == '\t');
                        dir = -1;
                        conn = -1;
                        break;
                    case 'a':
                        int a = direction(d, vs, ve);
                        if (a >= 0) {
                            if (!inMedia) {
                                if (sessionDir < 0) {
                                    sessionDir = a;
                                }
                            } else if (dir < 0) {
                                dir = a;
                            }
                        }
                        break;
                    case 'c':
                        int isNull = nullAddress(d, vs, ve) ? 1 : 0;
                        if (!inMedia) {
                            sessionNull = isNull;
                        } else if (conn < 0) {
                            conn = isNull;
                        }
                        break;
                    default:
                        break;
                }
            }
            p = next;
        }
        if (inMedia && (audio || !haveFirst)) {
            return result(dir, conn, sessionDir, sessionNull);
        }
        if (haveFirst) {
            return result(firstDir, firstConn, sessionDir, sessionNull);
        }
        return result(-1, -1, sessionDir, sessionNull);
    }

    private static int result(int mediaDir, int mediaConn, int sessionDir, int sessionNull) {
        int dir = mediaDir >= 0 ? mediaDir : sessionDir >= 0 ? sessionDir : MediaDirection.SENDRECV.ordinal();
        int isNull = mediaConn >= 0 ? mediaConn : sessionNull;
        return dir | (isNull << 2);
    }

    private static int direction(byte[] d, int s, int e) {
        if (e - s != 8) {
            return -1;
        }
        if (regionEquals(d, s, A_SENDRECV)) {
            return MediaDirection.SENDRECV.ordinal();
        }
        if (regionEquals(d, s, A_SENDONLY)) {
            return MediaDirection.SENDONLY.ordinal();
        }
        if (regionEquals(d, s, A_RECVONLY)) {
            return MediaDirection.RECVONLY.ordinal();
        }
        if (regionEquals(d, s, A_INACTIVE)) {
            return MediaDirection.INACTIVE.ordinal();
        }
        return -1;
    }

    /** {@code c=<nettype> <addrtype> <address>[/ttl...]}: is the address 0.0.0.0? */
    private static boolean nullAddress(byte[] d, int s, int e) {
        int p = s;
        for (int field = 0; field < 2; field++) {
            while (p < e && d[p] != ' ' && d[p] != '\t') {
                p++;
            }
            p = skipBlanks(d, p, e);
        }
        int q = p;
        while (q < e && d[q] != '/' && d[q] != ' ' && d[q] != '\t') {
            q++;
        }
        return q - p == NULL_ADDRESS.length && regionEquals(d, p, NULL_ADDRESS);
    }

    /**
     * Finds the first {@code application/sdp} part of a multipart body (RFC 2046 5.1) and reads it, or returns -1.
     * Only one level: a nested multipart is not entered.
     */
    private static int multipartSdp(byte[] d, int p, int end, int bs, int be) {
        int blen = be - bs;
        if (blen == 0) {
            return -1;
        }
        int line = p;
        boolean inHeaders = false;
        boolean sdpPart = false;
        int partStart = -1;
        while (line < end) {
            int nl = indexOfLf(d, line, end);
            int le = nl < 0 ? end : nl;
            int next = nl < 0 ? end : nl + 1;
            boolean delimiter = le - line >= blen + 2 && d[line] == '-' && d[line + 1] == '-'
                    && regionEquals(d, line + 2, d, bs, blen);
            if (delimiter) {
                if (partStart >= 0) {
                    int partEnd = line;
                    if (partEnd > partStart && d[partEnd - 1] == '\n') {
                        partEnd--;
                        if (partEnd > partStart && d[partEnd - 1] == '\r') {
                            partEnd--;
                        }
                    }
                    return sdp(d, partStart, partEnd);
                }
                inHeaders = true;
                sdpPart = false;
            } else if (inHeaders) {
                int ve = trimLws(d, line, le);
                if (ve == line) {
                    inHeaders = false;
                    if (sdpPart) {
                        partStart = next;
                    }
                } else if (le - line > CONTENT_TYPE.length && nameIs(d, line, CONTENT_TYPE)) {
                    int q = skipBlanks(d, line + CONTENT_TYPE.length, ve);
                    if (q < ve && d[q] == ':') {
                        int ts = skipLws(d, q + 1, ve);
                        long sub = mediaType(d, ts, ve);
                        sdpPart = sub >= 0 && start(sub) - ts == 12 && (int) sub - start(sub) == 3
                                && regionMatchesIgnoreCase(d, ts, ts + 11, APPLICATION_SDP_BYTES, 0, 11)
                                && regionMatchesIgnoreCase(d, start(sub), (int) sub, APPLICATION_SDP_BYTES, 12, 3);
                    }
                }
            }
            line = next;
        }
        return partStart >= 0 ? sdp(d, partStart, end) : -1;
    }

    // ----------------------------------------------------------------------------------------------- numbers, text

    /**
     * The decimal number in {@code [s, e)}: {@link #NONE} if it is empty or not all digits, {@link #MALFORMED} if it
     * is larger than {@code max}.
     */
    private static long decimal(byte[] d, int s, int e, long max) {
        if (s >= e) {
            return NONE;
        }
        long n = 0;
        boolean over = false;
        for (int i = s; i < e; i++) {
            byte b = d[i];
            if (!isDigit(b)) {
                return NONE;
            }
            if (!over) {
                n = n * 10 + (b - '0');
                over = n > max;
            }
        }
        return over ? MALFORMED : n;
    }

    /** delta-seconds: absent if not digits, clamped above 2^31-1, rejected above 2^32-1. */
    private static int deltaSeconds(byte[] d, int s, int e, int base, String what) throws SipParseException {
        long n = decimal(d, s, e, DELTA_SECONDS_MAX);
        if (n == NONE) {
            return SipMessage.ABSENT;
        }
        if (n == MALFORMED) {
            throw new SipParseException(what + " overflows 2^32-1", s - base);
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /**
     * The first byte in {@code [s, e)} below 0x21 (a blank or control character) or DEL, or {@code e}: eight bytes
     * at a time with the word tests of {@link #validate}, whose lowest hit is exact.
     */
    private static int printableEnd(byte[] d, int s, int e) {
        int i = s;
        for (; i + Long.BYTES <= d.length && i < e; i += Long.BYTES) {
            long hit = unprintable((long) LONGS.get(d, i));
            if (hit != 0) {
                return Math.min(e, i + (Long.numberOfTrailingZeros(hit) >>> 3));
            }
        }
        for (; i < e; i++) {
            int b = d[i];
            if (b >= 0 && b <= ' ' || b == 0x7F) {
                return i;
            }
        }
        return e;
    }

    /**
     * Checks that {@code [s, e)} can become a field's text: control characters are rejected; blanks only where
     * {@code blanksAllowed}. Bytes above 0x7F are left to the UTF-8 decoding (invalid sequences become U+FFFD).
     */
    private static void validate(byte[] d, int s, int e, int base, String what, boolean blanksAllowed)
            throws SipParseException {
        // Eight bytes at a time while none is below the limit (0x20, or 0x21 to catch a space too) or 0x7F
        // (the "has less" and "has zero" word tests, exact as yes/no answers); the byte loop finds what and where.
        long below = (blanksAllowed ? 0x20 : 0x21) * ONES;
        int i = s;
        for (; i + Long.BYTES <= e; i += Long.BYTES) {
            long x = (long) LONGS.get(d, i);
            if ((((x - below) & ~x & HIGHS) | bytesEqual(x, DEL_WORD)) != 0) {
                break;
            }
        }
        if (i < e && e - i < Long.BYTES && i + Long.BYTES <= d.length) {
            // The last bytes, fewer than eight, as one word with the bytes past the end made harmless ('A').
            long keep = -1L >>> (Long.SIZE - Byte.SIZE * (e - i));
            long x = ((long) LONGS.get(d, i) & keep) | (0x4141_4141_4141_4141L & ~keep);
            if ((((x - below) & ~x & HIGHS) | bytesEqual(x, DEL_WORD)) == 0) {
                return;
            }
        }
        for (; i < e; i++) {
            int b = d[i];
            if (b >= 0 && b <= ' ' || b == 0x7F) {
                checkBlankOrControl(b, i - base, what, blanksAllowed);
            }
        }
    }

    /**
     * The rare part of {@link #validate}, apart so that validate stays small enough for the JIT to inline it
     * everywhere: a control character, space or tab is rejected unless it is a blank where blanks are allowed.
     */
    private static void checkBlankOrControl(int b, int at, String what, boolean blanksAllowed)
            throws SipParseException {
        if (b == ' ' || b == '\t') {
            if (!blanksAllowed) {
                throw new SipParseException((b == ' ' ? "space in " : "control character in ") + what, at);
            }
        } else {
            throw new SipParseException("control character in " + what, at);
        }
    }

    // ---------------------------------------------------------------------------------------------- byte helpers

    private static long pack(int start, int end) {
        return ((long) start << 32) | end;
    }

    private static int start(long packed) {
        return (int) (packed >>> 32);
    }

    private static int skipQuoted(byte[] d, int q, int end) {
        int i = q + 1;
        while (i < end) {
            byte b = d[i];
            if (b == '\\') {
                i += 2;
            } else if (b == '"') {
                return i + 1;
            } else {
                i++;
            }
        }
        return -1;
    }

    /**
     * Index of the next LF in {@code [from, end)} or -1: the scan that dominates the work, so it tests eight bytes
     * at a time.
     */
    private static int indexOfLf(byte[] d, int from, int end) {
        return indexOf(d, LF_WORD, from, end);
    }

    /**
     * Index of the first byte in {@code [from, end)} equal to each byte of {@code word} (a byte repeated eight
     * times), or -1. Eight bytes at a time: the classic "has a zero byte" test on the bytes XOR the byte sought,
     * whose lowest hit is exact.
     */
    private static int indexOf(byte[] d, long word, int from, int end) {
        int i = from;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long x = (long) LONGS.get(d, i) ^ word;
            long hit = (x - ONES) & ~x & HIGHS;
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        byte b = (byte) word;
        for (; i < end; i++) {
            if (d[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The first {@code :} before the first LF in {@code [from, end)} and that LF, packed as start and end, each -1
     * when there is none: a header line's colon and end, found in one pass eight bytes at a time.
     */
    private static long colonAndLf(byte[] d, int from, int end) {
        int colon = -1;
        int i = from;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long w = (long) LONGS.get(d, i);
            long x = w ^ LF_WORD;
            long lf = (x - ONES) & ~x & HIGHS;
            if (colon < 0) {
                long y = w ^ COLON_WORD;
                long c = (y - ONES) & ~y & HIGHS;
                // The lowest hit of each test is exact; a colon counts only before the line's end.
                if (c != 0 && (lf == 0 || Long.numberOfTrailingZeros(c) < Long.numberOfTrailingZeros(lf))) {
                    colon = i + (Long.numberOfTrailingZeros(c) >>> 3);
                }
            }
            if (lf != 0) {
                return colonAndLf(colon, i + (Long.numberOfTrailingZeros(lf) >>> 3));
            }
        }
        for (; i < end; i++) {
            if (d[i] == '\n') {
                return colonAndLf(colon, i);
            }
            if (d[i] == ':' && colon < 0) {
                colon = i;
            }
        }
        return colonAndLf(colon, -1);
    }

    /**
     * The high bit of each byte of {@code x} that equals the byte repeated in {@code word}: the "has a zero byte"
     * test on {@code x ^ word}. Its lowest bit is exact (a borrow only runs upwards from a true hit), so the
     * lowest bit of several such masks OR-ed together is the first byte that any of them finds.
     */
    private static long bytesEqual(long x, long word) {
        long y = x ^ word;
        return (y - ONES) & ~y & HIGHS;
    }

    /**
     * The high bit of each byte of {@code x} below 0x21 (blanks and control characters) or equal to DEL: what
     * {@link #validate} rejects in a text without blanks. Its lowest bit is exact, as for {@link #bytesEqual}.
     */
    private static long unprintable(long x) {
        return ((x - 0x21 * ONES) & ~x & HIGHS) | bytesEqual(x, DEL_WORD);
    }

    /** {@code colon} and {@code lf} packed as {@link #colonAndLf(byte[], int, int)} returns them (-1 kept). */
    private static long colonAndLf(int colon, int lf) {
        return ((long) colon << 32) | (lf & 0xFFFF_FFFFL);
    }

    private static boolean isLws(byte b) {
        return LWS[b & 0xFF];
    }

    private static int skipLws(byte[] d, int p, int end) {
        while (p < end && isLws(d[p])) {
            p++;
        }
        return p;
    }

    private static int skipBlanks(byte[] d, int p, int end) {
        while (p < end && (d[p] == ' ' || d[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static int trimLws(byte[] d, int s, int e) {
        while (e > s && isLws(d[e - 1])) {
            e--;
        }
        return e;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isAlpha(byte b) {
        int c = b | 0x20;
        return c >= 'a' && c <= 'z';
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
    }

    private static boolean regionEquals(byte[] d, int s, byte[] expected) {
        return regionEquals(d, s, expected, 0, expected.length);
    }

    private static boolean regionEquals(byte[] d, int s, byte[] other, int os, int n) {
        for (int i = 0; i < n; i++) {
            if (d[s + i] != other[os + i]) {
                return false;
            }
        }
        return true;
    }

    /** The {@code n} bytes at {@code s} (within {@code end}) equal {@code lower[ls..]} ignoring ASCII case. */
    private static boolean regionMatchesIgnoreCase(byte[] d, int s, int end, byte[] lower, int ls, int n) {
        if (end - s < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (lower(d[s + i]) != lower[ls + i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
