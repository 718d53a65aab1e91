package io.offhook.tap.capture;

/**
 * Told how far reading a capture has got, so a long replay can show progress. Called on the reading thread every
 * so many records and once at the end.
 */
@FunctionalInterface
public interface CaptureProgress {
    /** Progress that nobody watches. */
    CaptureProgress NONE = (records, bytes) -> { };

    /**
     * @param records packet records read so far
     * @param bytes bytes read from the input so far
     */
    void onProgress(long records, long bytes);
}
