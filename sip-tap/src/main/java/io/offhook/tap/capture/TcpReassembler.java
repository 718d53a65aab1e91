package io.offhook.tap.capture;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns TCP segments seen by a capture back into the SIP messages (or HEPv3 frames) each direction carried.
 *
 * <p>Segments are put in sequence order; retransmitted and overlapping bytes are used once; segments that arrive
 * early are held until the missing bytes come, within {@link ReassemblyLimits}. Missing bytes that never come
 * (capture loss) are counted as {@link DropReason#TCP_GAP} and the stream resumes at the next SIP start line, so
 * one lost segment costs one message, not the rest of the connection. A capture that starts in the middle of a
 * connection is handled the same way. Messages are framed by Content-Length (RFC 3261 section 18.3: absent means
 * no body on a stream); CRLF keep-alives between messages are skipped. Memory is bounded per stream and by the
 * number of streams; the stream idle the longest is evicted first.
 *
 * <p>Not thread-safe: one instance per source thread.
 */
final class TcpReassembler {
    /** Where framed messages go. The arrays are fresh copies, owned by the receiver. */
    interface Sink {
        void sip(FlowKey flow, long timeMicros, byte[] message);

        void hep(FlowKey flow, long timeMicros, byte[] frame);
    }

    private static final byte[] EMPTY = new byte[0];
    /** Buffers up to this size are kept when a stream is idle; larger ones are released. */
    private static final int KEEP_BUFFER = 4096;

    private final ReassemblyLimits limits;
    private final DropCounters drops;
    private final String source;
    private final Sink sink;
    /** In access order: the first entry is the stream idle the longest. */
    private final Map<FlowKey, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);

    TcpReassembler(ReassemblyLimits limits, DropCounters drops, String source, Sink sink) {
        this.limits = limits;
        this.drops = drops;
        this.source = source;
        this.sink = sink;
    }

    /** Takes one segment of one direction; framed messages go to the sink before this returns. */
    void segment(FlowKey key, long timeMicros, int sequence, int flags, byte[] data, int offset, int length) {
        Stream s = streams.get(key);
        if ((flags & Segment.RST) != 0) {
            if (s != null) {
                streams.remove(key);
                s.close(timeMicros, "reset");
            }
            return;
        }
        boolean syn = (flags & Segment.SYN) != 0;
        if (s == null) {
            if (length == 0 && !syn) {
                return; // a bare ACK or FIN of a stream not tracked: nothing to reassemble
            }
            if (streams.size() >= limits.maxStreams()) {
                Iterator<Stream> eldest = streams.values().iterator();
                Stream evicted = eldest.next();
                eldest.remove();
                evicted.close(timeMicros, "evicted (more than " + limits.maxStreams() + " TCP streams)");
            }
            s = new Stream(key);
            streams.put(key, s);
        }
        int seq = sequence;
        if (syn) {
            seq = s.open(sequence);
        } else if (!s.synced) {
            s.join(sequence);
        }
        if (length > 0) {
            s.accept(timeMicros, seq, data, offset, length);
        }
        if ((flags & Segment.FIN) != 0) {
            s.finSeen = true;
            s.finSeq = seq + length;
        }
        if (s.finSeen && s.nextSeq == s.finSeq) {
            streams.remove(key);
            s.close(timeMicros, "closed");
        }
    }

    /** Ends every stream (end of the capture): held segments are used, unfinished messages counted. */
    void finish(long timeMicros) {
        List<Stream> all = new ArrayList<>(streams.values());
        streams.clear();
        for (Stream s : all) {
            s.close(timeMicros, "ended with the capture");
        }
    }

    /** Streams tracked now. */
    int streamCount() {
        return streams.size();
    }

    /** Why a stream is looking for the next message start instead of framing. */
    private enum Resync {
        /** Framing: the buffer starts at a message boundary. */
        NONE,
        /** The capture started mid-connection; skipped bytes are not yet counted. */
        JOINED,
        /** Bytes were lost or unusable and already counted. */
        LOST
    }

    /** A segment that arrived ahead of missing bytes. */
    private record Held(int seq, byte[] data) {
    }

    private final class Stream {
        private final FlowKey key;
        private boolean synced;
        private boolean sawSyn;
        private int initialSeq;
        private int nextSeq;
        private boolean finSeen;
        private int finSeq;
        private byte[] buf = EMPTY;
        private int size;
        private final List<Held> held = new ArrayList<>(0);
        private int heldBytes;
        private Resync resync = Resync.NONE;
        /** Bytes of an over-large message still to be discarded as they arrive. */
        private long skip;
        /**
         * Where the search for the end of the headers of the message at the start of {@code buf} goes on: no
         * header end starts before it. Keeps framing linear when the headers arrive in many small segments.
         */
        private int headerScan;

        Stream(FlowKey key) {
            this.key = key;
        }

        /** A SYN: the stream starts at the next sequence number. Returns where its data (if any) starts. */
        int open(int synSeq) {
            if (sawSyn && synSeq == initialSeq) {
                return synSeq + 1; // the same SYN again (retransmitted or mirrored)
            }
            if (size > 0 && !blank(0, size) || !held.isEmpty()) {
                drops.drop(DropReason.TCP_GAP, source + ": " + key + ": connection restarted with "
                        + (size + heldBytes) + " bytes not yet framed");
            }
            sawSyn = true;
            initialSeq = synSeq;
            synced = true;
            nextSeq = synSeq + 1;
            finSeen = false;
            size = 0;
            held.clear();
            heldBytes = 0;
            skip = 0;
            headerScan = 0;
            resync = Resync.NONE;
            return nextSeq;
        }

        /** The first segment of a stream whose SYN the capture did not see. */
        void join(int seq) {
            synced = true;
            nextSeq = seq;
            resync = Resync.JOINED;
        }

        void accept(long time, int seq, byte[] data, int off, int len) {
            while (true) {
                int diff = seq - nextSeq;
                if (diff <= 0) {
                    if ((long) diff + len > 0) { // else a pure retransmission: every byte already used
                        append(time, data, off - diff, len + diff);
                        drainHeld(time);
                    }
                    return;
                }
                if (held.size() < limits.maxPendingSegments() && heldBytes + len <= limits.maxStreamBytes()) {
                    held.add(new Held(seq, Arrays.copyOfRange(data, off, off + len)));
                    heldBytes += len;
                    return;
                }
                gap(time, earliest(seq));
            }
        }

        /** The bytes before {@code newStart} are not coming: give them up and go on from there. */
        private void gap(long time, int newStart) {
            int lost = newStart - nextSeq;
            if (skip >= lost) {
                skip -= lost; // they belonged to a message that was being discarded anyway
            } else {
                drops.drop(DropReason.TCP_GAP, source + ": " + key + ": " + Integer.toUnsignedLong(lost)
                        + " bytes never captured" + (size > 0 ? ", " + size + " buffered bytes discarded" : "")
                        + "; resuming at the next SIP message");
                size = 0;
                skip = 0;
                headerScan = 0;
                resync = Resync.LOST;
            }
            nextSeq = newStart;
            drainHeld(time);
        }

        private int earliest(int seq) {
            int best = seq;
            for (Held h : held) {
                if (h.seq - nextSeq < best - nextSeq) {
                    best = h.seq;
                }
            }
            return best;
        }

        private void drainHeld(long time) {
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int i = 0; i < held.size(); i++) {
                    Held h = held.get(i);
                    int diff = h.seq - nextSeq;
                    if (diff <= 0) {
                        held.remove(i);
                        heldBytes -= h.data.length;
                        if ((long) diff + h.data.length > 0) {
                            append(time, h.data, -diff, h.data.length + diff);
                        }
                        progress = true;
                        break;
                    }
                }
            }
        }

        /** In-order bytes: discard what an over-large message still owes, buffer the rest, frame. */
        private void append(long time, byte[] data, int off, int len) {
            int o = off;
            int n = len;
            while (n > 0) {
                if (skip > 0) {
                    int k = (int) Math.min(skip, n);
                    skip -= k;
                    o += k;
                    n -= k;
                    nextSeq += k;
                    continue;
                }
                int room = limits.maxStreamBytes() - size;
                if (room == 0) {
                    drops.drop(DropReason.TCP_OVERSIZED, source + ": " + key + ": " + size
                            + " bytes buffered without a complete SIP message, starting "
                            + Bytes.preview(buf, 0, size, 40));
                    size = 0;
                    headerScan = 0;
                    resync = Resync.LOST;
                    continue;
                }
                int k = Math.min(room, n);
                ensureCapacity(size + k);
                System.arraycopy(data, o, buf, size, k);
                size += k;
                o += k;
                n -= k;
                nextSeq += k;
                frame(time);
            }
        }

        private void ensureCapacity(int needed) {
            if (needed > buf.length) {
                int grown = Math.max(needed, Math.min(limits.maxStreamBytes(), Math.max(512, buf.length * 2)));
                buf = Arrays.copyOf(buf, grown);
            }
        }

        /** Delivers every complete message at the front of the buffer and keeps the rest. */
        private void frame(long time) {
            int p = 0;
            while (p < size) {
                if (resync != Resync.NONE) {
                    int start = resyncPoint(p);
                    int until = start >= 0 ? start : keepFrom(p);
                    if (resync == Resync.JOINED && !blank(p, until)) {
                        drops.drop(DropReason.TCP_GAP, source + ": " + key + ": capture joined the connection"
                                + " mid-stream; skipped bytes before the first SIP message");
                        resync = Resync.LOST;
                    }
                    p = until;
                    if (start < 0) {
                        break;
                    }
                    resync = Resync.NONE;
                }
                p = SipFraming.skipCrlf(buf, p, size);
                if (p == size) {
                    break;
                }
                if (SipFraming.isHep3(buf, p, size)) {
                    if (size - p < 6) {
                        break;
                    }
                    int frameLength = Bytes.u16(buf, p + 4);
                    if (frameLength < 6 || frameLength > limits.maxStreamBytes()) {
                        drops.drop(DropReason.HEP_STREAM_BROKEN, source + ": " + key + ": HEP3 frame length "
                                + frameLength);
                        resync = Resync.LOST;
                        p += 4;
                        continue;
                    }
                    if (size - p < frameLength) {
                        break;
                    }
                    sink.hep(key, time, Arrays.copyOfRange(buf, p, p + frameLength));
                    p += frameLength;
                    continue;
                }
                int lf = SipFraming.lineFeed(buf, p, Math.min(size, p + SipFraming.MAX_START_LINE));
                if (lf < 0) {
                    if (size - p < SipFraming.MAX_START_LINE) {
                        break; // the start line is still arriving
                    }
                    notSip(p, size);
                    continue;
                }
                if (!SipFraming.isStartLine(buf, p, lf)) {
                    notSip(p, lf);
                    p = lf + 1;
                    continue;
                }
                int headersEnd = SipFraming.headersEnd(buf, p == 0 ? Math.max(headerScan, 0) : p, size);
                headerScan = 0;
                if (headersEnd < 0) {
                    // Headers still arriving (append() bounds how long they may grow). An end of the headers is
                    // at most 3 bytes ("\n\r\n"), so the next search starts 2 bytes before the end of what is here.
                    headerScan = Math.max(0, size - p - 2);
                    break;
                }
                long contentLength = SipFraming.contentLength(buf, p, headersEnd);
                if (contentLength == SipFraming.MALFORMED) {
                    drops.drop(DropReason.SIP_MALFORMED, source + ": " + key + ": Content-Length is not a number in "
                            + Bytes.preview(buf, p, lf - p, 60));
                    resync = Resync.LOST;
                    p = headersEnd;
                    continue;
                }
                long total = headersEnd - p + Math.max(0, contentLength);
                if (total > limits.maxStreamBytes()) {
                    drops.drop(DropReason.SIP_TOO_LARGE, source + ": " + key + ": SIP message of " + total
                            + " bytes, over the limit of " + limits.maxStreamBytes() + ": "
                            + Bytes.preview(buf, p, lf - p, 60));
                    long have = size - p;
                    if (have >= total) {
                        p += (int) total;
                    } else {
                        skip = total - have;
                        p = size;
                    }
                    continue;
                }
                if (size - p < total) {
                    break;
                }
                sink.sip(key, time, Arrays.copyOfRange(buf, p, p + (int) total));
                p += (int) total;
            }
            compact(p);
        }

        private void notSip(int p, int end) {
            drops.drop(DropReason.NOT_SIP, source + ": " + key + ": TCP data that is not a SIP start line: "
                    + Bytes.preview(buf, p, end - p, 40));
            resync = Resync.LOST;
        }

        /** The first index at or after {@code p} where a SIP start line or a HEP3 frame begins, or -1. */
        private int resyncPoint(int p) {
            int lineStart = p; // after a gap the next segment usually begins a message
            for (int i = p; i < size; i++) {
                if (i == lineStart) {
                    int lf = SipFraming.lineFeed(buf, i, Math.min(size, i + SipFraming.MAX_START_LINE));
                    if (lf >= 0 && SipFraming.isStartLine(buf, i, lf)) {
                        // The rest of a lost message's body may run into the next start line ("xxINVITE ...").
                        return SipFraming.knownMethodStart(buf, i, lf);
                    }
                }
                if ((buf[i] == 'H' || buf[i] == 'E') && SipFraming.isHep3(buf, i, size)) {
                    return i;
                }
                if (buf[i] == '\n') {
                    lineStart = i + 1;
                }
            }
            return -1;
        }

        /** Without a message start in sight: the bytes from here on might still begin one. */
        private int keepFrom(int p) {
            int lineStart = p;
            for (int i = size - 1; i >= p; i--) {
                if (buf[i] == '\n') {
                    lineStart = i + 1;
                    break;
                }
            }
            return size - lineStart < SipFraming.MAX_START_LINE ? lineStart : Math.max(p, size - 3);
        }

        private void compact(int p) {
            if (p == 0) {
                return;
            }
            size -= p;
            if (size == 0 && buf.length > KEEP_BUFFER) {
                buf = EMPTY;
            } else {
                System.arraycopy(buf, p, buf, 0, size);
            }
        }

        private boolean blank(int from, int to) {
            return SipFraming.skipCrlf(buf, from, to) == to;
        }

        /** The stream ends: use what the held segments still give, count what is left unfinished. */
        void close(long time, String why) {
            headerScan = 0;
            while (!held.isEmpty()) {
                gap(time, earliest(held.get(0).seq));
            }
            if (size > 0 && !blank(0, size) && resync != Resync.LOST) {
                drops.drop(DropReason.TCP_GAP, source + ": " + key + ": stream " + why + " inside a SIP message; "
                        + size + " bytes discarded");
            }
            size = 0;
            buf = EMPTY;
        }
    }
}
