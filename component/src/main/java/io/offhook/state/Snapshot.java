package io.offhook.state;

import io.offhook.publish.Publication;
import io.offhook.tap.track.TrackerSnapshot;
import java.util.List;
import java.util.Objects;

/**
 * Everything Offhook keeps across a restart: the tracker's registrations and calls, and what the presence engine put
 * up. Immutable; the time is the tracker's ({@link TrackerSnapshot#takenAtMicros()}).
 *
 * @param tracker the tap's registrations and calls
 * @param publications the presences the component put up at contacts
 */
public record Snapshot(TrackerSnapshot tracker, List<Publication> publications) {
    public Snapshot {
        Objects.requireNonNull(tracker, "tracker");
        publications = List.copyOf(publications);
    }

    /** When it was taken, microseconds since the epoch. */
    public long takenAtMicros() {
        return tracker.takenAtMicros();
    }
}
