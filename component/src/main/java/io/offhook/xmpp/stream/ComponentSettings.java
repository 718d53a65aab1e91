package io.offhook.xmpp.stream;

import java.time.Duration;
import org.xmpp.packet.JID;

/**
 * Everything the XEP-0114 connection needs to know, checked once at start so that a bad value fails with the name
 * of its config key instead of as a strange network error later. The secret never appears in {@link #toString()}.
 *
 * @param host            the XMPP server's component listener host ({@value #KEY_HOST})
 * @param port            its port, 1 to 65535 ({@value #KEY_PORT})
 * @param componentDomain the component's domain, e.g. {@code phone.localhost} ({@value #KEY_DOMAIN})
 * @param secret          the shared secret of the XEP-0114 handshake ({@value #KEY_SECRET}); never logged
 * @param serverDomain    the server's own domain, target of our XEP-0199 pings, e.g. {@code localhost}
 *                        ({@value #KEY_SERVER_DOMAIN})
 * @param connectTimeout  how long a TCP connect and then the server's handshake answer may take
 * @param pingInterval    after this long without a byte from the server, ping it
 * @param pingTimeout     a ping not answered within this long means the server is dead
 * @param retryMin        first reconnect delay after a lost or refused connection; doubles on each failure
 * @param retryMax        the longest reconnect delay for lost or refused connections
 * @param authRetryMax    the longest reconnect delay after the server refused our configuration (wrong secret,
 *                        unknown component domain, component not trusted)
 * @param maxStanzaChars  a stanza larger than this closes the connection (bounded memory)
 */
public record ComponentSettings(String host, int port, String componentDomain, String secret, String serverDomain,
        Duration connectTimeout, Duration pingInterval, Duration pingTimeout, Duration retryMin, Duration retryMax,
        Duration authRetryMax, int maxStanzaChars) {

    /** Config key of {@link #host()}. */
    public static final String KEY_HOST = "xmpp.host";
    /** Config key of {@link #port()}. */
    public static final String KEY_PORT = "xmpp.port";
    /** Config key of {@link #componentDomain()}. */
    public static final String KEY_DOMAIN = "xmpp.component.domain";
    /** Config key of {@link #secret()}. */
    public static final String KEY_SECRET = "xmpp.component.secret-file";
    /** Config key of {@link #serverDomain()}. */
    public static final String KEY_SERVER_DOMAIN = "xmpp.server-domain";
    /** Config key of {@link #connectTimeout()}. */
    public static final String KEY_CONNECT_TIMEOUT = "xmpp.connect-timeout";
    /** Config key of {@link #pingInterval()}. */
    public static final String KEY_PING_INTERVAL = "xmpp.ping-interval";
    /** Config key of {@link #pingTimeout()}. */
    public static final String KEY_PING_TIMEOUT = "xmpp.ping-timeout";
    /** Config key of {@link #retryMin()}. */
    public static final String KEY_RETRY_MIN = "xmpp.retry-min";
    /** Config key of {@link #retryMax()}. */
    public static final String KEY_RETRY_MAX = "xmpp.retry-max";
    /** Config key of {@link #authRetryMax()}. */
    public static final String KEY_AUTH_RETRY_MAX = "xmpp.auth-retry-max";
    /** Config key of {@link #maxStanzaChars()}. */
    public static final String KEY_MAX_STANZA_CHARS = "xmpp.max-stanza-chars";

    /** Default of {@link #connectTimeout()}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default of {@link #pingInterval()}. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(10);
    /** Default of {@link #pingTimeout()}. */
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(5);
    /** Default of {@link #retryMin()}. */
    public static final Duration DEFAULT_RETRY_MIN = Duration.ofMillis(250);
    /** Default of {@link #retryMax()}: a restarted server is picked up within about this long. */
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(2);
    /** Default of {@link #authRetryMax()}. */
    public static final Duration DEFAULT_AUTH_RETRY_MAX = Duration.ofSeconds(60);
    /** Default of {@link #maxStanzaChars()}. */
    public static final int DEFAULT_MAX_STANZA_CHARS = 1_000_000;
    /** The smallest {@link #maxStanzaChars()} accepted: below it ordinary presence with extensions would not fit. */
    public static final int MIN_MAX_STANZA_CHARS = 1024;

    /** Checks every value; the message of the exception names the config key. */
    public ComponentSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(KEY_HOST + " is missing");
        }
        host = host.trim();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(KEY_PORT + " must be 1 to 65535, was " + port);
        }
        componentDomain = domain(componentDomain, KEY_DOMAIN);
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException(KEY_SECRET + " is missing");
        }
        serverDomain = domain(serverDomain, KEY_SERVER_DOMAIN);
        positive(connectTimeout, KEY_CONNECT_TIMEOUT);
        positive(pingInterval, KEY_PING_INTERVAL);
        positive(pingTimeout, KEY_PING_TIMEOUT);
        positive(retryMin, KEY_RETRY_MIN);
        positive(retryMax, KEY_RETRY_MAX);
        positive(authRetryMax, KEY_AUTH_RETRY_MAX);
        if (retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException(KEY_RETRY_MAX + " (" + retryMax + ") must not be less than "
                    + KEY_RETRY_MIN + " (" + retryMin + ")");
        }
        if (authRetryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException(KEY_AUTH_RETRY_MAX + " (" + authRetryMax + ") must not be less than "
                    + KEY_RETRY_MIN + " (" + retryMin + ")");
        }
        if (maxStanzaChars < MIN_MAX_STANZA_CHARS) {
            throw new IllegalArgumentException(KEY_MAX_STANZA_CHARS + " must be at least " + MIN_MAX_STANZA_CHARS
                    + ", was " + maxStanzaChars);
        }
    }

    /** Settings with every tuning value at its default. */
    public static ComponentSettings of(String host, int port, String componentDomain, String secret,
            String serverDomain) {
        return new ComponentSettings(host, port, componentDomain, secret, serverDomain, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT, DEFAULT_RETRY_MIN, DEFAULT_RETRY_MAX,
                DEFAULT_AUTH_RETRY_MAX, DEFAULT_MAX_STANZA_CHARS);
    }

    /** A copy with another connect (and handshake) timeout. */
    public ComponentSettings withConnectTimeout(Duration timeout) {
        return new ComponentSettings(host, port, componentDomain, secret, serverDomain, timeout, pingInterval,
                pingTimeout, retryMin, retryMax, authRetryMax, maxStanzaChars);
    }

    /** A copy with other XEP-0199 ping timings. */
    public ComponentSettings withPing(Duration interval, Duration timeout) {
        return new ComponentSettings(host, port, componentDomain, secret, serverDomain, connectTimeout, interval,
                timeout, retryMin, retryMax, authRetryMax, maxStanzaChars);
    }

    /** A copy with other reconnect delays. */
    public ComponentSettings withRetry(Duration min, Duration max, Duration authMax) {
        return new ComponentSettings(host, port, componentDomain, secret, serverDomain, connectTimeout, pingInterval,
                pingTimeout, min, max, authMax, maxStanzaChars);
    }

    /** A copy with another stanza size limit. */
    public ComponentSettings withMaxStanzaChars(int max) {
        return new ComponentSettings(host, port, componentDomain, secret, serverDomain, connectTimeout, pingInterval,
                pingTimeout, retryMin, retryMax, authRetryMax, max);
    }

    /** {@code host:port}, as the logs name the server. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Every value except the secret. */
    @Override
    public String toString() {
        return "ComponentSettings[host=" + host + ", port=" + port + ", componentDomain=" + componentDomain
                + ", secret=(hidden), serverDomain=" + serverDomain + ", connectTimeout=" + connectTimeout
                + ", pingInterval=" + pingInterval + ", pingTimeout=" + pingTimeout + ", retryMin=" + retryMin
                + ", retryMax=" + retryMax + ", authRetryMax=" + authRetryMax + ", maxStanzaChars="
                + maxStanzaChars + "]";
    }

    private static String domain(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is missing");
        }
        String trimmed = value.trim();
        if (trimmed.indexOf('@') >= 0 || trimmed.indexOf('/') >= 0) {
            throw new IllegalArgumentException(key + " must be a bare domain such as phone.example.com, was '"
                    + trimmed + "'");
        }
        try {
            return new JID(null, trimmed, null).getDomain();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not a valid XMPP domain: '" + trimmed + "'", e);
        }
    }

    private static void positive(Duration value, String key) {
        if (value == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
    }
}
