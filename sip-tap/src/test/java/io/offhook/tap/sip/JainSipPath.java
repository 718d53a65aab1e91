package io.offhook.tap.sip;

/**
 * The reference path for benchmarks: JAIN-SIP's full parse of a message (SDP body included), reduced to the same
 * {@link SipMessage} the scanner produces, exactly as the differential tests do it.
 */
public final class JainSipPath {
    private JainSipPath() {
    }

    /** The fields JAIN-SIP reads from the message, or {@code null} when it rejects it. */
    public static SipMessage parse(byte[] data, int offset, int length) {
        return JainSipReference.parse(data, offset, length).message();
    }
}
