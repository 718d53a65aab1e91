package io.offhook.tap.sip;

/**
 * The bytes are not a SIP message the tap can use. The message says what is missing or wrong and at which byte
 * offset. Stack traces are not filled: malformed input is normal input here and must stay cheap.
 */
public final class SipParseException extends Exception {
    private final int offset;

    public SipParseException(String message, int offset) {
        super(message + " (at byte " + offset + ")", null, false, false);
        this.offset = offset;
    }

    /** Byte offset (from the start of the message) where the problem was found. */
    public int offset() {
        return offset;
    }
}
