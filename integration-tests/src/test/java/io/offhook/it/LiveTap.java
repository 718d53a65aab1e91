package io.offhook.it;

import io.offhook.tap.hep.HepConfig;
import io.offhook.tap.hep.HepListener;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tap's live path as the product wires it: {@link HepListener} on 127.0.0.1 (a free port) feeding
 * {@link TapPipeline#onClock} on the system clock, feeding a {@link PhoneTracker} whose events land in an
 * {@link EventLog}.
 *
 * <p>Between the listener and the pipeline sits a thin recorder that notes the probes' Call-IDs
 * ({@link #awaitFlushed}) and lets the test read the tracker under the same lock that feeds it.
 */
final class LiveTap implements AutoCloseable {
    static final String PROBE_PREFIX = "offhook-probe-";
    private static final AtomicInteger PROBES = new AtomicInteger();

    private final DropCounters drops = new DropCounters();
    private final EventLog events = new EventLog();
    private final Object lock = new Object();
    private final PhoneTracker tracker;
    private final TapPipeline pipeline;
    private final HepListener listener;
    /** Probe Call-ID -> copies seen (the OPTIONS and Kamailio's answer). */
    private final Map<String, AtomicInteger> probesSeen = new ConcurrentHashMap<>();

    private LiveTap(HepConfig hep, TrackerConfig trackerConfig) {
        tracker = new PhoneTracker(trackerConfig, events, drops);
        pipeline = TapPipeline.onClock(tracker, drops, Clock.systemUTC());
        PacketListener feed = this::onPacket;
        listener = new HepListener(hep, feed, drops);
    }

    /** Starts a HEP listener on a free port of 127.0.0.1, on UDP or TCP only as {@code hep} says. */
    static LiveTap start(HepConfig hep, TrackerConfig trackerConfig) throws IOException {
        LiveTap tap = new LiveTap(hep.withBindAddress("127.0.0.1").withPort(0), trackerConfig);
        tap.listener.start();
        return tap;
    }

    /** HEP over UDP only. */
    static LiveTap udp(TrackerConfig trackerConfig) throws IOException {
        return start(HepConfig.defaults().withUdp(true).withTcp(false), trackerConfig);
    }

    /** HEP over TCP only. */
    static LiveTap tcp(TrackerConfig trackerConfig) throws IOException {
        return start(HepConfig.defaults().withUdp(false).withTcp(true), trackerConfig);
    }

    private void onPacket(SipPacket packet) {
        noteProbe(packet);
        synchronized (lock) {
            pipeline.onPacket(packet);
        }
    }

    private void noteProbe(SipPacket packet) {
        SipMessage m;
        try {
            m = SipScanner.scan(packet.data(), packet.offset(), packet.length());
        } catch (SipParseException e) {
            return; // the pipeline counts it
        }
        if (m.callId() != null && m.callId().startsWith(PROBE_PREFIX)) {
            probesSeen.computeIfAbsent(m.callId(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** The port the listener is bound to: its UDP port, or its TCP port when UDP is off. */
    int port() {
        int udp = listener.udpPort();
        return udp > 0 ? udp : listener.tcpPort();
    }

    EventLog events() {
        return events;
    }

    DropCounters drops() {
        return drops;
    }

    /** Drops other than duplicates (which a mirror produces on purpose: both legs of every proxied message). */
    long unexpectedDrops() {
        return drops.total() - drops.get(DropReason.DUPLICATE);
    }

    HepListener listener() {
        return listener;
    }

    /** Calls the tracker holds now, read under the lock that feeds it. */
    int callCount() {
        synchronized (lock) {
            return tracker.callCount();
        }
    }

    /** SIP messages the pipeline scanned. */
    long messages() {
        return pipeline.messages();
    }

    /**
     * Sends a probe through Kamailio and waits until its mirror (the OPTIONS and Kamailio's answer) has reached the
     * tracker: everything Kamailio mirrored before has most probably arrived too. Used before asserting that
     * something did not happen.
     */
    void awaitFlushed(Kamailio kamailio, Duration timeout) throws IOException {
        String callId = PROBE_PREFIX + PROBES.incrementAndGet();
        if (!kamailio.probe(callId, timeout)) {
            throw new AssertionError("Kamailio did not answer probe " + callId + "; log:\n" + kamailio.logTail());
        }
        Await.until(timeout, () -> probesSeen.getOrDefault(callId, new AtomicInteger()).get() >= 2,
                () -> "the HEP mirror of probe " + callId + " (request and answer) did not arrive; seen "
                        + probesSeen.getOrDefault(callId, new AtomicInteger()).get() + ", drops "
                        + drops.snapshot());
    }

    /** Stops the listener. */
    @Override
    public void close() {
        listener.close();
    }
}
