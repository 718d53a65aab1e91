package io.offhook.tap.packet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * One SIP message as it was seen on the wire: when, between which addresses, over which transport, and its bytes.
 *
 * <p>Sources hand ownership of {@code data} to the packet: nobody writes to the array afterwards, which keeps the
 * packet immutable without a defensive copy on the hot path. Addresses are kept as raw bytes (4 or 16), which
 * nobody writes to either (so several packets may share them), and only turned into {@link InetAddress} on request,
 * because the tracker rarely needs them.
 */
public final class SipPacket {
    private final long timeMicros;
    private final Transport transport;
    private final byte[] sourceAddress;
    private final int sourcePort;
    private final byte[] destinationAddress;
    private final int destinationPort;
    private final byte[] data;
    private final int offset;
    private final int length;

    /**
     * @param timeMicros when the message was seen, microseconds since the epoch (packet time in replays)
     * @param sourceAddress 4 or 16 address bytes, or an empty array when unknown
     * @param destinationAddress 4 or 16 address bytes, or an empty array when unknown
     * @param data the SIP message bytes, owned by this packet from now on
     */
    public SipPacket(long timeMicros, Transport transport, byte[] sourceAddress, int sourcePort,
                     byte[] destinationAddress, int destinationPort, byte[] data, int offset, int length) {
        this.timeMicros = timeMicros;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.sourceAddress = Objects.requireNonNull(sourceAddress, "sourceAddress");
        this.sourcePort = sourcePort;
        this.destinationAddress = Objects.requireNonNull(destinationAddress, "destinationAddress");
        this.destinationPort = destinationPort;
        this.data = Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
        this.offset = offset;
        this.length = length;
    }

    /** A packet whose addresses are unknown (tests, SIP read from elsewhere). */
    public static SipPacket of(long timeMicros, byte[] data) {
        return new SipPacket(timeMicros, Transport.UDP, new byte[0], 0, new byte[0], 0, data, 0, data.length);
    }

    public long timeMicros() {
        return timeMicros;
    }

    public Transport transport() {
        return transport;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    /** The source address, or {@code null} when the source did not know it. */
    public InetAddress sourceAddress() {
        return toAddress(sourceAddress);
    }

    /** The destination address, or {@code null} when the source did not know it. */
    public InetAddress destinationAddress() {
        return toAddress(destinationAddress);
    }

    /** The backing array of the SIP bytes; read it between {@link #offset()} and {@code offset() + length()}. */
    public byte[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    private static InetAddress toAddress(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            return null;
        }
        try {
            return InetAddress.getByAddress(raw.clone());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }

    @Override
    public String toString() {
        return "SipPacket[" + timeMicros + "us " + transport + " " + sourceAddress() + ":" + sourcePort
                + " -> " + destinationAddress() + ":" + destinationPort + ", " + length + " bytes]";
    }
}
