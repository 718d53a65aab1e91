package io.offhook.tap.sip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The Strings of recently read fields, found again by their bytes, so that a field seen before costs a hash and a
 * comparison instead of a new String. Most fields the tap reads repeat: a dialog's Call-ID, tags and URIs come back
 * in every request and response of it, a user's address of record and contact in every registration refresh. The
 * String handed out again also carries its hash code already, which the tracker's maps need next.
 *
 * <p>Bounded: a direct-mapped table of {@value #SLOTS} slots holding texts of at most {@value #MAX_LENGTH} bytes
 * (longer ones are made afresh each time); a new text replaces whatever its slot held. The bytes of every slot lie
 * in one array, {@value #MAX_LENGTH} bytes apiece, compared eight at a time: no array per text to allocate when a
 * slot is replaced, and no array header or bounds checks between the lookup and the bytes. One per
 * {@link SipFrame}, so one per thread; not thread-safe.
 */
final class TextCache {
    private static final int SLOTS = 1 << 12;
    private static final int MAX_LENGTH = 128;
    private static final int LOG2_MAX_LENGTH = 7;
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The bytes each slot's text was made from, at {@code slot * MAX_LENGTH}; what lies past its length is stale. */
    private final byte[] bytes = new byte[SLOTS * MAX_LENGTH];
    /** The length of each slot's text in bytes; -1 for an empty slot. */
    private final int[] lengths = new int[SLOTS];
    private final String[] texts = new String[SLOTS];

    TextCache() {
        Arrays.fill(lengths, -1);
    }

    /** The text of {@code [s, e)} decoded as UTF-8, the same String as last time when the bytes are the same. */
    String text(byte[] d, int s, int e) {
        int n = e - s;
        if (n > MAX_LENGTH) {
            return SipFrame.decode(d, s, e);
        }
        int slot = slot(d, s, e);
        int at = slot << LOG2_MAX_LENGTH;
        if (lengths[slot] == n && same(d, s, e, at)) {
            return texts[slot];
        }
        String text = SipFrame.decode(d, s, e);
        System.arraycopy(d, s, bytes, at, n);
        lengths[slot] = n;
        texts[slot] = text;
        return text;
    }

    /** Whether {@code [s, e)} equals the bytes of the same length at {@code at}, compared eight at a time. */
    private boolean same(byte[] d, int s, int e, int at) {
        int i = s;
        int j = at;
        for (; i + Long.BYTES <= e; i += Long.BYTES, j += Long.BYTES) {
            if ((long) LONGS.get(d, i) != (long) LONGS.get(bytes, j)) {
                return false;
            }
        }
        if (i == e) {
            return true;
        }
        // Fewer than eight bytes left: the slot has room for a whole word here (its texts are shorter than it).
        long mask = -1L >>> (Long.SIZE - Byte.SIZE * (e - i));
        return SipFrame.tail(d, i, e) == ((long) LONGS.get(bytes, j) & mask);
    }

    /** A hash of the length and the bytes, eight at a time, reduced to a slot. */
    private static int slot(byte[] d, int s, int e) {
        long h = (e - s) * P1;
        int i = s;
        for (; i + Long.BYTES <= e; i += Long.BYTES) {
            h = Long.rotateLeft(h + (long) LONGS.get(d, i) * P2, 31) * P1;
        }
        long w = i < e ? SipFrame.tail(d, i, e) : 0;
        h = Long.rotateLeft(h + w * P2, 31) * P1;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32)) & (SLOTS - 1);
    }
}
