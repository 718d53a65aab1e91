package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.RawPacketListener;

/**
 * Captures SIP from a network interface with libpcap (through pcap4j) and delivers it like a capture file would:
 * the frames go through the same frame decoder and TCP reassembly as {@link CaptureReader}. For deployments where
 * the proxy cannot mirror HEP.
 *
 * <p>The one adapter that touches libpcap: {@link #start()} opens the interface and sets the filter on the caller's
 * thread (so a wrong interface or filter fails at once), then one daemon thread reads frames and calls the
 * listener; {@link #close()} stops it. Capturing needs root or CAP_NET_RAW.
 */
public final class LiveCapture implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(LiveCapture.class);
    private static final int READ_TIMEOUT_MILLIS = 100;
    private static final long STOP_WAIT_MILLIS = 5_000;
    private static final long STOP_POLL_MILLIS = 100;

    private final LiveCaptureConfig config;
    private final PacketListener listener;
    private final DropCounters drops;
    private final AtomicLong frames = new AtomicLong();
    private PcapHandle handle;
    private volatile Thread thread;
    private boolean started;
    private volatile boolean running;

    public LiveCapture(LiveCaptureConfig config, PacketListener listener, DropCounters drops) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.drops = Objects.requireNonNull(drops, "drops");
    }

    /**
     * Opens the interface, applies the filter and starts capturing. An instance starts once.
     *
     * @throws IOException when libpcap is missing, the interface cannot be opened (no such interface, no
     *     permission), its link type is not one the tap decodes, or the filter does not compile
     */
    public synchronized void start() throws IOException {
        if (started) {
            throw new IllegalStateException("live capture on " + config.interfaceName() + " was already started");
        }
        started = true;
        String name = config.interfaceName();
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(name)
                    .snaplen(config.snaplen())
                    .promiscuousMode(config.promiscuous() ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .immediateMode(true)
                    .build();
        } catch (PcapNativeException e) {
            throw new IOException("cannot capture on " + name + ": " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new IOException("cannot capture on " + name + ": libpcap is not available (" + e + ")", e);
        }
        int linkType;
        try {
            linkType = h.getDlt().value();
            if (!FrameDecoder.supports(linkType)) {
                throw new IOException("cannot capture on " + name + ": its link-layer type " + linkType
                        + " is not one the tap decodes");
            }
            if (!config.filter().isBlank()) {
                h.setFilter(config.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
            }
        } catch (PcapNativeException | NotOpenException e) {
            h.close();
            throw new IOException("cannot capture on " + name + " with filter '" + config.filter() + "': "
                    + e.getMessage(), e);
        } catch (IOException e) {
            h.close();
            throw e;
        }
        handle = h;
        running = true;
        int dlt = linkType;
        thread = new Thread(() -> capture(h, dlt), "offhook-capture-" + name);
        thread.setDaemon(true);
        thread.start();
        LOG.info("Capturing on {} (link type {}, filter '{}', snaplen {}, {})", name, linkType, config.filter(),
                config.snaplen(), config.promiscuous() ? "promiscuous" : "not promiscuous");
    }

    /** Whether the capture thread is running. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Frames captured so far. */
    public long framesSeen() {
        return frames.get();
    }

    /** Stops capturing and waits (bounded) for the capture thread to end. Idempotent. */
    @Override
    public void close() {
        Thread t;
        PcapHandle h;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
            h = handle;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        try {
            while (t.isAlive() && System.nanoTime() < deadline) {
                breakLoop(h);
                t.join(STOP_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("Live capture on {} did not stop within {} ms", config.interfaceName(), STOP_WAIT_MILLIS);
        }
    }

    private static void breakLoop(PcapHandle h) {
        try {
            h.breakLoop();
        } catch (NotOpenException e) {
            // the capture thread has already closed the handle: it is stopping
        }
    }

    private void capture(PcapHandle h, int linkType) {
        String source = "live capture on " + config.interfaceName();
        SipExtractor extractor = new SipExtractor(source, this::deliver, drops, config.limits());
        long[] last = {0};
        RawPacketListener onFrame = raw -> {
            long record = frames.incrementAndGet();
            long micros = micros(h.getTimestamp());
            last[0] = micros;
            try {
                extractor.frame(linkType, micros, raw, 0, raw.length, record);
            } catch (RuntimeException e) {
                LOG.error("Live capture on {}: frame {} could not be handled", config.interfaceName(), record, e);
            }
        };
        try {
            while (running) {
                h.loop(-1, onFrame);
            }
        } catch (InterruptedException e) {
            // pcap4j's way of saying the loop was broken by close(): a normal stop, not a thread interrupt
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            LOG.error("Live capture on {} failed: {}", config.interfaceName(), e.toString());
        } finally {
            try {
                extractor.finish(last[0]);
            } catch (RuntimeException e) {
                LOG.error("Live capture on {}: finishing TCP streams failed: {}", config.interfaceName(),
                        e.toString());
            }
            h.close();
            running = false;
            LOG.info("Stopped capturing on {} after {} frames", config.interfaceName(), frames.get());
        }
    }

    /** Calls the listener; its failure must not end the capture. */
    private void deliver(SipPacket packet) {
        try {
            listener.onPacket(packet);
        } catch (RuntimeException e) {
            LOG.error("Packet listener failed on {}", packet, e);
        }
    }

    private static long micros(Timestamp ts) {
        if (ts == null) {
            return 0;
        }
        return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
    }
}
