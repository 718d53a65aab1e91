package io.offhook.xmpp.stream;

import org.xmpp.packet.Packet;

/**
 * What the component's connection sees, for the code that decides what to show. Every method is called on the
 * connection's reader thread, one call at a time, in stream order: presence for one user is handled in the order
 * the server sent it. A method that throws is logged and the stream goes on. A method that blocks holds up the
 * stream; one that blocks longer than the ping interval plus the ping timeout makes the server look dead.
 */
public interface ComponentListener {

    /**
     * The server accepted the handshake; stanzas can be sent. Called again after every reconnect: whatever the
     * component was showing must be sent again now (a resync), since nothing is queued while disconnected.
     */
    void connected();

    /**
     * A stanza from the server ({@link org.xmpp.packet.Message}, {@link org.xmpp.packet.Presence} or
     * {@link org.xmpp.packet.IQ}), with its elements in no namespace as Tinder expects. The connection's own ping
     * traffic and the replies to {@link ComponentConnection#query} are not passed on.
     */
    void stanza(Packet packet);

    /**
     * The stream is gone, for the reason given (which names the server and, for a configuration problem, the config
     * key). A reconnect follows unless the connection was closed.
     */
    void disconnected(String reason);
}
