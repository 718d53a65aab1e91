package io.offhook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * etc/grafana-offhook.json is well-formed JSON, a dashboard Grafana imports (panels with unique ids, queries on the
 * chosen data source), and every metric its queries use is one Offhook serves: renaming a metric breaks this test,
 * not an operator's dashboard.
 */
class GrafanaDashboardTest {
    private static final Path FILE = Path.of("..", "etc", "grafana-offhook.json");
    private static final Pattern METRIC = Pattern.compile("\\boffhook_[a-z_]+");

    @SuppressWarnings("unchecked")
    private static <T> T get(Object map, String key) {
        return (T) ((Map<String, Object>) map).get(key);
    }

    @Test
    void theDashboardIsValidAndUsesOnlyMetricsOffhookServes() throws IOException {
        Object dashboard = Json.parse(Files.readString(FILE, StandardCharsets.UTF_8));
        assertEquals("Offhook", get(dashboard, "title"));
        Set<String> served = Exposition.parse(new FakeParts().metrics().scrape()).keySet();
        List<Object> panels = get(dashboard, "panels");
        Set<Double> ids = new HashSet<>();
        Set<String> used = new TreeSet<>();
        for (Object panel : panels) {
            assertTrue(ids.add(get(panel, "id")), "panel ids are unique");
            Object datasource = get(panel, "datasource");
            assertEquals("${datasource}", get(datasource, "uid"), "panel " + get(panel, "title"));
            List<Object> targets = get(panel, "targets");
            assertFalse(targets.isEmpty(), "panel " + get(panel, "title") + " has a query");
            for (Object target : targets) {
                String expr = get(target, "expr");
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    String family = m.group().replaceFirst("_(bucket|sum|count)$", "");
                    assertTrue(served.contains(family), "the dashboard queries " + m.group()
                            + ", which Offhook does not serve: " + expr);
                    used.add(family);
                }
            }
        }
        assertTrue(used.containsAll(List.of("offhook_sip_messages_total", "offhook_sip_dropped_total",
                "offhook_users", "offhook_calls", "offhook_presence_stanzas_total", "offhook_event_to_stanza_seconds",
                "offhook_xmpp_up", "offhook_xmpp_disconnects_total")), "the dashboard shows the main metrics: "
                + used);
        String text = Files.readString(FILE, StandardCharsets.UTF_8);
        assertTrue(text.contains("histogram_quantile(0.99, sum by (le) (rate(offhook_event_to_stanza_seconds_bucket"),
                "p99 from the histogram");
    }

    @Test
    void theJsonReaderRejectsWhatJsonDoesNotAllow() {
        for (String bad : new String[] {"{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":1}{", "{\"a\":1,\"a\":2}",
            "// c\n{}", "{\"a\":01}", "\"a\nb\"", "{\"a\" 1}", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
        assertEquals(Map.of("a", List.of(1.0, true, "x\"y")), Json.parse(" {\"a\": [1, true, \"x\\\"y\"]} "));
    }
}
