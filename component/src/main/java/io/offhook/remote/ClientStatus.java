package io.offhook.remote;

import io.offhook.presence.Show;
import java.util.Objects;
import org.xmpp.packet.Presence;

/**
 * What a client shows of itself: its show value and status message, the two things remote control changes and
 * compares (the priority is the client's and always kept). Messages are compared without surrounding blanks.
 *
 * @param show the show value
 * @param message the status message, empty for none; never null
 */
public record ClientStatus(Show show, String message) {
    public ClientStatus {
        Objects.requireNonNull(show, "show");
        message = message == null ? "" : message.strip();
    }

    /** What an available presence shows. */
    public static ClientStatus of(Presence presence) {
        return new ClientStatus(Show.of(presence), presence.getStatus());
    }

    @Override
    public String toString() {
        return show.configName() + (message.isEmpty() ? "" : " \"" + message + "\"");
    }
}
