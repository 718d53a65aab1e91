package io.offhook.state;

/** A snapshot file that cannot be believed: not one, damaged, truncated, or of a version this Offhook does not read. */
public final class SnapshotFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public SnapshotFormatException(String message) {
        super(message);
    }
}
