package io.offhook.remote;

import java.util.Locale;

/**
 * How a remote-control user's call is shown on the clients remote control cannot reach (they do not advertise
 * set-status, refuse it, do not answer, or the server grants no privileged IQ): config key
 * {@code remote-control.fallback}.
 *
 * <p>Decided per client, not per user: people mix clients (a desktop client that offers set-status, a phone app
 * that does not), and a per-user choice would either leave the phone app showing "available" or show the call twice
 * on the desktop. Overlay is per client by nature; the phone resource, one per user, stands in for all unreached
 * clients at once.
 */
public enum Fallback {
    /** Those clients' presence is re-sent with the phone's show and text, as in overlay mode (the default). */
    OVERLAY,
    /** The phone appears as the extra resource, as in resource mode, while any client is not reached. */
    RESOURCE,
    /** Nothing: only the clients that remote control reached show the call. */
    NONE;

    /** The name in the config file: {@code overlay}, {@code resource} or {@code none}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the valid values */
    public static Fallback parse(String text) {
        for (Fallback f : values()) {
            if (f.configName().equalsIgnoreCase(text.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is none of overlay, resource, none");
    }
}
