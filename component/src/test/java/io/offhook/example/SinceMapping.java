package io.offhook.example;

import io.offhook.presence.CallView;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PhoneStatus;
import io.offhook.presence.PresenceMapping;
import io.offhook.presence.Show;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The README's example of a presence mapping of one's own: says since when the user is on the phone ("On the
 * phone since 14:05"), treats a held call as "back in a moment", and hides an idle phone. Selected with
 * {@code presence.mapping = since}; reads {@code presence.since.zone} (default UTC).
 */
public final class SinceMapping implements PresenceMapping {
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");
    private ZoneId zone = ZoneId.of("UTC");

    @Override
    public String name() {
        return "since";
    }

    @Override
    public void configure(Map<String, String> settings) {
        String z = settings.get("presence.since.zone");
        if (z != null) {
            try {
                zone = ZoneId.of(z);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("presence.since.zone: '" + z + "' is not a time zone", e);
            }
        }
    }

    @Override
    public PhonePresence map(PhoneStatus status) {
        return switch (status.state()) {
            case OFFLINE, AVAILABLE -> PhonePresence.NONE;
            case DIALING, RINGING -> PhonePresence.busy(Show.AWAY, "Phone ringing", 10);
            case ON_HOLD -> PhonePresence.busy(Show.AWAY, "Back in a moment", 10);
            case ON_THE_PHONE -> {
                CallView first = status.calls().isEmpty() ? null : status.calls().get(0);
                String since = first == null ? "" : " since " + HH_MM.format(first.started().atZone(zone));
                yield PhonePresence.busy(Show.DND, "On the phone" + since, 10);
            }
        };
    }
}
