package io.offhook.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The HTTP adapter: {@code GET /metrics} and {@code GET /health} on the JDK's built-in server (module
 * {@code jdk.httpserver}), so no HTTP library is needed.
 *
 * <p>Bounded by design: besides the JDK server's own thread that accepts connections and reads request headers,
 * one thread answers every request in turn (a scrape takes milliseconds, at most the engine timeout), at most
 * {@value #MAX_WAITING} requests wait for it and later ones are refused by closing their connection, no request
 * body is ever read (the JDK server discards at most 64 KiB of an unread body, then closes the connection), and a
 * path other than the two gets 404, another method 405. {@code HEAD} is answered like {@code GET}, without body.
 */
public final class MetricsServer implements AutoCloseable {
    /** The config key of the address. */
    public static final String KEY_LISTEN = "metrics.listen";
    /** Requests that may wait for the one thread. */
    static final int MAX_WAITING = 16;
    private static final Logger LOG = LogManager.getLogger(MetricsServer.class);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<String> metrics;
    private final Supplier<Health> health;

    private MetricsServer(HttpServer server, ExecutorService executor, Supplier<String> metrics,
                          Supplier<Health> health) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.health = health;
    }

    /**
     * Reads {@value #KEY_LISTEN}: {@code ADDRESS:PORT} with a literal IPv4 address, an IPv6 one in brackets, or
     * {@code localhost}; port 0 takes a free one (tests). Empty or {@code off} means no endpoint.
     *
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public static Optional<InetSocketAddress> parseListen(String value) {
        String v = value.strip();
        if (v.isEmpty() || v.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        String hint = "'" + value + "' is not ADDRESS:PORT (e.g. 127.0.0.1:9464 or [::1]:9464) or off";
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(hint);
        }
        String host = v.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(hint);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "': port " + port + " is not from 0 to 65535");
        }
        InetAddress address;
        try {
            if (host.equalsIgnoreCase("localhost")) {
                address = InetAddress.getLoopbackAddress();
            } else if (host.startsWith("[") && host.endsWith("]") && host.indexOf(':') > 0) {
                address = InetAddress.getByName(host.substring(1, host.length() - 1));
            } else if (IPV4.matcher(host).matches()) {
                address = InetAddress.getByName(host);
            } else {
                throw new IllegalArgumentException("'" + value + "': the address must be a literal IP address "
                        + "(IPv6 in brackets) or localhost, not '" + host + "'");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + value + "': '" + host + "' is not an IP address");
        }
        return Optional.of(new InetSocketAddress(address, port));
    }

    /**
     * Binds and starts serving.
     *
     * @param metrics the exposition text, computed for each scrape
     * @param health the current health, for each request
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static MetricsServer start(InetSocketAddress address, Supplier<String> metrics, Supplier<Health> health)
            throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(health, "health");
        HttpServer server;
        try {
            server = HttpServer.create(address, MAX_WAITING);
        } catch (IOException e) {
            throw new IOException(KEY_LISTEN + ": cannot listen on " + address.getAddress().getHostAddress() + ":"
                    + address.getPort() + ": " + e.getMessage(), e);
        }
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(MAX_WAITING), r -> {
                    Thread t = new Thread(r, "offhook-metrics");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        MetricsServer s = new MetricsServer(server, executor, metrics, health);
        server.setExecutor(executor);
        server.createContext("/", s::handle);
        server.start();
        LOG.info("Metrics on http://{}:{}/metrics, health on /health", address.getAddress().getHostAddress(),
                server.getAddress().getPort());
        return s;
    }

    /** The bound address (its port is the chosen one after binding port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops serving at once and ends the thread. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            String text = "text/plain; charset=utf-8";
            if (!"/metrics".equals(path) && !"/health".equals(path)) {
                respond(exchange, 404, text, "not found: try /metrics or /health\n", head);
            } else if (!"GET".equals(method) && !head) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, text, "method not allowed: use GET\n", false);
            } else if ("/metrics".equals(path)) {
                String body;
                try {
                    body = metrics.get();
                } catch (RuntimeException e) {
                    LOG.warn("Collecting metrics failed", e);
                    respond(exchange, 500, text, "collecting metrics failed: " + e + "\n", head);
                    return;
                }
                respond(exchange, 200, TextFormat.CONTENT_TYPE, body, head);
            } else {
                Health h;
                try {
                    h = health.get();
                } catch (RuntimeException e) {
                    LOG.warn("Checking health failed", e);
                    h = Health.down("checking health failed: " + e);
                }
                respond(exchange, h.up() ? 200 : 503, text, h.reason() + "\n", head);
            }
        } catch (IOException e) {
            // The client went away: nothing to answer.
            LOG.debug("metrics request failed: {}", e.toString());
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body, boolean head)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
