package io.offhook.presence;

import java.util.Locale;
import org.xmpp.packet.Presence;

/**
 * An available presence's {@code show} value (RFC 6121 section 4.7.2.1), ordered by how strongly it keeps people
 * away: a user's own {@link #XA} or {@link #DND} outranks anything the phone would show.
 */
public enum Show {
    /** Eager to chat. */
    CHAT,
    /** Plain available: no {@code show} element. */
    AVAILABLE,
    /** Temporarily away. */
    AWAY,
    /** Away for a long time. */
    XA,
    /** Do not disturb. */
    DND;

    /** Whether this is the user's own "leave me alone" that the phone must never water down. */
    public boolean outranksPhone() {
        return this == XA || this == DND;
    }

    /** The stronger (more "away") of the two. */
    public Show stronger(Show other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** The value Tinder writes, {@code null} for {@link #AVAILABLE}. */
    public Presence.Show toTinder() {
        return switch (this) {
            case CHAT -> Presence.Show.chat;
            case AVAILABLE -> null;
            case AWAY -> Presence.Show.away;
            case XA -> Presence.Show.xa;
            case DND -> Presence.Show.dnd;
        };
    }

    /** The show of an available presence; an unknown value counts as available, as RFC 6121 4.7.2.1 allows. */
    public static Show of(Presence presence) {
        Presence.Show show;
        try {
            show = presence.getShow();
        } catch (IllegalArgumentException unknown) {
            return AVAILABLE;
        }
        if (show == null) {
            return AVAILABLE;
        }
        return switch (show) {
            case chat -> CHAT;
            case away -> AWAY;
            case xa -> XA;
            case dnd -> DND;
        };
    }

    /** The name used in config files: lower case, e.g. {@code dnd}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The show a config file names, ignoring case.
     *
     * @throws IllegalArgumentException naming the valid values
     */
    public static Show parse(String text) {
        for (Show show : values()) {
            if (show.configName().equalsIgnoreCase(text.trim())) {
                return show;
            }
        }
        throw new IllegalArgumentException("unknown show '" + text + "': use chat, available, away, xa or dnd");
    }
}
