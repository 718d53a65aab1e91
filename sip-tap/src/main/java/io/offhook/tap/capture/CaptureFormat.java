package io.offhook.tap.capture;

/** The container format of a capture file, as detected from its first bytes. */
public enum CaptureFormat {
    /** Classic libpcap format (microsecond or nanosecond time stamps, either byte order). */
    PCAP,
    /** pcapng: blocks, one or more sections, interfaces with their own link type and time resolution. */
    PCAPNG
}
