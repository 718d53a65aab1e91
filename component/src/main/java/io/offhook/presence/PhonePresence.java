package io.offhook.presence;

import java.util.Objects;

/**
 * What the phone should show, as a {@link PresenceMapping} decides it: nothing ({@link Activity#OFFLINE}), the
 * phone merely being there ({@link Activity#IDLE}), or a call worth telling contacts about ({@link Activity#BUSY}).
 * The engine applies the rules that hold in every mode (the user's own dnd/xa first) and the presentation mode.
 *
 * @param activity whether and how strongly the phone is shown
 * @param show the show value while shown
 * @param status the status text while shown, empty for none
 * @param priority the priority of the phone resource in resource mode (RFC 6121 4.7.2.3: -128 to 127)
 */
public record PhonePresence(Activity activity, Show show, String status, int priority) {
    /** How present the phone is. */
    public enum Activity {
        /** Nothing to show: no device registered, or the deployment hides an idle phone. */
        OFFLINE,
        /** Registered, no call: resource and gateway modes show it, overlay leaves the user's presence alone. */
        IDLE,
        /** In or about to be in a call: every mode shows it. */
        BUSY
    }

    /** Nothing shown. */
    public static final PhonePresence NONE = new PhonePresence(Activity.OFFLINE, Show.AVAILABLE, "", 0);

    public PhonePresence {
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(show, "show");
        Objects.requireNonNull(status, "status");
        if (priority < -128 || priority > 127) {
            throw new IllegalArgumentException("priority " + priority + " is outside -128..127 (RFC 6121 4.7.2.3)");
        }
    }

    /** A phone that is there and free. */
    public static PhonePresence idle(Show show, String status, int priority) {
        return new PhonePresence(Activity.IDLE, show, status, priority);
    }

    /** A phone in a call, ringing or dialling. */
    public static PhonePresence busy(Show show, String status, int priority) {
        return new PhonePresence(Activity.BUSY, show, status, priority);
    }

    /** Whether anything is shown at all. */
    public boolean shown() {
        return activity != Activity.OFFLINE;
    }
}
