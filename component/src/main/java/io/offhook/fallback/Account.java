package io.offhook.fallback;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.xmpp.packet.JID;

/**
 * One user's login, a line of the credentials file. The password is never part of {@link #toString()}, so the
 * value can be logged and put into messages.
 *
 * @param jid the user's bare JID, as prepared by Tinder (node and domain lower-cased)
 * @param password the user's password; never logged
 * @param host where to connect instead of looking up the domain's DNS SRV record ({@code host=}); empty for SRV
 * @param port the port to connect to ({@code port=}); empty for the SRV record's, or 5222
 * @param tls whether STARTTLS is required ({@code tls=}, required by default)
 */
public record Account(JID jid, String password, Optional<String> host, OptionalInt port, TlsMode tls) {
    public Account {
        Objects.requireNonNull(jid, "jid");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(tls, "tls");
        if (jid.getNode() == null || jid.getResource() != null) {
            throw new IllegalArgumentException("an account is a bare user@domain JID, not " + jid);
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password of " + jid + " is empty");
        }
        if (host.isPresent() && host.get().isBlank()) {
            throw new IllegalArgumentException("the host of " + jid + " is empty");
        }
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
            throw new IllegalArgumentException("the port of " + jid + " is not 1 to 65535");
        }
    }

    /** Where the session connects, for messages: {@code host:port}, or the SRV lookup it does. */
    public String address() {
        if (host.isEmpty() && port.isEmpty()) {
            return "DNS SRV of " + jid.getDomain();
        }
        String h = host.orElse(jid.getDomain());
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + (port.isPresent() ? port.getAsInt() : 5222);
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "Account[" + jid.toBareJID() + " via " + address() + ", tls " + tls.configName() + "]";
    }
}
