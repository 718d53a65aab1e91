package io.offhook.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The snapshot file on disk: the thin adapter around {@link SnapshotCodec}.
 *
 * <p>Writing survives a crash at any instant: the bytes go to a temporary file in the same folder (mode 600: the
 * file names people and their calls), which is fsynced, renamed over the old file (atomic on POSIX file systems),
 * and then the folder is fsynced so the rename itself is on disk. A reader therefore sees the old snapshot or the
 * new one, never a mixture. A temporary file left by a crash mid-write is removed at the next load.
 *
 * <p>Reading never refuses to start Offhook: a missing file is a first start; a file that cannot be believed is
 * reported naming it and why, renamed to {@code FILE.bad-<UTC time>} for a post-mortem, and ignored.
 */
public final class SnapshotFile {
    private static final Logger LOG = LogManager.getLogger(SnapshotFile.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int MAX_ASIDE_NAMES = 100;

    private SnapshotFile() {
    }

    /**
     * The snapshot in {@code file}; empty when there is none yet, or when it cannot be used (then it is logged and
     * set aside).
     *
     * @param clock names the set-aside copy
     */
    public static Optional<Snapshot> load(Path file, Clock clock) {
        removeLeftovers(file);
        byte[] bytes;
        try {
            if (Files.size(file) > SnapshotCodec.MAX_FILE_BYTES) {
                setAside(file, "larger than " + SnapshotCodec.MAX_FILE_BYTES + " bytes", clock);
                return Optional.empty();
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.info("No snapshot at {} yet (state.file): starting empty", file);
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("Cannot read the snapshot {} (state.file): {}; starting empty", file, e.toString());
            return Optional.empty();
        }
        try {
            return Optional.of(SnapshotCodec.decode(bytes));
        } catch (SnapshotFormatException e) {
            setAside(file, e.getMessage(), clock);
            return Optional.empty();
        }
    }

    /** Replaces {@code file} with {@code bytes}, durably and atomically (see the class description). */
    public static void save(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, tempPrefix(file), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // The rename is durable only once the folder's entry is: fsync the folder (works on Linux).
            try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
                folder.force(true);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String tempPrefix(Path file) {
        return "." + file.getFileName() + ".";
    }

    /** Temporary files of writes a crash interrupted. */
    private static void removeLeftovers(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        String prefix = tempPrefix(file);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
                LOG.info("Removed {}, left by a snapshot write that did not finish", p);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove unfinished snapshot writes in {}: {}", dir, e.toString());
        }
    }

    private static void setAside(Path file, String why, Clock clock) {
        String base = file.getFileName() + ".bad-" + STAMP.format(clock.instant());
        Path aside = file.resolveSibling(base);
        for (int i = 1; Files.exists(aside) && i < MAX_ASIDE_NAMES; i++) {
            aside = file.resolveSibling(base + "-" + i);
        }
        try {
            Files.move(file, aside);
            LOG.warn("The snapshot {} (state.file) cannot be used: {}. Kept as {}; Offhook starts without it",
                    file, why, aside);
        } catch (IOException e) {
            LOG.warn("The snapshot {} (state.file) cannot be used: {}. It could not be set aside ({}); Offhook "
                    + "starts without it and overwrites it at the next save", file, why, e.toString());
        }
    }
}
