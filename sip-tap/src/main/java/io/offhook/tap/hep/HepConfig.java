package io.offhook.tap.hep;

import java.util.List;
import java.util.Objects;

/**
 * Settings of the HEP listener, validated when built: an error names the setting and the bad value.
 *
 * <p>The defaults listen on loopback only (a proxy on the same machine), UDP and TCP on port 9060 (the port
 * Homer and the proxies' examples use), allow every sender and require no auth key. The auth key is a secret: it
 * never appears in {@link #toString()}.
 *
 * @param bindAddress IP literal to listen on (never resolved through DNS); "0.0.0.0" or "::" for all
 * @param port UDP and TCP port; 0 picks a free port (tests)
 * @param udpEnabled listen for HEP datagrams
 * @param tcpEnabled accept HEP over TCP (HEPv3 only, see {@link HepListener})
 * @param allowList sender addresses and CIDR blocks that may send HEP; empty allows all (see
 *     {@link AddressAllowList})
 * @param authKey the HEPv3 auth key every packet must carry, or {@code null} to accept packets with any or no key
 * @param maxFrameSize largest HEP datagram or TCP frame accepted, in bytes (at most 65535, the HEP3 limit)
 * @param maxTcpConnections how many HEP TCP connections may be open at once; more are refused
 */
public record HepConfig(
        String bindAddress,
        int port,
        boolean udpEnabled,
        boolean tcpEnabled,
        List<String> allowList,
        String authKey,
        int maxFrameSize,
        int maxTcpConnections) {

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 9060;
    public static final int DEFAULT_MAX_FRAME_SIZE = 0xFFFF;
    public static final int DEFAULT_MAX_TCP_CONNECTIONS = 64;
    /** Smallest accepted {@link #maxFrameSize()}: below this not even a short SIP message fits. */
    public static final int MIN_FRAME_SIZE = 256;

    public HepConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        AddressAllowList.parseLiteral(bindAddress, "bindAddress " + bindAddress);
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (!udpEnabled && !tcpEnabled) {
            throw new IllegalArgumentException("enable at least one of udp and tcp");
        }
        allowList = List.copyOf(allowList);
        AddressAllowList.of(allowList);
        if (authKey != null && authKey.isEmpty()) {
            throw new IllegalArgumentException("authKey must not be empty (leave it out for none)");
        }
        if (maxFrameSize < MIN_FRAME_SIZE || maxFrameSize > 0xFFFF) {
            throw new IllegalArgumentException("maxFrameSize must be " + MIN_FRAME_SIZE + "..65535: "
                    + maxFrameSize);
        }
        if (maxTcpConnections < 1) {
            throw new IllegalArgumentException("maxTcpConnections must be at least 1: " + maxTcpConnections);
        }
    }

    /** Loopback, port 9060, UDP and TCP, every sender, no auth key, 64 KiB frames, 64 TCP connections. */
    public static HepConfig defaults() {
        return new HepConfig(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, true, true, List.of(), null,
                DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_TCP_CONNECTIONS);
    }

    public HepConfig withBindAddress(String value) {
        return new HepConfig(value, port, udpEnabled, tcpEnabled, allowList, authKey, maxFrameSize,
                maxTcpConnections);
    }

    public HepConfig withPort(int value) {
        return new HepConfig(bindAddress, value, udpEnabled, tcpEnabled, allowList, authKey, maxFrameSize,
                maxTcpConnections);
    }

    public HepConfig withUdp(boolean value) {
        return new HepConfig(bindAddress, port, value, tcpEnabled, allowList, authKey, maxFrameSize,
                maxTcpConnections);
    }

    public HepConfig withTcp(boolean value) {
        return new HepConfig(bindAddress, port, udpEnabled, value, allowList, authKey, maxFrameSize,
                maxTcpConnections);
    }

    public HepConfig withAllowList(List<String> value) {
        return new HepConfig(bindAddress, port, udpEnabled, tcpEnabled, value, authKey, maxFrameSize,
                maxTcpConnections);
    }

    public HepConfig withAuthKey(String value) {
        return new HepConfig(bindAddress, port, udpEnabled, tcpEnabled, allowList, value, maxFrameSize,
                maxTcpConnections);
    }

    public HepConfig withMaxFrameSize(int value) {
        return new HepConfig(bindAddress, port, udpEnabled, tcpEnabled, allowList, authKey, value,
                maxTcpConnections);
    }

    public HepConfig withMaxTcpConnections(int value) {
        return new HepConfig(bindAddress, port, udpEnabled, tcpEnabled, allowList, authKey, maxFrameSize,
                value);
    }

    /** Says whether an auth key is set, never the key. */
    @Override
    public String toString() {
        return "HepConfig[bindAddress=" + bindAddress + ", port=" + port + ", udpEnabled=" + udpEnabled
                + ", tcpEnabled=" + tcpEnabled + ", allowList=" + allowList + ", authKey="
                + (authKey == null ? "none" : "(set)") + ", maxFrameSize=" + maxFrameSize
                + ", maxTcpConnections=" + maxTcpConnections + "]";
    }
}
