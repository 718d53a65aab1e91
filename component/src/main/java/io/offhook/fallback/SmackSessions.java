package io.offhook.fallback;

import io.offhook.presence.Show;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.jivesoftware.smack.AbstractXMPPConnection;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.bosh.BOSHConfiguration;
import org.jivesoftware.smack.bosh.XMPPBOSHConnection;
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
 * Login sessions over Smack 4.4: {@link XMPPTCPConnection} (RFC 6120 over TCP: STARTTLS, SASL, resource binding),
 * or {@link XMPPBOSHConnection} (XEP-0206: the same stream over BOSH, XEP-0124) for an account with {@code bosh=}.
 * A TCP session costs a socket and Smack's reader and writer threads; a BOSH session one or two pooled HTTP
 * connections and jbosh's three threads.
 *
 * <p>What Smack would do on its own is switched off where it would act in the user's name: the roster (smack-im
 * attaches one to every connection) is not loaded at login, so the server does not count the session as
 * interested in roster pushes and subscription requests (RFC 6121 section 2.1.6), it answers no subscription
 * request by itself (Smack's default rejects them all), and it keeps the presence of at most one contact (the
 * server sends the session the presence of every online contact of the user; by default Smack would keep those of
 * up to 1,024 contacts per session); TCP stream management is off, so a reconnection is a fresh session that sends
 * its presence again; no presence is sent at login, only what the engine wants.
 *
 * <p>Where the two connections differ, the TCP and BOSH sessions say so; the rest (login, the user's own clients'
 * presence, the presence sent, the loss of the session) is shared.
 */
final class SmackSessions implements ClientSession.Factory {
    /**
     * Smack logs through java.util.logging, to standard error: its warnings about a closed connection repeat what
     * {@link FallbackSessions} logs per user (a thousand lines when a server restarts), so only its severe messages
     * are let through; jbosh's (a line per session at INFO) likewise. XMPPBOSHConnection logs a stanza it could not
     * hand to jbosh as severe, with a stack trace: that happens only once the session is gone, which the session
     * reports itself. Held here so that the configured loggers are not collected.
     */
    private static final java.util.logging.Logger SMACK_LOG = java.util.logging.Logger.getLogger("org.jivesoftware");
    private static final java.util.logging.Logger JBOSH_LOG =
            java.util.logging.Logger.getLogger("org.igniterealtime.jbosh");
    private static final java.util.logging.Logger BOSH_CONNECTION_LOG =
            java.util.logging.Logger.getLogger(XMPPBOSHConnection.class.getName());

    static {
        SMACK_LOG.setLevel(java.util.logging.Level.SEVERE);
        JBOSH_LOG.setLevel(java.util.logging.Level.SEVERE);
        BOSH_CONNECTION_LOG.setLevel(java.util.logging.Level.OFF);
    }

    private final Duration timeout;
    private BoshTransport bosh;

    /** @param timeout for connecting and for each answer of the server ({@code fallback.connect-timeout}) */
    SmackSessions(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public ClientSession create(Account account, String resource, ClientSession.Listener listener) {
        if (account.bosh().isPresent()) {
            return new BoshSession(account, resource, listener, timeout, bosh());
        }
        return new TcpSession(account, resource, listener, timeout);
    }

    /** The HTTP client of the BOSH sessions, made for the first. */
    private synchronized BoshTransport bosh() {
        if (bosh == null) {
            bosh = new BoshTransport(timeout);
        }
        return bosh;
    }

    /** What both connections share; the transport's differences are the abstract methods. */
    private abstract static class SmackSession<C extends AbstractXMPPConnection> implements ClientSession,
            ConnectionListener {
        final Account account;
        final String resource;
        final Listener listener;
        final Duration timeout;
        volatile C connection;
        /** Set once the session is open and not yet closed or aborted: only then is a loss reported. */
        private final AtomicBoolean reportLoss = new AtomicBoolean();

        SmackSession(Account account, String resource, Listener listener, Duration timeout) {
            this.account = account;
            this.resource = resource;
            this.listener = listener;
            this.timeout = timeout;
        }

        /** The connection, configured ({@link #common} and what only this transport has) but not connected. */
        abstract C newConnection() throws XmppStringprepException, LoginFailure;

        /** Connects (before the login, which sends the password). */
        abstract void connect(C c) throws SmackException, IOException, XMPPException, InterruptedException,
                LoginFailure;

        /** Queues a presence without blocking; false when it cannot be. */
        abstract boolean queue(C c, Presence presence);

        /** Logs off as well as the transport can, in a bounded time. */
        abstract void logOff(C c);

        /** Drops the connection at once; idempotent, from any thread. */
        abstract void drop(C c);

        /** What the transport knows better than Smack's exception of a failed login; empty by default. */
        Optional<LoginFailure> transportProblem() {
            return Optional.empty();
        }

        /** The configuration both transports share: the user, the resource, no presence at login. */
        final <B extends ConnectionConfiguration.Builder<B, ?>> B common(B b) throws XmppStringprepException {
            return b.setXmppDomain(account.jid().getDomain())
                    .setUsernameAndPassword(account.jid().getNode(), account.password())
                    .setResource(resource)
                    .setSendPresence(false);
        }

        @Override
        public final void open() throws LoginFailure, InterruptedException {
            C c;
            try {
                c = newConnection();
                c.setReplyTimeout(timeout.toMillis());
                Roster roster = Roster.getInstanceFor(c);
                roster.setRosterLoadedAtLogin(false);
                roster.setSubscriptionMode(Roster.SubscriptionMode.manual);
                roster.setNonRosterPresenceMapMaxSize(1);
                c.addConnectionListener(this);
                c.addSyncStanzaListener(this::ownPresence, new AndFilter(StanzaTypeFilter.PRESENCE,
                        FromMatchesFilter.createBare(JidCreate.entityBareFrom(account.jid().toBareJID()))));
            } catch (XmppStringprepException | IllegalArgumentException e) {
                throw new LoginFailure(LoginFailure.Kind.REFUSED, "cannot use the account: "
                        + e.getClass().getSimpleName());
            }
            connection = c;
            try {
                connect(c);
                c.login();
                reportLoss.set(true);
            } catch (SASLErrorException e) {
                drop(c);
                throw new LoginFailure(LoginFailure.Kind.AUTH, "the server refused the password ("
                        + e.getSASLFailure().getSASLErrorString() + ")");
            } catch (LoginFailure e) {
                drop(c);
                throw e;
            } catch (SmackException.SecurityRequiredException e) {
                throw failed(c, new LoginFailure(LoginFailure.Kind.TLS, "the server at " + account.address()
                        + " offers no STARTTLS, and the credentials file says tls=required"));
            } catch (SmackException.EndpointConnectionException e) {
                String why = e.getConnectionExceptions().isEmpty() ? "no address found"
                        : String.valueOf(e.getConnectionExceptions().get(e.getConnectionExceptions().size() - 1)
                                .getException().getMessage());
                throw failed(c, new LoginFailure(LoginFailure.Kind.NETWORK, "cannot connect to "
                        + account.address() + " (" + LoginFailure.firstLine(why) + ")"));
            } catch (SmackException.NoResponseException e) {
                throw failed(c, new LoginFailure(LoginFailure.Kind.NETWORK, "no answer from " + account.address()
                        + " within " + timeout.toMillis() + " ms"));
            } catch (XMPPException.StreamErrorException e) {
                throw failed(c, new LoginFailure(LoginFailure.Kind.REFUSED, "stream error "
                        + e.getStreamError().getCondition()));
            } catch (SmackException | XMPPException | IOException e) {
                throw failed(c, tlsOrNetwork(e));
            } catch (InterruptedException e) {
                drop(c);
                throw e;
            } catch (RuntimeException e) {
                throw failed(c, new LoginFailure(LoginFailure.Kind.NETWORK, e.getClass().getSimpleName()));
            }
        }

        /** The failure to report (the transport's own view first), after dropping the connection. */
        private LoginFailure failed(C c, LoginFailure smacksView) {
            LoginFailure f = transportProblem().orElse(smacksView);
            drop(c);
            return f;
        }

        private LoginFailure tlsOrNetwork(Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SSLException || t instanceof CertificateException) {
                    return new LoginFailure(LoginFailure.Kind.TLS, "TLS with " + account.address() + " failed ("
                            + t.getClass().getSimpleName() + ": " + LoginFailure.firstLine(t.getMessage()) + ")");
                }
            }
            return new LoginFailure(LoginFailure.Kind.NETWORK, e.getClass().getSimpleName() + ": "
                    + LoginFailure.firstLine(e.getMessage()));
        }

        @Override
        public final boolean send(Optional<SessionPresence> presence) {
            C c = connection;
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
            return queue(c, b.build());
        }

        /** Presence from the user's own bare JID: their other clients (on Smack's thread). */
        private void ownPresence(Stanza stanza) {
            Presence p = (Presence) stanza;
            Resourcepart from = p.getFrom() == null ? null : p.getFrom().getResourceOrNull();
            if (!reportLoss.get() || from == null || from.toString().equals(resource)) {
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

        /** An unavailable presence for {@code c}. */
        static Presence unavailable(AbstractXMPPConnection c) {
            return c.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.unavailable).build();
        }

        @Override
        public final void close() {
            reportLoss.set(false);
            C c = connection;
            if (c != null) {
                logOff(c);
            }
        }

        @Override
        public final void abort() {
            reportLoss.set(false);
            C c = connection;
            if (c != null) {
                drop(c);
            }
        }

        /** Tells the listener, once, that the open session is gone. */
        final void lost(String reason) {
            if (reportLoss.compareAndSet(true, false)) {
                listener.lost(reason);
            }
        }

        @Override
        public void connectionClosed() {
            lost("the server closed the stream");
        }

        @Override
        public void connectionClosedOnError(Exception e) {
            if (reportLoss.get()) {
                lost(e instanceof XMPPException.StreamErrorException s
                        ? "stream error " + s.getStreamError().getCondition()
                        : transportProblem().map(Exception::getMessage).orElse(e.getClass().getSimpleName() + ": "
                                + LoginFailure.firstLine(e.getMessage())));
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

    /** RFC 6120 over TCP, STARTTLS as the account says. */
    private static final class TcpSession extends SmackSession<XMPPTCPConnection> {
        TcpSession(Account account, String resource, Listener listener, Duration timeout) {
            super(account, resource, listener, timeout);
        }

        @Override
        XMPPTCPConnection newConnection() throws XmppStringprepException {
            XMPPTCPConnectionConfiguration.Builder b = common(XMPPTCPConnectionConfiguration.builder())
                    .setSecurityMode(account.tls() == TlsMode.REQUIRED ? SecurityMode.required : SecurityMode.disabled)
                    .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            if (account.host().isPresent() || account.port().isPresent()) {
                b.setHost(account.host().orElse(account.jid().getDomain()));
                b.setPort(account.port().orElse(5222));
            }
            XMPPTCPConnection c = new XMPPTCPConnection(b.build());
            c.setUseStreamManagement(false);
            return c;
        }

        @Override
        void connect(XMPPTCPConnection c) throws SmackException, IOException, XMPPException, InterruptedException {
            c.connect();
        }

        /** Smack's writer queue: false when it is full (the connection is stuck). */
        @Override
        boolean queue(XMPPTCPConnection c, Presence presence) {
            try {
                return c.trySendStanza(presence);
            } catch (SmackException.NotConnectedException e) {
                return false;
            }
        }

        @Override
        void logOff(XMPPTCPConnection c) {
            try {
                c.disconnect(unavailable(c));
            } catch (SmackException.NotConnectedException | RuntimeException e) {
                c.instantShutdown();
            }
        }

        @Override
        void drop(XMPPTCPConnection c) {
            c.instantShutdown();
        }
    }

    /**
     * XEP-0206 over the account's BOSH endpoint. What {@link XMPPBOSHConnection} (Smack 4.4.8) does differently, and
     * how it is met here:
     * <ul>
     * <li>TLS is the endpoint's {@code https}, set up by {@link BoshTransport}; Smack's own security mode must be
     *     {@code disabled}, as its BOSH connection never counts as secure and would refuse {@code required}.</li>
     * <li>There is no {@code trySendStanza} of its own: Smack's fallback blocks while jbosh waits for one of the
     *     session's two requests to come back. So a presence is handed to a task of
     *     {@link BoshTransport#sendThreads()}; only the newest waiting one is sent, in order.</li>
     * <li>{@code instantShutdown()} leaves jbosh's session running: dropping also aborts the session's
     *     {@link BoshTransport.Link}, which ends jbosh's session and threads.</li>
     * <li>A server that ends the session without an error condition is not reported by Smack at all: the link
     *     reports every end of jbosh's session.</li>
     * </ul>
     */
    private static final class BoshSession extends SmackSession<XMPPBOSHConnection> {
        private final BoshTransport transport;
        private final BoshTransport.Link link;
        private final Object sendLock = new Object();
        /** The newest presence not yet handed to jbosh; guarded by sendLock. */
        private Presence waiting;
        /** Whether a task is handing presence to jbosh; guarded by sendLock. */
        private boolean sending;
        private volatile boolean closing;

        BoshSession(Account account, String resource, Listener listener, Duration timeout, BoshTransport transport) {
            super(account, resource, listener, timeout);
            this.transport = transport;
            this.link = transport.link(account.bosh().orElseThrow());
            link.onGone(() -> lost(link.problem().map(Exception::getMessage).orElse("the BOSH session ended")));
        }

        @Override
        XMPPBOSHConnection newConnection() throws XmppStringprepException, LoginFailure {
            URI u = account.bosh().orElseThrow();
            // The endpoint jbosh posts to is the link's; Smack's copy of it only has to be a valid http(s) URL.
            String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1)
                    : u.getHost();
            BOSHConfiguration.Builder b = common(BOSHConfiguration.builder())
                    .setUseHttps(u.getScheme().equals("https"))
                    .setFile(u.getRawPath())
                    .setPort(u.getPort() >= 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80)
                    .setSecurityMode(SecurityMode.disabled);
            if (host.indexOf(':') >= 0) {
                try {
                    b.setHostAddress(InetAddress.getByName(host));
                } catch (UnknownHostException e) {
                    throw new LoginFailure(LoginFailure.Kind.REFUSED, "cannot use the account: " + host
                            + " is not an IPv6 address");
                }
            } else {
                b.setHost(host);
            }
            return new XMPPBOSHConnection(b.build());
        }

        /**
         * Connects with the link handed to jbosh; a jbosh that did not take it (another HTTP sender) gets no
         * password.
         */
        @Override
        void connect(XMPPBOSHConnection c) throws SmackException, IOException, XMPPException, InterruptedException,
                LoginFailure {
            BoshTransport.enter(link);
            try {
                c.connect();
            } finally {
                BoshTransport.leave();
            }
            if (!link.attached()) {
                throw new LoginFailure(LoginFailure.Kind.TLS, "jbosh did not send through Offhook's HTTP sender "
                        + "(the system property org.igniterealtime.jbosh.HTTPSender was changed); not logging in");
            }
        }

        @Override
        Optional<LoginFailure> transportProblem() {
            return link.problem();
        }

        @Override
        boolean queue(XMPPBOSHConnection c, Presence presence) {
            if (link.gone() || closing) {
                return false;
            }
            synchronized (sendLock) {
                waiting = presence;
                if (sending) {
                    return true;
                }
                sending = true;
            }
            try {
                transport.sendThreads().execute(() -> handOver(c));
                return true;
            } catch (RejectedExecutionException e) {
                synchronized (sendLock) {
                    sending = false;
                }
                return false;
            }
        }

        /** Hands the waiting presence to jbosh, the newest last, until none waits. */
        private void handOver(XMPPBOSHConnection c) {
            while (true) {
                Presence p;
                synchronized (sendLock) {
                    p = waiting;
                    waiting = null;
                    if (p == null || closing) {
                        sending = false;
                        sendLock.notifyAll();
                        return;
                    }
                }
                try {
                    c.sendStanza(p);
                } catch (SmackException.NotConnectedException | RuntimeException e) {
                    // The session is gone; the link reports it.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    synchronized (sendLock) {
                        sending = false;
                        sendLock.notifyAll();
                    }
                    return;
                }
            }
        }

        /**
         * Waits for a presence being handed over, then sends unavailable presence and BOSH's terminate; waits for
         * jbosh to end the session, and drops what is left; each wait at most the timeout.
         */
        @Override
        void logOff(XMPPBOSHConnection c) {
            closing = true;
            link.closing();
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                synchronized (sendLock) {
                    for (long left = timeout.toNanos(); sending && left > 0; left = deadline - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.timedWait(sendLock, left);
                    }
                }
                if (!link.gone()) {
                    try {
                        c.disconnect(unavailable(c));
                    } catch (SmackException.NotConnectedException | RuntimeException e) {
                        // dropped below
                    }
                    link.awaitGone(timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                drop(c);
            }
        }

        @Override
        void drop(XMPPBOSHConnection c) {
            closing = true;
            link.abort();
            c.instantShutdown();
        }
    }
}
