package io.offhook.mapping;

import io.offhook.mapping.MappingException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Watches the mapping file and reloads it on change, so that an operator adds a user without a restart.
 *
 * <p>It polls: every interval it reads the file by its path and compares the content's SHA-256 with what it read
 * before. Reading by path sees a file that an editor replaced by renaming a new one over it (a watch on the old
 * inode would not), and comparing content sees an edit that kept size and modification time (which has a
 * granularity of a second or more on some file systems); a {@code touch} alone reloads nothing. A change is acted
 * on once two polls in a row saw it, so that a file caught half-written (truncated, then written) is never loaded:
 * an edit takes effect one to two intervals after it is saved. A broken edit, an unreadable or a deleted file keeps
 * the last good map and logs a WARN naming {@code FILE:LINE}, once per change; the next good edit is loaded as
 * usual.
 *
 * <p>Thread-safe. {@code onChange} runs on the scheduler's thread after each good reload, one at a time; it should
 * hand the map over and return.
 */
public final class MappingReloader implements AutoCloseable {
    /** The poll interval when the config names none. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    /** Larger files are refused: a mapping for a million users is far smaller. */
    static final int MAX_FILE_BYTES = 16 << 20;

    private static final Logger LOG = LogManager.getLogger(MappingReloader.class);

    private final Path file;
    private final NumberPlan plan;
    private final Consumer<IdentityMap> onChange;
    private final ScheduledExecutorService scheduler;
    private final Duration pollInterval;
    private final Object lock = new Object();

    private volatile IdentityMap current = IdentityMap.empty();
    // Guarded by lock. What the last poll saw (a content digest, or why there was none), and what was acted on:
    private String lastSeen;
    private String lastActedOn;
    private boolean failing;
    private boolean loaded;
    private long loads;
    private long failures;
    private String lastError;
    private ScheduledFuture<?> task;
    private boolean closed;

    /**
     * @param file the mapping file
     * @param plan how the deployment's telephone numbers are written
     * @param onChange told of each new map after a good reload (not of the one {@link #loadInitial()} returns)
     * @param scheduler runs the polls; not shut down by {@link #close()}
     * @param pollInterval how often to look, e.g. {@link #DEFAULT_POLL_INTERVAL}
     */
    public MappingReloader(Path file, NumberPlan plan, Consumer<IdentityMap> onChange,
            ScheduledExecutorService scheduler, Duration pollInterval) {
        this.file = Objects.requireNonNull(file, "file");
        this.plan = Objects.requireNonNull(plan, "plan");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("mapping file poll interval must be positive, not " + pollInterval);
        }
    }

    /**
     * Loads the file at start: unlike a later edit, a broken file here stops the start, since there is no good
     * mapping to keep.
     *
     * @throws MappingException naming every problem as {@code FILE:LINE: what is wrong: the bad text}
     * @throws IOException when the file cannot be read, naming it
     */
    public IdentityMap loadInitial() throws MappingException, IOException {
        synchronized (lock) {
            byte[] content;
            try {
                content = read();
            } catch (NoSuchFileException e) {
                throw new IOException("mapping file " + file + " does not exist", e);
            } catch (IOException e) {
                throw new IOException("cannot read mapping file " + file + ": " + e, e);
            }
            IdentityMap map = MappingFile.parse(content, file.toString(), plan);
            lastSeen = HexFormat.of().formatHex(digest(content));
            lastActedOn = lastSeen;
            current = map;
            loaded = true;
            loads++;
            LOG.info("Loaded mapping file {}: {}", file, map);
            return map;
        }
    }

    /**
     * Starts polling every interval; once only.
     *
     * @throws IllegalStateException before {@link #loadInitial()} or after {@link #close()}
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("mapping reloader for " + file + " is closed");
            }
            if (!loaded) {
                throw new IllegalStateException("load the mapping file " + file + " before watching it");
            }
            if (task == null) {
                long millis = Math.max(1, pollInterval.toMillis());
                task = scheduler.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Reads the file now, whether or not it changed, instead of at the next polls (an admin asked): a good file
     * replaces the map and is handed to {@code onChange} on the calling thread, as a poll would; a broken one keeps
     * the last good map and is counted as a failure. The polls then take what this call saw as acted on, so the
     * same content is not loaded, nor the same problem reported, twice.
     *
     * @return the new map
     * @throws MappingException naming every problem as {@code FILE:LINE: what is wrong: the bad text}
     * @throws IOException when the file is missing or cannot be read, naming it
     * @throws IllegalStateException before {@link #loadInitial()} or after {@link #close()}
     */
    public IdentityMap reloadNow() throws MappingException, IOException {
        synchronized (lock) {
            if (closed || !loaded) {
                throw new IllegalStateException("mapping reloader for " + file + " is "
                        + (closed ? "closed" : "not loaded yet"));
            }
            byte[] content;
            try {
                content = read();
            } catch (NoSuchFileException e) {
                actedOn(file + ": file is missing");
                throw new IOException("mapping file " + file + " does not exist", e);
            } catch (IOException e) {
                actedOn(file + ": cannot read: " + e);
                throw new IOException("cannot read mapping file " + file + ": " + e, e);
            } catch (MappingException e) {
                actedOn(e.getMessage());
                throw e;
            }
            lastSeen = HexFormat.of().formatHex(digest(content));
            lastActedOn = lastSeen;
            IdentityMap map;
            try {
                map = MappingFile.parse(content, file.toString(), plan);
            } catch (MappingException e) {
                fail(e.getMessage());
                throw e;
            }
            current = map;
            loads++;
            failing = false;
            LOG.info("Reloaded mapping file {} on request: {}", file, map);
            onChange.accept(map);
            return map;
        }
    }

    /** Records a problem seen outside a poll as what the polls have seen and acted on, and as a failure. */
    private void actedOn(String problem) {
        lastSeen = problem;
        lastActedOn = problem;
        fail(problem);
    }

    /** The last good map: from {@link #loadInitial()} or a later good reload; empty before the first. */
    public IdentityMap current() {
        return current;
    }

    /** How reloading has gone so far. */
    public ReloadStats stats() {
        synchronized (lock) {
            return new ReloadStats(loads, failures, Optional.ofNullable(lastError), failing);
        }
    }

    /** Stops polling; a poll under way finishes. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (task != null) {
                task.cancel(false);
            }
        }
    }

    /** A poll that never throws: an exception would end the scheduled task for good. */
    private void poll() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            LOG.error("Polling mapping file {} failed; will try again", file, e);
        }
    }

    /**
     * Looks at the file once. What it sees (the content's digest, or why there is none) is acted on only when the
     * poll before saw the same: a file caught half-written is never loaded, nor a missing file reported while an
     * editor swaps it.
     */
    void pollOnce() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            byte[] content = null;
            String seen;
            try {
                content = read();
                seen = HexFormat.of().formatHex(digest(content));
            } catch (NoSuchFileException e) {
                seen = file + ": file is missing";
            } catch (IOException e) {
                seen = file + ": cannot read: " + e;
            } catch (MappingException e) {
                seen = e.getMessage();
            }
            boolean settled = seen.equals(lastSeen);
            lastSeen = seen;
            if (!settled || seen.equals(lastActedOn)) {
                return;
            }
            lastActedOn = seen;
            if (content == null) {
                fail(seen);
                return;
            }
            IdentityMap map;
            try {
                map = MappingFile.parse(content, file.toString(), plan);
            } catch (MappingException e) {
                fail(e.getMessage());
                return;
            }
            current = map;
            loads++;
            failing = false;
            LOG.info("Reloaded mapping file {}: {}", file, map);
            try {
                onChange.accept(map);
            } catch (RuntimeException e) {
                LOG.error("Handing over the reloaded mapping of {} failed", file, e);
            }
        }
    }

    /** Records a failed reload: once per change of the file, not on every poll while it lasts. */
    private void fail(String problem) {
        failing = true;
        lastError = problem;
        failures++;
        LOG.warn("Mapping file unusable, keeping the last good mapping ({}):\n{}", current, problem);
    }

    /** The whole file, at most {@link #MAX_FILE_BYTES}. */
    private byte[] read() throws IOException, MappingException {
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (content.length > MAX_FILE_BYTES) {
            throw new MappingException(List.of(new Problem(file.toString(), 0, 0,
                    "larger than " + (MAX_FILE_BYTES >> 20) + " MiB", "")), 0);
        }
        return content;
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
