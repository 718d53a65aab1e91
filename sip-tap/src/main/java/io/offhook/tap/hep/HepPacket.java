package io.offhook.tap.hep;

import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * One decoded HEP packet: the header properties of the mirrored packet and where its payload lies.
 *
 * <p>Immutable by ownership, like {@link SipPacket}: the decoder does not copy, so {@code data} is the array the
 * packet was decoded from (or a fresh array when the payload was compressed), and whoever decoded it hands that
 * array over and never writes to it again. The address arrays it holds may be shared with other packets (the
 * decoder reuses the arrays of IPv4 addresses it saw recently) and are never written to; {@link #sourceAddress()}
 * and {@link #destinationAddress()} give copies. {@code equals} compares arrays by identity, as records do.
 *
 * @param version HEP version: 1, 2 or 3
 * @param ipFamily address family as sent (2 = IPv4, 10 = IPv6 on the Linux agents that send HEP); 0 if absent
 * @param ipProtocol IP protocol number of the mirrored packet (17 UDP, 6 TCP, 132 SCTP; Kamailio sends 22 for
 *     TLS and WebSocket); 0 if absent
 * @param sourceAddress 4 or 16 address bytes, or empty when the packet had none
 * @param sourcePort source port, 0 if absent
 * @param destinationAddress 4 or 16 address bytes, or empty when the packet had none
 * @param destinationPort destination port, 0 if absent
 * @param timeMicros capture time in microseconds since the epoch, or {@link #UNKNOWN_TIME} (HEPv1, or a HEPv3
 *     packet without a seconds chunk)
 * @param payloadType HEP protocol type of the payload ({@link #PAYLOAD_SIP} for SIP); 0 if absent
 * @param captureId capture agent id (HEPv3: unsigned 32 bits; HEPv2: unsigned 16 bits); 0 if absent
 * @param authKey the auth key chunk as text, {@code null} if none
 * @param correlationId the correlation id chunk as text, {@code null} if none
 * @param data the array holding the payload
 * @param payloadOffset where the payload starts in {@code data}
 * @param payloadLength payload length in bytes
 */
public record HepPacket(
        int version,
        int ipFamily,
        int ipProtocol,
        byte[] sourceAddress,
        int sourcePort,
        byte[] destinationAddress,
        int destinationPort,
        long timeMicros,
        int payloadType,
        long captureId,
        String authKey,
        String correlationId,
        byte[] data,
        int payloadOffset,
        int payloadLength) {

    /** {@link #timeMicros()} when the packet carried no time. */
    public static final long UNKNOWN_TIME = -1;
    /** HEP protocol type of SIP payloads. */
    public static final int PAYLOAD_SIP = 1;
    /** Address family IPv4 (AF_INET). */
    public static final int FAMILY_IPV4 = 2;
    /** Address family IPv6 (Linux AF_INET6, the value HEP agents send). */
    public static final int FAMILY_IPV6 = 10;
    /** IP protocol numbers (IANA) of the transports HEP reports. */
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_SCTP = 132;
    /**
     * Kamailio's marker for TLS and WebSocket: it writes IPPROTO_IDP (22) into HEP for those, and its own HEP
     * receiver reads 22 back as TLS. HEP itself defines no value for TLS.
     */
    public static final int IPPROTO_TLS_KAMAILIO = 22;

    public HepPacket {
        if (version < 1 || version > 3) {
            throw new IllegalArgumentException("HEP version must be 1, 2 or 3: " + version);
        }
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        Objects.requireNonNull(destinationAddress, "destinationAddress");
        checkAddress(sourceAddress, "sourceAddress");
        checkAddress(destinationAddress, "destinationAddress");
        checkPort(sourcePort, "sourcePort");
        checkPort(destinationPort, "destinationPort");
        if (timeMicros < UNKNOWN_TIME) {
            throw new IllegalArgumentException("timeMicros must be >= 0 or UNKNOWN_TIME: " + timeMicros);
        }
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(payloadOffset, payloadLength, data.length);
    }

    private static void checkAddress(byte[] address, String name) {
        if (address.length != 0 && address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException(name + " must have 0, 4 or 16 bytes: " + address.length);
        }
    }

    private static void checkPort(int port, String name) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }

    /** A copy of the source address: 4 or 16 bytes, or empty when the packet had none. */
    @Override
    public byte[] sourceAddress() {
        return sourceAddress.clone();
    }

    /** A copy of the destination address: 4 or 16 bytes, or empty when the packet had none. */
    @Override
    public byte[] destinationAddress() {
        return destinationAddress.clone();
    }

    /** The payload is SIP (protocol type 1; HEPv1 and v2 carry nothing else). */
    public boolean isSip() {
        return payloadType == PAYLOAD_SIP;
    }

    /** The transport of the mirrored packet, from {@link #ipProtocol()}. */
    public Transport transport() {
        switch (ipProtocol) {
            case IPPROTO_UDP:
                return Transport.UDP;
            case IPPROTO_TCP:
                return Transport.TCP;
            case IPPROTO_SCTP:
                return Transport.SCTP;
            case IPPROTO_TLS_KAMAILIO:
                return Transport.TLS;
            default:
                return Transport.OTHER;
        }
    }

    /**
     * The payload as a {@link SipPacket}, sharing {@code data} (no copy). A packet without a time gets time 0;
     * sources that know when the packet arrived should use {@link #toSipPacket(long)}.
     */
    public SipPacket toSipPacket() {
        return toSipPacket(0);
    }

    /**
     * The payload as a {@link SipPacket}, sharing {@code data} (no copy).
     *
     * @param fallbackTimeMicros the time to use when the HEP packet carried none (e.g. the arrival time, or the
     *     capture record's time)
     */
    public SipPacket toSipPacket(long fallbackTimeMicros) {
        long time = timeMicros == UNKNOWN_TIME ? fallbackTimeMicros : timeMicros;
        return new SipPacket(time, transport(), sourceAddress, sourcePort, destinationAddress, destinationPort,
                data, payloadOffset, payloadLength);
    }

    /** Leaves out the auth key (a secret) and the payload bytes. */
    @Override
    public String toString() {
        return "HepPacket[v" + version + " " + transport() + " " + addressText(sourceAddress) + ":" + sourcePort
                + " -> " + addressText(destinationAddress) + ":" + destinationPort + ", time " + timeMicros
                + "us, type " + payloadType + ", capture id " + captureId
                + (authKey != null ? ", auth key set" : "")
                + (correlationId != null ? ", correlation id " + correlationId : "")
                + ", " + payloadLength + " bytes]";
    }

    private static String addressText(byte[] address) {
        if (address.length == 0) {
            return "?";
        }
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }
}
