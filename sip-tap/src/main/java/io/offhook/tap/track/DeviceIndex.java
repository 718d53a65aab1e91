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

    /** Several bindings at one host:port, by full device key, and how many of them each user owns. */
    private static final class Shared {
        final Map<String, Binding> byKey = new HashMap<>();
        final Map<User, Integer> perOwner = new HashMap<>();

        void put(String key, Binding b) {
            Binding replaced = byKey.put(key, b);
            if (replaced != null) {
                uncount(replaced.owner);
            }
            perOwner.merge(b.owner, 1, Integer::sum);
        }

        void remove(String key, Binding b) {
            if (byKey.remove(key, b)) {
                uncount(b.owner);
            }
        }

        private void uncount(User u) {
            perOwner.computeIfPresent(u, (k, n) -> n == 1 ? null : n - 1);
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
        String key = Aor.deviceKey(uri);
        if (key == null) {
            return null;
        }
        int hostPort = Aor.hostPortStart(key);
        Object present = byHostPort.get(Hash64.of(key, hostPort));
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
}
