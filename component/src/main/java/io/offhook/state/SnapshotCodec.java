package io.offhook.state;

import io.offhook.presence.PresentationMode;
import io.offhook.publish.Publication;
import io.offhook.tap.track.TrackerSnapshot;
import io.offhook.tap.track.TrackerSnapshot.LegState;
import io.offhook.tap.track.TrackerSnapshot.SavedBinding;
import io.offhook.tap.track.TrackerSnapshot.SavedCall;
import io.offhook.tap.track.TrackerSnapshot.SavedLeg;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.xmpp.packet.JID;

/**
 * Offhook's snapshot file format, version {@value #VERSION}: stateless, bytes in and out (the file is
 * {@link SnapshotFile}'s business). All integers big-endian:
 *
 * <pre>
 * header    16  magic "OFFHOOK SNAPSHOT" (ASCII: {@code head -c 16 FILE} says what the file is)
 *            2  format version (u16), 1
 *            2  flags (u16), 0
 *            8  taken at, microseconds since the epoch (i64)
 *            4  body length N (u32)
 * body       N  three sections, in this order: BIND, CALL, PUBL; each is
 *                 tag (4 ASCII bytes), section length (u32), entry count (u32), entries
 * trailer    4  CRC-32 (ISO-HDLC, java.util.zip.CRC32) of header and body
 *
 * string     u32 length in bytes (0xFFFFFFFF: absent), UTF-8 (at most 1 MiB)
 * BIND entry aor, device key (strings), expires at (i64 micros)
 * CALL entry Call-ID, From tag (may be absent), INVITE CSeq (i64), caller AOR, To AOR (strings),
 *            flags (u8: 1 known, 2 challenged, 4 ever confirmed), last activity, session interval or -1,
 *            ended at or -1 (i64 micros), forwarded-to count (u32) and AORs (strings),
 *            leg count (u32) and legs: To tag, callee AOR (strings), state (u8: 0 early, 1 confirmed,
 *            2 terminated), held (u8: 0 or 1)
 * PUBL entry one sender: user, from (JIDs as strings), mode (its config name: resource, overlay, gateway...),
 *            the user's own presence before the call (XML string; absent unless overlay), recipient count (u32)
 *            and recipients (bare JIDs as strings): what one address shows goes to many contacts
 * </pre>
 *
 * <p>Reading trusts nothing: the magic, the version and the length are checked first, then the CRC over every byte
 * (which catches every single-bit error and every burst of up to 32 bits), then each field as it is read, with
 * every count and length bounded by the bytes that remain, so a hostile file can neither make it allocate more than
 * its own size nor loop. Every problem is a {@link SnapshotFormatException} that says what and at which byte.
 */
public final class SnapshotCodec {
    /** The format version this code writes and the only one it reads. */
    public static final int VERSION = 1;
    /** Larger files are refused before they are read. */
    public static final long MAX_FILE_BYTES = 512L << 20;
    /** Longer strings are refused; a saved presence longer than this is left out when writing. */
    public static final int MAX_STRING_BYTES = 1 << 20;

    private static final byte[] MAGIC = "OFFHOOK SNAPSHOT".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_BYTES = MAGIC.length + 2 + 2 + 8 + 4;
    private static final int CRC_BYTES = 4;
    private static final int ABSENT = -1;
    private static final String[] SECTIONS = {"BIND", "CALL", "PUBL"};
    /** The fewest bytes one entry of each section takes: a bound on the counts a file may claim. */
    private static final int MIN_BINDING = 4 + 1 + 4 + 1 + 8;
    private static final int MIN_CALL = 4 + 1 + 4 + 8 + 4 + 1 + 4 + 1 + 1 + 8 + 8 + 8 + 4 + 4;
    private static final int MIN_LEG = 4 + 4 + 1 + 1 + 1;
    private static final int MIN_STRING = 4 + 1;
    private static final int MIN_SENDER = 3 * MIN_STRING + 4 + 4;

    private SnapshotCodec() {
    }

    /**
     * The file's bytes for {@code snapshot}.
     *
     * @throws IllegalArgumentException when it would exceed {@link #MAX_FILE_BYTES}, or a SIP string exceeds
     *     {@link #MAX_STRING_BYTES} (which the tap's own limits make impossible)
     */
    public static byte[] encode(Snapshot snapshot) {
        Writer w = new Writer();
        w.bytes(MAGIC);
        w.u16(VERSION);
        w.u16(0);
        w.i64(snapshot.takenAtMicros());
        int bodyLength = w.reserve();

        int section = w.section("BIND");
        w.u32(snapshot.tracker().bindings().size());
        for (SavedBinding b : snapshot.tracker().bindings()) {
            w.string(b.aor());
            w.string(b.deviceKey());
            w.i64(b.expiresAtMicros());
        }
        w.end(section);

        section = w.section("CALL");
        w.u32(snapshot.tracker().calls().size());
        for (SavedCall c : snapshot.tracker().calls()) {
            w.string(c.callId());
            w.string(c.fromTag());
            w.i64(c.inviteCseq());
            w.string(c.callerAor());
            w.string(c.toAor());
            w.u8((c.known() ? 1 : 0) | (c.challenged() ? 2 : 0) | (c.everConfirmed() ? 4 : 0));
            w.i64(c.lastActivityMicros());
            w.i64(c.sessionExpiresMicros());
            w.i64(c.endedAtMicros());
            w.u32(c.forwardedTo().size());
            for (String aor : c.forwardedTo()) {
                w.string(aor);
            }
            w.u32(c.legs().size());
            for (SavedLeg l : c.legs()) {
                w.string(l.toTag());
                w.string(l.calleeAor());
                w.u8(l.state().ordinal());
                w.u8(l.held() ? 1 : 0);
            }
        }
        w.end(section);

        Map<Sender, List<JID>> bySender = new LinkedHashMap<>();
        for (Publication p : snapshot.publications()) {
            String real = p.realPresence();
            boolean fits = real == null || real.length() * 3L <= MAX_STRING_BYTES
                    || real.getBytes(StandardCharsets.UTF_8).length <= MAX_STRING_BYTES;
            bySender.computeIfAbsent(new Sender(p.user(), p.from(), p.mode(), fits ? real : null),
                    k -> new ArrayList<>(4)).add(p.to());
        }
        section = w.section("PUBL");
        w.u32(bySender.size());
        for (Map.Entry<Sender, List<JID>> e : bySender.entrySet()) {
            Sender sender = e.getKey();
            w.string(sender.user().toString());
            w.string(sender.from().toString());
            w.string(sender.mode().configName());
            w.string(sender.realPresence());
            w.u32(e.getValue().size());
            for (JID to : e.getValue()) {
                w.string(to.toString());
            }
        }
        w.end(section);

        w.patch(bodyLength, w.size() - HEADER_BYTES);
        CRC32 crc = new CRC32();
        crc.update(w.buffer, 0, w.size());
        w.u32((int) crc.getValue());
        return Arrays.copyOf(w.buffer, w.size());
    }

    /** The snapshot in {@code file}'s bytes; a {@link SnapshotFormatException} saying why when it cannot be. */
    public static Snapshot decode(byte[] file) throws SnapshotFormatException {
        if (file.length < MAGIC.length || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotFormatException("not an Offhook snapshot (it does not start with \"OFFHOOK SNAPSHOT\")");
        }
        if (file.length < HEADER_BYTES + CRC_BYTES) {
            throw new SnapshotFormatException("truncated: " + file.length + " bytes, less than a header");
        }
        ByteBuffer in = ByteBuffer.wrap(file);
        in.position(MAGIC.length);
        int version = Short.toUnsignedInt(in.getShort());
        if (version != VERSION) {
            throw new SnapshotFormatException("format version " + version + ", this Offhook reads version "
                    + VERSION + " only");
        }
        int flags = Short.toUnsignedInt(in.getShort());
        long takenAt = in.getLong();
        long bodyLength = Integer.toUnsignedLong(in.getInt());
        long expected = HEADER_BYTES + bodyLength + CRC_BYTES;
        if (expected != file.length) {
            throw new SnapshotFormatException((file.length < expected ? "truncated: " : "trailing bytes: ")
                    + file.length + " bytes, the header says " + expected);
        }
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - CRC_BYTES);
        int stored = ByteBuffer.wrap(file, file.length - CRC_BYTES, CRC_BYTES).getInt();
        if ((int) crc.getValue() != stored) {
            throw new SnapshotFormatException(String.format("damaged: CRC-32 %08x, stored %08x", crc.getValue(),
                    stored));
        }
        if (flags != 0) {
            throw new SnapshotFormatException("flags " + flags + " at byte 18, version 1 has none");
        }
        Reader r = new Reader(ByteBuffer.wrap(file, HEADER_BYTES, (int) bodyLength).slice(), HEADER_BYTES);
        try {
            TrackerSnapshot tracker = new TrackerSnapshot(takenAt, readBindings(r), readCalls(r));
            List<Publication> publications = readPublications(r);
            if (r.in.hasRemaining()) {
                throw r.error("bytes after the last section");
            }
            return new Snapshot(tracker, publications);
        } catch (BufferUnderflowException e) {
            throw r.error("an entry runs past the end of its section");
        }
    }

    private static List<SavedBinding> readBindings(Reader r) throws SnapshotFormatException {
        int end = r.section(0);
        int count = r.count(MIN_BINDING);
        List<SavedBinding> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int entry = r.in.position();
            String aor = r.string();
            String key = r.string();
            long expires = r.in.getLong();
            out.add(r.valid(entry, () -> new SavedBinding(aor, key, expires)));
        }
        r.endSection(end, 0);
        return out;
    }

    private static List<SavedCall> readCalls(Reader r) throws SnapshotFormatException {
        int end = r.section(1);
        int count = r.count(MIN_CALL);
        List<SavedCall> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int entry = r.in.position();
            String callId = r.string();
            String fromTag = r.nullableString();
            long cseq = r.in.getLong();
            String caller = r.string();
            String to = r.string();
            int flags = r.u8();
            if ((flags & ~7) != 0) {
                throw r.error("call flags " + flags);
            }
            long lastActivity = r.in.getLong();
            long sessionExpires = r.in.getLong();
            long endedAt = r.in.getLong();
            int forwardedCount = r.count(4);
            List<String> forwarded = new ArrayList<>(forwardedCount);
            for (int f = 0; f < forwardedCount; f++) {
                forwarded.add(r.string());
            }
            int legCount = r.count(MIN_LEG);
            List<SavedLeg> legs = new ArrayList<>(legCount);
            for (int l = 0; l < legCount; l++) {
                int legAt = r.in.position();
                String toTag = r.string();
                String callee = r.string();
                int state = r.u8();
                int held = r.u8();
                if (state >= LegState.values().length || held > 1) {
                    throw r.error("leg state " + state + ", held " + held);
                }
                legs.add(r.valid(legAt, () -> new SavedLeg(toTag, callee, LegState.values()[state], held == 1)));
            }
            out.add(r.valid(entry, () -> new SavedCall(callId, fromTag, cseq, caller, to, (flags & 1) != 0,
                    forwarded, legs, lastActivity, sessionExpires, endedAt, (flags & 2) != 0, (flags & 4) != 0)));
        }
        r.endSection(end, 1);
        return out;
    }

    private static List<Publication> readPublications(Reader r) throws SnapshotFormatException {
        int end = r.section(2);
        int count = r.count(MIN_SENDER);
        List<Publication> out = new ArrayList<>(count);
        // The same contacts recur across users: one JID each.
        Map<String, JID> recipients = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int entry = r.in.position();
            String user = r.string();
            String from = r.string();
            String mode = r.string();
            String real = r.nullableString();
            // Saved from JIDs already prepared (RFC 7622): preparing them again would cost seconds per million.
            Sender sender = r.valid(entry, () -> new Sender(new JID(user, true), new JID(from, true),
                    PresentationMode.parse(mode), real));
            int n = r.count(MIN_STRING);
            for (int k = 0; k < n; k++) {
                int at = r.in.position();
                String to = r.string();
                JID jid = recipients.get(to);
                if (jid == null) {
                    jid = r.valid(at, () -> new JID(to, true));
                    recipients.put(to, jid);
                }
                JID recipient = jid;
                out.add(r.valid(entry, () -> new Publication(sender.user(), sender.from(), recipient, sender.mode(),
                        sender.realPresence())));
            }
        }
        r.endSection(end, 2);
        return out;
    }

    /** What one address shows, whoever receives it: publications are grouped by it in the file. */
    private record Sender(JID user, JID from, PresentationMode mode, String realPresence) {
    }

    /** Builds the file in one growing array: big-endian numbers, strings with an ASCII fast path. */
    private static final class Writer {
        byte[] buffer = new byte[1 << 16];
        private int size;

        int size() {
            return size;
        }

        private void room(int more) {
            long needed = (long) size + more;
            if (needed > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("the snapshot would take more than " + MAX_FILE_BYTES + " bytes");
            }
            if (needed > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(MAX_FILE_BYTES, Math.max(needed, 2L * buffer.length)));
            }
        }

        void bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buffer, size, b.length);
            size += b.length;
        }

        /** Starts a section: its tag, then room for its length; returns where the length goes. */
        int section(String tag) {
            bytes(tag.getBytes(StandardCharsets.US_ASCII));
            return reserve();
        }

        /** Ends the section whose length goes at {@code at}. */
        void end(int at) {
            patch(at, size - at - 4);
        }

        /** Room for a u32 filled in later; returns where it is. */
        int reserve() {
            int at = size;
            u32(0);
            return at;
        }

        void patch(int at, int v) {
            buffer[at] = (byte) (v >>> 24);
            buffer[at + 1] = (byte) (v >>> 16);
            buffer[at + 2] = (byte) (v >>> 8);
            buffer[at + 3] = (byte) v;
        }

        void u8(int v) {
            room(1);
            buffer[size++] = (byte) v;
        }

        void u16(int v) {
            room(2);
            buffer[size++] = (byte) (v >>> 8);
            buffer[size++] = (byte) v;
        }

        void u32(int v) {
            room(4);
            patch(size, v);
            size += 4;
        }

        void i64(long v) {
            u32((int) (v >>> 32));
            u32((int) v);
        }

        void string(String s) {
            if (s == null) {
                u32(ABSENT);
                return;
            }
            int n = s.length();
            room(4 + n);
            int at = size + 4;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    utf8(s);
                    return;
                }
                buffer[at + i] = (byte) c;
            }
            if (n > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("a string of " + n + " bytes is longer than " + MAX_STRING_BYTES);
            }
            u32(n);
            size += n;
        }

        private void utf8(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("a string of " + utf8.length + " bytes is longer than "
                        + MAX_STRING_BYTES);
            }
            u32(utf8.length);
            bytes(utf8);
        }
    }

    /** Reads the body, knowing where it sits in the file for error messages. */
    private static final class Reader {
        final ByteBuffer in;
        private final int base;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private int sectionStart;

        Reader(ByteBuffer in, int base) {
            this.in = in;
            this.base = base;
        }

        SnapshotFormatException error(String what) {
            return new SnapshotFormatException(what + " at byte " + (base + in.position()));
        }

        /** Reads section {@code index}'s tag and length; returns where it ends. */
        int section(int index) throws SnapshotFormatException {
            sectionStart = in.position();
            if (in.remaining() < 8) {
                throw error("section " + SECTIONS[index] + " missing");
            }
            byte[] tag = new byte[4];
            in.get(tag);
            String name = new String(tag, StandardCharsets.ISO_8859_1);
            if (!name.equals(SECTIONS[index])) {
                throw error("section " + SECTIONS[index] + " expected, found \"" + name + "\"");
            }
            long length = Integer.toUnsignedLong(in.getInt());
            if (length > in.remaining()) {
                throw error("section " + name + " claims " + length + " bytes, " + in.remaining() + " remain");
            }
            return in.position() + (int) length;
        }

        void endSection(int end, int index) throws SnapshotFormatException {
            if (in.position() != end) {
                throw error("section " + SECTIONS[index] + " (from byte " + (base + sectionStart) + ") ends at byte "
                        + (base + end) + ", its entries end");
            }
        }

        /** A count of entries of at least {@code minBytes} each: never more than the remaining bytes can hold. */
        int count(int minBytes) throws SnapshotFormatException {
            long n = Integer.toUnsignedLong(in.getInt());
            if (n > in.remaining() / minBytes) {
                throw error("a count of " + n + " entries that " + in.remaining() + " bytes cannot hold");
            }
            return (int) n;
        }

        int u8() {
            return Byte.toUnsignedInt(in.get());
        }

        String string() throws SnapshotFormatException {
            String s = nullableString();
            if (s == null) {
                throw error("a required string is absent");
            }
            return s;
        }

        String nullableString() throws SnapshotFormatException {
            int length = in.getInt();
            if (length == ABSENT) {
                return null;
            }
            if (length < 0 || length > MAX_STRING_BYTES || length > in.remaining()) {
                throw error("a string of " + Integer.toUnsignedLong(length) + " bytes (" + in.remaining()
                        + " remain, at most " + MAX_STRING_BYTES + ")");
            }
            int at = in.position();
            byte[] array = in.array();
            int from = in.arrayOffset() + at;
            boolean ascii = true;
            for (int i = from; i < from + length && ascii; i++) {
                ascii = array[i] >= 0;
            }
            if (ascii) {
                in.position(at + length);
                return new String(array, from, length, StandardCharsets.ISO_8859_1);
            }
            try {
                CharBuffer chars = utf8.decode(in.slice(at, length));
                in.position(at + length);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw error("a string that is not UTF-8");
            }
        }

        /** The entry {@code make} builds, or an error naming the entry's byte when its values are invalid. */
        <T> T valid(int entryAt, Make<T> make) throws SnapshotFormatException {
            try {
                return make.make();
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new SnapshotFormatException("invalid entry at byte " + (base + entryAt) + ": "
                        + e.getMessage());
            }
        }
    }

    @FunctionalInterface
    private interface Make<T> {
        T make();
    }
}
