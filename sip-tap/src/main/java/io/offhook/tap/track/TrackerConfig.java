package io.offhook.tap.track;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the tracker believes what it saw, and how much it keeps.
 *
 * @param ringTimeout an unanswered call is dropped after this long without a message (RFC 3261 Timer C is
 *     "greater than 3 minutes"; default 200 s)
 * @param callSilenceTimeout an answered call with no session timer is dropped after this long without any message
 *     (default 2 h): a missed BYE must not leave anyone on the phone for ever
 * @param sessionTimerGrace added to a negotiated Session-Expires before the call is dropped (RFC 4028: the refresh
 *     is due at half the interval, so one missed refresh is tolerated; default 32 s)
 * @param defaultRegistration binding lifetime when neither the Contact nor the message gives one (default 3600 s,
 *     RFC 3261 section 10.2.1.1)
 * @param tombstone how long an ended call is remembered so late or re-ordered copies do not revive it (default 32 s,
 *     64*T1)
 * @param maxCalls cap on calls held at once; beyond it the oldest unanswered call is evicted, first among calls
 *     whose parties have no registered device (an INVITE flood), then any (default 200,000)
 * @param maxRingingPerUser cap on unanswered calls counted for one address of record; beyond it the user's oldest
 *     unanswered call stops counting for that user only (it goes on for the other party). A flood from or to one
 *     address would otherwise make every message cost as much as that user's calls (default 32: a desk phone
 *     rings a few at once, and an anonymous caller's many calls must not end other people's ringing)
 * @param useAssertedIdentity attribute the caller by P-Asserted-Identity (RFC 3325) when no registered device
 *     matches, instead of From (for networks that put the real caller there)
 */
public record TrackerConfig(Duration ringTimeout, Duration callSilenceTimeout, Duration sessionTimerGrace,
                            Duration defaultRegistration, Duration tombstone, int maxCalls, int maxRingingPerUser,
                            boolean useAssertedIdentity) {

    public static final TrackerConfig DEFAULTS = new TrackerConfig(Duration.ofSeconds(200), Duration.ofHours(2),
            Duration.ofSeconds(32), Duration.ofSeconds(3600), Duration.ofSeconds(32), 200_000, 32, false);

    public TrackerConfig {
        positive(ringTimeout, "ringTimeout");
        positive(callSilenceTimeout, "callSilenceTimeout");
        Objects.requireNonNull(sessionTimerGrace, "sessionTimerGrace");
        positive(defaultRegistration, "defaultRegistration");
        positive(tombstone, "tombstone");
        if (maxCalls < 1) {
            throw new IllegalArgumentException("maxCalls must be at least 1: " + maxCalls);
        }
        if (maxRingingPerUser < 1) {
            throw new IllegalArgumentException("maxRingingPerUser must be at least 1: " + maxRingingPerUser);
        }
    }

    public TrackerConfig withMaxCalls(int max) {
        return new TrackerConfig(ringTimeout, callSilenceTimeout, sessionTimerGrace, defaultRegistration, tombstone,
                max, maxRingingPerUser, useAssertedIdentity);
    }

    public TrackerConfig withMaxRingingPerUser(int max) {
        return new TrackerConfig(ringTimeout, callSilenceTimeout, sessionTimerGrace, defaultRegistration, tombstone,
                maxCalls, max, useAssertedIdentity);
    }

    public TrackerConfig withCallSilenceTimeout(Duration d) {
        return new TrackerConfig(ringTimeout, d, sessionTimerGrace, defaultRegistration, tombstone, maxCalls,
                maxRingingPerUser, useAssertedIdentity);
    }

    public TrackerConfig withRingTimeout(Duration d) {
        return new TrackerConfig(d, callSilenceTimeout, sessionTimerGrace, defaultRegistration, tombstone, maxCalls,
                maxRingingPerUser, useAssertedIdentity);
    }

    public TrackerConfig withUseAssertedIdentity(boolean use) {
        return new TrackerConfig(ringTimeout, callSilenceTimeout, sessionTimerGrace, defaultRegistration, tombstone,
                maxCalls, maxRingingPerUser, use);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
