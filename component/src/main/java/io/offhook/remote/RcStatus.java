package io.offhook.remote;

import io.offhook.presence.Show;
import java.util.Locale;
import java.util.Optional;

/**
 * The values of the {@code status} field of XEP-0146's set-status form (section 4.1): the RFC 6121 show values,
 * with {@code online} for plain available, plus {@code invisible} and {@code offline}, which Offhook never sets.
 */
public enum RcStatus {
    CHAT, ONLINE, AWAY, XA, DND, INVISIBLE, OFFLINE;

    /** The form value, e.g. {@code dnd}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value for a presence show. */
    public static RcStatus of(Show show) {
        return switch (show) {
            case CHAT -> CHAT;
            case AVAILABLE -> ONLINE;
            case AWAY -> AWAY;
            case XA -> XA;
            case DND -> DND;
        };
    }

    /** The presence show of an available status; empty for {@link #INVISIBLE} and {@link #OFFLINE}. */
    public Optional<Show> show() {
        return switch (this) {
            case CHAT -> Optional.of(Show.CHAT);
            case ONLINE -> Optional.of(Show.AVAILABLE);
            case AWAY -> Optional.of(Show.AWAY);
            case XA -> Optional.of(Show.XA);
            case DND -> Optional.of(Show.DND);
            case INVISIBLE, OFFLINE -> Optional.empty();
        };
    }

    /** The status a form value names, exactly as XEP-0146 spells it; empty for anything else. */
    public static Optional<RcStatus> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (RcStatus s : values()) {
            if (s.value().equals(value.trim())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
