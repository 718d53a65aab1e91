package io.offhook.tap.capture;

/**
 * Bounds on what TCP reassembly may hold, so a capture full of half-open or hostile streams cannot exhaust memory.
 * Worst case held: {@code 2 * maxStreams * maxStreamBytes} bytes (unframed data and out-of-order segments).
 *
 * @param maxStreamBytes bytes one direction of a TCP connection may buffer as unframed data, and again as
 *     out-of-order segments; a SIP message larger than this is dropped as {@code SIP_TOO_LARGE}
 * @param maxStreams directions of TCP connections tracked at once; the one idle the longest is evicted first
 * @param maxPendingSegments out-of-order segments held per stream before the missing one is declared lost
 */
public record ReassemblyLimits(int maxStreamBytes, int maxStreams, int maxPendingSegments) {
    /** 64 KiB per stream, 4096 streams, 64 segments held out of order. */
    public static final ReassemblyLimits DEFAULTS = new ReassemblyLimits(64 * 1024, 4096, 64);

    public ReassemblyLimits {
        if (maxStreamBytes < 1024) {
            throw new IllegalArgumentException("maxStreamBytes must be at least 1024: " + maxStreamBytes);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1: " + maxStreams);
        }
        if (maxPendingSegments < 1) {
            throw new IllegalArgumentException("maxPendingSegments must be at least 1: " + maxPendingSegments);
        }
    }
}
