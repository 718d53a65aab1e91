package io.offhook.tap.track;

/**
 * What happened to a user. The first five are the events of the presence user agent in Schumann et al. (2010);
 * the others split "on the phone" into the moments a watcher cares about.
 */
public enum PhoneEventType {
    /** The first device registered. */
    ONLINE,
    /** A registration was refreshed (or another device added) while already online. */
    STILL_ONLINE,
    /** The last registered device de-registered or its registration expired. */
    OFFLINE,
    /** A call was answered. */
    ON_THE_PHONE,
    /** An answered call was re-negotiated (re-INVITE or UPDATE) without changing its hold state. */
    STILL_ON_THE_PHONE,
    /** A call to the user started ringing. */
    RINGING,
    /** The user started a call that is not answered yet. */
    DIALING,
    /** A call was put on hold. */
    HELD,
    /** A held call was taken off hold. */
    RESUMED,
    /** A call ended: hung up, cancelled, rejected, answered elsewhere or timed out (see the event's detail). */
    CALL_ENDED
}
