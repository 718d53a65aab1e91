package io.offhook.tap.capture;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pcap and pcapng files in memory for tests, in either byte order, so the reader is tested against files
 * whose every byte the test controls. Records the byte offset where each record ends, for truncation tests.
 */
final class CaptureWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean bigEndian;
    private final List<Integer> recordEnds = new ArrayList<>();

    private CaptureWriter(boolean bigEndian) {
        this.bigEndian = bigEndian;
    }

    /** A classic pcap file header; {@code magic} is one of PcapFile's magic numbers. */
    static CaptureWriter pcap(boolean bigEndian, int magic, int linkType) {
        CaptureWriter w = new CaptureWriter(bigEndian);
        w.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(262144).u32(linkType);
        w.recordEnds.add(w.out.size());
        return w;
    }

    /** A pcapng file starting with a section header. */
    static CaptureWriter pcapng(boolean bigEndian) {
        CaptureWriter w = new CaptureWriter(bigEndian);
        w.sectionHeader();
        w.recordEnds.add(w.out.size());
        return w;
    }

    /** A classic pcap record. */
    CaptureWriter record(long seconds, long fraction, byte[] frame) {
        u32((int) seconds).u32((int) fraction).u32(frame.length).u32(frame.length).bytes(frame);
        return ended();
    }

    /** A classic pcap record whose original length is larger than what was captured. */
    CaptureWriter record(long seconds, long fraction, byte[] frame, int originalLength) {
        u32((int) seconds).u32((int) fraction).u32(frame.length).u32(originalLength).bytes(frame);
        return ended();
    }

    /** A new section, possibly in another byte order: later blocks are written in that order. */
    CaptureWriter section(boolean sectionBigEndian) {
        bigEndian = sectionBigEndian;
        sectionHeader();
        return ended();
    }

    private void sectionHeader() {
        block(0x0a0d0d0a, body(bigEndian).u32(0x1a2b3c4d).u16(1).u16(0).u32(-1).u32(-1).bytes());
    }

    /** An interface description; {@code tsresol} &lt; 0 leaves the option out. */
    CaptureWriter interfaceDescription(int linkType, int tsresol, long tsoffset) {
        Body b = body(bigEndian).u16(linkType).u16(0).u32(262144);
        if (tsresol >= 0) {
            b.u16(9).u16(1).u8(tsresol).u8(0).u8(0).u8(0);
        }
        if (tsoffset != 0) {
            b.u16(14).u16(8).u64(tsoffset);
        }
        b.u16(2).u16(2).u8('l').u8('o').u8(0).u8(0); // if_name, an option the reader ignores
        b.u16(0).u16(0);
        block(1, b.bytes());
        return ended();
    }

    CaptureWriter enhancedPacket(int interfaceId, long timestamp, byte[] frame) {
        Body b = body(bigEndian).u32(interfaceId).u32((int) (timestamp >>> 32)).u32((int) timestamp)
                .u32(frame.length).u32(frame.length).raw(frame).pad();
        b.u16(1).u16(3).u8('h').u8('i').u8('!').u8(0).u16(0).u16(0); // a comment option, then end
        block(6, b.bytes());
        return ended();
    }

    /** An enhanced packet block whose captured length claims more than the block holds. */
    CaptureWriter enhancedPacketLying(int interfaceId, byte[] frame, int claimedLength) {
        Body b = body(bigEndian).u32(interfaceId).u32(0).u32(0).u32(claimedLength).u32(claimedLength).raw(frame)
                .pad();
        block(6, b.bytes());
        return ended();
    }

    CaptureWriter simplePacket(byte[] frame) {
        block(3, body(bigEndian).u32(frame.length).raw(frame).pad().bytes());
        return ended();
    }

    CaptureWriter obsoletePacket(int interfaceId, long timestamp, byte[] frame) {
        Body b = body(bigEndian).u16(interfaceId).u16(0).u32((int) (timestamp >>> 32)).u32((int) timestamp)
                .u32(frame.length).u32(frame.length).raw(frame).pad();
        block(2, b.bytes());
        return ended();
    }

    /** A block type the reader does not know (a custom block), to be skipped by its length. */
    CaptureWriter unknownBlock(int type, int bodyLength) {
        block(type, body(bigEndian).raw(new byte[bodyLength]).pad().bytes());
        return ended();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Byte offsets where the file header and each record end, in order. */
    List<Integer> recordEnds() {
        return List.copyOf(recordEnds);
    }

    private CaptureWriter ended() {
        recordEnds.add(out.size());
        return this;
    }

    private void block(int type, byte[] body) {
        int length = 12 + body.length;
        Body b = body(bigEndian);
        b.u32(type).u32(length).raw(body).u32(length);
        byte[] bytes = b.bytes();
        out.write(bytes, 0, bytes.length);
    }

    private CaptureWriter u32(int v) {
        return bytes(body(bigEndian).u32(v).bytes());
    }

    private CaptureWriter u16(int v) {
        return bytes(body(bigEndian).u16(v).bytes());
    }

    private CaptureWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    private static Body body(boolean order) {
        return new Body(order);
    }

    /** Integers in one byte order. */
    static final class Body {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();
        private final boolean bigEndian;

        Body(boolean bigEndian) {
            this.bigEndian = bigEndian;
        }

        Body u8(int v) {
            b.write(v);
            return this;
        }

        Body u16(int v) {
            if (bigEndian) {
                b.write(v >>> 8);
                b.write(v);
            } else {
                b.write(v);
                b.write(v >>> 8);
            }
            return this;
        }

        Body u32(int v) {
            if (bigEndian) {
                u16(v >>> 16).u16(v & 0xffff);
            } else {
                u16(v & 0xffff).u16(v >>> 16);
            }
            return this;
        }

        Body u64(long v) {
            if (bigEndian) {
                u32((int) (v >>> 32)).u32((int) v);
            } else {
                u32((int) v).u32((int) (v >>> 32));
            }
            return this;
        }

        Body raw(byte[] bytes) {
            b.write(bytes, 0, bytes.length);
            return this;
        }

        Body pad() {
            while (b.size() % 4 != 0) {
                b.write(0);
            }
            return this;
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
