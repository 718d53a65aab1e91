package io.offhook.tap.track;

import io.offhook.tap.sip.SipMessage;

/**
 * Recognises a second copy of a SIP message: the proxy's mirror of the other leg, a retransmission, a packet seen
 * by two capture points.
 *
 * <p>Two copies are the same when they agree on what the tracker acts on: the Call-ID, CSeq, the tags, and for a
 * request its method and Request-URI (so each forwarded branch of a forked INVITE still counts, since it tells
 * which device was rung), for a response its status code. Proxies rewrite Via and Record-Route between legs, so the
 * bytes themselves cannot be compared.
 *
 * <p>Memory is bounded: two generations of 64-bit fingerprints in open-addressing tables. The young generation
 * becomes the old one after {@code windowMicros} or when it is half full, whichever comes first; a table that fills
 * early grows up to a maximum, beyond which the window shrinks instead of memory growing. Fingerprint collisions
 * (about 2^-64 per pair) are accepted.
 */
public final class Deduplicator {
    /** {@link Hash64} never yields 0, so 0 marks an empty slot. */
    private static final long EMPTY = 0L;
    private static final int MIN_LOG2 = 10;

    private final long windowMicros;
    private final int maxLog2;
    private long[] young = new long[1 << MIN_LOG2];
    private long[] old = new long[1 << MIN_LOG2];
    private int youngFill;
    /** The fingerprint the last {@link #seen} found new and the young slot it goes to, or {@link #EMPTY}. */
    private long pending = EMPTY;
    private int pendingSlot;
    private long youngSince = Long.MIN_VALUE;

    /**
     * @param windowMicros how long a message is remembered at least (unless the table fills first)
     * @param maxCapacityLog2 log2 of the most slots a generation may grow to
     */
    public Deduplicator(long windowMicros, int maxCapacityLog2) {
        if (maxCapacityLog2 < MIN_LOG2 || maxCapacityLog2 > 28) {
            throw new IllegalArgumentException("maxCapacityLog2 out of range: " + maxCapacityLog2);
        }
        this.windowMicros = windowMicros;
        this.maxLog2 = maxCapacityLog2;
    }

    /** True the first time a message is seen within the window, false for copies. */
    public boolean firstSeen(SipMessage m, long nowMicros) {
        return firstSeen(fingerprint(m), nowMicros);
    }

    /**
     * True the first time a fingerprint is seen within the window, false for copies: for callers that fingerprint
     * the raw bytes ({@link io.offhook.tap.sip.SipFrame#fingerprint()}) so that a copy is dropped before it is
     * read. One de-duplicator must be fed fingerprints of one kind only: those of a frame and of a message differ.
     *
     * @param f a non-zero 64-bit hash of the fields that make two messages copies of one another
     */
    public boolean firstSeen(long f, long nowMicros) {
        if (seen(f, nowMicros)) {
            return false;
        }
        remember(f);
        return true;
    }

    /**
     * Whether a fingerprint was seen within the window, without remembering it: for a caller that first checks
     * the fingerprint of a message it has only partly read ({@link io.offhook.tap.sip.SipScanner#frameIdentity})
     * and remembers it only once the whole message proved usable ({@link #remember}, which stores it where this
     * found room for it), so that a malformed first copy does not hide a good second one.
     *
     * @param f a non-zero 64-bit hash of the fields that make two messages copies of one another
     */
    public boolean seen(long f, long nowMicros) {
        checkAndRotate(f, nowMicros);
        pending = EMPTY;
        if (contains(old, f)) {
            return true;
        }
        int mask = young.length - 1;
        for (int i = index(f, mask); ; i = (i + 1) & mask) {
            long v = young[i];
            if (v == f) {
                return true;
            }
            if (v == EMPTY) {
                pending = f;
                pendingSlot = i;
                return false;
            }
        }
    }

    /**
     * Remembers a fingerprint that the last call, {@link #seen}, found new: as {@link #firstSeen(long, long)} would
     * have, without looking for it again.
     *
     * @throws IllegalStateException if the last call was not {@code seen(f, ...)} answering false
     */
    public void remember(long f) {
        if (f == EMPTY || f != pending) {
            throw new IllegalStateException("remember(f) must follow seen(f, now) answering false");
        }
        pending = EMPTY;
        young[pendingSlot] = f;
        youngFill++;
    }

    private void checkAndRotate(long f, long nowMicros) {
        if (f == EMPTY) {
            throw new IllegalArgumentException("fingerprint 0 is reserved");
        }
        if (youngSince == Long.MIN_VALUE) {
            youngSince = nowMicros;
        } else if (nowMicros - youngSince >= windowMicros || youngFill >= young.length / 2) {
            rotate(nowMicros);
        }
    }

    private static boolean contains(long[] table, long f) {
        int mask = table.length - 1;
        for (int i = index(f, mask); ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == f) {
                return true;
            }
            if (v == EMPTY) {
                return false;
            }
        }
    }

    private static int index(long f, int mask) {
        return (int) (f ^ (f >>> 32)) & mask;
    }

    /**
     * The young generation becomes the old one. A generation that filled up before its window ended gets a table
     * twice the size (up to the maximum), so a quiet tap clears a small table and a busy one keeps its window.
     */
    private void rotate(long nowMicros) {
        boolean filledEarly = youngFill >= young.length / 2;
        long[] recycled = old;
        old = young;
        int wanted = filledEarly ? Math.min(young.length * 2, 1 << maxLog2) : young.length;
        if (recycled.length == wanted) {
            java.util.Arrays.fill(recycled, EMPTY);
            young = recycled;
        } else {
            young = new long[wanted];
        }
        youngFill = 0;
        youngSince = nowMicros;
    }

    static long fingerprint(SipMessage m) {
        long h = Hash64.mix(Hash64.SEED, m.callId());
        h = Hash64.mix(h, m.cseqMethod());
        h = Hash64.mix(h, m.cseq());
        h = Hash64.mix(h, m.fromTag());
        h = Hash64.mix(h, m.toTag());
        if (m.isRequest()) {
            h = Hash64.mix(h, m.method());
            h = Hash64.mix(h, m.requestUri());
        } else {
            h = Hash64.mix(h, m.statusCode());
        }
        return Hash64.finish(h);
    }
}
