package io.offhook.tap.hep;

/**
 * IPv4 addresses as shared four-byte arrays that nobody writes to: the decoder hands out the same array again for
 * an address it saw recently instead of a fresh copy per packet.
 *
 * <p>Why: a mirror's packets carry a few addresses over and over (the proxy's own is on nearly every packet), and
 * two fresh arrays per packet cost about 4% of the tap's whole path (HEP decode, scan, de-duplicate, track).
 * {@link HepPacket} keeps these arrays to itself and gives out copies.
 *
 * <p>Bounded: a direct-mapped table of {@value #SLOTS} entries; a new address replaces whatever its slot held.
 * Thread-safe without locks: an entry is immutable and published through final fields (JLS 17.5), so a thread
 * that races another on a slot sees an old entry, a complete new one or none, and at worst makes one array more.
 */
final class Ipv4Addresses {
    private static final int SLOTS = 1 << 10;
    private static final int LOG2_SLOTS = 10;

    private static final Entry[] TABLE = new Entry[SLOTS];

    private record Entry(int address, byte[] bytes) {
    }

    private Ipv4Addresses() {
    }

    /** The four bytes of {@code address} (network order: the first byte is the highest), shared. */
    static byte[] of(int address) {
        // Fibonacci hashing: the top bits of the product depend on every bit of the address.
        int slot = (address * 0x9E37_79B1) >>> (Integer.SIZE - LOG2_SLOTS);
        Entry e = TABLE[slot];
        if (e != null && e.address == address) {
            return e.bytes;
        }
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        TABLE[slot] = new Entry(address, bytes);
        return bytes;
    }
}
