package io.offhook.tap.bench;

import io.offhook.tap.hep.HepDecoder;
import io.offhook.tap.hep.HepEncoder;
import io.offhook.tap.hep.HepException;
import io.offhook.tap.hep.HepPacket;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.sip.JainSipPath;
import io.offhook.tap.sip.SipFrame;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import io.offhook.tap.track.Deduplicator;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The tap's whole path per HEP datagram (HEPv3 decode, SIP scan, de-duplicate, track) against the same path with
 * JAIN-SIP's full parser in place of the scanner, on the same messages in one run: the real Kamailio fixture
 * captures (both mirrored legs), copied with unique Call-IDs and users. One operation is one datagram; the
 * tracker and de-duplicator are renewed each time the corpus wraps, so every message is new to them.
 *
 * <p>Run: {@code scripts/bench jmh} (see BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class TapPathBenchmark {
    @Param("200")
    public int copies;

    private byte[][] datagrams;
    private SipMessage[] scanned;
    private long[] times;
    private int next;
    private TapPipeline pipeline;
    private PhoneTracker referenceTracker;
    private Deduplicator referenceDedup;
    private long events;
    private final SipFrame frame = new SipFrame();

    @Setup
    public void setUp() {
        List<SipPacket> corpus = Corpus.copies(Corpus.fixtureMessages(), copies, 1_700_000_000_000_000L);
        datagrams = new byte[corpus.size()][];
        scanned = new SipMessage[corpus.size()];
        times = new long[corpus.size()];
        for (int i = 0; i < datagrams.length; i++) {
            SipPacket p = corpus.get(i);
            datagrams[i] = HepEncoder.encodeV3(p, 2001, null);
            times[i] = p.timeMicros();
            try {
                scanned[i] = SipScanner.scan(p.data(), p.offset(), p.length());
            } catch (SipParseException e) {
                throw new IllegalStateException("fixture message does not scan", e);
            }
        }
        renew();
    }

    private void renew() {
        next = 0;
        DropCounters drops = new DropCounters();
        PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS, e -> events++, drops);
        pipeline = TapPipeline.onPacketTime(tracker, drops);
        referenceTracker = new PhoneTracker(TrackerConfig.DEFAULTS, e -> events++, new DropCounters());
        referenceDedup = new Deduplicator(32_000_000L, 20);
    }

    private byte[] nextDatagram() {
        if (next == datagrams.length) {
            renew();
        }
        return datagrams[next++];
    }

    /** Offhook: HEP decode, scan, de-duplicate, track (the production pipeline). */
    @Benchmark
    public void offhook() throws HepException {
        byte[] d = nextDatagram();
        HepPacket hep = HepDecoder.decode(d, 0, d.length);
        pipeline.onPacket(hep.toSipPacket());
    }

    /** Breakdown: HEPv3 decode alone. */
    @Benchmark
    public HepPacket hepOnly() throws HepException {
        byte[] d = nextDatagram();
        return HepDecoder.decode(d, 0, d.length);
    }

    /** Breakdown: HEPv3 decode and SIP scan, no de-duplication or tracking. */
    @Benchmark
    public SipMessage hepAndScan() throws HepException, SipParseException {
        byte[] d = nextDatagram();
        HepPacket hep = HepDecoder.decode(d, 0, d.length);
        return SipScanner.scan(hep.data(), hep.payloadOffset(), hep.payloadLength());
    }

    /** Breakdown: HEPv3 decode, SIP frame and fingerprint: what a duplicate costs in the pipeline. */
    @Benchmark
    public long hepAndFrame() throws HepException, SipParseException {
        byte[] d = nextDatagram();
        HepPacket hep = HepDecoder.decode(d, 0, d.length);
        SipScanner.frame(hep.data(), hep.payloadOffset(), hep.payloadLength(), frame);
        return frame.fingerprint();
    }

    /** Breakdown: de-duplicate and track messages scanned beforehand. */
    @Benchmark
    public void trackOnly() {
        nextDatagram();
        int i = next - 1;
        if (referenceDedup.firstSeen(scanned[i], times[i])) {
            referenceTracker.onMessage(scanned[i], times[i]);
        }
    }

    /** The same path with JAIN-SIP's parser (and its SDP parser) producing the same fields. */
    @Benchmark
    public void jainSip(Blackhole bh) throws HepException {
        byte[] d = nextDatagram();
        HepPacket hep = HepDecoder.decode(d, 0, d.length);
        SipPacket p = hep.toSipPacket();
        SipMessage m = JainSipPath.parse(p.data(), p.offset(), p.length());
        if (m == null) {
            bh.consume(p);
            return;
        }
        if (referenceDedup.firstSeen(m, p.timeMicros())) {
            referenceTracker.onMessage(m, p.timeMicros());
        }
    }
}
