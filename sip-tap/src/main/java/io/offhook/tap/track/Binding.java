package io.offhook.tap.track;

/** One registered device of a user (RFC 3261 section 10: a Contact bound to the address of record). */
final class Binding extends Timed {
    final User owner;
    final String contact;
    final String deviceKey;
    long expiresAt;
    boolean removed;

    Binding(User owner, String contact, String deviceKey, long expiresAt) {
        this.owner = owner;
        this.contact = contact;
        this.deviceKey = deviceKey;
        this.expiresAt = expiresAt;
    }

    @Override
    long deadline() {
        return removed ? Long.MAX_VALUE : expiresAt;
    }
}
