package io.offhook.tap.track;

import java.nio.charset.StandardCharsets;

/**
 * One registered device of a user (RFC 3261 section 10: a Contact bound to the address of record). Kept small on
 * purpose (only the device key, as UTF-8 bytes, compared without decoding): a large deployment holds millions.
 */
final class Binding extends Timed {
    final User owner;
    /** {@link Aor#deviceKey} of the contact, UTF-8. */
    private final byte[] key;
    long expiresAt;
    Binding next;
    boolean removed;

    /** @param deviceKey {@link Aor#deviceKey} of the registered Contact */
    Binding(User owner, String deviceKey, long expiresAt) {
        this.owner = owner;
        this.key = deviceKey.getBytes(StandardCharsets.UTF_8);
        this.expiresAt = expiresAt;
    }

    /** {@link Aor#deviceKey} of the contact. */
    String deviceKey() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** Whether this binding's device key is {@code deviceKey}: looked up for every contact of every REGISTER. */
    boolean hasKey(String deviceKey) {
        return matches(0, deviceKey, 0);
    }

    /** Whether this binding's {@code host:port} is the one of {@code deviceKey}, which starts at {@code from}. */
    boolean hasHostPort(String deviceKey, int from) {
        int at = key.length - 1;
        while (at >= 0 && key[at] != '@') {
            at--;
        }
        return matches(at + 1, deviceKey, from);
    }

    /** Whether the key's bytes from {@code k} are the text of {@code s} from {@code from}, without decoding ASCII. */
    private boolean matches(int k, String s, int from) {
        int n = key.length - k;
        for (int i = k; i < key.length; i++) {
            if (key[i] < 0) {
                // Not ASCII (rare): compare the decoded text.
                return new String(key, k, n, StandardCharsets.UTF_8).equals(s.substring(from));
            }
        }
        if (n != s.length() - from) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (key[k + i] != s.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    long deadline() {
        return removed ? Long.MAX_VALUE : expiresAt;
    }
}
