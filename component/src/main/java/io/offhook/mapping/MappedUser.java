package io.offhook.mapping;

import io.offhook.presence.PresentationMode;
import java.util.Objects;
import java.util.Optional;
import org.xmpp.packet.JID;

/**
 * Who a SIP user is in XMPP, and how they asked to be shown: the answer of {@link IdentityMap#find(String)}.
 * Only mapped users are published at all (opt-in), so this value is also the user's consent record.
 *
 * @param jid the user's bare JID (RFC 7622 section 3.1), as prepared by Tinder: node and domain lower-cased
 * @param mode the presentation mode this user chose, or empty for the deployment's default
 * @param showRemoteParty whether the user opted in to showing who they are talking to; hidden by default
 * @param activity whether the user's XEP-0108 activity is published during calls, or empty for the deployment's
 *     default ({@code activity.default})
 */
public record MappedUser(JID jid, Optional<PresentationMode> mode, boolean showRemoteParty,
                         Optional<Boolean> activity) {
    /**
     * @throws IllegalArgumentException when the JID has a resource or no node: a person is a bare {@code user@domain}
     */
    public MappedUser {
        Objects.requireNonNull(jid, "jid");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(activity, "activity");
        if (jid.getResource() != null) {
            throw new IllegalArgumentException("a mapped user is a bare JID, not " + jid);
        }
        if (jid.getNode() == null) {
            throw new IllegalArgumentException("a mapped user needs a user part (user@domain), not " + jid);
        }
    }

    /** A user with the deployment's activity default. */
    public MappedUser(JID jid, Optional<PresentationMode> mode, boolean showRemoteParty) {
        this(jid, mode, showRemoteParty, Optional.empty());
    }
}
