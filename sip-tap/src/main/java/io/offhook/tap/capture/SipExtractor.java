package io.offhook.tap.capture;

import io.offhook.tap.hep.HepDecoder;
import io.offhook.tap.hep.HepException;
import io.offhook.tap.hep.HepPacket;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * From captured frames to SIP packets: decodes each frame ({@link FrameDecoder}), puts IP fragments together
 * ({@link IpReassembler}), takes one SIP message from each UDP datagram, reassembles TCP ({@link TcpReassembler}),
 * and unwraps HEP. Shared by the file reader and live
 * capture so both treat the same bytes the same way. Not thread-safe: one instance per source thread.
 */
final class SipExtractor implements TcpReassembler.Sink {
    private final String source;
    private final PacketListener listener;
    private final DropCounters drops;
    private final TcpReassembler tcp;
    private final IpReassembler fragments;
    private long emitted;

    /**
     * @param source names the input in drop details (file name or interface)
     */
    SipExtractor(String source, PacketListener listener, DropCounters drops, ReassemblyLimits limits) {
        this.source = source;
        this.listener = listener;
        this.drops = drops;
        this.tcp = new TcpReassembler(limits, drops, source, this);
        this.fragments = new IpReassembler(drops, source);
    }

    /**
     * One captured frame.
     *
     * @param record the 1-based record number within the source, for drop details
     */
    void frame(int linkType, long timeMicros, byte[] data, int offset, int length, long record) {
        Segment s = FrameDecoder.decode(linkType, data, offset, length, timeMicros, drops, source, record, fragments);
        if (s == null) {
            return;
        }
        if (s.transport() == Transport.UDP) {
            udp(s, timeMicros, record);
        } else {
            tcp.segment(new FlowKey(s.source(), s.sourcePort(), s.destination(), s.destinationPort()), timeMicros,
                    s.sequence(), s.tcpFlags(), s.data(), s.offset(), s.length());
        }
    }

    /** The source ended: finish every TCP stream, give up every datagram still waiting for fragments. */
    void finish(long timeMicros) {
        fragments.finish();
        tcp.finish(timeMicros);
    }

    /** SIP messages delivered to the listener so far. */
    long emitted() {
        return emitted;
    }

    private void udp(Segment s, long timeMicros, long record) {
        byte[] b = s.data();
        int end = s.offset() + s.length();
        if (HepDecoder.looksLikeHep(b, s.offset(), s.length())) {
            hep(Arrays.copyOfRange(b, s.offset(), end), timeMicros, () -> source + " record " + record + ": UDP "
                    + Bytes.address(s.source()) + ":" + s.sourcePort() + " -> " + Bytes.address(s.destination())
                    + ":" + s.destinationPort());
            return;
        }
        int p = SipFraming.skipCrlf(b, s.offset(), end);
        if (p == end || isStun(b, s.offset(), s.length())) {
            return; // CRLF or STUN keep-alive (RFC 5626) or empty datagram: nothing to tell
        }
        int lf = SipFraming.lineFeed(b, p, Math.min(end, p + SipFraming.MAX_START_LINE));
        if (lf < 0 || !SipFraming.isStartLine(b, p, lf)) {
            drops.drop(DropReason.NOT_SIP, source + " record " + record + ": UDP " + Bytes.address(s.source()) + ":"
                    + s.sourcePort() + " -> " + Bytes.address(s.destination()) + ":" + s.destinationPort()
                    + " is neither SIP nor HEP: " + Bytes.preview(b, s.offset(), s.length(), 24));
            return;
        }
        emit(new SipPacket(timeMicros, Transport.UDP, s.source(), s.sourcePort(), s.destination(),
                s.destinationPort(), Arrays.copyOfRange(b, p, end), 0, end - p));
    }

    /**
     * A STUN message (RFC 5389: two zero bits, the magic cookie, a length that accounts for the datagram): the
     * keep-alive that SIP Outbound (RFC 5626 section 4.4.2) sends over UDP on the SIP flow itself, normal traffic
     * on a proxy port, not damaged SIP.
     */
    private static boolean isStun(byte[] b, int off, int len) {
        return len >= 20 && (b[off] & 0xc0) == 0 && Bytes.i32(b, off + 4) == 0x2112a442
                && Bytes.u16(b, off + 2) == len - 20 && (len & 3) == 0;
    }

    @Override
    public void sip(FlowKey flow, long timeMicros, byte[] message) {
        emit(new SipPacket(timeMicros, Transport.TCP, flow.source(), flow.sourcePort(), flow.destination(),
                flow.destinationPort(), message, 0, message.length));
    }

    @Override
    public void hep(FlowKey flow, long timeMicros, byte[] frame) {
        hep(frame, timeMicros, () -> source + ": " + flow);
    }

    /**
     * A HEP packet found in a capture (a mirror's traffic captured on its way to the collector): its SIP payload
     * with the addresses, ports, transport and time the HEP header carries; the record's time when it has none.
     *
     * @param packet the whole HEP packet, a fresh array the emitted SIP packet may share
     */
    private void hep(byte[] packet, long timeMicros, Supplier<String> where) {
        HepPacket hep;
        try {
            hep = HepDecoder.decode(packet, 0, packet.length);
        } catch (HepException e) {
            drops.drop(e.reason(), where.get() + ": " + e.getMessage());
            return;
        }
        if (!hep.isSip()) {
            drops.drop(DropReason.HEP_NOT_SIP, where.get() + ": HEP payload type " + hep.payloadType());
            return;
        }
        emit(hep.toSipPacket(timeMicros));
    }

    private void emit(SipPacket packet) {
        emitted++;
        listener.onPacket(packet);
    }
}
