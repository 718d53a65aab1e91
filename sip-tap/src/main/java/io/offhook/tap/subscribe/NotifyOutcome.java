package io.offhook.tap.subscribe;

import java.util.Locale;

/** What became of a NOTIFY, for the counters ({@code offhook_dialog_notifies_total{outcome}}). */
public enum NotifyOutcome {
    /** Its dialog state was taken (or it had no body: state of the subscription only). */
    ACCEPTED,
    /** The version already taken again: ignored. */
    DUPLICATE,
    /** A version gap or a version going back: state was lost, so the subscription is refreshed or renewed. */
    VERSION_GAP,
    /** No subscription of Offhook's has this dialog: 481. */
    UNKNOWN_DIALOG,
    /** Not the dialog event package: 489. */
    BAD_EVENT,
    /** Not a dialog-info body: 415. */
    BAD_TYPE,
    /** A dialog-info body that cannot be read: 400. */
    BAD_BODY;

    /** The label in metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
