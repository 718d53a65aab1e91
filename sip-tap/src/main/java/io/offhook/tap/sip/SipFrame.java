package io.offhook.tap.sip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One SIP message located but not yet read: where each field the tracker needs lies in the message's bytes, filled
 * in by {@link SipScanner#frame}. From it come a {@link #fingerprint()} of the fields that identify a copy of the
 * message and, only when wanted, the {@link SipMessage} itself.
 *
 * <p>Why: the proxy mirrors every message twice, so half of what the tap receives is a copy it will drop. Framing
 * validates everything {@link SipScanner#scan} validates (a message that frames is a message that scans, to the
 * same {@code SipMessage}), but creates no String, no contact and no SDP result; a copy is recognised from the raw
 * bytes and costs no more than that. A pipeline frames even less of it first: {@link SipScanner#frameIdentity}
 * stops after the header fields the fingerprint needs, and {@link SipScanner#frameRest} reads the rest only of a
 * message that is no copy.
 *
 * <p>Mutable and reusable: one frame per thread, refilled for each message; it refers to the caller's byte array,
 * which must stay unchanged until the frame is refilled.
 */
public final class SipFrame {
    /** Reads eight bytes of a byte[] as one little-endian long (for {@link #fingerprint()}). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final MediaDirection[] DIRECTIONS = MediaDirection.values();
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long REQUEST = 0x5245515545535431L;
    private static final long RESPONSE = 0x524553504f4e5345L;

    byte[] data;
    String method;
    int methodStart;
    int methodEnd;
    int statusCode;
    int uriStart;
    int uriEnd;
    int callIdStart;
    int callIdEnd;
    long cseq;
    String cseqMethod;
    int cseqMethodStart;
    int cseqMethodEnd;
    int fromStart;
    int fromEnd;
    /** Start of the From tag value, -1 when there is no tag. */
    int fromTagStart;
    int fromTagEnd;
    int toStart;
    int toEnd;
    /** Start of the To tag value, -1 when there is no tag. */
    int toTagStart;
    int toTagEnd;
    /** Per contact: URI start, URI end, expires parameter (or {@link SipMessage#ABSENT}). */
    int[] contacts = new int[3 * 4];
    int contactCount;
    boolean contactWildcard;
    int expires;
    int sessionExpires;
    /** Start of the Content-Type's type, -1 when there is no usable Content-Type. */
    int typeStart;
    int subtypeStart;
    int subtypeEnd;
    /** The multipart boundary parameter packed as start and end, or negative. */
    long boundary;
    int bodyStart;
    int bodyEnd;
    /** Start of the P-Asserted-Identity URI, -1 when there is none. */
    int assertedStart;
    int assertedEnd;
    /** Whether the whole message is framed (by {@link SipScanner#frame} or {@link SipScanner#frameRest}). */
    boolean complete;
    /** Where the message starts and ends in {@link #data}. */
    int base;
    int end;
    /** While not {@link #complete}: where the next header field starts, and what the header loop knew so far. */
    int next;
    long contentLength;
    boolean assertedSeen;

    /** Null, or where the Strings of fields seen before are found again. */
    private final TextCache texts;

    /** An empty frame, to be filled by {@link SipScanner#frame}; every {@link #toMessage()} makes new Strings. */
    public SipFrame() {
        this.texts = null;
    }

    private SipFrame(TextCache texts) {
        this.texts = texts;
    }

    /**
     * An empty frame whose {@link #toMessage()} hands out the same String again for a field whose bytes it read
     * recently (a dialog's Call-ID, tags and URIs, a user's addresses): for a pipeline that reads message after
     * message. It holds a bounded table of recent texts (4,096 of up to 128 bytes: at most about 1.5 MiB).
     */
    public static SipFrame reusingTexts() {
        return new SipFrame(new TextCache());
    }

    void addContact(int start, int end, int contactExpires) {
        int i = 3 * contactCount;
        if (i == contacts.length) {
            contacts = Arrays.copyOf(contacts, 2 * contacts.length);
        }
        contacts[i] = start;
        contacts[i + 1] = end;
        contacts[i + 2] = contactExpires;
        contactCount++;
    }

    /** Whether the framed message is a request. */
    public boolean isRequest() {
        return method != null;
    }

    /**
     * Whether the frame holds a whole message ({@link SipScanner#frame}, or {@link SipScanner#frameIdentity} then
     * {@link SipScanner#frameRest}) rather than only what its {@link #fingerprint()} needs.
     */
    public boolean isComplete() {
        return complete;
    }

    /**
     * A 64-bit hash, never 0, of what makes two messages copies of one another for the tracker: the Call-ID, the
     * CSeq number and method, the From and To tags (absent and empty differ), and for a request its method and
     * Request-URI, for a response its status code. It reads the raw bytes eight at a time, so two messages that
     * agree on these fields byte for byte have the same fingerprint and messages that differ have different ones
     * but for 64-bit hash collisions (each field's length goes in first, so fields cannot run into each other).
     */
    public long fingerprint() {
        byte[] d = data;
        long h = round(P1, isRequest() ? REQUEST : RESPONSE);
        h = mix(h, d, callIdStart, callIdEnd);
        h = mix(h, d, cseqMethodStart, cseqMethodEnd);
        h = round(h, cseq);
        h = fromTagStart < 0 ? round(h, -1) : mix(h, d, fromTagStart, fromTagEnd);
        h = toTagStart < 0 ? round(h, -1) : mix(h, d, toTagStart, toTagEnd);
        if (isRequest()) {
            h = mix(h, d, methodStart, methodEnd);
            h = mix(h, d, uriStart, uriEnd);
        } else {
            h = round(h, statusCode);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /** Folds the length of {@code [s, e)} and then its bytes, eight at a time, into {@code h}. */
    private static long mix(long h, byte[] d, int s, int e) {
        h = round(h, e - s);
        int i = s;
        for (; i + Long.BYTES <= e; i += Long.BYTES) {
            h = round(h, (long) LONGS.get(d, i));
        }
        if (i < e) {
            h = round(h, tail(d, i, e));
        }
        return h;
    }

    /**
     * The bytes {@code [i, e)}, fewer than eight, as a little-endian long with zeros above: one eight-byte read
     * masked to the length when the array goes on far enough (it nearly always does: a field is followed by more
     * of the message), byte by byte only at the very end of the array.
     */
    static long tail(byte[] d, int i, int e) {
        int n = e - i;
        if (i + Long.BYTES <= d.length) {
            return (long) LONGS.get(d, i) & (-1L >>> (Long.SIZE - Byte.SIZE * n));
        }
        long w = 0;
        for (int k = e - 1; k >= i; k--) {
            w = (w << 8) | (d[k] & 0xFF);
        }
        return w;
    }

    /** One xxHash64-style round: a bijection in {@code h} for each {@code v} and in {@code v} for each {@code h}. */
    private static long round(long h, long v) {
        return Long.rotateLeft(h + v * P2, 31) * P1;
    }

    /**
     * The message's fields, as {@link SipScanner#scan} returns them.
     *
     * @throws IllegalStateException if the frame holds only the first part of a message
     *     ({@link SipScanner#frameIdentity} without {@link SipScanner#frameRest})
     */
    public SipMessage toMessage() {
        if (!complete) {
            throw new IllegalStateException("the frame holds only the first part of a message");
        }
        byte[] d = data;
        // Immutable lists from the start, which SipMessage keeps without copying them again.
        List<Contact> list;
        if (contactCount == 0) {
            list = List.of();
        } else if (contactCount == 1) {
            list = List.of(new Contact(text(d, contacts[0], contacts[1]), contacts[2]));
        } else {
            Contact[] all = new Contact[contactCount];
            for (int i = 0; i < contactCount; i++) {
                all[i] = new Contact(text(d, contacts[3 * i], contacts[3 * i + 1]), contacts[3 * i + 2]);
            }
            list = List.of(all);
        }
        String contentType = null;
        MediaDirection media = null;
        boolean nullConnection = false;
        if (typeStart >= 0) {
            contentType = SipScanner.mediaTypeText(d, typeStart, subtypeStart, subtypeEnd);
            int sdp = SipScanner.body(d, bodyStart, bodyEnd, contentType, boundary);
            if (sdp >= 0) {
                media = DIRECTIONS[sdp & 3];
                nullConnection = (sdp & 4) != 0;
            }
        }
        return new SipMessage(method, statusCode, method == null ? null : text(d, uriStart, uriEnd),
                text(d, callIdStart, callIdEnd), cseq, cseqMethod, text(d, fromStart, fromEnd),
                fromTagStart < 0 ? null : text(d, fromTagStart, fromTagEnd), text(d, toStart, toEnd),
                toTagStart < 0 ? null : text(d, toTagStart, toTagEnd), list, contactWildcard, expires,
                sessionExpires, contentType, media, nullConnection,
                assertedStart < 0 ? null : text(d, assertedStart, assertedEnd));
    }

    /** The text of {@code [s, e)}, already validated while framing: from the cache of recent texts if any. */
    private String text(byte[] d, int s, int e) {
        return texts == null ? decode(d, s, e) : texts.text(d, s, e);
    }

    /**
     * The text of {@code [s, e)} as UTF-8, which for all-ASCII bytes (the usual case, checked by the JDK without a
     * decoder) is the same as ISO-8859-1.
     */
    static String decode(byte[] d, int s, int e) {
        return new String(d, s, e - s, StandardCharsets.UTF_8);
    }
}
