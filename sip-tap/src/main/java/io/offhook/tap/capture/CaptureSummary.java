package io.offhook.tap.capture;

/**
 * What reading one capture produced, so a replay can say how much it saw and over which span of time.
 *
 * @param name the name the caller gave the input (usually the file name)
 * @param format the detected container format
 * @param records packet records read (frames handed to the frame decoder), damaged ones not included
 * @param sipMessages SIP messages delivered to the listener
 * @param firstTimeMicros time of the first record, microseconds since the epoch; 0 when {@code records == 0}
 * @param lastTimeMicros time of the last record, microseconds since the epoch; 0 when {@code records == 0}
 * @param bytes bytes read from the input
 */
public record CaptureSummary(String name, CaptureFormat format, long records, long sipMessages,
                             long firstTimeMicros, long lastTimeMicros, long bytes) {
}
