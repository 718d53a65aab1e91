package io.offhook.tap.sip;

import java.util.Objects;

/**
 * One Contact header value: its URI (without the display name and angle brackets) and its {@code expires}
 * parameter in seconds, or {@link SipMessage#ABSENT} when it has none.
 */
public record Contact(String uri, int expires) {
    public Contact {
        Objects.requireNonNull(uri, "uri");
        if (expires < SipMessage.ABSENT) {
            throw new IllegalArgumentException("expires must be >= 0 or ABSENT: " + expires);
        }
    }
}
