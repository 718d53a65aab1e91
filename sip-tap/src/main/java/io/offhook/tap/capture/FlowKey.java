package io.offhook.tap.capture;

import java.util.Arrays;

/**
 * One direction of a TCP connection: source and destination address and port. Directions are reassembled apart,
 * because each carries its own byte stream.
 */
final class FlowKey {
    private final byte[] source;
    private final int sourcePort;
    private final byte[] destination;
    private final int destinationPort;
    private final int hash;

    FlowKey(byte[] source, int sourcePort, byte[] destination, int destinationPort) {
        this.source = source;
        this.sourcePort = sourcePort;
        this.destination = destination;
        this.destinationPort = destinationPort;
        this.hash = (Arrays.hashCode(source) * 31 + sourcePort) * 961 + Arrays.hashCode(destination) * 31
                + destinationPort;
    }

    byte[] source() {
        return source;
    }

    int sourcePort() {
        return sourcePort;
    }

    byte[] destination() {
        return destination;
    }

    int destinationPort() {
        return destinationPort;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.sourcePort == sourcePort && k.destinationPort == destinationPort
                && Arrays.equals(k.source, source) && Arrays.equals(k.destination, destination);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "TCP " + Bytes.address(source) + ":" + sourcePort + " -> " + Bytes.address(destination) + ":"
                + destinationPort;
    }
}
