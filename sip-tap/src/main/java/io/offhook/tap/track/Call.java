package io.offhook.tap.track;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One INVITE and the dialogs it created (one {@link Leg} per To-tag when it forks). The caller is the From side
 * of the initial INVITE; callees are attributed per leg.
 */
final class Call extends Timed {
    final String callId;
    final String fromTag;
    long inviteCseq;
    User caller;
    /** To-side fallback when no registered device identifies the callee. */
    final String toAor;
    /** Users whose registered device the INVITE was forwarded to (from forwarded Request-URIs). */
    final List<User> forwardedTo = new ArrayList<>(1);
    final List<Leg> legs = new ArrayList<>(1);
    final List<User> parties = new ArrayList<>(2);
    /** Whether any party had a registered device when the call started: INVITE floods rarely do. */
    final boolean known;

    long lastActivity;
    long sessionExpiresMicros = -1;
    long endedAt = -1;
    /**
     * Set after a 401/407 or a 3xx to the unanswered INVITE: the caller will retry soon (same Call-ID, higher
     * CSeq: with credentials, or to the redirect's Contact), or give up.
     */
    boolean challenged;
    boolean removed;
    boolean everConfirmed;

    private final TrackerConfig config;

    Call(String callId, String fromTag, long inviteCseq, User caller, String toAor, boolean known, long now,
         TrackerConfig config) {
        this.callId = callId;
        this.fromTag = fromTag;
        this.inviteCseq = inviteCseq;
        this.caller = caller;
        this.toAor = toAor;
        this.known = known;
        this.lastActivity = now;
        this.config = config;
    }

    boolean ended() {
        return endedAt >= 0;
    }

    boolean answered() {
        for (Leg l : legs) {
            if (l.state == Leg.State.CONFIRMED) {
                return true;
            }
        }
        return false;
    }

    boolean anyLive() {
        for (Leg l : legs) {
            if (l.live()) {
                return true;
            }
        }
        return false;
    }

    Leg leg(String tag) {
        for (Leg l : legs) {
            if (l.toTag.equals(tag)) {
                return l;
            }
        }
        return null;
    }

    /**
     * The callee-side tag of a message in this call: requests and responses from the caller's side carry the
     * caller's tag in From, those from the callee's side carry it in To.
     */
    String legTag(String msgFromTag, String msgToTag) {
        if (fromTag != null && fromTag.equals(msgToTag)) {
            return msgFromTag;
        }
        return msgToTag;
    }

    @Override
    long deadline() {
        if (removed) {
            return Long.MAX_VALUE;
        }
        if (ended()) {
            return endedAt + micros(config.tombstone());
        }
        if (challenged) {
            return lastActivity + micros(config.tombstone());
        }
        if (answered()) {
            if (sessionExpiresMicros > 0) {
                return lastActivity + sessionExpiresMicros + micros(config.sessionTimerGrace());
            }
            return lastActivity + micros(config.callSilenceTimeout());
        }
        return lastActivity + micros(config.ringTimeout());
    }

    /** What this call means for {@code user}'s aggregate state. */
    PhoneState stateOf(User user) {
        if (ended()) {
            return PhoneState.OFFLINE;
        }
        PhoneState s = PhoneState.OFFLINE;
        if (user == caller) {
            s = callerState();
        }
        for (Leg l : legs) {
            if (l.callee == user && l.live()) {
                s = s.max(legState(l, PhoneState.RINGING));
            }
        }
        return s;
    }

    private PhoneState callerState() {
        PhoneState s = PhoneState.DIALING;
        for (Leg l : legs) {
            if (l.live()) {
                s = s.max(legState(l, PhoneState.DIALING));
            }
        }
        return s;
    }

    private static PhoneState legState(Leg l, PhoneState early) {
        if (l.state == Leg.State.EARLY) {
            return early;
        }
        return l.held ? PhoneState.ON_HOLD : PhoneState.ON_THE_PHONE;
    }

    static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
