package io.offhook.fallback;

import java.util.Optional;

/**
 * One client session of one user: the seam between {@link FallbackSessions} and the XMPP library, so that the
 * sessions' behaviour can be tested without a server. {@link #open()} and {@link #close()} block and run on the
 * sessions' login threads; {@link #send} never blocks.
 */
interface ClientSession {
    /** What an open session tells; called on the library's threads, so it must only hand over. */
    interface Listener {
        /**
         * Told once when an open session ends without {@link #close()} or {@link #abort()}.
         *
         * @param reason what happened, for the log (never a password)
         */
        void lost(String reason);

        /**
         * Another resource of the user's own came, changed or went.
         *
         * @param resource its resource
         * @param presence its presence; empty when it went unavailable
         */
        void own(String resource, Optional<OwnPresence> presence);
    }

    /** Makes sessions. */
    @FunctionalInterface
    interface Factory {
        /**
         * A session not yet open.
         *
         * @param resource the resource to bind ({@code presence.resource})
         * @param listener told when the session, once open, is lost, and of the user's own other resources
         */
        ClientSession create(Account account, String resource, Listener listener);
    }

    /**
     * Connects, secures the stream as the account says, authenticates and binds the resource (RFC 6120); sends no
     * presence. On failure, everything it opened is closed again.
     *
     * @throws LoginFailure saying why, without the password
     * @throws InterruptedException when the sessions shut down meanwhile
     */
    void open() throws LoginFailure, InterruptedException;

    /**
     * Queues an available presence, or unavailable when empty, without blocking.
     *
     * @return false when it could not be queued (the session is gone or its output is stuck)
     */
    boolean send(Optional<SessionPresence> presence);

    /** Logs off: unavailable presence, then the stream's end; waits a bounded time for the server. */
    void close();

    /** Drops the connection at once, without a word to the server. Idempotent; safe from any thread. */
    void abort();
}
