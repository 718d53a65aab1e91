package io.offhook.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot on disk: written whole or not at all, private, and a bad one set aside instead of stopping a start. */
class SnapshotFileTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void savedThenLoadedInAFolderItCreatesReadableByItsOwnerOnly() throws IOException {
        Path file = dir.resolve("state/offhook.snapshot");
        byte[] bytes = SnapshotCodec.encode(SnapshotCodecTest.sample());
        SnapshotFile.save(file, bytes);
        assertEquals(Optional.of(SnapshotCodecTest.sample()), SnapshotFile.load(file, CLOCK));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("offhook.snapshot"), names(), "no temporary file stays behind");
        // A second save replaces the first.
        byte[] other = SnapshotCodec.encode(new Snapshot(io.offhook.tap.track.TrackerSnapshot.empty(1), List.of()));
        SnapshotFile.save(file, other);
        assertArrayEquals(other, Files.readAllBytes(file));
    }

    @Test
    void noFileYetIsAFirstStart() {
        assertEquals(Optional.empty(), SnapshotFile.load(dir.resolve("state/offhook.snapshot"), CLOCK));
    }

    @Test
    void aDamagedFileIsSetAsideWithTheTimeAndOffhookStartsEmpty() throws IOException {
        Path file = dir.resolve("state/offhook.snapshot");
        byte[] bytes = SnapshotCodec.encode(SnapshotCodecTest.sample());
        SnapshotFile.save(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals(Optional.empty(), SnapshotFile.load(file, CLOCK));
        assertEquals(List.of("offhook.snapshot.bad-20261125T120000Z"), names());
        // The same again within the second: a second name, nothing overwritten.
        Files.writeString(file, "junk", StandardCharsets.UTF_8);
        assertEquals(Optional.empty(), SnapshotFile.load(file, CLOCK));
        assertEquals(List.of("offhook.snapshot.bad-20261125T120000Z", "offhook.snapshot.bad-20261125T120000Z-1"),
                names());
        assertEquals("junk", Files.readString(dir.resolve("state/offhook.snapshot.bad-20261125T120000Z-1")));
    }

    @Test
    void aWriteACrashInterruptedIsCleanedUpAndTheOldSnapshotStillLoads() throws IOException {
        Path file = dir.resolve("state/offhook.snapshot");
        SnapshotFile.save(file, SnapshotCodec.encode(SnapshotCodecTest.sample()));
        Files.write(dir.resolve("state/.offhook.snapshot.123456.tmp"), new byte[] {1, 2, 3});
        assertTrue(SnapshotFile.load(file, CLOCK).isPresent());
        assertEquals(List.of("offhook.snapshot"), names());
    }

    @Test
    void aFolderThatCannotBeWrittenIsAnErrorForTheCallerToReport() throws IOException {
        Path blocker = dir.resolve("state");
        Files.writeString(blocker, "a file where the folder should be");
        assertThrows(IOException.class, () -> SnapshotFile.save(blocker.resolve("offhook.snapshot"), new byte[1]));
        assertFalse(Files.isDirectory(blocker));
    }
}
