package io.offhook.tap.packet;

/**
 * Where a source delivers the SIP messages it found. Called from the source's own thread, one packet at a time,
 * in the order the source saw them.
 */
@FunctionalInterface
public interface PacketListener {
    void onPacket(SipPacket packet);
}
