package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.Jid;

/**
 * A real XMPP client (Smack 4.4 over TCP, no TLS, to 127.0.0.1) logged in as one user and resource: the "contact"
 * whose screen the integration tests look at. It records every presence stanza it receives, in order, with the
 * {@link System#nanoTime()} of its arrival, whoever sent it.
 *
 * <p>Smack does not filter presence before stanza listeners: a presence from a JID that is not in this user's
 * roster is recorded too (Smack's {@link Roster} keeps such presence apart, but that only matters to
 * {@code Roster.getPresence}). So "a non-contact received nothing" is a meaningful assertion
 * ({@link #receivedFrom}). The roster answers no subscription request by itself ({@code SubscriptionMode.manual}:
 * Smack's default would reject them), and stream management is off, so a reconnection is a fresh session.
 *
 * <p>After a lost connection the watcher logs in again by itself, one attempt a second (the "server restart
 * mid-call" tests); {@link #awaitReconnected} waits for that. It does not use Smack's
 * {@link org.jivesoftware.smack.ReconnectionManager}, which in Smack 4.4.8 reconnects only a connection that is not
 * connected: an attempt that fails after its socket is open (seen against a just restarted ejabberd, which accepted
 * the socket and other clients' logins but did not answer this one's SASL request within the reply timeout) leaves
 * the connection connected and not logged in, and the manager stops for good. Each attempt here starts from a
 * closed socket. The watcher's own presence is sent on every login, including reconnections, so it is what
 * {@link #setPresence} last set.
 */
final class Watcher implements AutoCloseable {
    /** One presence as received, with the {@link System#nanoTime()} of its arrival. */
    record Received(Presence presence, long nanos) {
        Received {
            Objects.requireNonNull(presence, "presence");
        }
    }

    private record Own(Presence.Mode mode, String status, int priority) {
    }

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** How long a login waits for the server to echo its initial presence. */
    private static final Duration OWN_PRESENCE_WAIT = Duration.ofSeconds(10);
    private static final long RECONNECT_DELAY_MILLIS = 1_000;

    private final XMPPTCPConnection connection;
    private final String name;
    private final List<Received> received = new ArrayList<>();
    private int mark;
    private int losses;
    private int lossesAtLastLogin;
    private int lossesAwaited;
    private String lastLoss = "none";
    private String lastReconnectFailure = "none";
    private volatile Own own = new Own(Presence.Mode.available, null, 0);
    private volatile boolean disconnecting;
    private Thread reconnecting;
    private volatile Consumer<Received> onPresence = r -> { };

    private Watcher(XMPPTCPConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    /** Connects to {@code server}'s c2s port and logs in; fails with the server's log tail if it cannot. */
    static Watcher login(XmppServer server, String user, String password, String resource) throws IOException {
        return login(server, server.domain(), user, password, resource);
    }

    /** {@link #login(XmppServer, String, String, String)} as a user of another domain of the same server. */
    static Watcher login(XmppServer server, String domain, String user, String password, String resource)
            throws IOException {
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(domain)
                .setHostAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))
                .setPort(server.c2sPort())
                .setUsernameAndPassword(user, password)
                .setResource(resource)
                .setSecurityMode(SecurityMode.disabled)
                // The watcher sends its own presence on every login (see authenticated), after Smack's roster load.
                .setSendPresence(false)
                .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
                .build();
        XMPPTCPConnection connection = new XMPPTCPConnection(config);
        connection.setUseStreamManagement(false);
        Roster.getInstanceFor(connection).setSubscriptionMode(Roster.SubscriptionMode.manual);
        Watcher w = new Watcher(connection, user + "@" + domain + "/" + resource + " on " + server.name());
        connection.addStanzaListener(w::record, StanzaTypeFilter.PRESENCE);
        connection.addConnectionListener(w.new Listener());
        try {
            connection.connect();
            connection.login();
        } catch (SmackException | XMPPException e) {
            w.disconnect();
            return fail(w.name + " could not log in: " + e + "\nserver log " + server.log() + ":\n"
                    + server.logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            w.disconnect();
            return fail("interrupted while " + w.name + " logged in", e);
        }
        // The server echoes initial presence to the sender (RFC 6121 section 4.2.2) once it has made the resource
        // available: before that, presence routed to the user's bare JID (a contact's, or the component's) finds
        // no available resource and is not delivered, a race that made tests flaky under load.
        w.awaitPresence(w.jid(), Presence::isAvailable, OWN_PRESENCE_WAIT);
        return w;
    }

    /** Smack calls this for each presence, in the order received (the next stanza waits for it). */
    private void record(Stanza stanza) {
        Received r = new Received((Presence) stanza, System.nanoTime());
        synchronized (this) {
            received.add(r);
            onPresence.accept(r);
            notifyAll();
        }
    }

    /**
     * Calls {@code listener} with each presence as it arrives, in order, on Smack's thread (the demo's view), before
     * anyone waiting for that presence is woken.
     */
    void onPresence(Consumer<Received> listener) {
        this.onPresence = Objects.requireNonNull(listener, "listener");
    }

    /** The client's connection, for tests that use other Smack managers with it (ad-hoc commands, version). */
    XMPPTCPConnection connection() {
        return connection;
    }

    /** The full JID this watcher is logged in as. */
    String jid() {
        return String.valueOf(connection.getUser());
    }

    /** From now on, {@link #awaitPresence} looks only at presence received after this call. */
    synchronized void mark() {
        mark = received.size();
    }

    /**
     * The first presence received after the last {@link #mark()} (from login if none) that comes from
     * {@code fromFullOrBare} and matches {@code p}; waits up to {@code timeout} for it, then fails listing every
     * presence received since the mark.
     *
     * @param fromFullOrBare a full JID (that resource only) or a bare JID (any of its resources, or the bare JID)
     */
    Presence awaitPresence(String fromFullOrBare, Predicate<Presence> p, Duration timeout) {
        return awaitReceived(fromFullOrBare, p, timeout).presence();
    }

    /** {@link #awaitPresence} with the arrival time. */
    synchronized Received awaitReceived(String fromFullOrBare, Predicate<Presence> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = mark;
        while (true) {
            for (; next < received.size(); next++) {
                Received r = received.get(next);
                if (from(r.presence(), fromFullOrBare) && p.test(r.presence())) {
                    return r;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail(name + " received no matching presence from " + fromFullOrBare + " within "
                        + timeout.toMillis() + " ms; since the mark it received " + describe(mark));
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while " + name + " waited for presence from " + fromFullOrBare);
            }
        }
    }

    /**
     * What was received from {@code fromFullOrBare} since the last {@link #mark()}, one word per presence: its
     * status text (or {@code show} when it has none, {@code available} when neither), or its type when it is not
     * available ({@code unavailable}, {@code subscribed}...).
     */
    synchronized List<String> statusesSinceMark(String fromFullOrBare) {
        List<String> out = new ArrayList<>();
        for (Received r : received.subList(mark, received.size())) {
            Presence p = r.presence();
            if (!from(p, fromFullOrBare)) {
                continue;
            }
            if (p.getType() != Presence.Type.available) {
                out.add(p.getType().toString());
            } else if (p.getStatus() != null) {
                out.add(p.getStatus());
            } else {
                out.add(p.getMode() == Presence.Mode.available ? "available" : p.getMode().toString());
            }
        }
        return out;
    }

    /** Every presence received since login from {@code jid} (full: that resource; bare: any), in order. */
    synchronized List<Presence> receivedFrom(String jid) {
        return received.stream().map(Received::presence).filter(pr -> from(pr, jid)).toList();
    }

    /** Every presence received since login, in order, with arrival times. */
    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    private static boolean from(Presence presence, String fromFullOrBare) {
        Jid from = presence.getFrom();
        if (from == null) {
            return false;
        }
        return fromFullOrBare.indexOf('/') >= 0 ? from.toString().equals(fromFullOrBare)
                : from.asBareJid().toString().equals(fromFullOrBare);
    }

    private String describe(int fromIndex) {
        if (fromIndex >= received.size()) {
            return "nothing (" + fromIndex + " presence stanzas before it)";
        }
        long base = received.get(fromIndex).nanos();
        StringBuilder b = new StringBuilder((received.size() - fromIndex) + " presence stanzas ("
                + fromIndex + " before the mark):");
        for (int i = fromIndex; i < received.size(); i++) {
            Received r = received.get(i);
            b.append("\n  +").append((r.nanos() - base) / 1_000_000).append(" ms ").append(r.presence().toXML());
        }
        return b.toString();
    }

    /** Asks to see {@code jid}'s presence (RFC 6121 section 3.1): the gateway mode's phone contact. */
    void subscribe(String jid) {
        try {
            Presence subscribe = connection.getStanzaFactory().buildPresenceStanza()
                    .ofType(Presence.Type.subscribe).to(jid).build();
            connection.sendStanza(subscribe);
        } catch (SmackException.NotConnectedException | org.jxmpp.stringprep.XmppStringprepException e) {
            fail(name + " cannot subscribe to " + jid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while " + name + " subscribed", e);
        }
    }

    /** Sets this client's own presence now and for every later (re)login. */
    void setPresence(Presence.Mode mode, String status, int priority) {
        own = new Own(Objects.requireNonNull(mode, "mode"), status, priority);
        try {
            sendOwnPresence();
        } catch (SmackException.NotConnectedException e) {
            fail(name + " is not connected: cannot set its presence", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while " + name + " set its presence", e);
        }
    }

    private void sendOwnPresence() throws SmackException.NotConnectedException, InterruptedException {
        Own o = own;
        PresenceBuilder b = connection.getStanzaFactory().buildPresenceStanza()
                .ofType(Presence.Type.available)
                .setMode(o.mode())
                .setPriority(o.priority());
        if (o.status() != null) {
            b.setStatus(o.status());
        }
        connection.sendStanza(b.build());
    }

    /**
     * Waits until the connection, lost since login or since the previous call, is logged in again (see the class
     * comment); fails after {@code timeout} saying what happened.
     */
    synchronized void awaitReconnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(losses > lossesAwaited && lossesAtLastLogin == losses && connection.isAuthenticated())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail(name + " did not reconnect within " + timeout.toMillis() + " ms: connections lost "
                        + losses + " (awaited before: " + lossesAwaited + "), last loss: " + lastLoss
                        + ", last reconnection failure: " + lastReconnectFailure + ", authenticated now: "
                        + connection.isAuthenticated());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while " + name + " waited to reconnect");
            }
        }
        lossesAwaited = losses;
    }

    /** Logs out (unavailable presence, closed stream) and stops reconnecting. Idempotent. */
    void disconnect() {
        disconnecting = true;
        Thread t;
        synchronized (this) {
            t = reconnecting;
        }
        if (t != null) {
            t.interrupt();
        }
        connection.disconnect();
    }

    /** Starts logging in again unless that is already under way (or the watcher is being closed). */
    private synchronized void reconnectSoon() {
        if (disconnecting || reconnecting != null) {
            return;
        }
        reconnecting = new Thread(this::reconnect, "watcher-reconnect " + name);
        reconnecting.setDaemon(true);
        reconnecting.start();
    }

    /** One attempt a second until logged in; a loss while this runs is picked up by the check after each attempt. */
    private void reconnect() {
        try {
            while (true) {
                Thread.sleep(RECONNECT_DELAY_MILLIS);
                if (disconnecting) {
                    return;
                }
                try {
                    if (connection.isConnected()) {
                        connection.instantShutdown(); // what a failed attempt left open
                    }
                    connection.connect();
                    connection.login();
                } catch (SmackException | XMPPException | IOException e) {
                    synchronized (this) {
                        lastReconnectFailure = e.toString();
                    }
                }
                synchronized (this) {
                    if (disconnecting || connection.isAuthenticated()) {
                        // Under the lock that lost() takes too: a loss from now on starts a new attempt.
                        reconnecting = null;
                        notifyAll();
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // disconnect() stops us
        } finally {
            synchronized (this) {
                if (reconnecting == Thread.currentThread()) { // not cleared above: interrupted, or Smack threw
                    reconnecting = null;
                    notifyAll();
                }
            }
        }
    }

    @Override
    public void close() {
        disconnect();
    }

    @Override
    public String toString() {
        return "Watcher[" + name + "]";
    }

    /** Counts logins and losses; sends the watcher's own presence after each login. */
    private final class Listener implements ConnectionListener {
        @Override
        public void authenticated(XMPPConnection c, boolean resumed) {
            synchronized (Watcher.this) {
                lossesAtLastLogin = losses;
                Watcher.this.notifyAll();
            }
            if (!resumed) {
                try {
                    sendOwnPresence();
                } catch (SmackException.NotConnectedException e) {
                    lost("lost before its initial presence: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void connectionClosedOnError(Exception e) {
            lost(e.toString());
        }

        @Override
        public void connectionClosed() {
            if (!disconnecting) {
                lost("closed by the server without a stream error");
            }
        }

        private void lost(String why) {
            synchronized (Watcher.this) {
                losses++;
                lastLoss = why;
                Watcher.this.notifyAll();
            }
            reconnectSoon();
        }
    }
}
