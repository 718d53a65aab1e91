package io.offhook.xmpp.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xmpp.packet.Packet;

/** Records the listener calls in order, with the thread that made each, for tests to await. */
final class RecordingListener implements ComponentListener {

    /** One listener call. */
    record Event(String kind, Packet packet, String reason, String thread) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Event> all = new CopyOnWriteArrayList<>();
    private volatile Consumer<Packet> onStanza = packet -> { };
    private volatile Runnable onConnected = () -> { };

    void onStanza(Consumer<Packet> action) {
        this.onStanza = action;
    }

    void onConnected(Runnable action) {
        this.onConnected = action;
    }

    @Override
    public void connected() {
        record(new Event("connected", null, null, Thread.currentThread().getName()));
        onConnected.run();
    }

    @Override
    public void stanza(Packet packet) {
        record(new Event("stanza", packet, null, Thread.currentThread().getName()));
        onStanza.accept(packet);
    }

    @Override
    public void disconnected(String reason) {
        record(new Event("disconnected", null, reason, Thread.currentThread().getName()));
    }

    private void record(Event event) {
        all.add(event);
        events.add(event);
    }

    /** Every call so far, in order. */
    List<Event> all() {
        return new ArrayList<>(all);
    }

    /** The next call, which must be of the given kind; earlier calls have been taken already. */
    Event next(String kind, Duration timeout) throws InterruptedException {
        Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no listener call within " + timeout + "; expected " + kind + "; calls: " + all);
        }
        if (!event.kind().equals(kind)) {
            throw new AssertionError("expected " + kind + " but got " + event + "; calls: " + all);
        }
        return event;
    }
}
