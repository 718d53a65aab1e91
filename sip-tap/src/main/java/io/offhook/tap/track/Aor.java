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
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("tel")) {
            return telAor(uri, colon + 1);
        }
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            return null;
        }
        int end = endOfHostPart(uri, colon + 1);
        int at = uri.lastIndexOf('@', end - 1);
        String user = null;
        int hostStart = colon + 1;
        if (at > colon) {
            user = uri.substring(colon + 1, at);
            hostStart = at + 1;
            int userParams = user.indexOf(';');
            if (userParams >= 0) {
                user = user.substring(0, userParams);
            }
        }
        String host = host(uri, hostStart, end);
        if (host.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(5 + host.length() + (user == null ? 0 : user.length() + 1));
        out.append("sip:");
        if (user != null && !user.isEmpty()) {
            out.append(user).append('@');
        }
        return out.append(host).toString();
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
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        boolean secure = scheme.equals("sips");
        if (!secure && !scheme.equals("sip")) {
            return null;
        }
        int end = endOfHostPart(uri, colon + 1);
        int at = uri.lastIndexOf('@', end - 1);
        int hostStart = at > colon ? at + 1 : colon + 1;
        String hostPort = hostPort(uri, hostStart, end, secure);
        if (hostPort == null) {
            return null;
        }
        return at > colon ? uri.substring(colon + 1, at) + "@" + hostPort : hostPort;
    }

    /** The {@code host:port} part of a device key. */
    static String hostPortOf(String deviceKey) {
        int at = deviceKey.lastIndexOf('@');
        return at < 0 ? deviceKey : deviceKey.substring(at + 1);
    }

    /** The user part of a device key, or {@code null}. */
    static String userOf(String deviceKey) {
        int at = deviceKey.lastIndexOf('@');
        return at < 0 ? null : deviceKey.substring(0, at);
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

    private static String host(String uri, int start, int end) {
        if (start < end && uri.charAt(start) == '[') {
            int close = uri.indexOf(']', start);
            return close < 0 || close >= end ? "" : uri.substring(start, close + 1).toLowerCase(Locale.ROOT);
        }
        int colon = uri.indexOf(':', start);
        int hostEnd = colon >= 0 && colon < end ? colon : end;
        return uri.substring(start, hostEnd).toLowerCase(Locale.ROOT);
    }

    private static String hostPort(String uri, int start, int end, boolean secure) {
        String host = host(uri, start, end);
        if (host.isEmpty()) {
            return null;
        }
        int portStart = start + host.length();
        String port = secure ? "5061" : "5060";
        if (portStart < end && uri.charAt(portStart) == ':') {
            String p = uri.substring(portStart + 1, end);
            if (!p.isEmpty() && p.chars().allMatch(Character::isDigit)) {
                port = p.length() <= 5 ? String.valueOf(Integer.parseInt(p)) : p;
            }
        }
        return host + ":" + port;
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
