package io.offhook.metrics;

import java.util.Objects;

/**
 * Whether Offhook can do its job now, and if not, why, in one line (for {@code GET /health}, which a load balancer,
 * systemd watchdog script or Kubernetes probe reads).
 *
 * @param up whether the XMPP link is up and authenticated and the engine runs
 * @param reason {@code ok}, or what is wrong; one line, at most {@link #MAX_REASON} characters
 */
public record Health(boolean up, String reason) {
    /** The longest reason kept; longer ones are cut. */
    public static final int MAX_REASON = 300;

    /** Makes the reason one line of printable text, cut to {@link #MAX_REASON}. */
    public Health {
        Objects.requireNonNull(reason, "reason");
        String line = reason.replaceAll("[\\p{Cntrl}]+", " ").strip();
        reason = line.length() > MAX_REASON ? line.substring(0, MAX_REASON - 3) + "..." : line;
        if (reason.isEmpty()) {
            throw new IllegalArgumentException("a health state needs a reason");
        }
    }

    /** Up. */
    public static Health ok() {
        return new Health(true, "ok");
    }

    /** Down, for {@code reason}. */
    public static Health down(String reason) {
        return new Health(false, reason);
    }
}
