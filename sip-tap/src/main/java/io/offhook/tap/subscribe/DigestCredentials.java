package io.offhook.tap.subscribe;

import java.util.Objects;

/**
 * The user name and password Offhook answers a subscription target's digest challenge with (RFC 3261 section
 * 22.2); the password is never in {@link #toString()}.
 */
public record DigestCredentials(String user, String password) {
    public DigestCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isBlank() || user.chars().anyMatch(c -> c < ' ' || c == '"' || c == '\\')) {
            throw new IllegalArgumentException("the user name must be printable, without quotes");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
    }

    @Override
    public String toString() {
        return "DigestCredentials[user=" + user + ", password=<left out>]";
    }
}
