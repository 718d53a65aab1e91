package io.offhook.tap.track;

import java.util.Locale;

/**
 * Normalises SIP and tel URIs to the key a user's state is kept under, and contact URIs to the key a device is
 * matched by.
 *
 * <p>An address of record is scheme, user and host (RFC 3261 section 10.3 step 5 compares AORs the same way):
 * {@code sips} counts as {@code sip}, the host is lower-cased, port, parameters and headers are dropped, the user
 * part stays case-sensitive (RFC 3261 section 19.1.4). A {@code tel} URI keeps its number without visual
 * separators (RFC 3966 section 5.1.1).
 */
public final class Aor {
    private Aor() {
    }

    /**
     * The address of record of a URI, or {@code null} when the text is not a sip, sips or tel URI.
     *
     * @param uri a bare URI, as {@link io.offhook.tap.sip.SipMessage} gives them
     */
    public static String of(String uri) {
        if (uri == null) {
            return null;
        }
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        if (schemeIs(uri, colon, "tel")) {
            return telAor(uri, colon + 1);
        }
        if (!schemeIs(uri, colon, "sip") && !schemeIs(uri, colon, "sips")) {
            return null;
        }
        int end = endOfHostPart(uri, colon + 1);
        int at = uri.lastIndexOf('@', end - 1);
        int userEnd = colon + 1;
        int hostStart = colon + 1;
        if (at > colon) {
            hostStart = at + 1;
            userEnd = at;
            int userParams = uri.indexOf(';', colon + 1);
            if (userParams >= 0 && userParams < at) {
                userEnd = userParams;
            }
        }
        int hostEnd = hostEnd(uri, hostStart, end);
        if (hostEnd <= hostStart) {
            return null;
        }
        if (colon == 3 && uri.startsWith("sip") && (at < colon || userEnd == at && at > colon + 1)
                && isLowerAscii(uri, hostStart, hostEnd)) {
            // Already in normal form up to the end of the host (the usual case): no copy but the substring.
            return uri.substring(0, hostEnd);
        }
        StringBuilder out = new StringBuilder(5 + hostEnd - hostStart + userEnd - colon);
        out.append("sip:");
        if (userEnd > colon + 1) {
            out.append(uri, colon + 1, userEnd).append('@');
        }
        appendLower(out, uri, hostStart, hostEnd);
        return out.toString();
    }

    /**
     * The key a device is matched by: {@code user@host:port} with the default port filled in (5060, or 5061 for
     * sips), the host lower-cased and parameters dropped; without a user part just {@code host:port}. Contacts in
     * a REGISTER and the Request-URI a proxy forwards to after a location lookup reduce to the same key.
     *
     * @return the key, or {@code null} when the text is not a sip or sips URI
     */
    public static String deviceKey(String uri) {
        if (uri == null) {
            return null;
        }
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        boolean secure = schemeIs(uri, colon, "sips");
        if (!secure && !schemeIs(uri, colon, "sip")) {
            return null;
        }
        int end = endOfHostPart(uri, colon + 1);
        int at = uri.lastIndexOf('@', end - 1);
        int hostStart = at > colon ? at + 1 : colon + 1;
        int hostEnd = hostEnd(uri, hostStart, end);
        if (hostEnd <= hostStart) {
            return null;
        }
        if (hostEnd < end && uri.charAt(hostEnd) == ':' && isPlainPort(uri, hostEnd + 1, end)
                && isLowerAscii(uri, hostStart, hostEnd)) {
            // Already in normal form (the usual case): no copy but the substring.
            return uri.substring(colon + 1, end);
        }
        StringBuilder out = new StringBuilder(end - colon + 5);
        if (at > colon) {
            out.append(uri, colon + 1, at).append('@');
        }
        int hostChars = appendLower(out, uri, hostStart, hostEnd);
        out.append(':');
        // Where the port is looked for depends on the lower-cased host's length, as it always has.
        int portStart = hostStart + hostChars;
        if (portStart < end && uri.charAt(portStart) == ':' && isDigits(uri, portStart + 1, end)) {
            if (end - portStart - 1 <= 5) {
                int port = 0;
                for (int i = portStart + 1; i < end; i++) {
                    port = port * 10 + Character.digit(uri.charAt(i), 10);
                }
                out.append(port);
            } else {
                out.append(uri, portStart + 1, end);
            }
        } else {
            out.append(secure ? "5061" : "5060");
        }
        return out.toString();
    }

    /** Where the {@code host:port} part of a device key starts. */
    static int hostPortStart(String deviceKey) {
        return deviceKey.lastIndexOf('@') + 1;
    }

    /** The scheme {@code uri[0, colon)} is {@code lower}, ignoring the case of ASCII letters only. */
    private static boolean schemeIs(String uri, int colon, String lower) {
        if (colon != lower.length()) {
            return false;
        }
        for (int i = 0; i < colon; i++) {
            char c = uri.charAt(i);
            if (c != lower.charAt(i) && !(c >= 'A' && c <= 'Z' && c + ('a' - 'A') == lower.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int endOfHostPart(String uri, int from) {
        // The host part ends at the first ';' or '?' after the '@' (user parts may hold ';' for user=phone).
        int at = uri.indexOf('@', from);
        int scanFrom = at >= 0 ? at + 1 : from;
        int end = uri.length();
        for (int i = scanFrom; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ';' || c == '?' || c == '>' || c == ' ') {
                end = i;
                break;
            }
        }
        return end;
    }

    /** Where the host starting at {@code start} ends: after an IPv6 reference's {@code ]}, else at a {@code :}. */
    private static int hostEnd(String uri, int start, int end) {
        if (start < end && uri.charAt(start) == '[') {
            int close = uri.indexOf(']', start);
            return close < 0 || close >= end ? start : close + 1;
        }
        int colon = uri.indexOf(':', start);
        return colon >= 0 && colon < end ? colon : end;
    }

    /**
     * Appends {@code uri[s, e)} lower-cased as {@link String#toLowerCase(Locale)} with {@link Locale#ROOT} would,
     * without a copy when it is ASCII; returns the number of chars appended.
     */
    private static int appendLower(StringBuilder out, String uri, int s, int e) {
        for (int i = s; i < e; i++) {
            if (uri.charAt(i) >= 0x80) {
                String lower = uri.substring(s, e).toLowerCase(Locale.ROOT);
                out.append(lower);
                return lower.length();
            }
        }
        for (int i = s; i < e; i++) {
            char c = uri.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return e - s;
    }

    /** Whether {@code [s, e)} is ASCII without upper-case letters: lower-casing leaves it as it is. */
    private static boolean isLowerAscii(String uri, int s, int e) {
        for (int i = s; i < e; i++) {
            char c = uri.charAt(i);
            if (c >= 0x80 || c >= 'A' && c <= 'Z') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [s, e)} is a port a device key keeps as it is: ASCII digits, no leading zero (or just 0). */
    private static boolean isPlainPort(String uri, int s, int e) {
        if (s >= e || uri.charAt(s) == '0' && e - s > 1 && e - s <= 5) {
            return false;
        }
        for (int i = s; i < e; i++) {
            char c = uri.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigits(String uri, int s, int e) {
        if (s >= e) {
            return false;
        }
        for (int i = s; i < e; i++) {
            if (!Character.isDigit(uri.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String telAor(String uri, int from) {
        int end = uri.length();
        StringBuilder number = new StringBuilder(end - from);
        for (int i = from; i < end; i++) {
            char c = uri.charAt(i);
            if (c == ';' || c == '?') {
                break;
            }
            if (c != '-' && c != '.' && c != '(' && c != ')' && c != ' ') {
                number.append(c);
            }
        }
        return number.length() == 0 ? null : "tel:" + number;
    }
}
