package io.offhook.fallback;

import java.util.Locale;

/**
 * Whether a login session must be encrypted, per line of the credentials file: over TCP by STARTTLS (RFC 6120
 * section 5), over BOSH (XEP-0206) by an {@code https} endpoint, the HTTP connection's TLS.
 */
public enum TlsMode {
    /**
     * STARTTLS, with the server's certificate checked against Java's trust store and the user's domain; a server
     * that offers no STARTTLS is refused (over BOSH: an {@code https} endpoint, its certificate checked against
     * Java's trust store and the URL's host). The default: the session carries the user's password.
     */
    REQUIRED,
    /**
     * No TLS (over BOSH, an {@code http} endpoint): the password crosses the network in the clear or nearly so.
     * Only for tests on loopback.
     */
    DISABLED;

    /** {@code required} or {@code disabled}, as written in the credentials file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode a credentials file names, ignoring case.
     *
     * @throws IllegalArgumentException naming the valid values
     */
    public static TlsMode parse(String text) {
        for (TlsMode mode : values()) {
            if (mode.configName().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown tls '" + text + "': use tls=required or tls=disabled");
    }
}
