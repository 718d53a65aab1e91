package io.offhook.tap.track;

/**
 * 64-bit hashing of strings for the tracker's fixed-size tables: FNV-1a over the characters, finished with
 * murmur3's fmix64 so every bit is spread. Never 0, which the tables use for an empty slot.
 */
final class Hash64 {
    static final long SEED = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Hash64() {
    }

    static long of(String s) {
        return of(s, 0);
    }

    /** {@link #of} of {@code s.substring(from)}, without the copy. */
    static long of(String s, int from) {
        return finish(mix(SEED, s, from));
    }

    /** Folds {@code s} (or a marker for {@code null}) into {@code h}; fields stay distinct ("ab","c" vs "a","bc"). */
    static long mix(long h, String s) {
        return s == null ? (h ^ 0xff) * PRIME : mix(h, s, 0);
    }

    private static long mix(long h, String s, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            h = (h ^ s.charAt(i)) * PRIME;
        }
        return (h ^ 0xfe) * PRIME;
    }

    static long mix(long h, long v) {
        return (h ^ v) * PRIME;
    }

    static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
