package io.offhook.publish;

import org.xmpp.packet.Packet;

/** Where the engine puts the stanzas it decided to send; the adapter writes them to the server in this order. */
@FunctionalInterface
public interface Outbox {
    void send(Packet packet);
}
