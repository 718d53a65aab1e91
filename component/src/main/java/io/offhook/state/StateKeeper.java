package io.offhook.state;

import io.offhook.publish.PresenceEngine;
import io.offhook.publish.Publication;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Saves Offhook's state to {@code state.file} and puts it back at start.
 *
 * <p>Saving ({@link #saveIfChanged}, every {@code state.interval} on the scheduler, and {@link #saveNow} on a clean
 * shutdown, after the SIP sources stopped and before the engine takes its presences down): the tracker's and the
 * engine's change counters are read first, and nothing is done while neither moved. Otherwise each part is copied
 * under its owner's lock (the pipeline's, the engine thread's), which takes about as long as copying the maps, and
 * the encoding and the disk writes happen on the calling thread, off the tap's and the engine's.
 */
public final class StateKeeper {
    private static final Logger LOG = LogManager.getLogger(StateKeeper.class);

    /** Runs a task on the presence engine's thread and waits for its answer ({@code EngineLoop::call}). */
    @FunctionalInterface
    public interface Engine {
        <T> T call(Function<PresenceEngine, T> task, Duration timeout) throws InterruptedException, TimeoutException;
    }

    private static final Duration ENGINE_TIMEOUT = Duration.ofSeconds(5);
    /** Start-up waits for the restore (no source may deliver before it): as long as it takes, within reason. */
    private static final int RESTORE_MINUTES = 60;

    private final Path file;
    private final TapPipeline pipeline;
    private final Engine engine;
    private long savedTracker = Long.MIN_VALUE;
    private long savedEngine = Long.MIN_VALUE;
    private String lastFailure;
    private long saves;

    public StateKeeper(Path file, TapPipeline pipeline, Engine engine) {
        this.file = Objects.requireNonNull(file, "file");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Puts a loaded snapshot's tracker part back ({@link TapPipeline#restore}, before any source starts; the
     * engine's part goes in before the engine starts, {@link PresenceEngine#restorePublications}) and says in the
     * log what came back and what had expired meanwhile. It runs on the engine's thread, so that each restored
     * user's event is applied as it is made: a million of them must not overflow the engine's queue, where phone
     * events that find no room are dropped.
     *
     * @throws TimeoutException when the engine did not finish within {@value #RESTORE_MINUTES} minutes
     */
    public static PhoneTracker.Restored restore(Engine engine, TapPipeline pipeline, Snapshot snapshot, Path file,
                                                Clock clock) throws InterruptedException, TimeoutException {
        return engine.call(e -> restore(pipeline, snapshot, file, clock), Duration.ofMinutes(RESTORE_MINUTES));
    }

    private static PhoneTracker.Restored restore(TapPipeline pipeline, Snapshot snapshot, Path file, Clock clock) {
        PhoneTracker.Restored r;
        try {
            r = pipeline.restore(snapshot.tracker());
        } catch (RuntimeException e) {
            // A snapshot that decoded and validated cannot do this; if it does, running beats a restart loop.
            LOG.error("Restoring {} (state.file) failed; Offhook goes on with what was restored", file, e);
            return new PhoneTracker.Restored(0, 0, 0, 0, 0);
        }
        Instant now = clock.instant();
        long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        long taken = snapshot.takenAtMicros();
        long ago = taken == Long.MIN_VALUE ? 0 : (nowMicros - taken) / 1_000_000L;
        LOG.info("Restored from {} (saved {} s ago): {} registrations, {} calls, {} presences shown by the previous "
                + "process; expired meanwhile: {} registrations, {} calls", file, ago, r.bindings(), r.calls(),
                snapshot.publications().size(), r.expiredBindings(), r.expiredCalls());
        return r;
    }

    /** Saves when the tracker or the engine changed since the last save; logs what goes wrong, never throws. */
    public synchronized void saveIfChanged() {
        save(false);
    }

    /** Saves whatever changed (the last save, at a clean shutdown); logs what goes wrong, never throws. */
    public synchronized void saveNow() {
        if (save(true)) {
            LOG.info("Saved the state to {} for the next start", file);
        }
    }

    /** Snapshots written since start. */
    public synchronized long saves() {
        return saves;
    }

    private boolean save(boolean always) {
        try {
            long trackerVersion = pipeline.readTracker(PhoneTracker::changes);
            long engineVersion = engine.call(PresenceEngine::publicationsVersion, ENGINE_TIMEOUT);
            if (!always && trackerVersion == savedTracker && engineVersion == savedEngine) {
                return false;
            }
            TrackerSnapshot tracker = pipeline.readTracker(PhoneTracker::export);
            List<Publication> publications = engine.call(PresenceEngine::publications, ENGINE_TIMEOUT);
            byte[] bytes = SnapshotCodec.encode(new Snapshot(tracker, publications));
            SnapshotFile.save(file, bytes);
            savedTracker = trackerVersion;
            savedEngine = engineVersion;
            saves++;
            if (lastFailure != null) {
                LOG.info("Saving the state to {} works again", file);
                lastFailure = null;
            }
            LOG.debug("Saved {} bytes to {}: {} registrations, {} calls, {} presences", bytes.length, file,
                    tracker.bindings().size(), tracker.calls().size(), publications.size());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException | TimeoutException | RuntimeException e) {
            String why = e.toString();
            if (!why.equals(lastFailure)) {
                LOG.warn("Could not save the state to {} (state.file): {}", file, why);
                lastFailure = why;
            }
            return false;
        }
    }
}
