package io.offhook.tap.capture;

/**
 * Finds SIP message boundaries without parsing SIP (RFC 3261 sections 7 and 18.3): the start line, the empty line
 * that ends the headers, and Content-Length (compact form {@code l}). Stateless; works on any byte range.
 */
final class SipFraming {
    /** The longest start line looked at; a longer first line is not SIP for this tap. */
    static final int MAX_START_LINE = 8192;
    /** Content-Length was present but not a number. */
    static final long MALFORMED = -2;
    /** Content-Length was absent. */
    static final long ABSENT = -1;

    private static final byte[] SIP_VERSION = {'S', 'I', 'P', '/', '2', '.', '0'};
    private static final byte[] HEP3 = {'H', 'E', 'P', '3'};
    private static final byte[] EEP3 = {'E', 'E', 'P', '3'};
    private static final String CONTENT_LENGTH = "content-length";
    private static final int MAX_DIGITS = 18;

    private SipFraming() {
    }

    /** The first index at or after {@code p} that is not CR or LF (keep-alives, RFC 5626), or {@code end}. */
    static int skipCrlf(byte[] b, int p, int end) {
        int i = p;
        while (i < end && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        return i;
    }

    /** The index of the next LF at or after {@code p} and before {@code end}, or -1. */
    static int lineFeed(byte[] b, int p, int end) {
        for (int i = p; i < end; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code b} holds "HEP3" (or its alias "EEP3") at {@code p}: a HEPv3 frame on a stream. */
    static boolean isHep3(byte[] b, int p, int end) {
        return startsWith(b, p, end, HEP3, false) || startsWith(b, p, end, EEP3, false);
    }

    /**
     * Whether the line from {@code p} to the LF at {@code lf} is a SIP Request-Line ({@code METHOD SP URI SP
     * SIP/2.0}) or Status-Line ({@code SIP/2.0 SP 3DIGIT SP reason}). A trailing CR is allowed.
     */
    static boolean isStartLine(byte[] b, int p, int lf) {
        int e = lf > p && b[lf - 1] == '\r' ? lf - 1 : lf;
        if (e - p < 11) {
            return false;
        }
        if (startsWith(b, p, e, SIP_VERSION, true)) {
            int s = p + SIP_VERSION.length;
            return b[s] == ' ' && isDigit(b[s + 1]) && isDigit(b[s + 2]) && isDigit(b[s + 3])
                    && (s + 4 == e || b[s + 4] == ' ');
        }
        int i = p;
        while (i < e && isTokenChar(b[i])) {
            i++;
        }
        if (i == p || i == e || b[i] != ' ') {
            return false;
        }
        int uriStart = ++i;
        boolean colon = false;
        while (i < e && b[i] != ' ') {
            if (b[i] < 0x21 || b[i] == 0x7f) {
                return false;
            }
            colon |= b[i] == ':';
            i++;
        }
        return colon && i > uriStart && i + 1 + SIP_VERSION.length == e
                && startsWith(b, i + 1, e, SIP_VERSION, true);
    }

    /** RFC 3261 and extension methods a proxy carries, for {@link #knownMethodStart}. */
    private static final byte[][] METHODS = {
        ascii("INVITE"), ascii("ACK"), ascii("BYE"), ascii("CANCEL"), ascii("REGISTER"), ascii("OPTIONS"),
        ascii("PRACK"), ascii("UPDATE"), ascii("SUBSCRIBE"), ascii("NOTIFY"), ascii("PUBLISH"), ascii("INFO"),
        ascii("REFER"), ascii("MESSAGE"),
    };

    /**
     * Where the message of the start line at {@code p} (as {@link #isStartLine} accepts it) begins: {@code p}, or,
     * when its method is not a known one but ends with one, where that known method starts. After a loss the tail
     * of a body without a final line end runs into the next start line ({@code xxxxINVITE sip:...}): resuming at
     * {@code p} would glue the two and hide the request behind an unknown method.
     */
    static int knownMethodStart(byte[] b, int p, int lf) {
        int space = indexOf(b, p, lf, (byte) ' ');
        if (space < 0 || startsWith(b, p, lf, SIP_VERSION, true)) {
            return p;
        }
        for (byte[] m : METHODS) {
            if (space - p == m.length && startsWith(b, p, space, m, false)) {
                return p;
            }
        }
        for (int k = p + 1; k < space; k++) {
            for (byte[] m : METHODS) {
                if (space - k == m.length && startsWith(b, k, space, m, false)) {
                    return k;
                }
            }
        }
        return p;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * The index just past the empty line that ends the headers of a message starting at {@code p}, or -1 when it
     * is not in {@code [p, end)}. Bare LF line ends are accepted as well as CRLF.
     */
    static int headersEnd(byte[] b, int p, int end) {
        for (int i = p; i < end; i++) {
            if (b[i] == '\n') {
                if (i + 1 < end && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < end && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * The Content-Length of the message whose headers are {@code [p, headersEnd)}: the first Content-Length or
     * {@code l} header's value, {@link #ABSENT}, or {@link #MALFORMED}.
     */
    static long contentLength(byte[] b, int p, int headersEnd) {
        int line = lineFeed(b, p, headersEnd) + 1; // skip the start line
        while (line > 0 && line < headersEnd) {
            int lf = lineFeed(b, line, headersEnd);
            int lineEnd = lf < 0 ? headersEnd : lf;
            if (b[line] != ' ' && b[line] != '\t') {
                int colon = indexOf(b, line, lineEnd, (byte) ':');
                if (colon > 0 && isContentLength(b, line, colon)) {
                    return number(b, colon + 1, lineEnd);
                }
            }
            line = lf + 1;
        }
        return ABSENT;
    }

    private static boolean isContentLength(byte[] b, int start, int colon) {
        int e = colon;
        while (e > start && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        int n = e - start;
        if (n == 1) {
            return (b[start] | 0x20) == 'l';
        }
        if (n != CONTENT_LENGTH.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((b[start + i] | 0x20) != CONTENT_LENGTH.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long number(byte[] b, int from, int to) {
        int s = from;
        int e = to;
        while (s < e && (b[s] == ' ' || b[s] == '\t')) {
            s++;
        }
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t' || b[e - 1] == '\r')) {
            e--;
        }
        if (s == e || e - s > MAX_DIGITS) {
            return MALFORMED;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            if (!isDigit(b[i])) {
                return MALFORMED;
            }
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    private static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int p, int end, byte[] prefix, boolean ignoreCase) {
        if (end - p < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            int c = b[p + i];
            if (ignoreCase && c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            if (c != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** RFC 3261 token characters: alphanumerics and {@code -.!%*_+`'~}. */
    private static boolean isTokenChar(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '!' || c == '%' || c == '*' || c == '_' || c == '+' || c == '`'
                || c == '\'' || c == '~';
    }
}
