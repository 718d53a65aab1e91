package io.offhook.mapping;

import java.util.Objects;
import java.util.Optional;

/**
 * How the mapping file's reloading has gone, for the admin commands and the health check: a file that has been
 * broken for a while is something an operator wants to see without reading logs.
 *
 * @param loads good loads, the first one included
 * @param failures edits that could not be used (broken, unreadable or missing file), each counted once
 * @param lastError the most recent failure's text ({@code FILE:LINE: what is wrong: the bad text}); kept after a
 *        later good load
 * @param failing whether the file as it is now is unusable, so the component runs on an older mapping
 */
public record ReloadStats(long loads, long failures, Optional<String> lastError, boolean failing) {
    /** @throws IllegalArgumentException for negative counts */
    public ReloadStats {
        Objects.requireNonNull(lastError, "lastError");
        if (loads < 0 || failures < 0) {
            throw new IllegalArgumentException("counts are not negative: " + loads + "/" + failures);
        }
    }
}
