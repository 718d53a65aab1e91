package io.offhook.fallback;

import io.offhook.presence.Show;
import java.util.Objects;

/**
 * The available presence a login session shows: the same show and status text the component modes would show
 * (from the deployment's {@link io.offhook.presence.PresenceMapping}), with the fallback's own priority.
 *
 * @param show the show value (RFC 6121 section 4.7.2.1)
 * @param status the status text, empty for none
 * @param priority -128 to 127 (RFC 6121 section 4.7.2.3); negative keeps messages away from the session
 */
public record SessionPresence(Show show, String status, int priority) {
    public SessionPresence {
        Objects.requireNonNull(show, "show");
        Objects.requireNonNull(status, "status");
        if (priority < -128 || priority > 127) {
            throw new IllegalArgumentException("priority " + priority + " is outside -128..127 (RFC 6121 4.7.2.3)");
        }
    }
}
