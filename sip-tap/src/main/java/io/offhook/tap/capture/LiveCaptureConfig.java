package io.offhook.tap.capture;

import java.util.Objects;

/**
 * What to capture live: the interface, a BPF filter that keeps the kernel from copying traffic the tap does not
 * want, how many bytes of each frame to keep, and whether to listen promiscuously (off by default: a tap next to
 * the proxy sees the proxy's own traffic without it).
 *
 * @param interfaceName e.g. {@code eth0} or {@code lo}
 * @param filter a BPF filter expression (tcpdump syntax), or empty for everything
 * @param snaplen bytes kept per frame; a SIP message longer than what is kept cannot be read
 * @param promiscuous capture frames not addressed to this host
 * @param limits what TCP reassembly may hold
 */
public record LiveCaptureConfig(String interfaceName, String filter, int snaplen, boolean promiscuous,
                                ReassemblyLimits limits) {
    /** Enough for any IP packet. */
    public static final int DEFAULT_SNAPLEN = 65_535;
    /**
     * SIP's port, and every IP fragment that is not a datagram's first: a port filter alone sees the ports in the
     * first fragment only, and would drop the rest of every large INVITE or 200 sent over UDP. (IPv6 fragments are
     * kept whole, first ones too: libpcap's port test does not look past extension headers.) Fragments of other
     * traffic that come through are given up after 30 s and counted as {@code ip_fragment_incomplete}.
     */
    public static final String DEFAULT_FILTER = "port 5060 or (ip[6:2] & 0x1fff != 0) or (ip6[6] == 44)";

    public LiveCaptureConfig {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(limits, "limits");
        if (interfaceName.isBlank()) {
            throw new IllegalArgumentException("interfaceName is blank");
        }
        if (snaplen < 128) {
            throw new IllegalArgumentException("snaplen must be at least 128: " + snaplen);
        }
    }

    /** Non-promiscuous, full frames, default TCP limits. */
    public static LiveCaptureConfig of(String interfaceName, String filter) {
        return new LiveCaptureConfig(interfaceName, filter, DEFAULT_SNAPLEN, false, ReassemblyLimits.DEFAULTS);
    }
}
