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
 * <p>Memory is fixed: two generations of 64-bit fingerprints in open-addressing tables. The young generation
 * becomes the old one after {@code windowMicros} or when it is half full, whichever comes first; under extreme load
 * the window therefore shrinks instead of memory growing. Fingerprint collisions (about 2^-64 per pair) are accepted.
 */
public final class Deduplicator {
    /** {@link Hash64} never yields 0, so 0 marks an empty slot. */
    private static final long EMPTY = 0L;

    private final long windowMicros;
    private final int mask;
    private final int maxFill;
    private long[] young;
    private long[] old;
    private int youngFill;
    private long youngSince = Long.MIN_VALUE;

    /**
     * @param windowMicros how long a message is remembered at least (unless the table fills first)
     * @param capacityLog2 log2 of the slots per generation
     */
    public Deduplicator(long windowMicros, int capacityLog2) {
        if (capacityLog2 < 4 || capacityLog2 > 28) {
            throw new IllegalArgumentException("capacityLog2 out of range: " + capacityLog2);
        }
        this.windowMicros = windowMicros;
        this.mask = (1 << capacityLog2) - 1;
        this.maxFill = 1 << (capacityLog2 - 1);
        this.young = new long[1 << capacityLog2];
        this.old = new long[1 << capacityLog2];
    }

    /** True the first time a message is seen within the window, false for copies. */
    public boolean firstSeen(SipMessage m, long nowMicros) {
        if (youngSince == Long.MIN_VALUE) {
            youngSince = nowMicros;
        } else if (nowMicros - youngSince >= windowMicros || youngFill >= maxFill) {
            rotate(nowMicros);
        }
        long f = fingerprint(m);
        if (contains(old, f)) {
            return false;
        }
        int i = (int) (f ^ (f >>> 32)) & mask;
        while (true) {
            long v = young[i];
            if (v == f) {
                return false;
            }
            if (v == EMPTY) {
                young[i] = f;
                youngFill++;
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    private boolean contains(long[] table, long f) {
        int i = (int) (f ^ (f >>> 32)) & mask;
        while (true) {
            long v = table[i];
            if (v == f) {
                return true;
            }
            if (v == EMPTY) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    private void rotate(long nowMicros) {
        long[] t = old;
        old = young;
        young = t;
        java.util.Arrays.fill(young, EMPTY);
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
