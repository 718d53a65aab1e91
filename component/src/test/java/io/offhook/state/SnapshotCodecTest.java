package io.offhook.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.PresentationMode;
import io.offhook.publish.Publication;
import io.offhook.tap.track.TrackerSnapshot;
import io.offhook.tap.track.TrackerSnapshot.LegState;
import io.offhook.tap.track.TrackerSnapshot.SavedBinding;
import io.offhook.tap.track.TrackerSnapshot.SavedCall;
import io.offhook.tap.track.TrackerSnapshot.SavedLeg;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.JID;

/** The snapshot format: exact round trips, and every kind of damage refused with a message saying what and where. */
class SnapshotCodecTest {
    private static final long T = 1_764_072_000_000_000L;

    static Snapshot sample() {
        TrackerSnapshot tracker = new TrackerSnapshot(T, List.of(
                new SavedBinding("sip:alice@example.com", "alice@192.0.2.10:5060", T + 3_600_000_000L),
                new SavedBinding("tel:+4930123456", "+4930123456@pbx.example.com:5061", T + 60_000_000L),
                new SavedBinding("sip:jörg@example.com", "jörg@[2001:db8::1]:5060", T + 1)),
                List.of(new SavedCall("a84b4c76e66710@pc33.example.com", "1928301774", 314159,
                                "sip:alice@example.com", "sip:bob@example.com", true,
                                List.of("sip:bob@example.com"),
                                List.of(new SavedLeg("a6c85cf", "sip:bob@example.com", LegState.CONFIRMED, true),
                                        new SavedLeg("", "sip:bob@example.com", LegState.TERMINATED, false)),
                                T - 5_000_000L, 90_000_000L, -1, false, true),
                        new SavedCall("flood-1", null, 1, "sip:x@example.com", "sip:y@example.com", false,
                                List.of(), List.of(), T - 1, -1, -1, true, false),
                        new SavedCall("ended", "f", 2, "sip:a@example.com", "sip:b@example.com", true, List.of(),
                                List.of(new SavedLeg("t", "sip:b@example.com", LegState.EARLY, false)), T - 2, -1,
                                T - 1, false, false)));
        return new Snapshot(tracker, List.of(
                new Publication(new JID("alice@example.com"), new JID("alice@example.com/phone"),
                        new JID("bob@example.com"), PresentationMode.RESOURCE, null),
                new Publication(new JID("alice@example.com"), new JID("alice@example.com/phone"),
                        new JID("carol@example.com"), PresentationMode.RESOURCE, null),
                new Publication(new JID("olivia@example.com"), new JID("olivia@example.com/laptop"),
                        new JID("bob@example.com"), PresentationMode.OVERLAY,
                        "<presence from=\"olivia@example.com/laptop\"><status>Büro ☎ &lt;3</status>"
                                + "<c xmlns=\"http://jabber.org/protocol/caps\" hash=\"sha-1\"/></presence>"),
                new Publication(new JID("gina@example.com"), new JID("gina@phone.example.com"),
                        new JID("bob@example.com"), PresentationMode.GATEWAY, null)));
    }

    /** The bytes with the trailer's CRC made right again, so the checks behind it are reached. */
    static byte[] withCrc(byte[] file) {
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 4);
        ByteBuffer.wrap(file).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    private static String refused(byte[] file) {
        return assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(file)).getMessage();
    }

    @Test
    void aSnapshotComesBackExactly() throws SnapshotFormatException {
        Snapshot s = sample();
        byte[] file = SnapshotCodec.encode(s);
        assertEquals(s, SnapshotCodec.decode(file));
        assertArrayEquals(file, SnapshotCodec.encode(SnapshotCodec.decode(file)), "encoding is deterministic");
        Snapshot empty = new Snapshot(TrackerSnapshot.empty(Long.MIN_VALUE), List.of());
        assertEquals(empty, SnapshotCodec.decode(SnapshotCodec.encode(empty)));
    }

    @Test
    void theHeaderSaysWhatTheFileIs() {
        byte[] file = SnapshotCodec.encode(sample());
        assertEquals("OFFHOOK SNAPSHOT", new String(file, 0, 16, StandardCharsets.US_ASCII));
        ByteBuffer header = ByteBuffer.wrap(file);
        assertEquals(1, header.getShort(16));
        assertEquals(0, header.getShort(18));
        assertEquals(T, header.getLong(20));
        assertEquals(file.length - 36, header.getInt(28));
        assertEquals("BIND", new String(file, 32, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void aFileCutAtAnyByteIsRefused() {
        byte[] file = SnapshotCodec.encode(sample());
        for (int n = 0; n < file.length; n++) {
            String why = refused(Arrays.copyOf(file, n));
            assertTrue(why.startsWith("truncated") || why.startsWith("not an Offhook snapshot"), n + ": " + why);
        }
        assertTrue(refused(Arrays.copyOf(file, file.length + 1)).startsWith("trailing bytes"));
    }

    @Test
    void everySingleBitFlipIsRefused() {
        byte[] file = SnapshotCodec.encode(sample());
        for (int i = 0; i < file.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = file.clone();
                flipped[i] ^= (byte) (1 << bit);
                String why = refused(flipped);
                if (i >= 32 && i < file.length - 4) {
                    assertTrue(why.startsWith("damaged: CRC-32"), i + "." + bit + ": " + why);
                }
            }
        }
    }

    @Test
    void anotherVersionIsRefusedNamingIt() {
        for (int version : new int[] {0, 2, 0xffff}) {
            byte[] file = SnapshotCodec.encode(sample());
            ByteBuffer.wrap(file).putShort(16, (short) version);
            assertEquals("format version " + version + ", this Offhook reads version 1 only", refused(withCrc(file)));
        }
        byte[] flags = SnapshotCodec.encode(sample());
        ByteBuffer.wrap(flags).putShort(18, (short) 1);
        assertEquals("flags 1 at byte 18, version 1 has none", refused(withCrc(flags)));
    }

    @Test
    void somethingElseIsNotASnapshot() {
        assertTrue(refused("# Offhook gateway subscriptions\n".getBytes(StandardCharsets.UTF_8))
                .startsWith("not an Offhook snapshot"));
        assertTrue(refused(new byte[0]).startsWith("not an Offhook snapshot"));
    }

    /** A file with a good header and CRC around {@code body}. */
    private static byte[] file(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(36 + body.length);
        b.put("OFFHOOK SNAPSHOT".getBytes(StandardCharsets.US_ASCII)).putShort((short) 1).putShort((short) 0)
                .putLong(T).putInt(body.length).put(body).putInt(0);
        return withCrc(b.array());
    }

    private static byte[] section(String tag, byte[] content) {
        return ByteBuffer.allocate(8 + content.length).put(tag.getBytes(StandardCharsets.US_ASCII))
                .putInt(content.length).put(content).array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static final byte[] NO_CALLS = section("CALL", ints(0));
    private static final byte[] NO_PUBLICATIONS = section("PUBL", ints(0));

    @Test
    void aWellSealedFileWithBadContentIsRefusedSayingWhereAndNeverAllocatesWhatItClaims() {
        byte[] hugeCount = file(concat(section("BIND", ints(0x7fffffff)), NO_CALLS, NO_PUBLICATIONS));
        assertEquals("a count of 2147483647 entries that 24 bytes cannot hold at byte 44", refused(hugeCount));

        byte[] hugeString = file(concat(section("BIND", concat(ints(1, 0x7ffffff0), new byte[14])), NO_CALLS,
                NO_PUBLICATIONS));
        assertTrue(refused(hugeString).startsWith("a string of 2147483632 bytes"), refused(hugeString));

        byte[] absentAor = file(concat(section("BIND", concat(ints(1, -1, 1), new byte[] {'k'}, new byte[8])),
                NO_CALLS, NO_PUBLICATIONS));
        assertTrue(refused(absentAor).startsWith("a required string is absent"), refused(absentAor));

        byte[] notUtf8 = file(concat(section("BIND", concat(ints(1, 1), new byte[] {(byte) 0xff}, ints(1),
                new byte[] {'k'}, new byte[8])), NO_CALLS, NO_PUBLICATIONS));
        assertTrue(refused(notUtf8).startsWith("a string that is not UTF-8"), refused(notUtf8));

        byte[] emptyAor = file(concat(section("BIND", concat(ints(1, 0, 1), new byte[] {'k'}, new byte[8])),
                NO_CALLS, NO_PUBLICATIONS));
        assertEquals("invalid entry at byte 44: aor must not be empty", refused(emptyAor));

        byte[] wrongOrder = file(concat(NO_CALLS, section("BIND", ints(0)), NO_PUBLICATIONS));
        assertEquals("section BIND expected, found \"CALL\" at byte 36", refused(wrongOrder));

        byte[] missing = file(concat(section("BIND", ints(0)), NO_CALLS));
        assertEquals("section PUBL missing at byte 56", refused(missing));

        byte[] longSection = file(concat(section("BIND", ints(0, 0)), NO_CALLS, NO_PUBLICATIONS));
        assertEquals("section BIND (from byte 32) ends at byte 48, its entries end at byte 44",
                refused(longSection));

        byte[] extra = file(concat(section("BIND", ints(0)), NO_CALLS, NO_PUBLICATIONS, new byte[] {0}));
        assertEquals("bytes after the last section at byte 68", refused(extra));

        byte[] badMode = SnapshotCodec.encode(new Snapshot(TrackerSnapshot.empty(T), List.of(new Publication(
                new JID("a@example.com"), new JID("a@example.com/phone"), new JID("b@example.com"),
                PresentationMode.RESOURCE, null))));
        String text = new String(badMode, StandardCharsets.ISO_8859_1).replace("resource", "sideways");
        String why = refused(withCrc(text.getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(why.startsWith("invalid entry at byte") && why.contains("sideways"), why);
    }

    @Test
    void aSavedPresenceTooLongForTheFormatIsLeftOutNotTheWholeSnapshot() throws SnapshotFormatException {
        String huge = "<presence><status>" + "x".repeat(SnapshotCodec.MAX_STRING_BYTES) + "</status></presence>";
        Snapshot s = new Snapshot(TrackerSnapshot.empty(T), List.of(new Publication(new JID("a@example.com"),
                new JID("a@example.com/laptop"), new JID("b@example.com"), PresentationMode.OVERLAY, huge)));
        Publication back = SnapshotCodec.decode(SnapshotCodec.encode(s)).publications().get(0);
        assertEquals(null, back.realPresence());
        assertEquals(new JID("a@example.com/laptop"), back.from());
    }
}
