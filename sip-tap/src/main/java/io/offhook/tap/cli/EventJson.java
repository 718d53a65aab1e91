package io.offhook.tap.cli;

import io.offhook.tap.track.PhoneEvent;
import java.time.Instant;

/**
 * Writes a {@link PhoneEvent} as one line of JSON: {@code time} (ISO-8601, UTC, microseconds), {@code aor},
 * {@code state}, {@code event}, {@code previous}, and when known {@code call_id}, {@code remote}, {@code detail}.
 */
public final class EventJson {
    private EventJson() {
    }

    public static String toJson(PhoneEvent e) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"time\":\"").append(time(e.timeMicros())).append('"');
        field(b, "aor", e.aor());
        field(b, "state", e.state().name());
        field(b, "event", e.type().name());
        field(b, "previous", e.previous().name());
        if (e.callId() != null) {
            field(b, "call_id", e.callId());
        }
        if (e.remote() != null) {
            field(b, "remote", e.remote());
        }
        if (e.detail() != null) {
            field(b, "detail", e.detail());
        }
        return b.append('}').toString();
    }

    static String time(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L)
                .toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":\"");
        escape(b, value);
        b.append('"');
    }

    /** JSON string escaping (RFC 8259 section 7): quotes, backslash and every control character. */
    static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
