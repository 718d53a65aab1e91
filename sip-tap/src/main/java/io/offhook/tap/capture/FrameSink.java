package io.offhook.tap.capture;

/** Receives the packet records of a capture file, in file order. The frame bytes are only valid during the call. */
@FunctionalInterface
interface FrameSink {
    void frame(int linkType, long timeMicros, byte[] data, int offset, int length);
}
