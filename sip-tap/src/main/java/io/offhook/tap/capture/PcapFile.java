package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import java.io.IOException;

/**
 * Classic pcap (draft-ietf-opsawg-pcap): a 24-byte file header, then records of a 16-byte header and the frame.
 * Either byte order, microsecond or nanosecond time stamps, and the "modified" variant whose record headers are 24
 * bytes. A record that cannot be framed ends the reading (pcap has nothing to resynchronise on), counted as
 * {@link DropReason#CAPTURE_TRUNCATED}.
 */
final class PcapFile {
    static final int MAGIC_MICRO = 0xa1b2c3d4;
    static final int MAGIC_NANO = 0xa1b23c4d;
    /** Alexey Kuznetzov's patched libpcap: 8 more bytes per record header. */
    static final int MAGIC_MODIFIED = 0xa1b2cd34;

    /** libpcap's largest ordinary snapshot length; records up to this size are always accepted. */
    private static final int USUAL_MAX_RECORD = 262_144;
    /** Above this a record length is damage, whatever the header's snapshot length says. */
    private static final int HARD_MAX_RECORD = 16 * 1024 * 1024;

    private PcapFile() {
    }

    /** Whether the first four bytes (read big-endian) are a classic pcap magic number in either byte order. */
    static boolean isMagic(int magic) {
        return known(magic) || known(Integer.reverseBytes(magic));
    }

    private static boolean known(int m) {
        return m == MAGIC_MICRO || m == MAGIC_NANO || m == MAGIC_MODIFIED;
    }

    /** Reads everything after the four magic bytes. */
    static void read(int magic, CaptureInput in, String name, DropCounters drops, FrameSink sink)
            throws IOException {
        boolean bigEndian = known(magic);
        int m = bigEndian ? magic : Integer.reverseBytes(magic);
        boolean nanos = m == MAGIC_NANO;
        int recordHeader = m == MAGIC_MODIFIED ? 24 : 16;

        byte[] header = new byte[20];
        int n = in.read(header, 0, header.length);
        if (n < header.length) {
            drops.drop(DropReason.CAPTURE_TRUNCATED, name + ": pcap file header ends after " + (4 + n)
                    + " of 24 bytes");
            return;
        }
        long snaplen = Bytes.u32(header, 12, bigEndian);
        int linkType = Bytes.i32(header, 16, bigEndian) & 0xffff; // the upper bits carry FCS information
        int maxRecord = (int) Math.max(USUAL_MAX_RECORD, Math.min(snaplen, HARD_MAX_RECORD));

        byte[] rh = new byte[recordHeader];
        byte[] data = new byte[2048];
        for (long record = 1; ; record++) {
            n = in.read(rh, 0, recordHeader);
            if (n == 0) {
                return;
            }
            if (n < recordHeader) {
                drops.drop(DropReason.CAPTURE_TRUNCATED, name + ": record " + record + " header ends after " + n
                        + " of " + recordHeader + " bytes");
                return;
            }
            long seconds = Bytes.u32(rh, 0, bigEndian);
            long fraction = Bytes.u32(rh, 4, bigEndian);
            long captured = Bytes.u32(rh, 8, bigEndian);
            if (captured > maxRecord) {
                drops.drop(DropReason.CAPTURE_TRUNCATED, name + ": record " + record + " claims " + captured
                        + " bytes, more than the " + maxRecord + " a record can have; the rest of the file"
                        + " cannot be framed");
                return;
            }
            int length = (int) captured;
            if (length > data.length) {
                data = new byte[Math.max(length, Math.min(maxRecord, data.length * 2))];
            }
            n = in.read(data, 0, length);
            if (n < length) {
                drops.drop(DropReason.CAPTURE_TRUNCATED, name + ": record " + record + " data ends after " + n
                        + " of " + length + " bytes");
                return;
            }
            long micros = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
            sink.frame(linkType, micros, data, 0, length);
        }
    }
}
