package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, "Observability": the metrics endpoint of an Offhook started from the shipped config with
 * {@code metrics.listen = 127.0.0.1:0}, on the real lab (Prosody, Kamailio mirroring HEP, sipp phones). After one
 * call, {@code GET /metrics} counts the SIP messages, the presence stanzas and the latency; {@code GET /health} is
 * 200 while the XMPP link is up and 503 once Prosody is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static Prosody prosody;
    private static OffhookUnderTest offhook;
    private static Kamailio kamailio;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        prosody.register("alice", "it-password-1");
        offhook = OffhookUnderTest.start(work.resolve("offhook"), prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\n", Map.of("metrics.listen", "127.0.0.1:0"));
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), offhook.hepPort(), Kamailio.HepTransport.UDP, 64);
    }

    @AfterAll
    static void stop() {
        try {
            if (kamailio != null) {
                kamailio.close();
            }
        } finally {
            try {
                if (offhook != null) {
                    offhook.close();
                }
            } finally {
                if (prosody != null) {
                    prosody.stop();
                }
            }
        }
    }

    private static HttpResponse<String> get(String path) {
        int port = offhook.services().metricsPort();
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " on port " + port + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The value of one series line (name and labels exactly as written), or -1 when it is not there. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    @Order(1)
    void aCallIsCountedFromSipInToStanzaOutAndHealthIsOk() throws IOException {
        try (CallLab lab = new CallLab(work, kamailio)) {
            UserAgent alice = UserAgent.of("alice");
            UserAgent xavier = UserAgent.of("xavier");
            lab.register(alice);
            lab.register(xavier);
            lab.call(xavier, "uac-call.xml", "uas-answer.xml", alice);
        }
        String[] last = {""};
        Await.until(WAIT, () -> {
            last[0] = get("/metrics").body();
            return value(last[0], "offhook_users{state=\"available\"}") == 1
                    && value(last[0], "offhook_calls{state=\"on_the_phone\"}") == 0
                    && value(last[0], "offhook_presence_stanzas_total{mode=\"resource\"}") >= 4;
        }, () -> "alice's phone shown to herself as available, ringing, on the phone, available again:\n"
                + last[0]);
        String metrics = last[0];
        assertTrue(value(metrics, "offhook_sip_messages_total{source=\"hep_udp\"}") >= 10,
                () -> "REGISTERs and the call's INVITE, 180, 200, ACK, BYE, 200 from Kamailio's HEP:\n" + metrics);
        assertEquals(0, value(metrics, "offhook_sip_dropped_total{reason=\"sip_malformed\"}"), metrics);
        assertTrue(value(metrics, "offhook_phone_events_total") >= 8, () -> "alice's and xavier's:\n" + metrics);
        assertEquals(0, value(metrics, "offhook_calls{state=\"ringing\"}"), metrics);
        assertTrue(value(metrics, "offhook_event_to_stanza_seconds_count") >= 4, metrics);
        assertEquals(value(metrics, "offhook_event_to_stanza_seconds_count"),
                value(metrics, "offhook_event_to_stanza_seconds_bucket{le=\"+Inf\"}"), metrics);
        assertEquals(1, value(metrics, "offhook_users{state=\"available\"}"), metrics);
        assertEquals(1, value(metrics, "offhook_xmpp_up"), metrics);
        assertEquals(0, value(metrics, "offhook_scrape_errors_total"), metrics);

        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
    }

    @Test
    @Order(2)
    void healthTurns503WhenTheXmppServerIsGone() {
        prosody.stop();
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Await.until(WAIT, () -> {
            last.set(get("/health"));
            return last.get().statusCode() == 503;
        }, () -> "health still " + last.get().statusCode() + " " + last.get().body());
        String reason = last.get().body();
        assertTrue(reason.startsWith("XMPP link down, reconnecting") && reason.endsWith("\n")
                && reason.indexOf('\n') == reason.length() - 1, reason);
        assertEquals(0, value(get("/metrics").body(), "offhook_xmpp_up"));
    }
}
