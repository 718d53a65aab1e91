package io.offhook.tap.track;

import java.nio.charset.StandardCharsets;

/**
 * One registered device of a user (RFC 3261 section 10: a Contact bound to the address of record). Kept small on
 * purpose (the contact as UTF-8 bytes, keys recomputed when needed): a large deployment holds millions.
 */
final class Binding extends Timed {
    final User owner;
    private final byte[] contact;
    long expiresAt;
    Binding next;
    boolean removed;

    Binding(User owner, String contact, long expiresAt) {
        this.owner = owner;
        this.contact = contact.getBytes(StandardCharsets.UTF_8);
        this.expiresAt = expiresAt;
    }

    /** The Contact URI as registered. */
    String contact() {
        return new String(contact, StandardCharsets.UTF_8);
    }

    /** {@link Aor#deviceKey} of the contact (never null: only contacts with a key are bound). */
    String deviceKey() {
        return Aor.deviceKey(contact());
    }

    @Override
    long deadline() {
        return removed ? Long.MAX_VALUE : expiresAt;
    }
}
