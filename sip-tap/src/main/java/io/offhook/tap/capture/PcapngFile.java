package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks in one or more sections, each section with its own byte
 * order and its own interfaces (link type, time stamp resolution {@code if_tsresol} in powers of 10 or 2, offset
 * {@code if_tsoffset}). Packets come from Enhanced, Simple and obsolete Packet Blocks; every other block is skipped
 * by its length. A packet block that is inconsistent inside a well-framed block is counted and skipped; a block
 * whose length cannot be trusted ends the reading, counted as {@link DropReason#CAPTURE_TRUNCATED}.
 */
final class PcapngFile {
    static final int SECTION_HEADER = 0x0a0d0d0a;
    private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    private static final int INTERFACE_DESCRIPTION = 1;
    private static final int OBSOLETE_PACKET = 2;
    private static final int SIMPLE_PACKET = 3;
    private static final int ENHANCED_PACKET = 6;
    private static final int OPTION_END = 0;
    private static final int OPTION_TSRESOL = 9;
    private static final int OPTION_TSOFFSET = 14;
    /** Larger blocks are skipped unread, so damage cannot make the reader allocate without bound. */
    private static final int MAX_BLOCK = 16 * 1024 * 1024;

    private PcapngFile() {
    }

    /**
     * Reads everything after the first four bytes (the Section Header Block type).
     *
     * @throws CaptureFormatException when the first section's byte-order magic is wrong: not pcapng after all
     */
    static void read(CaptureInput in, String name, DropCounters drops, FrameSink sink) throws IOException {
        new Reader(in, name, drops, sink).run();
    }

    /** How one interface's time stamps turn into microseconds since the epoch. */
    record TimeScale(int resolution, long offsetSeconds) {
        static final TimeScale DEFAULT = new TimeScale(6, 0);
        private static final long[] POW10 = new long[19];

        static {
            POW10[0] = 1;
            for (int i = 1; i < POW10.length; i++) {
                POW10[i] = POW10[i - 1] * 10;
            }
        }

        long toMicros(long units) {
            int exponent = resolution & 0x7f;
            long micros;
            if ((resolution & 0x80) == 0) { // units of 10^-exponent seconds
                if (exponent >= 6) {
                    micros = exponent - 6 < POW10.length ? Long.divideUnsigned(units, POW10[exponent - 6]) : 0;
                } else {
                    micros = units * POW10[6 - exponent];
                }
            } else if (exponent <= 43) { // units of 2^-exponent seconds; small enough not to overflow
                long whole = units >>> exponent;
                long fraction = units & ((1L << exponent) - 1);
                micros = whole * 1_000_000L + (fraction * 1_000_000L >>> exponent);
            } else {
                micros = new BigInteger(Long.toUnsignedString(units)).multiply(BigInteger.valueOf(1_000_000L))
                        .shiftRight(exponent).longValue();
            }
            return micros + offsetSeconds * 1_000_000L;
        }
    }

    private record Interface(int linkType, TimeScale time) {
    }

    private static final class Reader {
        private final CaptureInput in;
        private final String name;
        private final DropCounters drops;
        private final FrameSink sink;
        private final List<Interface> interfaces = new ArrayList<>();
        private final byte[] head = new byte[12];
        private byte[] body = new byte[4096];
        private boolean bigEndian;
        private long lastMicros;
        private long block;

        Reader(CaptureInput in, String name, DropCounters drops, FrameSink sink) {
            this.in = in;
            this.name = name;
            this.drops = drops;
            this.sink = sink;
        }

        void run() throws IOException {
            boolean first = true;
            while (true) {
                long at = in.position() - (first ? 4 : 0);
                block++;
                int type;
                int have;
                if (first) {
                    type = SECTION_HEADER;
                    have = 4 + in.read(head, 4, 8);
                } else {
                    have = in.read(head, 0, 8);
                    if (have == 0) {
                        return;
                    }
                    type = have >= 4 ? Bytes.i32(head, 0, bigEndian) : 0;
                    if (have == 8 && type == SECTION_HEADER) {
                        have += in.read(head, 8, 4);
                    }
                }
                int headLength = type == SECTION_HEADER ? 12 : 8;
                if (have < headLength) {
                    truncated("block " + block + " at offset " + at + " ends after " + have + " bytes");
                    return;
                }
                if (type == SECTION_HEADER) {
                    int magic = Bytes.i32(head, 8, true);
                    if (magic == BYTE_ORDER_MAGIC || magic == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                        bigEndian = magic == BYTE_ORDER_MAGIC;
                    } else if (first) {
                        throw new CaptureFormatException(name + " is not a capture file: it starts like pcapng"
                                + " but its byte-order magic is " + Bytes.preview(head, 8, 4, 4));
                    } else {
                        truncated("section header at offset " + at + " has byte-order magic "
                                + Bytes.preview(head, 8, 4, 4));
                        return;
                    }
                }
                first = false;
                long length = Bytes.u32(head, 4, bigEndian);
                if (length < 12 || length % 4 != 0 || type == SECTION_HEADER && length < 28) {
                    truncated("block " + block + " at offset " + at + " has the impossible length " + length);
                    return;
                }
                long rest = length - headLength;
                if (!isRead(type) || length > MAX_BLOCK) {
                    if (isRead(type)) {
                        truncated("block " + block + " at offset " + at + " is " + length + " bytes long, over the"
                                + " limit of " + MAX_BLOCK + "; skipped");
                    }
                    if (in.skip(rest) < rest) {
                        truncated("block " + block + " at offset " + at + " ends early");
                        return;
                    }
                    continue;
                }
                int n = (int) rest;
                if (n > body.length) {
                    body = new byte[Math.max(n, body.length * 2)];
                }
                if (in.read(body, 0, n) < n) {
                    truncated("block " + block + " at offset " + at + " ends early (" + length + " bytes announced)");
                    return;
                }
                long trailer = Bytes.u32(body, n - 4, bigEndian);
                if (trailer != length) {
                    truncated("block " + block + " at offset " + at + " has length " + length + " but trailer "
                            + trailer + "; the rest of the file cannot be framed");
                    return;
                }
                block(type, n - 4);
            }
        }

        private static boolean isRead(int type) {
            return type == SECTION_HEADER || type == INTERFACE_DESCRIPTION || type == ENHANCED_PACKET
                    || type == SIMPLE_PACKET || type == OBSOLETE_PACKET;
        }

        /** One well-framed block; {@code body[0, n)} is what follows its type and length (and byte-order magic). */
        private void block(int type, int n) {
            switch (type) {
                case SECTION_HEADER -> interfaces.clear();
                case INTERFACE_DESCRIPTION -> interfaceDescription(n);
                case ENHANCED_PACKET -> {
                    if (n < 20) {
                        damaged("enhanced packet block of " + n + " body bytes");
                        return;
                    }
                    packet(Bytes.u32(body, 0, bigEndian), timestamp(4),
                            Bytes.u32(body, 12, bigEndian), n);
                }
                case OBSOLETE_PACKET -> {
                    if (n < 20) {
                        damaged("packet block of " + n + " body bytes");
                        return;
                    }
                    packet(Bytes.u16(body, 0, bigEndian), timestamp(4),
                            Bytes.u32(body, 12, bigEndian), n);
                }
                case SIMPLE_PACKET -> {
                    if (n < 4) {
                        damaged("simple packet block of " + n + " body bytes");
                        return;
                    }
                    if (interfaces.isEmpty()) {
                        damaged("simple packet block before any interface description");
                        return;
                    }
                    int captured = (int) Math.min(Bytes.u32(body, 0, bigEndian), n - 4);
                    // A simple packet block has no time stamp: it gets the time of the packet before it.
                    sink.frame(interfaces.get(0).linkType(), lastMicros, body, 4, captured);
                }
                default -> throw new IllegalStateException("block type " + type + " is not read");
            }
        }

        /** A time stamp as two 32-bit halves, high first, each in the section's byte order. */
        private long timestamp(int at) {
            return Bytes.u32(body, at, bigEndian) << 32 | Bytes.u32(body, at + 4, bigEndian);
        }

        private void interfaceDescription(int n) {
            if (n < 8) {
                damaged("interface description block of " + n + " body bytes");
                interfaces.add(new Interface(-1, TimeScale.DEFAULT));
                return;
            }
            int linkType = Bytes.u16(body, 0, bigEndian);
            int resolution = 6;
            long offset = 0;
            int q = 8;
            while (q + 4 <= n) {
                int code = Bytes.u16(body, q, bigEndian);
                int length = Bytes.u16(body, q + 2, bigEndian);
                if (code == OPTION_END || q + 4 + length > n) {
                    break;
                }
                if (code == OPTION_TSRESOL && length >= 1) {
                    resolution = Bytes.u8(body, q + 4);
                } else if (code == OPTION_TSOFFSET && length >= 8) {
                    offset = Bytes.i64(body, q + 4, bigEndian);
                }
                q += 4 + (length + 3 & ~3);
            }
            interfaces.add(new Interface(linkType, new TimeScale(resolution, offset)));
        }

        private void packet(long interfaceId, long timestamp, long captured, int n) {
            if (captured > n - 20) {
                damaged("packet block claims " + captured + " captured bytes in a block with room for " + (n - 20));
                return;
            }
            if (interfaceId >= interfaces.size()) {
                damaged("packet block refers to interface " + interfaceId + " but the section describes "
                        + interfaces.size());
                return;
            }
            Interface i = interfaces.get((int) interfaceId);
            lastMicros = i.time().toMicros(timestamp);
            sink.frame(i.linkType(), lastMicros, body, 20, (int) captured);
        }

        private void truncated(String what) {
            drops.drop(DropReason.CAPTURE_TRUNCATED, name + ": " + what);
        }

        private void damaged(String what) {
            drops.drop(DropReason.CAPTURE_TRUNCATED, name + " block " + block + ": " + what);
        }
    }
}
