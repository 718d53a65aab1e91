package io.offhook.tap.publish;

import java.util.List;
import java.util.Locale;

/**
 * The event packages (RFC 6665 section 7, formerly RFC 3265) whose state Offhook accepts, each with the one body
 * type it reads and its default publication lifetime.
 */
public enum EventPackage {
    /** RFC 3856 presence, published as PIDF (RFC 3863) with RPID (RFC 4480). */
    PRESENCE("presence", "application/pidf+xml"),
    /** RFC 4235 dialog state, published as dialog-info. */
    DIALOG("dialog", "application/dialog-info+xml");

    /** Lifetime of a publication whose PUBLISH has no Expires: RFC 3856 and RFC 4235 both default to an hour. */
    public static final int DEFAULT_EXPIRES_SECONDS = 3600;
    /** The package names, for Allow-Events. */
    public static final List<String> NAMES = List.of("presence", "dialog");

    private final String eventName;
    private final String contentType;

    EventPackage(String eventName, String contentType) {
        this.eventName = eventName;
        this.contentType = contentType;
    }

    /** The package's name in the Event header. */
    public String eventName() {
        return eventName;
    }

    /** The body type read for it ({@code type/subtype}, lower case). */
    public String contentType() {
        return contentType;
    }

    /**
     * The package an Event header's type names (parameters already removed; compared ignoring case), or
     * {@code null} when Offhook does not take it ({@code presence.winfo}, {@code message-summary}, ...).
     */
    public static EventPackage of(String eventType) {
        if (eventType == null) {
            return null;
        }
        String t = eventType.strip().toLowerCase(Locale.ROOT);
        for (EventPackage p : values()) {
            if (p.eventName.equals(t)) {
                return p;
            }
        }
        return null;
    }
}
