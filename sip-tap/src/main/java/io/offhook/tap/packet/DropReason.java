package io.offhook.tap.packet;

/**
 * Why the tap did not use a packet or a message. Every drop is counted under one of these, so an operator can
 * tell a misconfigured mirror (e.g. {@link #SENDER_NOT_ALLOWED}) from damaged traffic (e.g. {@link #SIP_MALFORMED}).
 */
public enum DropReason {
    /** HEP datagram or stream frame shorter than its header or its declared length. */
    HEP_TRUNCATED,
    /** Not HEP at all: neither "HEP3" nor a HEPv2 header. */
    HEP_UNKNOWN_VERSION,
    /** A HEP chunk whose length field runs past the packet or is shorter than a chunk header. */
    HEP_BAD_CHUNK,
    /** HEP carrying something other than SIP (logs, RTCP, QoS reports...). Not an error: counted and skipped. */
    HEP_NOT_SIP,
    /** HEP without a payload chunk. */
    HEP_NO_PAYLOAD,
    /** HEP whose auth key did not match the configured one. */
    HEP_AUTH_FAILED,
    /** A HEP sender that is not on the allow-list. */
    SENDER_NOT_ALLOWED,
    /** A HEP TCP connection sent bytes that cannot be framed, or a frame over the size limit. */
    HEP_STREAM_BROKEN,
    /** The capture file's record header or data ended early or was inconsistent. */
    CAPTURE_TRUNCATED,
    /** A capture interface with a link type the reader does not decode. */
    UNSUPPORTED_LINK_TYPE,
    /** An Ethernet/IP frame too short or malformed to decode. */
    BAD_FRAME,
    /** IP protocols other than UDP and TCP, and frames that are not IP. */
    NOT_UDP_OR_TCP,
    /**
     * An IP datagram whose fragments did not all arrive within the time limit (the capture missed one), or that was
     * given up to bound memory (too many datagrams waiting), or still incomplete when the capture ended.
     */
    IP_FRAGMENT_INCOMPLETE,
    /**
     * An IP datagram whose fragments cannot belong together: overlapping with different bytes (RFC 5722), longer
     * than 65,535 bytes, disagreeing on where the datagram ends, or too many.
     */
    IP_FRAGMENT_INVALID,
    /** A UDP or TCP payload that is not SIP (and not HEP). */
    NOT_SIP,
    /** A TCP stream that lost bytes (a gap in sequence numbers): its buffered data was discarded. */
    TCP_GAP,
    /** A TCP stream that buffered more than the limit without a complete SIP message. */
    TCP_OVERSIZED,
    /** SIP that the scanner could not read: no start line, no Call-ID, no CSeq, bad numbers. */
    SIP_MALFORMED,
    /** A SIP message over the size limit. */
    SIP_TOO_LARGE,
    /** A second copy of a message already seen (proxy mirroring both legs, retransmission). Not an error. */
    DUPLICATE,
    /** An early dialog evicted because the tracker reached its cap (e.g. an INVITE flood). */
    EARLY_DIALOG_EVICTED,
    /**
     * A new call between parties with no registered device, not tracked while the source was behind (messages
     * waiting in the kernel, e.g. an INVITE flood): the time goes to the calls of registered phones instead.
     */
    SHED_UNDER_LOAD,
    /** The tracker failed on a message (a bug: the log line names the message); the source goes on. */
    TRACKER_FAILED,
    /** A SIP PUBLISH from an address that is not on {@code publish.allow}: answered 403. */
    PUBLISH_NOT_ALLOWED,
    /** A SIP PUBLISH whose digest credentials were wrong: answered 403. */
    PUBLISH_AUTH_FAILED,
    /** A SIP PUBLISH over its sender's rate limit: answered 503 with Retry-After. */
    PUBLISH_RATE_LIMITED,
    /**
     * A SIP PUBLISH refused for what it says (unknown event package, unknown entity tag, unreadable or oversized
     * body, too short a lifetime, too many publications): answered with the matching 4xx or 503.
     */
    PUBLISH_REJECTED
}
