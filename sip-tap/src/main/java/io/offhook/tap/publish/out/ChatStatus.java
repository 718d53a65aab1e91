package io.offhook.tap.publish.out;

/**
 * A person's chat availability as XMPP states it (RFC 6121 section 4.7.2.1 {@code show}, or no available resource
 * at all), in the words this package maps to PIDF and RPID: kept apart from the XMPP library so that the SIP side
 * does not depend on it.
 */
public enum ChatStatus {
    /** Eager to chat ({@code show} chat). */
    CHAT,
    /** Available, no {@code show}. */
    AVAILABLE,
    /** Temporarily away ({@code show} away). */
    AWAY,
    /** Away for a long time ({@code show} xa). */
    XA,
    /** Do not disturb ({@code show} dnd). */
    DND,
    /** No available resource: offline. */
    OFFLINE
}
