package io.offhook.fallback;

import io.offhook.presence.Show;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Login sessions over Smack 4.4's {@link XMPPTCPConnection} (RFC 6120 over TCP: STARTTLS, SASL, resource binding).
 * Each open session costs a socket and Smack's reader and writer threads.
 *
 * <p>What Smack would do on its own is switched off where it would act in the user's name: the roster (smack-im
 * attaches one to every connection) is not loaded at login, so the server does not count the session as
 * interested in roster pushes and subscription requests (RFC 6121 section 2.1.6), it answers no subscription
 * request by itself (Smack's default rejects them all), and it keeps the presence of at most one contact (the
 * server sends the session the presence of every online contact of the user; by default Smack would keep those of
 * up to 1,024 contacts per session); stream management is off, so a reconnection is a fresh session that sends its
 * presence again; no presence is sent at login, only what the engine wants.
 */
final class SmackSessions implements ClientSession.Factory {
    /**
     * Smack logs through java.util.logging, to standard error: its warnings about a closed connection repeat what
     * {@link FallbackSessions} logs per user (a thousand lines when a server restarts), so only its severe messages
     * are let through. Held here so that the configured logger is not collected.
     */
    private static final java.util.logging.Logger SMACK_LOG = java.util.logging.Logger.getLogger("org.jivesoftware");

    static {
        SMACK_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    private final Duration timeout;

    /** @param timeout for connecting and for each answer of the server ({@code fallback.connect-timeout}) */
    SmackSessions(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public ClientSession create(Account account, String resource, ClientSession.Listener listener) {
        return new SmackSession(account, resource, listener, timeout);
    }

    private static final class SmackSession implements ClientSession, ConnectionListener {
        private final Account account;
        private final String resource;
        private final Listener listener;
        private final Duration timeout;
        private volatile XMPPTCPConnection connection;
        /** Set once the session is open and not yet closed or aborted: only then is a loss reported. */
        private volatile boolean reportLoss;

        SmackSession(Account account, String resource, Listener listener, Duration timeout) {
            this.account = account;
            this.resource = resource;
            this.listener = listener;
            this.timeout = timeout;
        }

        @Override
        public void open() throws LoginFailure, InterruptedException {
            XMPPTCPConnection c;
            try {
                XMPPTCPConnectionConfiguration.Builder b = XMPPTCPConnectionConfiguration.builder()
                        .setXmppDomain(account.jid().getDomain())
                        .setUsernameAndPassword(account.jid().getNode(), account.password())
                        .setResource(resource)
                        .setSecurityMode(account.tls() == TlsMode.REQUIRED ? SecurityMode.required
                                : SecurityMode.disabled)
                        .setSendPresence(false)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                if (account.host().isPresent() || account.port().isPresent()) {
                    b.setHost(account.host().orElse(account.jid().getDomain()));
                    b.setPort(account.port().orElse(5222));
                }
                c = new XMPPTCPConnection(b.build());
            } catch (XmppStringprepException | IllegalArgumentException e) {
                throw new LoginFailure(LoginFailure.Kind.REFUSED, "cannot use the account: "
                        + e.getClass().getSimpleName());
            }
            c.setUseStreamManagement(false);
            c.setReplyTimeout(timeout.toMillis());
            Roster roster = Roster.getInstanceFor(c);
            roster.setRosterLoadedAtLogin(false);
            roster.setSubscriptionMode(Roster.SubscriptionMode.manual);
            roster.setNonRosterPresenceMapMaxSize(1);
            c.addConnectionListener(this);
            try {
                c.addSyncStanzaListener(this::ownPresence, new AndFilter(StanzaTypeFilter.PRESENCE,
                        FromMatchesFilter.createBare(JidCreate.entityBareFrom(account.jid().toBareJID()))));
            } catch (XmppStringprepException e) {
                throw new LoginFailure(LoginFailure.Kind.REFUSED, "cannot use the account: "
                        + e.getClass().getSimpleName());
            }
            connection = c;
            try {
                c.connect();
                c.login();
                reportLoss = true;
            } catch (SASLErrorException e) {
                c.instantShutdown();
                throw new LoginFailure(LoginFailure.Kind.AUTH, "the server refused the password ("
                        + e.getSASLFailure().getSASLErrorString() + ")");
            } catch (SmackException.SecurityRequiredException e) {
                c.instantShutdown();
                throw new LoginFailure(LoginFailure.Kind.TLS, "the server at " + account.address() + " offers no "
                        + "STARTTLS, and the credentials file says tls=required");
            } catch (SmackException.EndpointConnectionException e) {
                c.instantShutdown();
                String why = e.getConnectionExceptions().isEmpty() ? "no address found"
                        : String.valueOf(e.getConnectionExceptions().get(e.getConnectionExceptions().size() - 1)
                                .getException().getMessage());
                throw new LoginFailure(LoginFailure.Kind.NETWORK, "cannot connect to " + account.address() + " ("
                        + firstLine(why) + ")");
            } catch (SmackException.NoResponseException e) {
                c.instantShutdown();
                throw new LoginFailure(LoginFailure.Kind.NETWORK, "no answer from " + account.address()
                        + " within " + timeout.toMillis() + " ms");
            } catch (XMPPException.StreamErrorException e) {
                c.instantShutdown();
                throw new LoginFailure(LoginFailure.Kind.REFUSED, "stream error "
                        + e.getStreamError().getCondition());
            } catch (SmackException | XMPPException | IOException e) {
                c.instantShutdown();
                throw tlsOrNetwork(e);
            } catch (InterruptedException e) {
                c.instantShutdown();
                throw e;
            } catch (RuntimeException e) {
                c.instantShutdown();
                throw new LoginFailure(LoginFailure.Kind.NETWORK, e.getClass().getSimpleName());
            }
        }

        private LoginFailure tlsOrNetwork(Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SSLException || t instanceof CertificateException) {
                    return new LoginFailure(LoginFailure.Kind.TLS, "TLS with " + account.address() + " failed ("
                            + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()) + ")");
                }
            }
            return new LoginFailure(LoginFailure.Kind.NETWORK, e.getClass().getSimpleName() + ": "
                    + firstLine(e.getMessage()));
        }

        @Override
        public boolean send(Optional<SessionPresence> presence) {
            XMPPTCPConnection c = connection;
            if (c == null) {
                return false;
            }
            PresenceBuilder b = c.getStanzaFactory().buildPresenceStanza();
            if (presence.isEmpty()) {
                b.ofType(Presence.Type.unavailable);
            } else {
                SessionPresence p = presence.get();
                b.ofType(Presence.Type.available).setMode(mode(p)).setPriority(p.priority());
                if (!p.status().isEmpty()) {
                    b.setStatus(p.status());
                }
            }
            try {
                return c.trySendStanza(b.build());
            } catch (SmackException.NotConnectedException e) {
                return false;
            }
        }

        /** Presence from the user's own bare JID: their other clients (on Smack's reader thread). */
        private void ownPresence(Stanza stanza) {
            Presence p = (Presence) stanza;
            Resourcepart from = p.getFrom() == null ? null : p.getFrom().getResourceOrNull();
            if (!reportLoss || from == null || from.toString().equals(resource)) {
                return;
            }
            if (p.getType() == Presence.Type.unavailable) {
                listener.own(from.toString(), Optional.empty());
            } else if (p.getType() == Presence.Type.available) {
                listener.own(from.toString(), Optional.of(new OwnPresence(show(p.getMode()),
                        p.getStatus() == null ? "" : p.getStatus(), p.getPriority())));
            }
        }

        private static Show show(Presence.Mode mode) {
            if (mode == null) {
                return Show.AVAILABLE;
            }
            return switch (mode) {
                case chat -> Show.CHAT;
                case away -> Show.AWAY;
                case xa -> Show.XA;
                case dnd -> Show.DND;
                default -> Show.AVAILABLE;
            };
        }

        private static Presence.Mode mode(SessionPresence p) {
            return switch (p.show()) {
                case CHAT -> Presence.Mode.chat;
                case AVAILABLE -> Presence.Mode.available;
                case AWAY -> Presence.Mode.away;
                case XA -> Presence.Mode.xa;
                case DND -> Presence.Mode.dnd;
            };
        }

        @Override
        public void close() {
            reportLoss = false;
            XMPPTCPConnection c = connection;
            if (c == null) {
                return;
            }
            try {
                c.disconnect(c.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.unavailable).build());
            } catch (SmackException.NotConnectedException | RuntimeException e) {
                c.instantShutdown();
            }
        }

        @Override
        public void abort() {
            reportLoss = false;
            XMPPTCPConnection c = connection;
            if (c != null) {
                c.instantShutdown();
            }
        }

        @Override
        public void connectionClosed() {
            if (reportLoss) {
                reportLoss = false;
                listener.lost("the server closed the stream");
            }
        }

        @Override
        public void connectionClosedOnError(Exception e) {
            if (reportLoss) {
                reportLoss = false;
                listener.lost(e instanceof XMPPException.StreamErrorException s
                        ? "stream error " + s.getStreamError().getCondition()
                        : e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
            }
        }

        @Override
        public void connected(XMPPConnection c) {
            // reported by open()
        }

        @Override
        public void authenticated(XMPPConnection c, boolean resumed) {
            // reported by open()
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no details";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
