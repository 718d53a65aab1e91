package io.offhook.publish;

import io.offhook.presence.Show;
import io.offhook.tap.publish.out.ChatState;
import io.offhook.tap.publish.out.ChatStatus;
import java.util.Objects;
import org.xmpp.packet.JID;

/**
 * A mapped user's own chat presence, as the engine saw it change: the highest-priority available resource of the
 * user's real clients (never Offhook's phone resource, never Offhook's own stanzas come back), or offline when there
 * is none. What {@link ChatPresenceListener} is told, to be published into SIP.
 *
 * @param user the user's bare JID
 * @param entity the user's SIP address (from the mapping, or the one the tap saw), the presentity to publish as
 * @param online whether any real client is available
 * @param show that client's show ({@link Show#AVAILABLE} when offline)
 * @param status that client's status text, empty for none
 */
public record ChatPresence(JID user, String entity, boolean online, Show show, String status) {
    /** Nothing null; offline has no show or status. */
    public ChatPresence {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(show, "show");
        status = status == null || !online ? "" : status;
        show = online ? show : Show.AVAILABLE;
    }

    /** What is published into SIP for it. */
    public ChatState state() {
        if (!online) {
            return ChatState.OFFLINE;
        }
        ChatStatus status = switch (show) {
            case CHAT -> ChatStatus.CHAT;
            case AVAILABLE -> ChatStatus.AVAILABLE;
            case AWAY -> ChatStatus.AWAY;
            case XA -> ChatStatus.XA;
            case DND -> ChatStatus.DND;
        };
        return new ChatState(status, this.status);
    }
}
