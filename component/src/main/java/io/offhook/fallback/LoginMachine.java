package io.offhook.fallback;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One user's login session as a state machine: what the engine wants (a session, showing a presence or none; or no
 * session) against what the session is doing. Pure and single-threaded: {@link FallbackSessions} performs the
 * {@link Action} each input returns and feeds the outcome back as the next input.
 *
 * <pre>
 * state       input                              next        action
 * IDLE        want: online                       CONNECTING  CONNECT
 * IDLE        want: offline                      IDLE        -
 * CONNECTING  want: anything                     CONNECTING  -       (decided when the attempt ends)
 * CONNECTING  opened, online wanted              ONLINE      SEND the wanted presence, if any
 * CONNECTING  opened, offline wanted             CLOSING     CLOSE
 * CONNECTING  failed                             WAITING     WAIT backoff(failures in a row)
 * ONLINE      want: online, another presence     ONLINE      SEND it (unavailable when none is wanted)
 * ONLINE      want: offline                      CLOSING     CLOSE   (unavailable, then the stream's end)
 * ONLINE      lost, after running stably         WAITING     WAIT a random share of the first delay
 * ONLINE      lost, soon after it opened         WAITING     WAIT backoff(quick losses in a row)
 * CLOSING     closed, online wanted              CONNECTING  CONNECT
 * CLOSING     closed, offline wanted             IDLE        -
 * WAITING     due, online wanted                 CONNECTING  CONNECT
 * WAITING     due, offline wanted                IDLE        -
 * any         any other input                    unchanged   -       (a stale outcome)
 * </pre>
 * A wait is never cut short, and a failed attempt is always followed by one: a phone that registers and
 * unregisters quickly cannot make a failing login retry faster than its backoff. Failures in a row are forgotten
 * when a login succeeds; quick losses in a row (a session the server ends at once, e.g. another client taking its
 * resource) only when a session ran stably.
 */
final class LoginMachine {
    /** Where the session is. */
    enum State {
        /** No session and none being made. */
        IDLE,
        /** A login attempt is running. */
        CONNECTING,
        /** Logged in. */
        ONLINE,
        /** Logging off. */
        CLOSING,
        /** Waiting before the next attempt. */
        WAITING
    }

    /** What the caller must do now. */
    enum Action {
        /** Nothing. */
        NONE,
        /** Open a session (connect, secure, authenticate, bind); report {@link #opened} or {@link #failed}. */
        CONNECT,
        /** Send {@link #presenceToSend()} on the open session (unavailable when empty). */
        SEND,
        /** Log off: unavailable presence, end the stream; report {@link #closed}. */
        CLOSE,
        /** Report {@link #due} after {@link #delay()}. */
        WAIT
    }

    /**
     * What the engine wants for the user.
     *
     * @param online whether a session should be open (the phone is registered)
     * @param presence what it shows; empty for no available presence (the mapping shows nothing for this state)
     */
    record Wanted(boolean online, Optional<SessionPresence> presence) {
        /** No session. */
        static final Wanted OFFLINE = new Wanted(false, Optional.empty());

        Wanted {
            Objects.requireNonNull(presence, "presence");
            if (!online && presence.isPresent()) {
                throw new IllegalArgumentException("a presence without a session");
            }
        }

        /** A session showing {@code presence}. */
        static Wanted showing(SessionPresence presence) {
            return new Wanted(true, Optional.of(presence));
        }
    }

    private final Backoff backoff;
    private final Duration stableAfter;
    private State state = State.IDLE;
    private Wanted wanted = Wanted.OFFLINE;
    /** What the open session shows: empty before its first presence and after unavailable. */
    private Optional<SessionPresence> shown = Optional.empty();
    private Optional<SessionPresence> toSend = Optional.empty();
    private Instant onlineSince = Instant.EPOCH;
    private Duration delay = Duration.ZERO;
    private int failures;
    private int quickLosses;

    /**
     * @param stableAfter a session that ran at least this long before it was lost counts as stable
     */
    LoginMachine(Backoff backoff, Duration stableAfter) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.stableAfter = Objects.requireNonNull(stableAfter, "stableAfter");
    }

    /** The engine's wish changed. */
    Action want(Wanted w) {
        wanted = Objects.requireNonNull(w, "w");
        switch (state) {
            case IDLE:
                if (w.online()) {
                    state = State.CONNECTING;
                    return Action.CONNECT;
                }
                return Action.NONE;
            case ONLINE:
                if (!w.online()) {
                    state = State.CLOSING;
                    return Action.CLOSE;
                }
                return sendIfChanged();
            default:
                return Action.NONE;
        }
    }

    /** The login attempt succeeded. */
    Action opened(Instant now) {
        if (state != State.CONNECTING) {
            return Action.NONE;
        }
        failures = 0;
        shown = Optional.empty();
        if (!wanted.online()) {
            state = State.CLOSING;
            return Action.CLOSE;
        }
        state = State.ONLINE;
        onlineSince = now;
        return sendIfChanged();
    }

    /** The login attempt failed. */
    Action failed() {
        if (state != State.CONNECTING) {
            return Action.NONE;
        }
        failures++;
        return waitFor(backoff.delay(failures));
    }

    /**
     * The open session ended without being asked to (the server closed it, the network failed, or a presence could
     * not be queued).
     *
     * @param random a number from 0 (inclusive) to 1 (exclusive): where in the first delay a stable session's
     *     reconnection falls
     */
    Action lost(Instant now, double random) {
        if (state != State.ONLINE) {
            return Action.NONE;
        }
        shown = Optional.empty();
        if (!Duration.between(onlineSince, now).minus(stableAfter).isNegative()) {
            quickLosses = 0;
            return waitFor(backoff.spread(random));
        }
        quickLosses++;
        return waitFor(backoff.delay(quickLosses));
    }

    /** Logging off finished. */
    Action closed() {
        if (state != State.CLOSING) {
            return Action.NONE;
        }
        shown = Optional.empty();
        if (wanted.online()) {
            state = State.CONNECTING;
            return Action.CONNECT;
        }
        state = State.IDLE;
        return Action.NONE;
    }

    /** The wait is over. */
    Action due() {
        if (state != State.WAITING) {
            return Action.NONE;
        }
        if (wanted.online()) {
            state = State.CONNECTING;
            return Action.CONNECT;
        }
        state = State.IDLE;
        return Action.NONE;
    }

    private Action sendIfChanged() {
        if (wanted.presence().equals(shown)) {
            return Action.NONE;
        }
        shown = wanted.presence();
        toSend = shown;
        return Action.SEND;
    }

    private Action waitFor(Duration d) {
        state = State.WAITING;
        delay = d;
        return Action.WAIT;
    }

    /** The presence of the last {@link Action#SEND}; empty means unavailable. */
    Optional<SessionPresence> presenceToSend() {
        return toSend;
    }

    /** The wait of the last {@link Action#WAIT}. */
    Duration delay() {
        return delay;
    }

    State state() {
        return state;
    }

    Wanted wanted() {
        return wanted;
    }

    /** Failed login attempts in a row. */
    int failures() {
        return failures;
    }
}
