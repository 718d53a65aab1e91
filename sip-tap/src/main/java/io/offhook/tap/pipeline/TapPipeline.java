package io.offhook.tap.pipeline;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.sip.SipFrame;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import io.offhook.tap.track.Deduplicator;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackedUser;
import io.offhook.tap.track.TrackerSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * From a SIP packet to the tracker: size check, frame, de-duplicate, read the message, track. Every source delivers here.
 *
 * <p>A copy of a message seen before (the proxy's mirror of the other leg, a retransmission) is recognised after
 * framing only the start line and the header fields up to Call-ID, CSeq, From and To, and dropped as
 * {@link DropReason#DUPLICATE} without reading the rest: so a copy whose unread part is malformed also counts as a
 * duplicate (its first copy was read whole and was usable; the tracker's result is the same). A message is
 * remembered as seen only once it was read whole, so a malformed first copy never hides a good second one.
 *
 * <p>Time is the packet's own timestamp when replaying a capture, and the injected clock when live (a mirror's
 * timestamps come from another machine's clock, which may be off). Calls are serialised: sources on several
 * threads may deliver at once, and each user's events still leave in order.
 *
 * <p>The wire log: at DEBUG, logger {@value #WIRE_LOGGER} gets every SIP message as received (before any check),
 * with the credentials of {@code Authorization} and {@code Proxy-Authorization} headers left out. It is off in the
 * shipped log configuration and costs one level check per packet while off.
 */
public final class TapPipeline implements PacketListener {
    /** Larger than any sane SIP message over UDP or TCP; beyond it the message is dropped as SIP_TOO_LARGE. */
    public static final int MAX_MESSAGE_BYTES = 65_535;
    private static final long DEDUP_WINDOW_MICROS = 32_000_000L;
    private static final int DEDUP_CAPACITY_LOG2 = 20;
    /** The logger of the SIP wire log (a child of {@code offhook.wire}, which also has the XMPP one). */
    public static final String WIRE_LOGGER = "offhook.wire.sip";
    private static final Logger WIRE = LogManager.getLogger(WIRE_LOGGER);
    private static final Pattern CREDENTIALS = Pattern.compile("(?i)(proxy-)?authorization[ \t]*:");

    private final PhoneTracker tracker;
    private final DropCounters drops;
    private final Clock clock;
    private final Deduplicator dedup = new Deduplicator(DEDUP_WINDOW_MICROS, DEDUP_CAPACITY_LOG2);
    /** Reused for every packet (calls are serialised); it hands out the same String for a field seen recently. */
    private final SipFrame frame = SipFrame.reusingTexts();
    /**
     * Written under the pipeline's lock only (one writer at a time), read from any thread: a release store per
     * packet instead of a LongAdder's compare-and-set, which cost about 2% of the whole path.
     */
    private final AtomicLong messages = new AtomicLong();

    private TapPipeline(PhoneTracker tracker, DropCounters drops, Clock clock) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.drops = Objects.requireNonNull(drops, "drops");
        this.clock = clock;
    }

    /** A pipeline that runs on packet timestamps: for replaying captures. */
    public static TapPipeline onPacketTime(PhoneTracker tracker, DropCounters drops) {
        return new TapPipeline(tracker, drops, null);
    }

    /** A pipeline that runs on {@code clock}: for live sources; call {@link #tick()} regularly to expire state. */
    public static TapPipeline onClock(PhoneTracker tracker, DropCounters drops, Clock clock) {
        return new TapPipeline(tracker, drops, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public synchronized void onPacket(SipPacket packet) {
        if (WIRE.isDebugEnabled()) {
            WIRE.debug("{}\n{}", packet, wireText(packet));
        }
        if (packet.length() > MAX_MESSAGE_BYTES) {
            drops.drop(DropReason.SIP_TOO_LARGE, packet + " exceeds " + MAX_MESSAGE_BYTES + " bytes");
            return;
        }
        long now;
        long fingerprint;
        try {
            // A copy (the proxy's mirror of a response it relayed, a retransmission) is dropped on its raw bytes,
            // before any String is made and before the header fields after Call-ID, CSeq, From and To are read.
            SipScanner.frameIdentity(packet.data(), packet.offset(), packet.length(), frame);
            now = clock == null ? packet.timeMicros() : micros(clock.instant());
            fingerprint = frame.fingerprint();
            if (dedup.seen(fingerprint, now)) {
                messages.lazySet(messages.get() + 1);
                drops.count(DropReason.DUPLICATE);
                return;
            }
            SipScanner.frameRest(frame);
        } catch (SipParseException e) {
            drops.drop(DropReason.SIP_MALFORMED, e.getMessage() + " in " + packet);
            return;
        }
        messages.lazySet(messages.get() + 1);
        // Remembered only now that the whole message proved usable: a malformed first copy hides no good second one.
        dedup.remember(fingerprint);
        try {
            tracker.onMessage(frame.toMessage(), now);
        } catch (RuntimeException e) {
            // A bulkhead, not a remedy: one message the tracker could not apply must not stop the source.
            drops.drop(DropReason.TRACKER_FAILED, e + " applying " + packet);
        }
    }

    /** While a source is behind, new calls between parties without a registered device are not tracked. */
    @Override
    public synchronized void behind(boolean behind) {
        tracker.shedUnknownCalls(behind);
    }

    /** Expires what is due at the clock's current time (live); a no-op for packet time. */
    public synchronized void tick() {
        if (clock != null) {
            tracker.advanceTo(micros(clock.instant()));
        }
    }

    /** Expires what is due at {@code timeMicros}: the end of a replay, for instance. */
    public synchronized void advanceTo(long timeMicros) {
        tracker.advanceTo(timeMicros);
    }

    /**
     * Runs {@code reader} on the tracker between two packets, for metrics and admin views that need a consistent
     * read (the tracker is not thread-safe). {@code reader} must only read, and quickly: sources wait meanwhile.
     */
    public synchronized <T> T readTracker(Function<PhoneTracker, T> reader) {
        return reader.apply(tracker);
    }

    /**
     * A copy of one user's devices and calls ({@link PhoneTracker#snapshot}), consistent: it waits for the message
     * being applied. Any thread.
     */
    public synchronized Optional<TrackedUser> snapshot(String aor) {
        return tracker.snapshot(aor);
    }

    /**
     * Ends one user's calls ({@link PhoneTracker#clear}), at the clock's time when live. Any thread; the events go
     * to the tracker's listener on the calling thread, in order with those of the sources.
     *
     * @return how many calls ended
     * @throws IllegalArgumentException when {@code aor} is no sip, sips or tel address
     */
    public synchronized int clear(String aor, String detail) {
        if (clock != null) {
            tracker.advanceTo(micros(clock.instant()));
        }
        return tracker.clear(aor, detail);
    }

    /**
     * Puts back a tracker snapshot taken before a restart ({@link PhoneTracker#restore}) at the clock's time (the
     * snapshot's own time on packet time), before any source delivers. The events go to the tracker's listener on
     * the calling thread.
     *
     * @throws IllegalStateException when the tracker already holds anything
     */
    public synchronized PhoneTracker.Restored restore(TrackerSnapshot snapshot) {
        return tracker.restore(snapshot, clock == null ? snapshot.takenAtMicros() : micros(clock.instant()));
    }

    /** SIP messages scanned successfully, duplicates included (a duplicate as far as it was read). */
    public long messages() {
        return messages.get();
    }

    /** The message as text for the wire log, without the credentials of authorization headers. */
    static String wireText(SipPacket packet) {
        String text = new String(packet.data(), packet.offset(), packet.length(), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        boolean inHeaders = true;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            String line = text.substring(start, next);
            if (inHeaders && CREDENTIALS.matcher(line).lookingAt()) {
                out.append(line, 0, line.indexOf(':') + 1).append(" <credentials left out>")
                        .append(line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "");
            } else if (inHeaders && (line.startsWith(" ") || line.startsWith("\t")) && isCredentialLine(out)) {
                // A folded continuation of a left-out header: left out too.
                start = next;
                continue;
            } else {
                out.append(line);
            }
            if (line.equals("\r\n") || line.equals("\n")) {
                inHeaders = false;
            }
            start = next;
        }
        return out.toString();
    }

    private static boolean isCredentialLine(StringBuilder out) {
        int end = out.length();
        int lineStart = out.lastIndexOf("\n", Math.max(0, end - 2)) + 1;
        return out.indexOf("<credentials left out>", lineStart) >= 0;
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
