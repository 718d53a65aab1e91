package io.offhook.remote;

import java.time.Duration;
import java.util.Objects;

/**
 * How remote control and user activity behave (keys {@code remote-control.*} and {@code activity.*}, documented in
 * {@code etc/offhook.conf}).
 *
 * @param fallback what shows a call on the clients remote control cannot reach ({@code remote-control.fallback})
 * @param timeout how long one privileged IQ may go unanswered ({@code remote-control.timeout}); Prosody's own limit
 *     is 120 s, so keep it below that
 * @param maxInFlight privileged IQs outstanding at once, remote control and activity together
 *     ({@code remote-control.max-in-flight}); the rest wait their turn
 * @param retries how often a failed restore (or activity retraction) is tried again before Offhook gives up and
 *     logs it ({@code remote-control.retries})
 * @param activityDefault whether users whose mapping line has no {@code activity=} publish their activity
 *     ({@code activity.default})
 */
public record RemoteSettings(Fallback fallback, Duration timeout, int maxInFlight, int retries,
                             boolean activityDefault) {
    /** The documented defaults. */
    public static final RemoteSettings DEFAULTS = new RemoteSettings(Fallback.OVERLAY, Duration.ofSeconds(10), 32, 3,
            false);

    public RemoteSettings {
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("remote-control.timeout: must be positive");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("remote-control.max-in-flight: must be at least 1");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("remote-control.retries: must not be negative");
        }
    }
}
