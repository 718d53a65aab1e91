package io.offhook.fallback;

import java.net.URI;
import java.util.Locale;
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
 * @param tls whether the session must be encrypted ({@code tls=}, required by default): STARTTLS over TCP, an
 *     {@code https} endpoint over BOSH
 * @param bosh the BOSH endpoint (XEP-0124/XEP-0206) to log in through instead of TCP ({@code bosh=}); empty for
 *     TCP. An absolute {@code https} URL ({@code http} only with {@link TlsMode#DISABLED}) without user
 *     information, query or fragment; {@code host} and {@code port} are then empty (the URL names both)
 */
public record Account(JID jid, String password, Optional<String> host, OptionalInt port, TlsMode tls,
                      Optional<URI> bosh) {
    public Account {
        Objects.requireNonNull(jid, "jid");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(bosh, "bosh");
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
        if (bosh.isPresent()) {
            URI u = bosh.get();
            if (host.isPresent() || port.isPresent()) {
                throw new IllegalArgumentException("the BOSH account " + jid + " has a host or port of its own");
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!u.isAbsolute() || u.isOpaque() || u.getHost() == null || u.getRawUserInfo() != null
                    || u.getRawQuery() != null || u.getRawFragment() != null
                    || !scheme.equals(tls == TlsMode.REQUIRED ? "https" : "http")) {
                throw new IllegalArgumentException("the BOSH endpoint of " + jid + " is not an " + (tls
                        == TlsMode.REQUIRED ? "https" : "http") + " URL with a host and no user, query or fragment");
            }
        }
    }

    /** A TCP account (no {@code bosh=}). */
    public Account(JID jid, String password, Optional<String> host, OptionalInt port, TlsMode tls) {
        this(jid, password, host, port, tls, Optional.empty());
    }

    /**
     * Where the session connects, for messages: the BOSH endpoint's URL, {@code host:port}, or the SRV lookup it
     * does.
     */
    public String address() {
        if (bosh.isPresent()) {
            return bosh.get().toString();
        }
        if (host.isEmpty() && port.isEmpty()) {
            return "DNS SRV of " + jid.getDomain();
        }
        String h = host.orElse(jid.getDomain());
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + (port.isPresent() ? port.getAsInt() : 5222);
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "Account[" + jid.toBareJID() + " via " + (bosh.isPresent() ? "BOSH " : "") + address() + ", tls "
                + tls.configName() + "]";
    }
}
