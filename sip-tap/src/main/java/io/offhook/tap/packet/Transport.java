package io.offhook.tap.packet;

/** The transport a SIP message travelled on, as reported by the capture or the HEP header. */
public enum Transport {
    UDP,
    TCP,
    TLS,
    SCTP,
    WS,
    OTHER
}
