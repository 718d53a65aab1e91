package io.offhook.tap.track;

import java.util.HashMap;
import java.util.Map;

/**
 * Finds the user whose registered device a URI points at: a Request-URI a proxy forwarded to after its location
 * lookup, the Contact of a response or request.
 *
 * <p>Devices are found by host and port. Most have their own; where several bindings share one (a PBX or SBC that
 * registers many users, a NAT), the user part of the URI decides, and a URI without one matches only when all of
 * them belong to one user. The common case costs one slot of a {@link LongObjectMap}; a shared host:port costs a
 * map lookup or two, however many bindings share it.
 */
final class DeviceIndex {
    private final LongObjectMap<Object> byHostPort = new LongObjectMap<>(10);
    /**
     * The device keys of URIs looked up recently (a dialog's Request-URI and Contact come back in many messages): a
     * hit saves normalising the URI into a new key String and hashing its host:port, and the key String kept
     * keeps its own hash for the shared host:port map.
     */
    private final UriMemo<Key> keys = new UriMemo<>(DeviceIndex::keyOf);

    /** A URI's device key ({@link Aor#deviceKey}), where its host:port starts, and the hash of that host:port. */
    private record Key(String key, int hostPort, long hostPortHash) {
        static final Key NONE = new Key(null, 0, 0);
    }

    /** Several bindings at one host:port, by full device key, and how many of them each user owns. */
    private static final class Shared {
        final Map<String, Binding> byKey = new HashMap<>();
        /**
         * Counted with get and put: {@code Map.merge} with {@code Integer::sum} per binding cost more than the rest
         * of a REGISTER. Counts up to 127 (a user's devices at one host:port) are the JDK's shared Integers.
         */
        final Map<User, Integer> perOwner = new HashMap<>();

        void put(String key, Binding b) {
            Binding replaced = byKey.put(key, b);
            if (replaced != null) {
                uncount(replaced.owner);
            }
            Integer count = perOwner.get(b.owner);
            perOwner.put(b.owner, count == null ? 1 : count + 1);
        }

        void remove(String key, Binding b) {
            if (byKey.remove(key, b)) {
                uncount(b.owner);
            }
        }

        private void uncount(User u) {
            Integer count = perOwner.get(u);
            if (count == null) {
                return;
            }
            if (count == 1) {
                perOwner.remove(u);
            } else {
                perOwner.put(u, count - 1);
            }
        }

        /** The one user owning every binding here, or {@code null} when there are several. */
        User soleOwner() {
            return perOwner.size() == 1 ? perOwner.keySet().iterator().next() : null;
        }
    }

    void add(Binding b, String deviceKey) {
        long h = Hash64.of(deviceKey, Aor.hostPortStart(deviceKey));
        Object present = byHostPort.get(h);
        if (present == null) {
            byHostPort.put(h, b);
            return;
        }
        Shared shared;
        if (present instanceof Binding single) {
            shared = new Shared();
            shared.put(single.deviceKey(), single);
            byHostPort.put(h, shared);
        } else {
            shared = (Shared) present;
        }
        shared.put(deviceKey, b);
    }

    void remove(Binding b, String deviceKey) {
        long h = Hash64.of(deviceKey, Aor.hostPortStart(deviceKey));
        Object present = byHostPort.get(h);
        if (present == b) {
            byHostPort.remove(h);
        } else if (present instanceof Shared shared) {
            shared.remove(deviceKey, b);
            if (shared.byKey.size() == 1) {
                byHostPort.put(h, shared.byKey.values().iterator().next());
            } else if (shared.byKey.isEmpty()) {
                byHostPort.remove(h);
            }
        }
    }

    /** The owner of the device {@code uri} points at, or {@code null} when none or ambiguous. */
    User owner(String uri) {
        Key k = uri == null ? Key.NONE : keys.apply(uri);
        String key = k.key;
        if (key == null) {
            return null;
        }
        int hostPort = k.hostPort;
        Object present = byHostPort.get(k.hostPortHash);
        if (present instanceof Binding single) {
            // Guard against a 64-bit hash collision before trusting the slot.
            return single.hasHostPort(key, hostPort) ? single.owner : null;
        }
        if (!(present instanceof Shared shared)) {
            return null;
        }
        Binding exact = shared.byKey.get(key);
        if (exact != null) {
            return exact.owner;
        }
        return hostPort > 0 ? null : shared.soleOwner();
    }

    /** {@link Aor#deviceKey} of {@code uri} ({@code null} when none), as {@link #owner} does: recent ones remembered. */
    String deviceKey(String uri) {
        return uri == null ? null : keys.apply(uri).key;
    }

    private static Key keyOf(String uri) {
        String key = Aor.deviceKey(uri);
        if (key == null) {
            return Key.NONE;
        }
        int hostPort = Aor.hostPortStart(key);
        return new Key(key, hostPort, Hash64.of(key, hostPort));
    }
}
