package io.offhook.tap.publish;

import io.offhook.tap.track.PhoneState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One piece of event state an event state compositor keeps (RFC 3903 section 2: a "publication"): the resource, the
 * package, the current entity tag and expiry, and what its last body said. Mutable; only the
 * {@link PublicationStore} touches it, under its lock.
 */
final class Publication {
    final String aor;
    final EventPackage event;
    final String publisher;
    String etag;
    long expiresAt;
    /** Bumped at every new expiry, so that a superseded entry in the expiry queue is recognised. */
    long generation;
    boolean removed;
    /** For presence: what the PIDF said. */
    PhoneState presence = PhoneState.OFFLINE;
    /** For dialog: the dialogs going on, by dialog id, in the order they appeared. */
    final Map<String, DialogInfo.Dialog> dialogs = new LinkedHashMap<>();
    /** For dialog: the last document's version. */
    long version = -1;

    Publication(String aor, EventPackage event, String publisher) {
        this.aor = aor;
        this.event = event;
        this.publisher = publisher;
    }

    /** What this publication says about the phone: the highest of its dialogs, or the PIDF's state. */
    PhoneState state() {
        if (event == EventPackage.PRESENCE) {
            return presence;
        }
        PhoneState s = PhoneState.OFFLINE;
        for (DialogInfo.Dialog d : dialogs.values()) {
            s = s.max(d.phoneState());
        }
        return s;
    }
}
