package io.offhook.tap.track;

/**
 * A user's aggregate phone state over all their devices and calls. Declared from lowest to highest precedence:
 * when a user has several devices and calls, the highest one is shown.
 */
public enum PhoneState {
    /** No registered device and no call. */
    OFFLINE,
    /** At least one registered device, no call. */
    AVAILABLE,
    /** Calling out, not answered yet (early dialog on the caller's side). */
    DIALING,
    /** A call is ringing at one of the user's devices (early dialog on the callee's side). */
    RINGING,
    /** In a call that one side has put on hold. */
    ON_HOLD,
    /** In an answered call. */
    ON_THE_PHONE;

    /** The state of higher precedence of the two. */
    public PhoneState max(PhoneState other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
