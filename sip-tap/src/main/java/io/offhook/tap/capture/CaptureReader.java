package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.PacketListener;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a capture file (pcap or pcapng, detected from its first bytes) and delivers every SIP message in it, from
 * plain SIP over UDP and TCP and from HEP, to a {@link PacketListener}, with the record's time stamp.
 *
 * <p>Why it behaves as it does: captures given to a replay are often cut short (a capture stopped with kill -9,
 * a file still being written) or damaged; the reader delivers everything before the damage and counts the rest,
 * so a bad tail never costs the good head. Only an input that is not a capture at all is an exception
 * ({@link CaptureFormatException}), because then the operator passed the wrong file.
 *
 * <p>The decoder works on an {@link InputStream}; {@link #read(Path, PacketListener, DropCounters)} is the thin
 * file adapter. An instance holds only configuration and may be shared; each call reads independently.
 */
public final class CaptureReader {
    /** Records between two progress reports by default. */
    public static final int DEFAULT_PROGRESS_INTERVAL = 10_000;

    private final ReassemblyLimits limits;
    private final CaptureProgress progress;
    private final int progressInterval;

    /** Default TCP limits, no progress reports. */
    public CaptureReader() {
        this(ReassemblyLimits.DEFAULTS, CaptureProgress.NONE, DEFAULT_PROGRESS_INTERVAL);
    }

    /**
     * @param limits what TCP reassembly may hold
     * @param progress told every {@code progressInterval} records and once at the end
     * @param progressInterval records between two progress reports, at least 1
     */
    public CaptureReader(ReassemblyLimits limits, CaptureProgress progress, int progressInterval) {
        if (progressInterval < 1) {
            throw new IllegalArgumentException("progressInterval must be at least 1: " + progressInterval);
        }
        this.limits = Objects.requireNonNull(limits, "limits");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.progressInterval = progressInterval;
    }

    /**
     * Reads a whole capture from a stream (not closed here).
     *
     * @param name names the input in drop details and exceptions, e.g. the file name
     * @return what was read
     * @throws CaptureFormatException when the input is not a pcap or pcapng capture
     * @throws IOException when reading the stream fails (not for damaged contents: those are counted in
     *     {@code drops})
     */
    public CaptureSummary read(InputStream in, String name, PacketListener listener, DropCounters drops)
            throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(drops, "drops");
        CaptureInput input = new CaptureInput(in);
        byte[] first = new byte[16];
        int n = input.read(first, 0, 4);
        if (n < 4) {
            throw new CaptureFormatException(n == 0 ? name + " is empty, not a capture file"
                    : name + " is not a capture file: it has only " + n + " bytes: " + Bytes.preview(first, 0, n, 4));
        }
        int magic = Bytes.i32(first, 0, true);
        Records records = new Records(input, new SipExtractor(name, listener, drops, limits));
        CaptureFormat format;
        if (PcapFile.isMagic(magic)) {
            format = CaptureFormat.PCAP;
            PcapFile.read(magic, input, name, drops, records);
        } else if (magic == PcapngFile.SECTION_HEADER) {
            format = CaptureFormat.PCAPNG;
            PcapngFile.read(input, name, drops, records);
        } else {
            n += input.read(first, 4, first.length - 4);
            throw new CaptureFormatException(name + " is not a pcap or pcapng capture file: it starts with "
                    + Bytes.preview(first, 0, n, first.length) + hint(first));
        }
        records.extractor.finish(records.last);
        progress.onProgress(records.count, input.position());
        return new CaptureSummary(name, format, records.count, records.extractor.emitted(), records.first,
                records.last, input.position());
    }

    /** Reads a capture file; the thin file adapter over {@link #read(InputStream, String, PacketListener, DropCounters)}. */
    public CaptureSummary read(Path file, PacketListener listener, DropCounters drops) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString(), listener, drops);
        }
    }

    private static String hint(byte[] first) {
        if ((first[0] & 0xff) == 0x1f && (first[1] & 0xff) == 0x8b) {
            return "; it looks gzip-compressed: decompress it first";
        }
        return "";
    }

    /** Counts the records, remembers their time span and reports progress on the way to the extractor. */
    private final class Records implements FrameSink {
        private final CaptureInput input;
        private final SipExtractor extractor;
        private long count;
        private long first;
        private long last;

        Records(CaptureInput input, SipExtractor extractor) {
            this.input = input;
            this.extractor = extractor;
        }

        @Override
        public void frame(int linkType, long timeMicros, byte[] data, int offset, int length) {
            count++;
            if (count == 1) {
                first = timeMicros;
            }
            last = timeMicros;
            extractor.frame(linkType, timeMicros, data, offset, length, count);
            if (count % progressInterval == 0) {
                progress.onProgress(count, input.position());
            }
        }
    }
}
