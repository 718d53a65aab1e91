package io.offhook.publish;

import io.offhook.presence.PresentationMode;
import java.util.Objects;
import org.xmpp.packet.JID;

/**
 * One presence the engine has put up at a contact, kept across a restart ({@link PresenceEngine#publications()},
 * {@link PresenceEngine#restorePublications}): the server keeps showing what a component sent after the component
 * is gone, so the next process must know what is out there to take down what no longer holds (a call that ended
 * or a registration that expired while Offhook was down), instead of leaving it shown for ever.
 *
 * @param user the user it shows (bare JID)
 * @param from the address it was sent from: the phone resource, one of the user's own resources (overlay), or the
 *     phone contact (gateway)
 * @param to the contact it was sent to (bare JID)
 * @param mode how it was shown
 * @param realPresence overlay only: the user's own presence of that resource before the call, as XML, to put back
 *     after it when the server does not tell the new process (ejabberd sends no presence at connect); else
 *     {@code null}
 */
public record Publication(JID user, JID from, JID to, PresentationMode mode, String realPresence) {
    public Publication {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(mode, "mode");
        if (realPresence != null && mode != PresentationMode.OVERLAY) {
            throw new IllegalArgumentException("only an overlay keeps the user's own presence: " + mode);
        }
    }
}
