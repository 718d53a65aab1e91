package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A packet capture of the loopback interface for the benchmarks, so that latencies are measured from the wire: the
 * moment a datagram or TCP segment passed the interface, as the kernel stamped it (the same real-time clock as
 * {@link java.time.Instant#now()}).
 *
 * <p>dumpcap (Wireshark's capture engine, Debian package {@code wireshark-common}, which {@code tshark} brings) runs
 * in a process of its own and writes a classic pcap file, so capturing costs the measured JVM nothing; after the
 * run, {@link #read} walks the file's IPv4 UDP and TCP frames. Needs root or CAP_NET_RAW. {@link #stop()} ends
 * dumpcap by its PID and returns its own count of captured and dropped packets, which a benchmark reports.
 */
final class BenchCapture implements AutoCloseable {
    /** One IPv4 UDP datagram or TCP segment as captured: when, between which ports, and its payload. */
    record Frame(long timeMicros, boolean tcp, int sourcePort, int destinationPort, byte[] data, int offset,
                 int length) {
        /** The payload as text (ISO-8859-1: one char per byte, so offsets agree). */
        String text() {
            return new String(data, offset, length, StandardCharsets.ISO_8859_1);
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int MAX_FRAME = 256 * 1024;
    private static final int TAIL_BYTES = 256 * 1024;

    private final Path file;
    private final Path log;
    private final Process process;
    private final int markerPort;
    private int markers;
    private boolean stopped;

    private BenchCapture(Path file, Path log, Process process, int markerPort) {
        this.file = file;
        this.log = log;
        this.process = process;
        this.markerPort = markerPort;
    }

    /**
     * Starts dumpcap on {@code lo} with the BPF {@code filter}, writing {@code dir/NAME.pcap}; returns once a marker
     * datagram sent after the start is in the file (dumpcap says "Capturing on" some 100 ms before it captures).
     */
    static BenchCapture start(Path dir, String name, String filter) throws IOException {
        Path dumpcap = Lab.program("dumpcap", "wireshark-common");
        Path file = dir.resolve(name + ".pcap");
        Path log = dir.resolve(name + ".dumpcap.log");
        int markerPort = FreePorts.one();
        // -P: classic pcap; -q: no running count; -B 64: a 64 MiB kernel buffer, so a burst is not dropped.
        Process p = new ProcessBuilder(List.of(dumpcap.toString(), "-i", "lo", "-f", "(" + filter
                        + ") or (udp dst port " + markerPort + ")", "-w", file.toString(), "-P", "-q", "-B", "64"))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Processes.started(p);
        BenchCapture capture = new BenchCapture(file, log, p, markerPort);
        try {
            Await.until(START_TIMEOUT, () -> !p.isAlive() || Processes.tail(log, 5).contains("Capturing on"),
                    () -> "dumpcap did not start capturing:\n" + Processes.tail(log, 20));
            if (!p.isAlive()) {
                fail("dumpcap exited at start (exit " + p.exitValue() + "):\n" + Processes.tail(log, 20));
            }
            capture.sync();
        } catch (RuntimeException | Error e) {
            capture.close();
            throw e;
        }
        return capture;
    }

    /**
     * Sends marker datagrams (to a port nobody listens on) until one is in the file: then every packet that passed
     * the interface before this call has been captured and written.
     */
    void sync() throws IOException {
        byte[] marker = ("offhook-bench-marker-" + markerPort + "-" + (++markers)).getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), markerPort);
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!tailHolds(marker)) {
                if (System.nanoTime() - deadline >= 0 || !process.isAlive()) {
                    fail("dumpcap did not capture a marker within " + START_TIMEOUT.toSeconds() + " s:\n"
                            + Processes.tail(log, 20));
                }
                socket.send(new DatagramPacket(marker, marker.length, to));
                Await.pause();
            }
        }
    }

    /** Whether the last part of the file (dumpcap writes it out about twice a second) holds {@code bytes}. */
    private boolean tailHolds(byte[] bytes) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) Math.min(size, TAIL_BYTES);
            ByteBuffer buf = ByteBuffer.allocate(n);
            ch.read(buf, size - n);
            String tail = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            return tail.contains(new String(bytes, StandardCharsets.ISO_8859_1));
        }
    }

    /** dumpcap's PID. */
    long pid() {
        return process.pid();
    }

    /**
     * Waits until everything that passed the interface so far is in the file ({@link #sync()}), stops dumpcap by
     * its PID and returns its summary: packets captured, and received/dropped on the interface.
     */
    String stop() throws IOException {
        sync();
        close();
        StringBuilder summary = new StringBuilder();
        for (String line : Processes.tail(log, 10).split("\n")) {
            if (line.startsWith("Packets")) {
                summary.append(summary.length() == 0 ? "" : "; ").append(line.trim());
            }
        }
        return summary.length() == 0 ? "dumpcap said nothing on stopping" : summary.toString();
    }

    /** Every IPv4 UDP and TCP frame of the file, in capture order. Call after {@link #stop()}. */
    void read(Consumer<Frame> sink) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] header = new byte[24];
            in.readFully(header);
            int magic = be32(header, 0);
            boolean swapped;
            boolean nanos;
            if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
                swapped = false;
                nanos = magic == 0xa1b23c4d;
            } else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
                swapped = true;
                nanos = magic == 0x4d3cb2a1;
            } else {
                throw new IOException(file + " is not a classic pcap file (magic " + Integer.toHexString(magic) + ")");
            }
            int linkType = u32(header, 20, swapped);
            if (linkType != LINKTYPE_ETHERNET) {
                throw new IOException(file + ": link type " + linkType + ", expected Ethernet (lo on Linux)");
            }
            byte[] record = new byte[16];
            while (true) {
                try {
                    in.readFully(record);
                } catch (EOFException end) {
                    return;
                }
                long seconds = u32(record, 0, swapped) & 0xffffffffL;
                long fraction = u32(record, 4, swapped) & 0xffffffffL;
                int captured = u32(record, 8, swapped);
                if (captured < 0 || captured > MAX_FRAME) {
                    throw new IOException(file + ": frame of " + captured + " bytes");
                }
                byte[] frame = new byte[captured];
                try {
                    in.readFully(frame);
                } catch (EOFException truncated) {
                    return; // dumpcap was stopped in the middle of a record: the frames before it count
                }
                long micros = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
                decode(micros, frame, sink);
            }
        }
    }

    /** Ethernet, IPv4, then UDP or TCP; anything else (ARP, IPv6, fragments) is skipped. */
    private static void decode(long micros, byte[] f, Consumer<Frame> sink) {
        if (f.length < 14 + 20 || be16(f, 12) != ETHERTYPE_IPV4) {
            return;
        }
        int ip = 14;
        int ihl = (f[ip] & 0x0f) * 4;
        int total = be16(f, ip + 2);
        int protocol = f[ip + 9] & 0xff;
        boolean fragment = (be16(f, ip + 6) & 0x3fff) != 0;
        int end = Math.min(f.length, ip + total);
        int l4 = ip + ihl;
        if (fragment || ihl < 20 || l4 + 8 > end) {
            return;
        }
        int sourcePort = be16(f, l4);
        int destinationPort = be16(f, l4 + 2);
        if (protocol == 17) {
            sink.accept(new Frame(micros, false, sourcePort, destinationPort, f, l4 + 8, end - l4 - 8));
        } else if (protocol == 6 && l4 + 20 <= end) {
            int payload = l4 + ((f[l4 + 12] & 0xf0) >> 4) * 4;
            if (payload <= end) {
                sink.accept(new Frame(micros, true, sourcePort, destinationPort, f, payload, end - payload));
            }
        }
    }

    private static int be16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static int be32(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static int u32(byte[] b, int at, boolean swapped) {
        int v = be32(b, at);
        return swapped ? Integer.reverseBytes(v) : v;
    }

    /** Stops dumpcap by its PID if it still runs. Idempotent. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (!Processes.stop(process.toHandle())) {
            throw new IllegalStateException("dumpcap (pid " + process.pid() + ") did not stop");
        }
    }
}
