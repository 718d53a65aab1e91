package io.offhook.tap.capture;

import io.offhook.tap.packet.Transport;

/**
 * One UDP datagram or TCP segment taken out of a captured frame. A short-lived view: {@code data} is the caller's
 * frame buffer and is only valid until the next frame; the address arrays are fresh copies.
 *
 * @param transport {@link Transport#UDP} or {@link Transport#TCP}
 * @param source 4 or 16 address bytes
 * @param destination 4 or 16 address bytes
 * @param sequence the TCP sequence number, 0 for UDP
 * @param tcpFlags the TCP flags byte ({@link #FIN}, {@link #SYN}, {@link #RST}...), 0 for UDP
 */
record Segment(Transport transport, byte[] source, int sourcePort, byte[] destination, int destinationPort,
               int sequence, int tcpFlags, byte[] data, int offset, int length) {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;

    boolean has(int flag) {
        return (tcpFlags & flag) != 0;
    }
}
