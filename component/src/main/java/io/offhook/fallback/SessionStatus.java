package io.offhook.fallback;

import java.util.Objects;
import java.util.Optional;

/**
 * One user's login session, as Offhook sees it now.
 *
 * @param online whether the session is logged in
 * @param state where the session is: {@code CONNECTING}, {@code ONLINE}, {@code CLOSING} or {@code WAITING}
 *     (before the next attempt)
 * @param failures login attempts that failed in a row
 * @param lastFailure why the last attempt failed ({@code AUTH: the server refused the password (not-authorized)}),
 *     empty after a success; never holds the password
 */
public record SessionStatus(boolean online, String state, int failures, Optional<String> lastFailure) {
    public SessionStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastFailure, "lastFailure");
    }
}
