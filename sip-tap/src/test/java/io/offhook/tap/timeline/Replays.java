package io.offhook.tap.timeline;

import io.offhook.tap.capture.CaptureReader;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Replays a capture fixture through a pipeline with a recorder beside it, as {@code replay --timeline} does. */
final class Replays {
    private Replays() {
    }

    static Timeline timeline(String fixture, TimelineLimits limits) {
        TimelineRecorder recorder = new TimelineRecorder(limits);
        DropCounters drops = new DropCounters();
        TapPipeline pipeline = TapPipeline.onPacketTime(new PhoneTracker(TrackerConfig.DEFAULTS, recorder, drops),
                drops);
        try (InputStream in = Replays.class.getResourceAsStream("/captures/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + fixture);
            }
            new CaptureReader().read(in, fixture, recorder.around(pipeline), drops);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return recorder.timeline();
    }
}
