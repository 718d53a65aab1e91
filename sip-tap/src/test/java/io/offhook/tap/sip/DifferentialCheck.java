package io.offhook.tap.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Runs one message through {@link SipScanner} and through JAIN-SIP ({@link JainSipReference}) and lists every field
 * on which they disagree. An empty list means they agree, including when both reject the message.
 *
 * <p>Meant to be run over anything: the fixtures, generated variants and, later, real captures (call
 * {@link #compare(byte[])} per SIP payload). It reports differences and judges none of them: the known, documented
 * divergences are listed in {@code SipScannerDifferentialTest}.
 *
 * <p>Comparison rules, the same for both sides:
 * <ul>
 *   <li>URIs are compared in a canonical form that only lower-cases the scheme: JAIN-SIP re-serialises URIs and
 *       writes {@code SIP:} as {@code sip:}, while the scanner returns the URI as on the wire (and the tracker
 *       normalises what it needs). Nothing else is changed: user, host, parameters and escapes must be equal.</li>
 *   <li>Every other field is compared exactly.</li>
 * </ul>
 *
 * <p>For arbitrary input (the fuzz target {@code SipScannerFuzzTest}), {@link #unexplained} keeps only the
 * field differences that no {@link Divergence} explains. Each divergence is a narrow, named place where JAIN-SIP
 * reads malformed input differently from the scanner's documented rules, with the condition under which it applies;
 * anything else that differs on a message both accept is a finding.
 */
public final class DifferentialCheck {

    /**
     * The places where JAIN-SIP and the scanner may disagree on a message both accept, each with when it applies
     * and which fields it may change. Found by fuzzing (see RELIABILITY.md); every one concerns malformed input.
     */
    enum Divergence {
        /**
         * JAIN-SIP drops a header field whose value it cannot parse and keeps the message (it then uses a later
         * header of that name, or none), while the scanner reads the value leniently (bytes above 0x7F in a URI, odd
         * parameters). Applies only to the fields carried by a header JAIN-SIP reports having dropped.
         */
        JAIN_SIP_DROPPED_HEADER,
        /**
         * A CR not followed by LF ends a line for JAIN-SIP; for the scanner it is an ordinary byte (RFC 3261's line
         * end is CRLF; a bare CR is valid nowhere in a header). JAIN-SIP then ends its header section or splits a
         * header there, so any field may differ. Applies only when the header section holds a bare CR.
         */
        BARE_CR_IN_HEADERS,
        /**
         * JAIN-SIP trims every character up to 0x20 from the end of a line ({@code trimEndOfLine}): a line of only
         * blanks and control characters ends its header section (any field may differ), and a control character at
         * the end of a value disappears, blanks after it or not, where the scanner keeps it (and then finds that
         * Content-Type malformed, for instance). Applies to such lines only: all fields for a line of nothing else,
         * the fields of that header for a value that ends with a control character.
         */
        CONTROL_CHARACTERS_AT_LINE_END,
        /**
         * JAIN-SIP splits a multipart body with {@code "\r?\n?--" + boundary + "(--)?\r?\n?"} as a regular
         * expression (the boundary's characters are regex syntax, a delimiter counts anywhere in a line, the
         * preamble becomes a part), and takes a part whose first line has no colon for a part without headers. The
         * scanner follows RFC 2046 5.1.1. Applies to the SDP fields of a multipart body only, and only when the body
         * is not well-formed: the two splits differ, there is a preamble, or a part's header lines are not all
         * {@code name: value} lines.
         */
        MULTIPART_NOT_WELL_FORMED,
        /**
         * JAIN-SIP re-serialises the URIs it parses (it drops an empty parameter after a trailing {@code ;}, and
         * re-escapes the user part of a URI of an unknown scheme, turning {@code %20} into {@code %2}). Applies to a
         * URI field only when JAIN-SIP's own URI or address parser, given the scanner's URI text, prints exactly
         * JAIN-SIP's value: both read the same text.
         */
        URI_RESERIALISED,
        /**
         * A From, To, Contact or P-Asserted-Identity value whose URI, as the scanner reads it, has no valid scheme
         * ({@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"}, RFC 3986 3.1): the value is neither a name-addr
         * nor an addr-spec, and JAIN-SIP splits it elsewhere (it keeps {@code ;tag=} inside the URI, or finds a
         * URI in angle brackets past a broken display name). The tracker ignores such a URI ({@code Aor.of} gives
         * {@code null}). Applies to the fields of that header only.
         */
        URI_WITHOUT_SCHEME,
        /**
         * A From, To, Contact or P-Asserted-Identity value in addr-spec form (no angle brackets) whose URI holds a
         * {@code ?}, or a {@code ;} or {@code ,} before its {@code @}: RFC 3261 20.10 requires the name-addr form for
         * such a URI.
         * The scanner applies 20.10 (the URI ends at the first {@code ;}, what follows are header parameters),
         * JAIN-SIP parses the URI first and keeps more in it ({@code sip:a@h?x;tag=1} has no tag for it). Applies
         * to the fields of that header only.
         */
        ADDR_SPEC_NEEDING_ANGLE_BRACKETS,
        /**
         * A header value with bytes above 0x7F where the grammar has a token (a media type, a parameter name):
         * JAIN-SIP's lexer takes any Unicode letter as a token character, the scanner only RFC 3261's ASCII ones
         * and then finds the value malformed. Applies to the fields of that header only.
         */
        NON_ASCII_IN_TOKEN,
        /**
         * A Session-Expires value of digits followed by something that is neither blanks nor a parameter
         * ({@code 1800);x}), blanks between them or not ({@code 1 OK}): JAIN-SIP reads the digits, the scanner ignores
         * the malformed value as its contract says, and takes a later well-formed Session-Expires if there is one
         * (JAIN-SIP keeps the first). Applies while no well-formed Session-Expires came before, or when the scanner
         * took none.
         */
        SESSION_EXPIRES_TRAILING_TEXT,
        /**
         * An SDP line, or its value after {@code x=}, that starts or ends with a control character
         * ({@code a=sendonly\x0f}, {@code a=\0inactive}), or holds a CR not followed by LF ({@code a=sendonly\rA}):
         * JAIN-SIP's SDP parser trims the first as if it were blank and ends a line at the second; the scanner takes
         * the line as it is up to its LF (RFC 4566 lines end with CRLF), so the attribute is another one. Also a
         * {@code c=} line holding a control character (C0, DEL or C1) or a byte that is not UTF-8 anywhere, or a
         * nettype or addrtype that is not letters and digits ({@code IP?}, <code>IP&#125;</code>; RFC 4566 registers
         * IN, IP4 and IP6), or more than three fields ({@code c=IN IP4 0.0.0.0 m}), or two {@code c=} lines in one
         * level (RFC 4566 allows none of these): JAIN-SIP's lexer ends a field there, keeps the extra text in the
         * address or takes the last line; the scanner splits at blanks, takes the third field and the first line.
         * Applies to the SDP fields only.
         */
        SDP_CONTROL_CHARACTERS,
        /**
         * A From, To, Contact or P-Asserted-Identity value in addr-spec form whose scheme is not sip, sips or tel:
         * JAIN-SIP parses it as an opaque URI up to the end of the value, {@code ;tag=} included; RFC 3261 20.10
         * makes the parameters after an addr-spec header parameters whatever the scheme, as the scanner reads them.
         * Applies to the fields of that header only.
         */
        ADDR_SPEC_OF_OTHER_SCHEME,
        /**
         * Two Content-Length headers with different values (a message RFC 3261 does not allow): the first wins in
         * the scanner, the last in JAIN-SIP, so the bodies, and the SDP read from them, differ. Applies to the SDP
         * fields only.
         */
        DUPLICATE_CONTENT_LENGTH,
        /**
         * A NUL byte in a header value: JAIN-SIP's lexer returns NUL for the end of its input, so for JAIN-SIP the
         * value ends there and the rest is ignored ({@code ;expires=99\0>;expires=7200} reads as 99); the scanner
         * reads the whole line (RFC 3261 allows a NUL in no header value, so either reading is of malformed input;
         * the scanner's ignores the malformed parameter as its contract says). Applies to the fields of that header
         * only.
         */
        NUL_IN_HEADER_VALUE,
        /**
         * A header parameter the tracker reads named twice in one value (RFC 3261 7.3.1: a parameter name must not
         * appear more than once): {@code expires} in a contact, {@code tag} in From or To ({@code ;tag;tag=x}),
         * {@code boundary} in a Content-Type. The first wins in the scanner (as for the headers it reads), the last
         * in JAIN-SIP's parameter list. Applies to the contacts, to that header's tag, or to the SDP fields (read
         * from a multipart body by its boundary) only.
         */
        DUPLICATE_PARAMETER,
        /**
         * A P-Asserted-Identity whose name-addr is followed by text that is not a comma and a further value
         * ({@code <sip:a@example.com>z}; RFC 3325 allows nothing there): JAIN-SIP reads the URI and ignores the rest,
         * the scanner ignores the malformed value as its contract says (the tracker then goes by From). Applies to
         * the asserted identity only, when the scanner has none.
         */
        TEXT_AFTER_ASSERTED_IDENTITY,
        /**
         * A P-Asserted-Identity whose display name holds a {@code "} but is not one quoted string
         * ({@code 7a--9cnnings" <sip:fluffy@example.com>}; RFC 3261 25.1 allows tokens or a quoted-string there):
         * JAIN-SIP takes what stands before the {@code <} as the name and reads the URI, the scanner ignores the
         * malformed value as its contract says (the tracker then goes by From). Applies to the asserted identity
         * only, when the scanner has none. (In From, To or Contact the same value makes the scanner refuse the
         * message, so no comparison happens.)
         */
        QUOTE_IN_ASSERTED_DISPLAY_NAME,
        /**
         * A From, To, Contact or P-Asserted-Identity value with a {@code >} after the one closing its name-addr
         * ({@code <sip:a@example.com?t>;tag=x>}; RFC 3261 allows none in a parameter): the URI ends at the first
         * {@code >} for the scanner, as the grammar says (a URI holds no {@code >}), and the parameter keeps the
         * stray one; JAIN-SIP's URI parser, given a URI with headers ({@code ?}), reads on to the last {@code >}.
         * Applies to the fields of that header only.
         */
        ANGLE_BRACKET_AFTER_NAME_ADDR,
        /**
         * A Content-Type parameter with an empty value ({@code multipart/mixed;boundary=}; RFC 3261's m-value is a
         * token or a quoted string, never empty): JAIN-SIP keeps the media type, the scanner ignores the malformed
         * Content-Type as its contract says (and reads no SDP from the body, or takes a later well-formed
         * Content-Type, where JAIN-SIP keeps the first). Applies to that header's fields only, when the scanner has
         * no content type or the header is the message's first Content-Type.
         */
        EMPTY_CONTENT_TYPE_PARAMETER,
        /**
         * A header line folded between two letters or digits ({@code c: po/sdn} SP CRLF SP {@code 1}, blanks
         * around the fold or not): RFC 3261 7.3.1 reads a fold with its blanks as one blank, so the value holds two
         * words (malformed here, which the scanner then ignores or reads as such); JAIN-SIP removes the fold and the
         * blanks and joins the word ({@code po/sdn1}). Applies to the fields of that header only.
         */
        FOLD_INSIDE_A_WORD;
    }

    /** Fields carried by each header JAIN-SIP may drop, by lower-case name (compact forms included). */
    private static final Map<String, Set<String>> FIELDS_OF_HEADER = Map.ofEntries(
            Map.entry("call-id", Set.of("callId")), Map.entry("i", Set.of("callId")),
            Map.entry("cseq", Set.of("cseq", "cseqMethod")),
            Map.entry("from", Set.of("fromUri", "fromTag")), Map.entry("f", Set.of("fromUri", "fromTag")),
            Map.entry("to", Set.of("toUri", "toTag")), Map.entry("t", Set.of("toUri", "toTag")),
            Map.entry("contact", Set.of("contacts", "contactWildcard")),
            Map.entry("m", Set.of("contacts", "contactWildcard")),
            Map.entry("expires", Set.of("expires")),
            Map.entry("session-expires", Set.of("sessionExpires")), Map.entry("x", Set.of("sessionExpires")),
            Map.entry("content-type", Set.of("contentType", "media", "nullConnection")),
            Map.entry("c", Set.of("contentType", "media", "nullConnection")),
            Map.entry("content-length", Set.of("media", "nullConnection")),
            Map.entry("l", Set.of("media", "nullConnection")),
            Map.entry("p-asserted-identity", Set.of("assertedIdentity")));

    private static final Set<String> SDP_FIELDS = Set.of("media", "nullConnection");
    /** Stands for every field in an exemption. */
    private static final String ALL_FIELDS = "*";
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);

    private DifferentialCheck() {
    }

    /**
     * The field differences between the scanner and JAIN-SIP on a message both accept that no {@link Divergence}
     * explains; empty when they agree, when either rejects the message, or when every difference is explained.
     * {@code explained} receives the divergences that were used.
     */
    static List<String> unexplained(byte[] message, Set<Divergence> explained) {
        SipMessage ours;
        try {
            ours = SipScanner.scan(message, 0, message.length);
        } catch (SipParseException e) {
            return List.of();
        }
        JainSipReference.Result reference = JainSipReference.parse(message, 0, message.length);
        SipMessage theirs = reference.message();
        if (theirs == null) {
            return List.of();
        }
        List<String> differences = new ArrayList<>();
        compareFields(ours, theirs, differences);
        if (differences.isEmpty()) {
            return differences;
        }
        Map<Divergence, Set<String>> exempt = exemptions(message, ours, theirs, reference);
        List<String> left = new ArrayList<>();
        for (String difference : differences) {
            String field = difference.substring(0, difference.indexOf(':'));
            Divergence why = null;
            for (Map.Entry<Divergence, Set<String>> e : exempt.entrySet()) {
                if (e.getValue().contains(field) || e.getValue().contains(ALL_FIELDS)) {
                    why = e.getKey();
                    break;
                }
            }
            if (why == null) {
                left.add(difference);
            } else {
                explained.add(why);
            }
        }
        if (!left.isEmpty() && !reference.droppedHeaders().isEmpty()) {
            left.add("note: JAIN-SIP dropped unparseable headers " + reference.droppedHeaders());
        }
        return left;
    }

    /** For each divergence that applies to {@code message}, the fields it may change. */
    private static Map<Divergence, Set<String>> exemptions(byte[] message, SipMessage ours, SipMessage theirs,
            JainSipReference.Result reference) {
        Map<Divergence, Set<String>> exempt = new java.util.EnumMap<>(Divergence.class);
        int headersEnd = headersEnd(message);
        Set<String> dropped = new java.util.HashSet<>();
        for (String name : reference.droppedHeaders()) {
            dropped.addAll(fieldsOf(name));
        }
        exempt.put(Divergence.JAIN_SIP_DROPPED_HEADER, dropped);
        if (hasBareCr(message, headersEnd)) {
            exempt.put(Divergence.BARE_CR_IN_HEADERS, Set.of(ALL_FIELDS));
        }
        exempt.put(Divergence.CONTROL_CHARACTERS_AT_LINE_END, controlCharacterLineEnds(message, headersEnd));
        if (ours.contentType() != null && ours.contentType().startsWith("multipart/")
                && !multipartWellFormed(message, headersEnd)) {
            exempt.put(Divergence.MULTIPART_NOT_WELL_FORMED, SDP_FIELDS);
        }
        Set<String> reserialised = new java.util.HashSet<>();
        if (sameUriText(ours.requestUri(), theirs.requestUri())) {
            reserialised.add("requestUri");
        }
        if (sameUriText(ours.fromUri(), theirs.fromUri())) {
            reserialised.add("fromUri");
        }
        if (sameUriText(ours.toUri(), theirs.toUri())) {
            reserialised.add("toUri");
        }
        if (sameUriText(ours.assertedIdentity(), theirs.assertedIdentity())) {
            reserialised.add("assertedIdentity");
        }
        if (ours.contacts().size() == theirs.contacts().size()) {
            boolean same = true;
            for (int i = 0; i < ours.contacts().size() && same; i++) {
                Contact a = ours.contacts().get(i);
                Contact b = theirs.contacts().get(i);
                same = a.expires() == b.expires()
                        && (canonicalUri(a.uri()).equals(canonicalUri(b.uri())) || sameUriText(a.uri(), b.uri()));
            }
            if (same) {
                reserialised.add("contacts");
            }
        }
        exempt.put(Divergence.URI_RESERIALISED, reserialised);
        Set<String> noScheme = new java.util.HashSet<>();
        if (!hasScheme(ours.fromUri())) {
            noScheme.addAll(fieldsOf("from"));
        }
        if (!hasScheme(ours.toUri())) {
            noScheme.addAll(fieldsOf("to"));
        }
        if (ours.assertedIdentity() != null && !hasScheme(ours.assertedIdentity())) {
            noScheme.addAll(fieldsOf("p-asserted-identity"));
        }
        for (Contact c : ours.contacts()) {
            if (!hasScheme(c.uri())) {
                noScheme.addAll(fieldsOf("contact"));
            }
        }
        exempt.put(Divergence.URI_WITHOUT_SCHEME, noScheme);
        Set<String> addrSpec = new java.util.HashSet<>();
        Set<String> nonAscii = new java.util.HashSet<>();
        Set<String> otherScheme = new java.util.HashSet<>();
        Set<String> contentLengths = new java.util.HashSet<>();
        Set<String> nul = new java.util.HashSet<>();
        Set<String> duplicate = new java.util.HashSet<>();
        Set<String> angleBracket = new java.util.HashSet<>();
        boolean contentTypeBefore = false;
        boolean sessionExpiresTaken = false;
        for (String[] header : headers(message, headersEnd)) {
            String name = header[0];
            String value = header[1];
            if (ADDRESS_HEADERS.contains(name) && value.indexOf('<') < 0) {
                int at = value.lastIndexOf('@');
                int semicolon = value.indexOf(';');
                int comma = value.indexOf(',');
                if (value.indexOf('?') >= 0 || semicolon >= 0 && semicolon < at || comma >= 0 && comma < at) {
                    addrSpec.addAll(fieldsOf(name));
                }
            }
            int closing = value.indexOf('>', Math.max(0, value.indexOf('<')));
            if (ADDRESS_HEADERS.contains(name) && value.indexOf('<') >= 0 && closing >= 0
                    && value.indexOf('>', closing + 1) >= 0) {
                angleBracket.addAll(fieldsOf(name));
            }
            if (ADDRESS_HEADERS.contains(name) && value.indexOf('<') < 0
                    && !value.matches("(?is)(sips?|tel)\\s*:.*")) {
                otherScheme.addAll(fieldsOf(name));
            }
            if (name.equals("content-length") || name.equals("l")) {
                contentLengths.add(value);
            }
            if (value.chars().anyMatch(c -> c > 0x7F)) {
                nonAscii.addAll(fieldsOf(name));
            }
            if (value.indexOf('\0') >= 0) {
                nul.addAll(fieldsOf(name));
            }
            if (name.equals("content-type") || name.equals("c")) {
                // JAIN-SIP keeps the first Content-Type; the scanner skips a malformed one and may take a later one.
                if ((ours.contentType() == null || !contentTypeBefore)
                        && EMPTY_PARAMETER_VALUE.matcher(value).matches()) {
                    exempt.put(Divergence.EMPTY_CONTENT_TYPE_PARAMETER, fieldsOf(name));
                }
                contentTypeBefore = true;
            }
            if (name.equals("p-asserted-identity") && ours.assertedIdentity() == null
                    && TEXT_AFTER_NAME_ADDR.matcher(value).matches()) {
                exempt.put(Divergence.TEXT_AFTER_ASSERTED_IDENTITY, Set.of("assertedIdentity"));
            }
            if (name.equals("p-asserted-identity") && ours.assertedIdentity() == null && value.indexOf('<') >= 0) {
                String displayName = value.substring(0, value.indexOf('<')).strip();
                if (displayName.indexOf('"') >= 0 && !QUOTED_STRING.matcher(displayName).matches()) {
                    exempt.put(Divergence.QUOTE_IN_ASSERTED_DISPLAY_NAME, Set.of("assertedIdentity"));
                }
            }
            if ((name.equals("contact") || name.equals("m")) && namedTwice(value, EXPIRES_PARAM)) {
                duplicate.add("contacts");
            }
            if ((name.equals("from") || name.equals("f")) && namedTwice(value, TAG_PARAM)) {
                duplicate.add("fromTag");
            }
            if ((name.equals("to") || name.equals("t")) && namedTwice(value, TAG_PARAM)) {
                duplicate.add("toTag");
            }
            if ((name.equals("content-type") || name.equals("c")) && namedTwice(value, BOUNDARY_PARAM)) {
                duplicate.addAll(SDP_FIELDS);
            }
            if (name.equals("session-expires") || name.equals("x")) {
                if ((!sessionExpiresTaken || ours.sessionExpires() == SipMessage.ABSENT)
                        && value.matches("(?s)[0-9]++\\s*[^;\\s].*")) {
                    exempt.put(Divergence.SESSION_EXPIRES_TRAILING_TEXT, Set.of("sessionExpires"));
                }
                sessionExpiresTaken |= value.matches("(?s)[0-9]++\\s*(;.*)?");
            }
        }
        exempt.put(Divergence.ADDR_SPEC_NEEDING_ANGLE_BRACKETS, addrSpec);
        exempt.put(Divergence.NON_ASCII_IN_TOKEN, nonAscii);
        exempt.put(Divergence.ADDR_SPEC_OF_OTHER_SCHEME, otherScheme);
        exempt.put(Divergence.NUL_IN_HEADER_VALUE, nul);
        exempt.put(Divergence.DUPLICATE_PARAMETER, duplicate);
        exempt.put(Divergence.ANGLE_BRACKET_AFTER_NAME_ADDR, angleBracket);
        exempt.put(Divergence.FOLD_INSIDE_A_WORD, foldedInsideAWord(message, headersEnd));
        if (contentLengths.size() > 1) {
            exempt.put(Divergence.DUPLICATE_CONTENT_LENGTH, SDP_FIELDS);
        }
        if (sdpHasControlCharacterAtLineEdge(message, headersEnd)
                || sdpConnectionLineNotWellFormed(message, headersEnd)) {
            exempt.put(Divergence.SDP_CONTROL_CHARACTERS, SDP_FIELDS);
        }
        return exempt;
    }

    /** A parameter whose value is empty: {@code ;name=} followed by blanks, another parameter or the end. */
    private static final Pattern EMPTY_PARAMETER_VALUE = Pattern.compile("(?s).*;[^;=]*=\\s*(;.*)?");
    /** A name-addr followed by something other than blanks or a comma. */
    private static final Pattern TEXT_AFTER_NAME_ADDR = Pattern.compile("(?s)[^<]*<[^>]*>\\s*[^,\\s].*");
    /** One quoted-string (RFC 3261 25.1), escapes included, and nothing else. */
    private static final Pattern QUOTED_STRING = Pattern.compile("(?s)\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern EXPIRES_PARAM = Pattern.compile("(?i);\\s*expires\\s*(?=[=;,]|$)");
    private static final Pattern TAG_PARAM = Pattern.compile("(?i);\\s*tag\\s*(?=[=;,]|$)");
    private static final Pattern BOUNDARY_PARAM = Pattern.compile("(?i);\\s*boundary\\s*(?=[=;,]|$)");

    /**
     * Whether an element of this address list value has two header parameters of the name {@code param} matches,
     * with or without a value (those after the URI's {@code >}; a URI parameter inside the brackets does not count).
     */
    private static boolean namedTwice(String value, Pattern param) {
        for (String element : value.split(",")) {
            String params = element.indexOf('<') >= 0 ? element.substring(element.lastIndexOf('>') + 1) : element;
            Matcher m = param.matcher(params);
            if (m.find() && m.find()) {
                return true;
            }
        }
        return false;
    }

    private static final Set<String> ADDRESS_HEADERS =
            Set.of("from", "f", "to", "t", "contact", "m", "p-asserted-identity");

    /** The header fields as {lower-case name, value with folds joined}, start line and leading CRLFs skipped. */
    private static List<String[]> headers(byte[] m, int headersEnd) {
        List<String[]> out = new ArrayList<>();
        String text = new String(m, 0, headersEnd, StandardCharsets.ISO_8859_1);
        String[] lines = text.substring(leadingCrlf(m)).split("\n", -1);
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !out.isEmpty()) {
                String[] last = out.get(out.size() - 1);
                // A value that starts on a continuation line ("Session-Expires:" CRLF SP "1800") has no leading blank.
                last[1] = last[1].isEmpty() ? line.strip() : last[1] + " " + line.strip();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.add(new String[] {line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).strip()});
            }
        }
        return out;
    }

    /** The fields of each header with a fold that splits a word (a letter or digit on both sides, blanks aside). */
    private static Set<String> foldedInsideAWord(byte[] m, int headersEnd) {
        Set<String> fields = new java.util.HashSet<>();
        String text = new String(m, 0, headersEnd, StandardCharsets.ISO_8859_1);
        String[] lines = text.substring(leadingCrlf(m)).split("\n", -1);
        String name = null;
        String previous = "";
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty()) {
                break;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                String rest = line.strip();
                if (name != null && !previous.isEmpty() && !rest.isEmpty()
                        && Character.isLetterOrDigit(previous.charAt(previous.length() - 1))
                        && Character.isLetterOrDigit(rest.charAt(0))) {
                    fields.addAll(fieldsOf(name));
                }
            } else {
                int colon = line.indexOf(':');
                name = colon > 0 ? line.substring(0, colon).strip().toLowerCase(Locale.ROOT) : null;
            }
            previous = line.strip(); // JAIN-SIP drops the blanks before the fold too
        }
        return fields;
    }

    private static int leadingCrlf(byte[] m) {
        int p = 0;
        while (p < m.length && (m[p] == '\r' || m[p] == '\n')) {
            p++;
        }
        return p;
    }

    private static boolean sdpHasControlCharacterAtLineEdge(byte[] m, int headersEnd) {
        String body = new String(m, headersEnd, m.length - headersEnd, StandardCharsets.ISO_8859_1);
        for (String line : body.split("\n", -1)) {
            String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (!text.isEmpty() && (isControl(text.charAt(0)) || isControl(text.charAt(text.length() - 1))
                    || text.indexOf('\r') >= 0 || text.length() > 2 && text.charAt(1) == '='
                    && isControl(text.charAt(2)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a {@code c=} line is one RFC 4566 refuses in a way JAIN-SIP reads differently: as JAIN-SIP reads the
     * body (UTF-8), it holds a control character (C0 but tab, DEL, C1) or a byte that is not UTF-8 (U+FFFD), or its
     * nettype or addrtype holds an ASCII character other than a letter or digit (RFC 4566 registers IN, IP4 and IP6;
     * JAIN-SIP's lexer ends a field even at some token-chars, such as a closing brace), or there is text after the
     * address; or a level (the session, a media description) has two {@code c=} lines. JAIN-SIP's SDP lexer ends a
     * field there ({@code c=IN IP? 0.0.0.0} has no 0.0.0.0 for it), keeps the text in the address or takes the
     * last line; the scanner splits the line at blanks and takes the third field of the first line.
     */
    private static boolean sdpConnectionLineNotWellFormed(byte[] m, int headersEnd) {
        String body = new String(m, headersEnd, m.length - headersEnd, StandardCharsets.UTF_8);
        int inLevel = 0;
        for (String line : body.split("\n", -1)) {
            if (line.startsWith("m=")) {
                inLevel = 0;
            }
            if (!line.startsWith("c=")) {
                continue;
            }
            if (++inLevel > 1) {
                return true; // a second c= in one level: the first counts for the scanner, the last for JAIN-SIP
            }
            if (line.chars().anyMatch(c -> c != '\r' && (isControl((char) c) || c >= 0x80 && c <= 0x9F
                    || c == 0xFFFD))) {
                return true;
            }
            String[] fields = line.substring(2).strip().split("[ \t]+", 3);
            if (fields.length == 3 && fields[2].strip().split("[ \t]+").length > 1) {
                return true; // text after the connection-address: JAIN-SIP keeps it in the address
            }
            for (int i = 0; i < Math.min(2, fields.length); i++) {
                if (fields[i].chars().anyMatch(c -> c < 0x80 && !Character.isLetterOrDigit(c))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isControl(char c) {
        return c < 0x20 && c != '\t' || c == 0x7F;
    }

    private static Set<String> fieldsOf(String headerName) {
        return FIELDS_OF_HEADER.getOrDefault(headerName.strip().toLowerCase(Locale.ROOT), Set.of());
    }

    private static boolean hasScheme(String uri) {
        return uri != null && SCHEME.matcher(uri).matches();
    }

    /** Whether JAIN-SIP's URI parser, given the scanner's URI text, prints JAIN-SIP's value. */
    private static boolean sameUriText(String ours, String theirs) {
        if (ours == null || theirs == null || ours.equals(theirs)) {
            return false;
        }
        String reprinted = JainSipReference.reprintUri(ours);
        String inBrackets = JainSipReference.reprintAddressUri(ours);
        return reprinted != null && canonicalUri(reprinted).equals(canonicalUri(theirs))
                || inBrackets != null && canonicalUri(inBrackets).equals(canonicalUri(theirs));
    }

    /**
     * Header lines JAIN-SIP trims differently: all fields when a line (other than the start line) holds nothing but
     * characters up to 0x20, the fields of the header whose line ends with a control character.
     */
    private static Set<String> controlCharacterLineEnds(byte[] m, int headersEnd) {
        Set<String> fields = new java.util.HashSet<>();
        int line = leadingCrlf(m);
        String header = "";
        boolean first = true;
        while (line < headersEnd) {
            int lf = line;
            while (lf < headersEnd && m[lf] != '\n') {
                lf++;
            }
            int end = lf > line && m[lf - 1] == '\r' ? lf - 1 : lf;
            if (!first && end > line) {
                if (m[line] != ' ' && m[line] != '\t') {
                    int colon = line;
                    while (colon < end && m[colon] != ':') {
                        colon++;
                    }
                    header = new String(m, line, colon - line, StandardCharsets.ISO_8859_1);
                }
                boolean onlyLow = true;
                for (int i = line; i < end && onlyLow; i++) {
                    onlyLow = (m[i] & 0xFF) <= 0x20;
                }
                // The scanner trims only blanks from a value's end: a control character before them stays for it.
                int valueEnd = end;
                while (valueEnd > line && (m[valueEnd - 1] == ' ' || m[valueEnd - 1] == '\t')) {
                    valueEnd--;
                }
                int last = valueEnd > line ? m[valueEnd - 1] & 0xFF : ' ';
                if (onlyLow) {
                    fields.add(ALL_FIELDS);
                } else if (last < 0x20 && last != '\t') {
                    fields.addAll(fieldsOf(header));
                }
            }
            first = false;
            line = lf + 1;
        }
        return fields;
    }

    /** As {@link #unexplained(byte[], Set)}, not telling which divergences explained the rest. */
    static List<String> unexplained(byte[] message) {
        return unexplained(message, EnumSet.noneOf(Divergence.class));
    }

    /** Index just past the empty line ending the header section (LF or CRLF line ends), or the length. */
    private static int headersEnd(byte[] m) {
        for (int i = leadingCrlf(m); i < m.length; i++) {
            if (m[i] == '\n') {
                if (i + 1 < m.length && m[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < m.length && m[i + 1] == '\r' && m[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return m.length;
    }

    private static boolean hasBareCr(byte[] m, int end) {
        for (int i = leadingCrlf(m); i < end; i++) {
            if (m[i] == '\r' && (i + 1 == m.length || m[i + 1] != '\n')) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a multipart body is well-formed enough for JAIN-SIP to read it as RFC 2046 5.1.1 says: its
     * regular-expression split finds exactly the delimiter lines ({@code --boundary} or {@code --boundary--},
     * optionally followed by blanks), there is no preamble, and every part starts with {@code name: value} header
     * lines (or none) up to an empty line.
     */
    private static boolean multipartWellFormed(byte[] message, int headersEnd) {
        String boundary = JainSipReference.boundary(message);
        if (boundary == null || boundary.isEmpty()) {
            return false;
        }
        String body = new String(message, headersEnd, message.length - headersEnd, StandardCharsets.UTF_8);
        List<Integer> theirs = new ArrayList<>();
        try {
            Matcher m = Pattern.compile("\\r?\\n?--" + boundary + "(--)?\\r?\\n?").matcher(body);
            while (m.find()) {
                theirs.add(body.indexOf("--", m.start()));
            }
        } catch (PatternSyntaxException e) {
            return false;
        }
        List<Integer> rfc = new ArrayList<>();
        String dash = "--" + boundary;
        for (int line = 0; line < body.length(); ) {
            int lf = body.indexOf('\n', line);
            int end = lf < 0 ? body.length() : lf;
            String text = body.substring(line, end);
            if (text.startsWith(dash)) {
                String rest = text.substring(dash.length());
                if (rest.startsWith("--")) {
                    rest = rest.substring(2);
                }
                if (rest.strip().isEmpty()) {
                    rfc.add(line);
                }
            }
            line = end + 1;
        }
        if (!theirs.equals(rfc) || rfc.isEmpty() || !body.substring(0, rfc.get(0)).isBlank()) {
            return false;
        }
        for (int i = 0; i < rfc.size(); i++) {
            int start = body.indexOf('\n', rfc.get(i));
            int stop = i + 1 < rfc.size() ? rfc.get(i + 1) : body.length();
            if (start >= 0 && start < stop && !partHeadersWellFormed(body.substring(start + 1, stop))) {
                return false;
            }
        }
        return true;
    }

    /** Every line up to the first empty one is {@code name: value} (or a continuation of one). */
    private static boolean partHeadersWellFormed(String part) {
        boolean first = true;
        for (String line : part.split("\n", -1)) {
            String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (text.isEmpty()) {
                return true;
            }
            boolean continuation = !first && (text.charAt(0) == ' ' || text.charAt(0) == '\t');
            if (!continuation && text.indexOf(':') <= 0) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) < 0x20 && text.charAt(i) != '\t') {
                    return false;
                }
            }
            first = false;
        }
        return true;
    }

    /** The differences between the scanner and JAIN-SIP on {@code message}; empty when they agree. */
    public static List<String> compare(byte[] message) {
        return compare(message, 0, message.length);
    }

    /** As {@link #compare(byte[])}, for a message at {@code offset} in {@code data}. */
    public static List<String> compare(byte[] data, int offset, int length) {
        SipMessage ours = null;
        String ourRejection = null;
        try {
            ours = SipScanner.scan(data, offset, length);
        } catch (SipParseException e) {
            ourRejection = e.getMessage();
        }
        JainSipReference.Result reference = JainSipReference.parse(data, offset, length);
        SipMessage theirs = reference.message();

        List<String> differences = new ArrayList<>();
        if (ours == null && theirs == null) {
            return differences;
        }
        if (ours == null) {
            differences.add("scanner rejected (" + ourRejection + "), JAIN-SIP accepted");
        } else if (theirs == null) {
            differences.add("JAIN-SIP rejected (" + reference.rejection() + "), scanner accepted");
        } else {
            compareFields(ours, theirs, differences);
        }
        if (!differences.isEmpty() && !reference.droppedHeaders().isEmpty()) {
            differences.add("note: JAIN-SIP dropped unparseable headers " + reference.droppedHeaders());
        }
        return differences;
    }

    private static void compareFields(SipMessage ours, SipMessage theirs, List<String> out) {
        check(out, "method", ours.method(), theirs.method());
        check(out, "statusCode", ours.statusCode(), theirs.statusCode());
        check(out, "requestUri", canonicalUri(ours.requestUri()), canonicalUri(theirs.requestUri()));
        check(out, "callId", ours.callId(), theirs.callId());
        check(out, "cseq", ours.cseq(), theirs.cseq());
        check(out, "cseqMethod", ours.cseqMethod(), theirs.cseqMethod());
        check(out, "fromUri", canonicalUri(ours.fromUri()), canonicalUri(theirs.fromUri()));
        check(out, "fromTag", ours.fromTag(), theirs.fromTag());
        check(out, "toUri", canonicalUri(ours.toUri()), canonicalUri(theirs.toUri()));
        check(out, "toTag", ours.toTag(), theirs.toTag());
        check(out, "contacts", canonicalContacts(ours.contacts()), canonicalContacts(theirs.contacts()));
        check(out, "contactWildcard", ours.contactWildcard(), theirs.contactWildcard());
        check(out, "expires", ours.expires(), theirs.expires());
        check(out, "sessionExpires", ours.sessionExpires(), theirs.sessionExpires());
        check(out, "contentType", ours.contentType(), theirs.contentType());
        check(out, "media", ours.media(), theirs.media());
        check(out, "nullConnection", ours.nullConnection(), theirs.nullConnection());
        check(out, "assertedIdentity", canonicalUri(ours.assertedIdentity()),
                canonicalUri(theirs.assertedIdentity()));
    }

    private static void check(List<String> out, String field, Object ours, Object theirs) {
        if (!Objects.equals(ours, theirs)) {
            out.add(field + ": scanner=[" + ours + "] jain-sip=[" + theirs + "]");
        }
    }

    private static List<Contact> canonicalContacts(List<Contact> contacts) {
        List<Contact> canonical = new ArrayList<>(contacts.size());
        for (Contact c : contacts) {
            canonical.add(new Contact(canonicalUri(c.uri()), c.expires()));
        }
        return canonical;
    }

    /** The URI with its scheme in lower case (see the class comment); {@code null} stays {@code null}. */
    static String canonicalUri(String uri) {
        if (uri == null) {
            return null;
        }
        int colon = uri.indexOf(':');
        return colon <= 0 ? uri : uri.substring(0, colon).toLowerCase(Locale.ROOT) + uri.substring(colon);
    }
}
