package io.offhook.tap.cli;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventListener;
import java.io.IOException;
import java.io.Writer;

/**
 * Prints events as JSON lines (state changes only, or every event). A write failure (a closed pipe) is kept, not
 * thrown into the tracker, and stops further writes: the command asks {@link #failure()} and exits with an error.
 */
final class JsonLinePrinter implements PhoneEventListener {
    private final Writer out;
    private final boolean allEvents;
    private final boolean flushEachLine;
    private volatile IOException failure;

    JsonLinePrinter(Writer out, boolean allEvents, boolean flushEachLine) {
        this.out = out;
        this.allEvents = allEvents;
        this.flushEachLine = flushEachLine;
    }

    @Override
    public void onEvent(PhoneEvent e) {
        if (failure != null || !(allEvents || e.changesState())) {
            return;
        }
        try {
            out.write(EventJson.toJson(e));
            out.write('\n');
            if (flushEachLine) {
                out.flush();
            }
        } catch (IOException ex) {
            failure = ex;
        }
    }

    /** The first write failure, or {@code null}. */
    IOException failure() {
        return failure;
    }
}
