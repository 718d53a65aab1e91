package io.offhook.fallback;

import java.util.Objects;

/** Why a login attempt failed; the message never holds a password. */
final class LoginFailure extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of failure: the log says what to fix. */
    enum Kind {
        /** The server refused the credentials (SASL failure, RFC 6120 section 6.5). */
        AUTH,
        /** TLS could not be set up (no STARTTLS offered while required, or the certificate is not trusted). */
        TLS,
        /** The server could not be reached or did not answer in time, or the stream failed. */
        NETWORK,
        /** Anything else the server refused (e.g. the resource). */
        REFUSED
    }

    private final Kind kind;

    LoginFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    Kind kind() {
        return kind;
    }

    /**
     * The first line of a message of a library or of the server, at most 200 characters, for a failure's words: a
     * log line stays one line whatever the other side sends.
     */
    static String firstLine(String s) {
        if (s == null) {
            return "no details";
        }
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).strip();
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
