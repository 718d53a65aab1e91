package io.offhook.tap.hep;

import io.offhook.tap.packet.DropReason;
import java.util.Objects;

/**
 * The bytes are not a HEP packet the tap can use. Carries the {@link DropReason} to count it under, and a message
 * naming the problem and the byte offset (from the start of the HEP packet) where it was found.
 *
 * <p>Stack traces are not filled: damaged input is normal input for a network source and must stay cheap.
 */
public final class HepException extends Exception {
    private final DropReason reason;
    private final int offset;

    public HepException(DropReason reason, String message, int offset) {
        super(message + " (at byte " + offset + ")", null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.offset = offset;
    }

    /** What to count this packet under. */
    public DropReason reason() {
        return reason;
    }

    /** Byte offset from the start of the HEP packet where the problem was found. */
    public int offset() {
        return offset;
    }
}
