package io.offhook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real endpoint on 127.0.0.1, a free port: what each path and method answers. */
class MetricsServerTest {
    private final FakeParts parts = new FakeParts();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private MetricsServer start() throws IOException {
        OffhookMetrics metrics = parts.metrics();
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics::scrape,
                metrics::health);
        return server;
    }

    private HttpResponse<String> request(String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        b = method.startsWith("POST") ? b.POST(HttpRequest.BodyPublishers.ofString(
                "x".repeat(method.equals("POST-BIG") ? 1_000_000 : 10)))
                : b.method(method, HttpRequest.BodyPublishers.noBody());
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreServedInTheTextFormat() throws Exception {
        start();
        HttpResponse<String> r = request("GET", "/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type")
                .orElseThrow());
        assertEquals(11.0, Exposition.parse(r.body()).get("offhook_sip_messages_total")
                .value("source", "hep_udp").orElseThrow());
        HttpResponse<String> head = request("HEAD", "/metrics?x=1");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void healthFollowsTheXmppLink() throws Exception {
        start();
        HttpResponse<String> up = request("GET", "/health");
        assertEquals(200, up.statusCode());
        assertEquals("ok\n", up.body());
        parts.connected = false;
        HttpResponse<String> down = request("GET", "/health");
        assertEquals(503, down.statusCode());
        assertTrue(down.body().startsWith("XMPP link down, reconnecting") && down.body().endsWith("\n")
                && down.body().indexOf('\n') == down.body().length() - 1, down.body());
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        start();
        assertEquals(404, request("GET", "/").statusCode());
        assertEquals(404, request("GET", "/metrics/x").statusCode());
        HttpResponse<String> post = request("POST", "/metrics");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, request("DELETE", "/health").statusCode());
        try {
            // The body is never read: the server answers and closes, the client may see the reset first.
            assertEquals(405, request("POST-BIG", "/metrics").statusCode());
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("reset")
                    || String.valueOf(e.getMessage()).contains("closed")
                    || String.valueOf(e.getMessage()).contains("bytes received")
                    || String.valueOf(e.getMessage()).contains("received no bytes"), e.toString());
        }
        assertEquals(200, request("GET", "/health").statusCode(), "still serving after refusals");
    }

    @Test
    void aTakenPortIsAnErrorNamingTheKey() throws Exception {
        start();
        OffhookMetrics metrics = parts.metrics();
        IOException e = assertThrows(IOException.class, () -> MetricsServer.start(server.address(), metrics::scrape,
                metrics::health).close());
        assertTrue(e.getMessage().startsWith("metrics.listen: cannot listen on 127.0.0.1:" + server.address()
                .getPort()), e.getMessage());
    }

    @Test
    void theListenAddressIsParsedStrictly() {
        assertEquals(Optional.empty(), MetricsServer.parseListen(""));
        assertEquals(Optional.empty(), MetricsServer.parseListen("off"));
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), MetricsServer.parseListen("127.0.0.1:9464")
                .orElseThrow());
        assertEquals(new InetSocketAddress("::1", 9464), MetricsServer.parseListen("[::1]:9464").orElseThrow());
        assertEquals(InetAddress.getLoopbackAddress(), MetricsServer.parseListen("localhost:0").orElseThrow()
                .getAddress());
        for (String bad : new String[] {"9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000",
            "metrics.example.com:9464", "::1:9464", "[nonsense]:1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MetricsServer.parseListen(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
