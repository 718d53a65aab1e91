package io.offhook.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A real XMPP server started by a test on loopback ({@link Prosody}, {@link Ejabberd}), configured from the
 * admin-facing file in {@code etc/}: one user domain, one trusted XEP-0114 component with XEP-0356 permissions. The
 * same interface for both, so that an IT can run once per server ({@code @MethodSource}).
 *
 * <p>Users and roster items are added while the server runs. {@link #stop()} ends every process the server started,
 * by PID; {@link #restart()} brings it back on the same ports with the same data, for the "server restart mid-call"
 * tests.
 *
 * <p>Deliberately not {@link AutoCloseable}: JUnit closes {@code AutoCloseable} arguments of a
 * {@code @ParameterizedTest} after each invocation, which would stop a server meant to live for the whole class.
 */
interface XmppServer {
    /** The subscription states of a roster item (RFC 6121 section 2.1.2.5). */
    enum Subscription {
        NONE, TO, FROM, BOTH;

        /** {@code none}, {@code to}, {@code from} or {@code both}, as RFC 6121 and both servers spell them. */
        static Subscription parse(String s) {
            for (Subscription v : values()) {
                if (v.xml().equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("subscription must be none, to, from or both, not '" + s + "'");
        }

        /** The attribute value: {@code none}, {@code to}, {@code from} or {@code both}. */
        String xml() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code prosody} or {@code ejabberd}: names parameterised tests. */
    String name();

    /** The users' domain (the VirtualHost / host). */
    String domain();

    /** The component's domain, e.g. {@code phone.localhost}. */
    String componentDomain();

    /** Client-to-server port on 127.0.0.1, without TLS. */
    int c2sPort();

    /** XEP-0114 component port on 127.0.0.1. */
    int componentPort();

    /** Creates the account {@code user@domain()}; fails if it exists. The server must be running. */
    void register(String user, String password) throws IOException;

    /**
     * Puts {@code contactJid} into {@code user}'s roster with this subscription, replacing any item for it; online
     * resources of {@code user} receive a roster push. The server must be running.
     *
     * @param subscription {@code none}, {@code to}, {@code from} or {@code both}
     */
    default void addRosterItem(String user, String contactJid, String subscription) throws IOException {
        addRosterItem(user, contactJid, Subscription.parse(subscription));
    }

    /** {@link #addRosterItem(String, String, String)} with a typed subscription. */
    void addRosterItem(String user, String contactJid, Subscription subscription) throws IOException;

    /** Stops the server by PID and waits until it and every process it started are gone. Idempotent. */
    void stop();

    /** Stops the server and starts it again on the same ports with the same data; returns once it accepts. */
    void restart() throws IOException;

    /** The server's main log file, for failure messages. */
    Path log();

    /** The end of the server's log, for failure messages. */
    default String logTail() {
        return Processes.tail(log(), 40);
    }
}
