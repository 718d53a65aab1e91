package io.offhook.fallback;

import java.util.Locale;

/** Whether a login session must be encrypted (RFC 6120 section 5, STARTTLS), per line of the credentials file. */
public enum TlsMode {
    /**
     * STARTTLS, with the server's certificate checked against Java's trust store and the user's domain; a server
     * that offers no STARTTLS is refused. The default: the session carries the user's password.
     */
    REQUIRED,
    /** No TLS: the password crosses the network in the clear or nearly so. Only for tests on loopback. */
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
