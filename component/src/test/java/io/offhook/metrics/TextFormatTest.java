package io.offhook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.offhook.metrics.TextFormat.Type;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer of the text format: exact lines, escaping, and refusing what a scraper would reject. */
class TextFormatTest {
    @Test
    void writesHelpTypeAndSamplesWithEscapedLabelValues() {
        String text = new TextFormat()
                .family("x_total", Type.COUNTER, "Things\nwith a \\ in them.")
                .sample(3, "reason", "a\"b\\c\nd")
                .sample(12345678901L, "reason", "big")
                .family("y", Type.GAUGE, "A gauge.")
                .sample(0.25)
                .text();
        assertEquals("""
                # HELP x_total Things\\nwith a \\\\ in them.
                # TYPE x_total counter
                x_total{reason="a\\"b\\\\c\\nd"} 3
                x_total{reason="big"} 12345678901
                # HELP y A gauge.
                # TYPE y gauge
                y 0.25
                """, text);
        assertEquals("a\"b\\c\nd", Exposition.parse(text).get("x_total").samples().get(0).labels().get("reason"));
    }

    @Test
    void histogramSamplesEndInInfSumAndCount() {
        String text = new TextFormat().family("l_seconds", Type.HISTOGRAM, "Latency.")
                .histogram(List.of(new BigDecimal("0.0001"), new BigDecimal("0.25")), List.of(1L, 3L, 4L), 0.5)
                .text();
        assertEquals("""
                # HELP l_seconds Latency.
                # TYPE l_seconds histogram
                l_seconds_bucket{le="0.0001"} 1
                l_seconds_bucket{le="0.25"} 3
                l_seconds_bucket{le="+Inf"} 4
                l_seconds_sum 0.5
                l_seconds_count 4
                """, text);
        Exposition.parse(text);
    }

    @Test
    void numbersAreWrittenAsTheFormatReadsThem() {
        assertEquals("NaN", TextFormat.number(Double.NaN));
        assertEquals("+Inf", TextFormat.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", TextFormat.number(Double.NEGATIVE_INFINITY));
        assertEquals("-7", TextFormat.number(-7));
        assertEquals("1.0E-6", TextFormat.number(1e-6));
        assertEquals("1.0E20", TextFormat.number(1e20));
    }

    @Test
    void refusesWhatAScraperWouldReject() {
        TextFormat f = new TextFormat().family("a_total", Type.COUNTER, "A.");
        assertThrows(IllegalArgumentException.class, () -> f.family("a_total", Type.COUNTER, "again"));
        assertThrows(IllegalArgumentException.class, () -> f.family("no_suffix", Type.COUNTER, "counter"));
        assertThrows(IllegalArgumentException.class, () -> f.family("bad-name", Type.GAUGE, "name"));
        assertThrows(IllegalArgumentException.class, () -> f.family("h_count", Type.HISTOGRAM, "suffix"));
        assertThrows(IllegalArgumentException.class, () -> f.sample(1, "only-a-name"));
        assertThrows(IllegalArgumentException.class, () -> f.sample(1, "__reserved", "x"));
        assertThrows(IllegalStateException.class, () -> new TextFormat().sample(1));
        assertThrows(IllegalStateException.class, () -> new TextFormat().family("g", Type.GAUGE, "G.")
                .histogram(List.of(), List.of(0L), 0));
    }
}
