package io.offhook.tap.cli;

import io.offhook.tap.timeline.Timeline;
import io.offhook.tap.timeline.TimelineHtml;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The file side of {@code replay --timeline}: checked before a long replay starts (a typo in the directory should
 * not cost the whole replay, and a capture must never be overwritten), then written whole or not at all (a
 * temporary file next to it, moved into place).
 */
final class TimelineFile {
    private TimelineFile() {
    }

    /** Why {@code out} cannot be written, or {@code null} when it can. */
    static String check(Path out, List<Path> captures) {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "directory " + dir + " does not exist";
        }
        if (!Files.isWritable(dir)) {
            return "directory " + dir + " is not writable";
        }
        if (Files.isDirectory(out)) {
            return "is a directory";
        }
        for (Path capture : captures) {
            try {
                if (Files.exists(out) && Files.exists(capture) && Files.isSameFile(out, capture)) {
                    return "is one of the captures to replay; it would be overwritten";
                }
            } catch (IOException e) {
                return "cannot compare it with " + capture + ": " + e.getMessage();
            }
        }
        return null;
    }

    static void write(Path out, Timeline timeline, List<Path> captures) throws IOException {
        Path target = out.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp),
                    StandardCharsets.UTF_8), 1 << 16)) {
                TimelineHtml.write(timeline, captures.stream().map(p -> String.valueOf(p.getFileName())).toList(), w);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
