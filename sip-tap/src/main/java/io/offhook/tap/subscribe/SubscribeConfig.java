package io.offhook.tap.subscribe;

import io.offhook.tap.track.Aor;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of the dialog-event subscriber, validated when built: an error names the setting and the bad value.
 *
 * @param targetHost where every SUBSCRIBE goes (the PBX, proxy or presence server): host name or IP literal
 * @param targetPort its port
 * @param tcp SUBSCRIBE and receive NOTIFY over TCP (else UDP)
 * @param bindAddress the IP literal Offhook's SIP stack listens on for NOTIFYs; also its Contact, so the target
 *     must be able to reach it
 * @param port the port it listens on
 * @param from the subscriber's own address (From), e.g. {@code sip:offhook@192.0.2.10}
 * @param expires the subscription lifetime asked for (the notifier may grant less)
 * @param users the addresses of record to subscribe to; empty: every explicit SIP address of the mapping file
 * @param ratePerSecond initial SUBSCRIBEs sent a second at most (a start with many users must not flood the PBX)
 * @param retryMin the first wait after a failure
 * @param retryMax the longest wait after failures in a row (the wait doubles up to it)
 * @param credentials digest credentials for a target that challenges (401/407), or {@code null} for none
 */
public record SubscribeConfig(String targetHost, int targetPort, boolean tcp, String bindAddress, int port,
                              String from, Duration expires, List<String> users, int ratePerSecond,
                              Duration retryMin, Duration retryMax, DigestCredentials credentials) {
    /** Asterisk's default {@code max_expires} for subscriptions is 3600 s; longer asks are cut to it anyway. */
    public static final Duration DEFAULT_EXPIRES = Duration.ofSeconds(3600);
    public static final int DEFAULT_PORT = 5072;

    public SubscribeConfig {
        Objects.requireNonNull(targetHost, "targetHost");
        if (targetHost.isBlank() || targetHost.chars().anyMatch(c -> c <= ' ' || c == ';' || c == '@')) {
            throw new IllegalArgumentException("target host '" + targetHost + "' is not a host name or address");
        }
        if (targetPort < 1 || targetPort > 0xFFFF) {
            throw new IllegalArgumentException("target port must be 1..65535: " + targetPort);
        }
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (!isIpLiteral(bindAddress) || bindAddress.equals("0.0.0.0") || bindAddress.equals("::")) {
            throw new IllegalArgumentException("listen address '" + bindAddress + "' must be one IP address the "
                    + "target can reach (it is the Contact of every SUBSCRIBE), not a host name or a wildcard");
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("listen port must be 1..65535: " + port);
        }
        Objects.requireNonNull(from, "from");
        if (Aor.of(from) == null || !from.toLowerCase(Locale.ROOT).startsWith("sip")) {
            throw new IllegalArgumentException("from '" + from + "' is not a SIP URI such as sip:offhook@host");
        }
        Objects.requireNonNull(expires, "expires");
        if (expires.toSeconds() < 60 || expires.toSeconds() > 86_400 || expires.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("expires must be whole seconds, 60 s to 1 day: " + expires);
        }
        users = List.copyOf(users);
        for (String u : users) {
            if (Aor.of(u) == null || !u.toLowerCase(Locale.ROOT).startsWith("sip")) {
                throw new IllegalArgumentException("user '" + u + "' is not a SIP address such as "
                        + "sip:alice@pbx.example.net");
            }
        }
        if (ratePerSecond < 1 || ratePerSecond > 10_000) {
            throw new IllegalArgumentException("rate must be 1..10000 SUBSCRIBEs a second: " + ratePerSecond);
        }
        Objects.requireNonNull(retryMin, "retryMin");
        Objects.requireNonNull(retryMax, "retryMax");
        if (retryMin.toMillis() < 100 || retryMax.compareTo(retryMin) < 0 || retryMax.toHours() > 24) {
            throw new IllegalArgumentException("retry waits must be 100 ms <= min <= max <= 1 day: " + retryMin
                    + ", " + retryMax);
        }
    }

    /** With the defaults for everything but where to subscribe and where to listen. */
    public static SubscribeConfig of(String targetHost, int targetPort, boolean tcp, String bindAddress, int port) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port,
                "sip:offhook@" + (bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress),
                DEFAULT_EXPIRES, List.of(), 20, Duration.ofSeconds(1), Duration.ofMinutes(5), null);
    }

    public SubscribeConfig withFrom(String newFrom) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port, newFrom, expires, users,
                ratePerSecond, retryMin, retryMax, credentials);
    }

    public SubscribeConfig withExpires(Duration newExpires) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port, from, newExpires, users,
                ratePerSecond, retryMin, retryMax, credentials);
    }

    public SubscribeConfig withUsers(List<String> newUsers) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port, from, expires, newUsers,
                ratePerSecond, retryMin, retryMax, credentials);
    }

    public SubscribeConfig withRate(int newRate) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port, from, expires, users, newRate,
                retryMin, retryMax, credentials);
    }

    public SubscribeConfig withRetry(Duration min, Duration max) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port, from, expires, users,
                ratePerSecond, min, max, credentials);
    }

    public SubscribeConfig withCredentials(DigestCredentials newCredentials) {
        return new SubscribeConfig(targetHost, targetPort, tcp, bindAddress, port, from, expires, users,
                ratePerSecond, retryMin, retryMax, newCredentials);
    }

    /** The transport's name as SIP writes it. */
    public String transport() {
        return tcp ? "tcp" : "udp";
    }

    /**
     * Where SUBSCRIBEs go.
     *
     * @param host host name or IP literal (without brackets)
     * @param port port
     */
    public record Target(String host, int port) {
        public Target {
            Objects.requireNonNull(host, "host");
        }

        /**
         * Reads a target: {@code host}, {@code host:port}, {@code [v6]:port}, or a SIP URI {@code sip:host[:port]}
         * (user part and parameters ignored); the port is 5060 unless given.
         *
         * @throws IllegalArgumentException naming the text when it is none of these
         */
        public static Target parse(String text) {
            return parseTarget(text);
        }
    }

    private static Target parseTarget(String text) {
        String t = Objects.requireNonNull(text, "target").strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sip:")) {
            t = t.substring(4);
        }
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi);
        }
        int at = t.lastIndexOf('@');
        if (at >= 0) {
            t = t.substring(at + 1);
        }
        String host;
        String portText = null;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' is not HOST[:PORT] or a SIP URI");
            }
            host = t.substring(1, close);
            if (close + 1 < t.length()) {
                if (t.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("'" + text + "' is not HOST[:PORT] or a SIP URI");
                }
                portText = t.substring(close + 2);
            }
        } else {
            int colon = t.indexOf(':');
            if (colon >= 0 && t.indexOf(':', colon + 1) < 0) {
                host = t.substring(0, colon);
                portText = t.substring(colon + 1);
            } else {
                host = t;
            }
        }
        int port = 5060;
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "' has no valid port");
            }
            port = Integer.parseInt(portText);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no host");
        }
        return new Target(host, port);
    }

    private static boolean isIpLiteral(String s) {
        if (s.isEmpty()) {
            return false;
        }
        if (s.contains(":")) {
            return s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
