package io.offhook.fallback;

import io.offhook.presence.Show;
import java.util.Objects;

/**
 * The available presence of one of the user's own other resources (their real clients), as their server sends it
 * to every resource of the user, the login session included (RFC 6121 section 4.2.2 and 4.4.2). The session
 * applies the rule that holds in every mode: the user's own {@code dnd}/{@code xa} outranks the phone.
 *
 * @param show the client's show
 * @param status its status text, empty for none
 * @param priority its priority: the highest-priority client is the one whose status counts, as in the component
 *     modes
 */
record OwnPresence(Show show, String status, int priority) {
    OwnPresence {
        Objects.requireNonNull(show, "show");
        Objects.requireNonNull(status, "status");
    }
}
