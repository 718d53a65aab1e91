package io.offhook.publish;

import org.xmpp.packet.JID;

/**
 * Told when a mapped user's own chat presence changes, to publish it elsewhere (into SIP: the sip-publish feature).
 * Called on the engine's thread: an implementation must not block (hand the work to a thread of its own) and
 * must not throw.
 */
public interface ChatPresenceListener {
    /** A listener that does nothing: the engine then does not even work the chat presence out. */
    ChatPresenceListener NONE = new ChatPresenceListener() {
        @Override
        public void changed(ChatPresence presence) {
        }

        @Override
        public void gone(JID user, String entity) {
        }
    };

    /** The user's chat presence is now {@code presence} (also the first time it is known). */
    void changed(ChatPresence presence);

    /** {@code entity} no longer stands for {@code user} (unmapped, or another address now): stop publishing it. */
    void gone(JID user, String entity);
}
