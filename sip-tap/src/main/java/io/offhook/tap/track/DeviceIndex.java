package io.offhook.tap.track;

import java.util.HashMap;
import java.util.Map;

/**
 * Finds the user whose registered device a URI points at: a Request-URI a proxy forwarded to after its location
 * lookup, the Contact of a response or request.
 *
 * <p>Devices are found by host and port. Most have their own; where several bindings share one (a PBX or SBC that
 * registers many users, a NAT), the user part of the URI decides, and a URI without one matches only when all of
 * them belong to one user. The common case costs one slot of a {@link LongObjectMap}.
 */
final class DeviceIndex {
    private final LongObjectMap<Object> byHostPort = new LongObjectMap<>(10);

    /** Several bindings at one host:port, by full device key. */
    private static final class Shared {
        final Map<String, Binding> byKey = new HashMap<>();
    }

    void add(Binding b, String deviceKey) {
        String hostPort = Aor.hostPortOf(deviceKey);
        long h = Hash64.of(hostPort);
        Object present = byHostPort.get(h);
        if (present == null) {
            byHostPort.put(h, b);
            return;
        }
        Shared shared;
        if (present instanceof Binding single) {
            shared = new Shared();
            shared.byKey.put(single.deviceKey(), single);
            byHostPort.put(h, shared);
        } else {
            shared = (Shared) present;
        }
        shared.byKey.put(deviceKey, b);
    }

    void remove(Binding b, String deviceKey) {
        long h = Hash64.of(Aor.hostPortOf(deviceKey));
        Object present = byHostPort.get(h);
        if (present == b) {
            byHostPort.remove(h);
        } else if (present instanceof Shared shared) {
            shared.byKey.remove(deviceKey, b);
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
        String hostPort = Aor.hostPortOf(key);
        Object present = byHostPort.get(Hash64.of(hostPort));
        if (present instanceof Binding single) {
            // Guard against a 64-bit hash collision before trusting the slot.
            return hostPort.equals(Aor.hostPortOf(single.deviceKey())) ? single.owner : null;
        }
        if (!(present instanceof Shared shared)) {
            return null;
        }
        Binding exact = shared.byKey.get(key);
        if (exact != null) {
            return exact.owner;
        }
        if (Aor.userOf(key) != null) {
            return null;
        }
        User only = null;
        for (Binding b : shared.byKey.values()) {
            if (only != null && only != b.owner) {
                return null;
            }
            only = b.owner;
        }
        return only;
    }
}
