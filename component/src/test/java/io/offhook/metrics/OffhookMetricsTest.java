package io.offhook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.metrics.Exposition.Family;
import io.offhook.tap.packet.DropReason;
import io.offhook.xmpp.stream.ConnectionStats;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A whole scrape: valid text format, every number where it belongs, and what happens when parts fail. */
class OffhookMetricsTest {
    private final FakeParts parts = new FakeParts();

    private static double value(Map<String, Family> f, String family, String... labels) {
        return f.get(family).value(labels).orElseThrow(() -> new AssertionError(family + " has no sample "
                + String.join(",", labels) + ": " + f.get(family)));
    }

    @Test
    void aScrapeIsValidAndCarriesEveryNumber() {
        parts.drops.drop(DropReason.SIP_MALFORMED, "test");
        parts.drops.count(DropReason.DUPLICATE);
        parts.drops.count(DropReason.DUPLICATE);
        parts.latency.recordMicros(80);
        parts.latency.recordMicros(700);
        Map<String, Family> f = Exposition.parse(parts.metrics().scrape());

        assertEquals(11, value(f, "offhook_sip_messages_total", "source", "hep_udp"));
        assertEquals(12, value(f, "offhook_sip_messages_total", "source", "hep_tcp"));
        assertEquals(13, value(f, "offhook_sip_messages_total", "source", "capture"));
        assertEquals(30, value(f, "offhook_sip_scanned_total"));
        assertEquals(1, value(f, "offhook_sip_dropped_total", "reason", "sip_malformed"));
        assertEquals(2, value(f, "offhook_sip_dropped_total", "reason", "duplicate"));
        assertEquals(DropReason.values().length, f.get("offhook_sip_dropped_total").samples().size(),
                "every reason has a series, zero or not, so rate() works from the start");
        assertEquals(4, value(f, "offhook_sip_users"));
        assertEquals(5, value(f, "offhook_sip_bindings"));
        assertEquals(6, value(f, "offhook_sip_dialogs"));
        assertEquals(100, value(f, "offhook_phone_events_total"));
        assertEquals(7, value(f, "offhook_phone_events_unmapped_total"));
        assertEquals(2, value(f, "offhook_users", "state", "on_the_phone"));
        assertEquals(1, value(f, "offhook_users", "state", "available"));
        assertEquals(0, value(f, "offhook_users", "state", "ringing"));
        assertEquals(2, value(f, "offhook_calls", "state", "on_the_phone"));
        assertEquals(0, value(f, "offhook_calls", "state", "on_hold"));
        assertEquals(9, value(f, "offhook_presences_shown"));
        assertEquals(30, value(f, "offhook_presence_stanzas_total", "mode", "resource"));
        assertEquals(0, value(f, "offhook_presence_stanzas_total", "mode", "overlay"));
        assertEquals(4, value(f, "offhook_presence_stanzas_total", "mode", "gateway"));
        assertEquals(60, value(f, "offhook_engine_stanzas_total"));
        assertEquals(5, value(f, "offhook_roster_requests_total"));
        assertEquals(1, value(f, "offhook_roster_errors_total"));
        assertEquals(2, value(f, "offhook_echoes_ignored_total"));
        assertEquals(8, value(f, "offhook_engine_queue_dropped_total"));
        assertEquals(14, value(f, "offhook_engine_slow_writes_total"));
        assertEquals(15, value(f, "offhook_sip_publications"));
        assertEquals(1, value(f, "offhook_xmpp_up"));
        assertEquals(2, value(f, "offhook_xmpp_connects_total"));
        assertEquals(1, value(f, "offhook_xmpp_disconnects_total"));
        assertEquals(3, value(f, "offhook_xmpp_connect_attempts_total"));
        assertEquals(40, value(f, "offhook_xmpp_stanzas_total", "direction", "in"));
        assertEquals(50, value(f, "offhook_xmpp_stanzas_total", "direction", "out"));
        assertEquals(2, value(f, "offhook_mapping_loads_total"));
        assertEquals(1, value(f, "offhook_mapping_reload_failures_total"));
        assertEquals(0, value(f, "offhook_mapping_failing"));
        Family latency = f.get("offhook_event_to_stanza_seconds");
        assertEquals("histogram", latency.type());
        assertEquals(1, latency.series("offhook_event_to_stanza_seconds_bucket", "le", "0.0001").orElseThrow());
        assertEquals(2, latency.series("offhook_event_to_stanza_seconds_bucket", "le", "0.001").orElseThrow());
        assertEquals(2, latency.series("offhook_event_to_stanza_seconds_count").orElseThrow());
        assertEquals(0.00078, latency.series("offhook_event_to_stanza_seconds_sum").orElseThrow(), 1e-12);
        assertEquals(0, value(f, "offhook_scrape_errors_total"));
        for (Family family : f.values()) {
            assertTrue(family.name().startsWith("offhook_"), family.name());
            assertFalse(family.help().isEmpty(), family.name() + " has help");
        }
    }

    @Test
    void anEngineThatDoesNotAnswerLeavesItsFamiliesOutAndIsCounted() {
        parts.engineAnswers = false;
        OffhookMetrics metrics = parts.metrics();
        Map<String, Family> first = Exposition.parse(metrics.scrape());
        assertFalse(first.containsKey("offhook_users"));
        assertFalse(first.containsKey("offhook_presence_stanzas_total"));
        assertEquals(11, value(first, "offhook_sip_messages_total", "source", "hep_udp"), "the rest is served");
        assertEquals(1, value(first, "offhook_scrape_errors_total"));
        assertEquals(2, value(Exposition.parse(metrics.scrape()), "offhook_scrape_errors_total"));
        parts.engineAnswers = true;
        Map<String, Family> again = Exposition.parse(metrics.scrape());
        assertTrue(again.containsKey("offhook_users"));
        assertEquals(2, value(again, "offhook_scrape_errors_total"));
    }

    @Test
    void healthIsUpOnlyWithTheLinkUpAndTheEngineRunning() {
        OffhookMetrics metrics = parts.metrics();
        assertEquals(Health.ok(), metrics.health());

        parts.connected = false;
        parts.connection = new ConnectionStats(0, 0, "cannot connect to XMPP server 127.0.0.1:5347: Connection "
                + "refused\n", 0, 0, 0, 0, 0, 4, 0);
        Health h = metrics.health();
        assertFalse(h.up());
        assertEquals("XMPP link not up yet, connecting: cannot connect to XMPP server 127.0.0.1:5347: Connection "
                + "refused", h.reason(), "one line");

        parts.connection = new ConnectionStats(3, 3, "XMPP server 127.0.0.1:5347 closed the stream", 0, 0, 0, 0,
                0, 4, 0);
        assertEquals("XMPP link down, reconnecting: XMPP server 127.0.0.1:5347 closed the stream",
                metrics.health().reason());
        assertEquals(0, value(Exposition.parse(metrics.scrape()), "offhook_xmpp_up"));

        parts.connected = true;
        parts.engineRunning = false;
        assertEquals(Health.down("presence engine not running"), metrics.health());
    }
}
