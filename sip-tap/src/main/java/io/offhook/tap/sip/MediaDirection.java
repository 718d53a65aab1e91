package io.offhook.tap.sip;

/** The SDP media direction attribute of a session (RFC 4566 section 6; absent means {@link #SENDRECV}). */
public enum MediaDirection {
    SENDRECV,
    SENDONLY,
    RECVONLY,
    INACTIVE
}
