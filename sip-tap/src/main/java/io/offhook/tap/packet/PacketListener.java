package io.offhook.tap.packet;

/**
 * Where a source delivers the SIP messages it found. Called from the source's own thread, one packet at a time,
 * in the order the source saw them.
 */
@FunctionalInterface
public interface PacketListener {
    void onPacket(SipPacket packet);

    /**
     * The source found more waiting than it could read in one go ({@code true}), or caught up ({@code false}):
     * while behind, a listener may spend less on what matters least. Called on the source's thread, on change.
     */
    default void behind(boolean behind) {
    }
}
