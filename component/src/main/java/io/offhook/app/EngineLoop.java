package io.offhook.app;

import io.offhook.mapping.IdentityMap;
import io.offhook.metrics.LatencyHistogram;
import io.offhook.publish.Outbox;
import io.offhook.publish.PresenceEngine;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventListener;
import io.offhook.xmpp.stream.ComponentListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.xmpp.packet.Packet;

/**
 * Runs the {@link PresenceEngine} one input at a time, so each user's stanzas leave in the order their causes
 * happened. Stanzas and connection changes (from the XMPP reader thread), mapping reloads and ticks are queued for
 * the loop's own thread; a phone event runs at once on the tap's thread when no earlier event is waiting and the
 * engine is idle (the common case: it saves waking a thread, the largest part of Offhook's latency), and is queued
 * otherwise. Whoever runs the engine holds one lock; what it sends is written as one batch when the queue runs dry
 * (or every 256 stanzas), so a fan-out to hundreds of contacts costs one flush.
 *
 * <p>The queue is bounded. Phone events that find it full are dropped and counted (the tap's thread must never
 * block: it would lose packets instead); stanzas from the server wait, which slows the reader and so the server,
 * as TCP intends. For the same reason the fast path is closed while the server reads slowly: once a write has
 * taken longer than {@link #SLOW_WRITE}, phone events queue for the loop's thread, which alone then waits on the
 * socket, until a write is quick again. The tap's thread so waits at most for the one write that showed the lag.
 */
public final class EngineLoop implements PhoneEventListener, ComponentListener, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(EngineLoop.class);
    private static final int BATCH = 256;
    /** A batch written to a server that keeps up takes tens of microseconds; one this slow means it lags. */
    static final Duration SLOW_WRITE = Duration.ofMillis(1);

    private final BlockingQueue<Runnable> queue;
    private final Duration tickEvery;
    private final List<Packet> batch = new ArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong slowWrites = new AtomicLong();
    private final LongSupplier nanoTime;
    /** The last write took longer than {@link #SLOW_WRITE}: phone events take the queue, not the fast path. */
    private volatile boolean writesSlow;
    /** Phone events taken but not yet applied; the fast path is only for an event with none before it. */
    private final AtomicLong pendingEvents = new AtomicLong();
    /** Held by whichever thread runs the engine: the loop's, or the tap's on the fast path. */
    private final ReentrantLock engineLock = new ReentrantLock();
    private final Latency latency = new Latency(1 << 16);
    private final Latency latencyToWrite = new Latency(1 << 16);
    private final LatencyHistogram histogram = new LatencyHistogram();
    /** Times of the phone events whose stanzas are in the current batch, to measure latency when it is written. */
    private final List<Long> batchEvents = new ArrayList<>();
    private volatile PresenceEngine engine;
    private volatile Consumer<List<Packet>> writer;
    private volatile boolean running;
    private Thread thread;
    private List<Packet> capture;
    private long flushes;
    private long lastDropWarning;

    /**
     * @param capacity how many inputs may wait (key {@code engine.queue})
     * @param tickEvery how often {@link PresenceEngine#tick()} runs
     */
    public EngineLoop(int capacity, Duration tickEvery) {
        this(capacity, tickEvery, System::nanoTime);
    }

    /** As above, timing writes with {@code nanoTime} (tests pass their own). */
    EngineLoop(int capacity, Duration tickEvery, LongSupplier nanoTime) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.tickEvery = tickEvery;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** The outbox to build the engine with: it collects into the current batch, on the loop's thread. */
    public Outbox outbox() {
        return packet -> {
            if (capture != null) {
                capture.add(packet);
                return;
            }
            batch.add(packet);
            if (batch.size() >= BATCH) {
                flush();
            }
        };
    }

    /** Starts the thread; {@code writer} sends a batch to the server (it may drop it while disconnected). */
    public synchronized void start(PresenceEngine engine, Consumer<List<Packet>> writer) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.writer = Objects.requireNonNull(writer, "writer");
        running = true;
        thread = new Thread(this::run, "offhook-engine");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void onEvent(PhoneEvent event) {
        Runnable task = () -> {
            int before = batch.size();
            long sentBefore = flushes;
            engine.phoneEvent(event);
            if (batch.size() > before || flushes != sentBefore) {
                batchEvents.add(event.timeMicros());
            }
            pendingEvents.decrementAndGet();
        };
        pendingEvents.incrementAndGet();
        // The fast path: no earlier event waiting and the engine idle, so this one runs here, on the tap's thread,
        // and is written at once; waking the engine thread would cost more than the work. Earlier events still
        // queued keep their turn: then this one queues too, so one source's events never overtake each other.
        // The engine's own thread (a restore run through call()) never queues for itself: nobody would drain it.
        if ((!writesSlow || engineLock.isHeldByCurrentThread()) && pendingEvents.get() == 1 && engineLock.tryLock()) {
            try {
                if (pendingEvents.get() == 1 && running) {
                    runSafely(task);
                    flush();
                    return;
                }
            } finally {
                engineLock.unlock();
            }
        }
        if (!queue.offer(task)) {
            pendingEvents.decrementAndGet();
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastDropWarning > TimeUnit.SECONDS.toNanos(10)) {
                lastDropWarning = now;
                LOG.warn("Engine queue full (engine.queue): {} phone events dropped so far", n);
            }
        }
    }

    @Override
    public void connected() {
        put(() -> engine.connected());
    }

    @Override
    public void stanza(Packet packet) {
        put(() -> engine.stanza(packet));
    }

    @Override
    public void disconnected(String reason) {
        put(() -> engine.disconnected());
    }

    /** The mapping file changed. */
    public void mappingChanged(IdentityMap map) {
        put(() -> engine.mappingChanged(map));
    }

    /**
     * Runs a task on the engine thread (tests, metrics and admin use this to read state consistently). The
     * timeout covers the wait for room in a full queue too, so a caller is never stuck behind a backlog.
     */
    public <T> T call(java.util.function.Function<PresenceEngine, T> task, Duration timeout)
            throws InterruptedException, TimeoutException {
        CompletableFuture<T> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        Runnable run = () -> {
            try {
                result.complete(task.apply(engine));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (!queue.offer(run, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("the engine's queue stayed full for " + timeout.toMillis() + " ms");
        }
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** From a phone event's HEP packet to its stanzas written, over the latest events that caused any. */
    public Latency latency() {
        return latency;
    }

    /**
     * From a phone event's HEP packet to the write of its stanzas starting: {@link #latency()} without the write
     * call. The two tell Offhook's own work and waiting from a write call that returns late; on a busy machine a
     * write to a loopback socket wakes the XMPP server, which can take the CPU before the call returns, after the
     * bytes have left (see BENCHMARKS.md, presence latency).
     */
    public Latency latencyToWrite() {
        return latencyToWrite;
    }

    /** The same latency as {@link #latency()}, over every event since start, as a histogram for metrics. */
    public LatencyHistogram histogram() {
        return histogram;
    }

    /** Whether the loop's thread is running (it is not before {@link #start} or after {@link #stop}). */
    public synchronized boolean isRunning() {
        return running && thread != null && thread.isAlive();
    }

    /** Phone events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Writes that took longer than {@link #SLOW_WRITE}, each closing the fast path until a write is quick again. */
    public long slowWrites() {
        return slowWrites.get();
    }

    /**
     * Takes everything down: runs {@link PresenceEngine#shutdown()} on the loop thread after what is queued, and
     * returns the stanzas it produced (to be sent before the stream closes) instead of writing them.
     */
    public List<Packet> stop(Duration timeout) throws InterruptedException {
        if (thread == null) {
            return List.of();
        }
        CompletableFuture<List<Packet>> last = new CompletableFuture<>();
        put(() -> {
            flush();
            capture = new ArrayList<>();
            engine.shutdown();
            last.complete(capture);
            running = false;
        });
        try {
            return last.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Engine did not stop within {}: presences may stay up until the server drops them", timeout);
            return List.of();
        } finally {
            close();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(Runnable task) {
        try {
            queue.put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long tickNanos = tickEvery.toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        while (running) {
            Runnable task;
            try {
                long wait = Math.max(0, nextTick - System.nanoTime());
                task = queue.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                break;
            }
            engineLock.lock();
            try {
                if (task != null) {
                    runSafely(task);
                }
                if (queue.isEmpty() || batch.size() >= BATCH) {
                    flush();
                }
                if (System.nanoTime() - nextTick >= 0) {
                    runSafely(engine::tick);
                    flush();
                    nextTick = System.nanoTime() + tickNanos;
                }
            } finally {
                engineLock.unlock();
            }
        }
        engineLock.lock();
        try {
            flush();
        } finally {
            engineLock.unlock();
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("Presence engine failed on one input; it goes on with the next", e);
        }
    }

    private void flush() {
        if (!batch.isEmpty()) {
            List<Packet> out = List.copyOf(batch);
            batch.clear();
            long beforeMicros = batchEvents.isEmpty() ? 0 : epochMicros(Instant.now());
            long start = nanoTime.getAsLong();
            try {
                writer.accept(out);
            } catch (RuntimeException e) {
                LOG.warn("Writing {} stanzas failed: {}", out.size(), e.toString());
            }
            boolean slow = nanoTime.getAsLong() - start > SLOW_WRITE.toNanos();
            if (slow) {
                slowWrites.incrementAndGet();
            }
            writesSlow = slow;
            flushes++;
            if (!batchEvents.isEmpty()) {
                long nowMicros = epochMicros(Instant.now());
                for (long t : batchEvents) {
                    latencyToWrite.record(beforeMicros - t);
                    latency.record(nowMicros - t);
                    histogram.recordMicros(nowMicros - t);
                }
                batchEvents.clear();
            }
        }
    }

    private static long epochMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
