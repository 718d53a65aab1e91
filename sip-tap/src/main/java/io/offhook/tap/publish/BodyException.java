package io.offhook.tap.publish;

/**
 * A publication body Offhook cannot use: not well-formed XML, a DTD, the wrong root element, a missing or bad
 * attribute. The message names the problem in a few words; it becomes the reason phrase of the 400 answer, so the
 * publisher's log says what to fix.
 */
public final class BodyException extends Exception {
    private static final long serialVersionUID = 1L;

    public BodyException(String message) {
        super(message);
    }
}
