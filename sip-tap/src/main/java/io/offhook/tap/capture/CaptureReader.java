package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a capture file (pcap or pcapng, detected from its first bytes) and delivers every SIP message in it, from
 * plain SIP over UDP and TCP and from HEP, to a {@link PacketListener}, with the record's time stamp.
 *
 * <p>Why it behaves as it does: captures given to a replay are often cut short (a capture stopped with kill -9,
 * a file still being written) or damaged; the reader delivers everything before the damage and counts the rest,
 * so a bad tail never costs the good head. Only an input that is not a capture at all is an exception
 * ({@link CaptureFormatException}), because then the operator passed the wrong file.
 *
 * <p>A gzip-compressed capture ({@code .pcap.gz}, {@code .pcapng.gz}: what {@code tcpdump -z gzip} rotates to and
 * what Wireshark opens as it is) is read through on the fly, recognised by its first bytes whatever the file is
 * called; one cut short or damaged gives what was before the damage (less the piece the inflater was working on
 * when it found it: at most the record being read), counted as {@link DropReason#CAPTURE_TRUNCATED}, like a plain
 * capture cut short. Other compressions are refused with a hint.
 * Byte counts ({@link CaptureSummary#bytes()}, progress) are then those of the decompressed capture.
 *
 * <p>The decoder works on an {@link InputStream}; {@link #read(Path, PacketListener, DropCounters)} is the thin
 * file adapter. An instance holds only configuration and may be shared; each call reads independently.
 */
public final class CaptureReader {
    /** Records between two progress reports by default. */
    public static final int DEFAULT_PROGRESS_INTERVAL = 10_000;

    /** The first two bytes of every gzip member (RFC 1952 2.3.1). */
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    /** Magic numbers of compressions that are refused with a hint: xz, zstd, bzip2, lz4 frames. */
    private static final byte[][] OTHER_COMPRESSIONS = {
        {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, {'B', 'Z', 'h'},
        {0x04, 0x22, 0x4d, 0x18},
    };
    private static final String[] OTHER_COMPRESSION_NAMES = {"xz", "zstd", "bzip2", "lz4"};

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
        PushbackInputStream peek = new PushbackInputStream(in, GZIP_MAGIC.length);
        byte[] start = peek.readNBytes(GZIP_MAGIC.length);
        peek.unread(start);
        if (!Arrays.equals(start, GZIP_MAGIC)) {
            return read(new CaptureInput(peek), name, "", listener, drops);
        }
        // The caller's stream stays open (it is the caller's to close); the inflater is ended here.
        try (TolerantGzip gzip = new TolerantGzip(new FilterInputStream(peek) {
            @Override
            public void close() {
            }
        }, name, drops)) {
            try {
                return read(new CaptureInput(gzip), name, " (decompressed with gzip)", listener, drops);
            } catch (CaptureFormatException e) {
                if (gzip.damage != null) {
                    // Too little came out to tell what it holds: the damage is the news, not the format.
                    throw new CaptureFormatException(name + ": " + gzip.damage + "; no capture could be read from it");
                }
                throw e;
            }
        }
    }

    /** Reads the capture in {@code input}; {@code inside} is added to the name in errors (how it was unpacked). */
    private CaptureSummary read(CaptureInput input, String name, String inside, PacketListener listener,
                                DropCounters drops) throws IOException {
        byte[] first = new byte[16];
        int n = input.read(first, 0, 4);
        if (n < 4) {
            throw new CaptureFormatException(n == 0 ? name + inside + " is empty, not a capture file"
                    : name + inside + " is not a capture file: it has only " + n + " bytes: "
                    + Bytes.preview(first, 0, n, 4));
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
            throw new CaptureFormatException(name + inside + " is not a pcap or pcapng capture file: it starts with "
                    + Bytes.preview(first, 0, n, first.length) + hint(first, n));
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

    /** Names a compression the reader does not take off itself, from its magic number. */
    private static String hint(byte[] first, int n) {
        for (int i = 0; i < OTHER_COMPRESSIONS.length; i++) {
            byte[] magic = OTHER_COMPRESSIONS[i];
            if (n >= magic.length && Arrays.equals(first, 0, magic.length, magic, 0, magic.length)) {
                return "; it looks " + OTHER_COMPRESSION_NAMES[i] + "-compressed: decompress it first (gzip is read"
                        + " as it is)";
            }
        }
        return "";
    }

    /**
     * A gzip stream (RFC 1952; several members one after the other are read as one, as gunzip does) that ends where
     * it is cut short or damaged instead of failing the whole read: what came before is delivered, and the damage
     * is counted once as {@link DropReason#CAPTURE_TRUNCATED} with what the inflater said.
     */
    private static final class TolerantGzip extends InputStream {
        private final GZIPInputStream gzip;
        private final String name;
        private final DropCounters drops;
        private long delivered;
        private boolean ended;
        /** What was wrong with the stream where it ended early, or null. */
        String damage;

        TolerantGzip(InputStream in, String name, DropCounters drops) throws IOException {
            try {
                this.gzip = new GZIPInputStream(in, 1 << 16);
            } catch (EOFException | ZipException e) {
                throw new CaptureFormatException(name + " starts like gzip but its gzip header is damaged or cut"
                        + " short: " + e.getMessage());
            }
            this.name = name;
            this.drops = drops;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        /** Every other read and skip of {@link InputStream} comes through here, so all of them stop at damage. */
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            try {
                int n = gzip.read(b, off, len);
                if (n < 0) {
                    ended = true;
                } else {
                    delivered += n;
                }
                return n;
            } catch (EOFException | ZipException e) {
                ended = true;
                damage = "the gzip stream is cut short or damaged after " + delivered + " decompressed bytes ("
                        + e.getMessage() + ")";
                drops.drop(DropReason.CAPTURE_TRUNCATED, name + ": " + damage + "; the capture ends there");
                return -1;
            }
        }

        @Override
        public void close() throws IOException {
            gzip.close();
        }
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
