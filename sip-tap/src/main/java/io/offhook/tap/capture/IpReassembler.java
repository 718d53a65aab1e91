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
 * Puts IP fragments back together (RFC 791 section 3.2 for IPv4, RFC 8200 section 4.5 for IPv6). SIP over UDP often
 * leaves its sender in fragments: an INVITE or a 200 with a large SDP body (video, ICE candidates, SRTP keys) behind
 * a few Via and Record-Route headers passes a 1,500-byte MTU, and many phones and PBXes keep UDP whatever its size
 * (RFC 3261 section 18.1.1 asks them to switch to TCP). Without reassembly a capture or a live sniff loses exactly
 * those messages, the INVITEs and answers that carry a call's state. A HEP mirror's large datagrams are fragmented
 * on the wire the same way.
 *
 * <p>Hostile or damaged input is bounded:
 * <ul>
 *   <li>A datagram whose fragments overlap with different bytes is dropped whole as
 *       {@link DropReason#IP_FRAGMENT_INVALID} (RFC 5722 asks this for IPv6; for IPv4 it is the safe reading too, since
 *       which copy a receiver keeps differs between systems and a sender never sends two). Its later fragments are
 *       ignored until it would have timed out. Exact duplicates, which a capture on a mirror port often holds, are
 *       ignored.</li>
 *   <li>So is a datagram that would exceed 65,535 bytes, whose fragments disagree on where it ends, that has a
 *       fragment other than the last whose length is not a multiple of 8, or more than {@link #MAX_FRAGMENTS}
 *       fragments.</li>
 *   <li>A datagram not complete within the timeout of its first fragment (packet time, as for everything the tap
 *       reads from captures) is given up as {@link DropReason#IP_FRAGMENT_INCOMPLETE}; so is the one waiting longest
 *       when {@code maxDatagrams} are waiting or their bytes pass {@code maxBytes}, and every one still waiting
 *       when the source ends.</li>
 * </ul>
 * A complete datagram is forgotten at once, as the kernel does: a copy of one of its fragments that arrives later
 * starts it again (a complete second copy comes out a second time, and the pipeline drops it as a duplicate).
 *
 * <p>Not thread-safe: one per source thread, like {@link TcpReassembler}.
 */
final class IpReassembler {
    /** Linux's default ({@code net.ipv4.ipfrag_time}): a datagram's fragments normally arrive within milliseconds. */
    static final long DEFAULT_TIMEOUT_MICROS = 30_000_000L;
    static final int DEFAULT_MAX_DATAGRAMS = 1024;
    static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
    /** A 65,535-byte datagram in IPv6's minimum MTU (1,280) takes 53 fragments; far more means tiny fragments. */
    static final int MAX_FRAGMENTS = 128;
    private static final int MAX_DATAGRAM = 65_535;

    /** A reassembled datagram: the protocol of its payload (UDP, TCP...) and the payload, fragments joined. */
    record Whole(int protocol, byte[] payload) {
    }

    private final DropCounters drops;
    private final String source;
    private final int maxDatagrams;
    private final int maxBytes;
    private final long timeoutMicros;
    /** Datagrams waiting for fragments, the one whose first fragment came first at the head. */
    private final LinkedHashMap<Key, Datagram> waiting = new LinkedHashMap<>();
    private int bytesHeld;

    IpReassembler(DropCounters drops, String source) {
        this(drops, source, DEFAULT_MAX_DATAGRAMS, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MICROS);
    }

    IpReassembler(DropCounters drops, String source, int maxDatagrams, int maxBytes, long timeoutMicros) {
        this.drops = drops;
        this.source = source;
        this.maxDatagrams = maxDatagrams;
        this.maxBytes = maxBytes;
        this.timeoutMicros = timeoutMicros;
    }

    /**
     * One fragment.
     *
     * @param key which datagram it belongs to: {@link #ipv4Key} or {@link #ipv6Key}
     * @param offset where its bytes go in the datagram's payload
     * @param more whether more fragments follow it (the MF flag / M bit)
     * @param protocol the payload's protocol as this fragment names it (IPv4's protocol field; IPv6's next header in
     *     the fragment header, taken from the first fragment only, as RFC 8200 says)
     * @param b the frame; the bytes {@code [from, to)} are copied
     * @param record the 1-based record number within the source, for drop details
     * @return the whole datagram when this fragment completed it, else {@code null}
     */
    Whole fragment(Key key, long timeMicros, long record, int offset, boolean more, int protocol, byte[] b, int from,
                   int to) {
        expire(timeMicros);
        Datagram d = waiting.get(key);
        if (d == null) {
            d = new Datagram(timeMicros, record);
            waiting.put(key, d);
        }
        if (d.dead) {
            return null;
        }
        int length = to - from;
        String problem = d.problemWith(offset, length, more);
        if (problem == null) {
            problem = d.conflict(offset, b, from, length);
        }
        if (problem != null) {
            drops.drop(DropReason.IP_FRAGMENT_INVALID, where(key, d, record) + problem);
            kill(d);
            return null;
        }
        if (d.covers(offset, length) && (more || d.total >= 0)) {
            return null; // an exact duplicate (a last fragment always tells where the datagram ends)
        }
        d.add(offset, Arrays.copyOfRange(b, from, to));
        bytesHeld += length;
        if (offset == 0) {
            d.protocol = protocol;
        }
        if (!more) {
            d.total = offset + length;
        }
        if (d.complete()) {
            waiting.remove(key);
            bytesHeld -= d.held;
            return new Whole(d.protocol, d.join());
        }
        while (waiting.size() > maxDatagrams || bytesHeld > maxBytes) {
            Map.Entry<Key, Datagram> eldest = waiting.entrySet().iterator().next();
            giveUp(eldest.getKey(), eldest.getValue(), "given up: " + waiting.size() + " datagrams ("
                    + bytesHeld + " bytes) waiting for fragments, the limit is " + maxDatagrams + " ("
                    + maxBytes + " bytes)");
        }
        return null;
    }

    /** The source ended: every datagram still waiting is given up. */
    void finish() {
        while (!waiting.isEmpty()) {
            Map.Entry<Key, Datagram> e = waiting.entrySet().iterator().next();
            giveUp(e.getKey(), e.getValue(), "incomplete at the end of the source");
        }
    }

    /** Datagrams waiting for fragments (dropped ones waiting out their timeout included). */
    int waiting() {
        return waiting.size();
    }

    static Key ipv4Key(byte[] b, int header) {
        return new Key(Arrays.copyOfRange(b, header + 12, header + 20), b[header + 9] & 0xff, Bytes.u16(b, header + 4));
    }

    /**
     * @param fragmentHeader where the fragment extension header starts
     */
    static Key ipv6Key(byte[] b, int header, int fragmentHeader) {
        return new Key(Arrays.copyOfRange(b, header + 8, header + 40), -1, Bytes.i32(b, fragmentHeader + 4));
    }

    private void expire(long now) {
        for (Iterator<Map.Entry<Key, Datagram>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Datagram> e = it.next();
            Datagram d = e.getValue();
            if (now - d.firstMicros <= timeoutMicros) {
                return; // later entries started later (packet times may step back a little; they wait their turn)
            }
            it.remove();
            bytesHeld -= d.held;
            if (!d.dead) {
                drops.drop(DropReason.IP_FRAGMENT_INCOMPLETE, where(e.getKey(), d, d.firstRecord)
                        + "incomplete " + timeoutMicros / 1_000_000 + " s after its first fragment");
            }
        }
    }

    private void giveUp(Key key, Datagram d, String why) {
        waiting.remove(key);
        bytesHeld -= d.held;
        if (!d.dead) {
            drops.drop(DropReason.IP_FRAGMENT_INCOMPLETE, where(key, d, d.firstRecord) + why);
        }
    }

    private void kill(Datagram d) {
        bytesHeld -= d.held;
        d.dead = true;
        d.pieces.clear();
        d.held = 0;
    }

    private String where(Key key, Datagram d, long record) {
        return source + " record " + record + ": " + key + " (first fragment in record " + d.firstRecord + "): ";
    }

    /**
     * A datagram's identity: addresses, protocol (IPv4 only: IPv6 leaves it out of the key) and identification.
     *
     * @param addresses the source then the destination address, 8 or 32 bytes
     * @param protocol IPv4's protocol field, -1 for IPv6
     */
    record Key(byte[] addresses, int protocol, int id) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.protocol == protocol && k.id == id && Arrays.equals(k.addresses, addresses);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(addresses) * 31 + protocol) * 31 + id;
        }

        @Override
        public String toString() {
            int half = addresses.length / 2;
            return (half == 4 ? "IPv4 " : "IPv6 ") + Bytes.address(Arrays.copyOfRange(addresses, 0, half)) + " -> "
                    + Bytes.address(Arrays.copyOfRange(addresses, half, addresses.length)) + " id "
                    + Integer.toUnsignedString(id);
        }
    }

    /** The fragments of one datagram so far, in order of offset. */
    private static final class Datagram {
        final long firstMicros;
        final long firstRecord;
        final List<Piece> pieces = new ArrayList<>(4);
        int held;
        /** The payload's length, once the last fragment came; -1 before. */
        int total = -1;
        int protocol = -1;
        boolean dead;

        Datagram(long firstMicros, long firstRecord) {
            this.firstMicros = firstMicros;
            this.firstRecord = firstRecord;
        }

        /** Why a fragment at this place cannot belong to a well-formed datagram, or {@code null}. */
        String problemWith(int offset, int length, boolean more) {
            int end = offset + length;
            if (end > MAX_DATAGRAM) {
                return "fragment at " + offset + " of " + length + " bytes ends past 65,535 bytes";
            }
            if (more && (length == 0 || length % 8 != 0)) {
                return "fragment at " + offset + " of " + length + " bytes, not the last, is not a multiple of 8";
            }
            if (pieces.size() == MAX_FRAGMENTS) {
                return "more than " + MAX_FRAGMENTS + " fragments";
            }
            if (total >= 0 && (end > total || !more && end != total)) {
                return "fragment at " + offset + " of " + length + " bytes disagrees with a last fragment ending at "
                        + total;
            }
            if (!more) {
                for (Piece p : pieces) {
                    if (p.offset + p.bytes.length > end) {
                        return "last fragment ends at " + end + ", before bytes already received up to "
                                + (p.offset + p.bytes.length);
                    }
                }
            }
            return null;
        }

        /** A description of bytes this fragment gives differently from one received before, or {@code null}. */
        String conflict(int offset, byte[] b, int from, int length) {
            for (Piece p : pieces) {
                int start = Math.max(offset, p.offset);
                int end = Math.min(offset + length, p.offset + p.bytes.length);
                if (start < end && Arrays.mismatch(b, from + start - offset, from + end - offset,
                        p.bytes, start - p.offset, end - p.offset) >= 0) {
                    return "fragments overlap with different bytes at " + start + " to " + end;
                }
            }
            return null;
        }

        /** Whether the bytes [offset, offset + length) are all there already. */
        boolean covers(int offset, int length) {
            int reached = offset;
            for (Piece p : pieces) {
                if (p.offset <= reached && p.offset + p.bytes.length > reached) {
                    reached = p.offset + p.bytes.length;
                }
            }
            return reached >= offset + length;
        }

        void add(int offset, byte[] bytes) {
            int i = pieces.size();
            while (i > 0 && pieces.get(i - 1).offset > offset) {
                i--;
            }
            pieces.add(i, new Piece(offset, bytes));
            held += bytes.length;
        }

        boolean complete() {
            if (total < 0 || protocol < 0) {
                return false;
            }
            int reached = 0;
            for (Piece p : pieces) {
                if (p.offset > reached) {
                    return false;
                }
                reached = Math.max(reached, p.offset + p.bytes.length);
            }
            return reached == total;
        }

        byte[] join() {
            byte[] whole = new byte[total];
            for (Piece p : pieces) {
                System.arraycopy(p.bytes, 0, whole, p.offset, p.bytes.length);
            }
            return whole;
        }
    }

    private record Piece(int offset, byte[] bytes) {
    }
}
