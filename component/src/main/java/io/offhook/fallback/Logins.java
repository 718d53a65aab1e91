package io.offhook.fallback;

import io.offhook.presence.PhonePresence;
import io.offhook.presence.PresentationMode;
import org.xmpp.packet.JID;

/**
 * What the presence engine asks of the login fallback: which users it serves, and what their phone should show.
 * Both methods are called on the engine's thread and must neither block nor fail.
 */
public interface Logins {
    /** No fallback: every mode stays as configured and nobody is logged in. */
    Logins NONE = new Logins() {
        @Override
        public PresentationMode mode(JID user, PresentationMode configured) {
            return configured;
        }

        @Override
        public void show(JID user, boolean registered, PhonePresence phone) {
            // nobody is logged in
        }
    };

    /**
     * The mode a user is shown in, given the one the mapping file or the deployment chose: {@code configured},
     * or {@link PresentationMode#LOGIN} when the fallback takes a user over (see {@link FallbackSessions#mode}).
     *
     * @param user the user's bare JID
     */
    PresentationMode mode(JID user, PresentationMode configured);

    /**
     * Whether {@code domain} is another server than the component's, whose users the fallback speaks for: the
     * engine then does not warn that this domain grants the component no XEP-0356 permissions (it never will).
     */
    default boolean otherServer(String domain) {
        return false;
    }

    /**
     * What a user in {@link PresentationMode#LOGIN} mode should show now. Called whenever the user's situation may
     * have changed; the same wish twice costs nothing.
     *
     * @param user the user's bare JID
     * @param registered whether a session should be open: the phone is registered (its state is not offline),
     *     and the user is still mapped in login mode
     * @param phone what the phone shows, from the deployment's presence mapping; {@link PhonePresence#NONE} (or
     *     any presence not {@link PhonePresence#shown() shown}) keeps a session without available presence
     */
    void show(JID user, boolean registered, PhonePresence phone);
}
