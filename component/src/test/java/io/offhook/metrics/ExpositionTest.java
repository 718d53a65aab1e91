package io.offhook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test reader of the text format rejects what a scraper would, so the tests that use it can fail. */
class ExpositionTest {
    private static final String GOOD = """
            # HELP a_total A counter with a "quote" and a \\\\ backslash.
            # TYPE a_total counter
            a_total{source="x\\\\y\\"z\\n"} 3
            a_total{source="w"} 0
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="1"} 2
            h_bucket{le="+Inf"} 2
            h_sum 0.6
            h_count 2
            """;

    @Test
    void aGoodExpositionIsRead() {
        var families = Exposition.parse(GOOD);
        assertEquals(3.0, families.get("a_total").value("source", "x\\y\"z\n").orElseThrow());
        assertEquals("A counter with a \"quote\" and a \\\\ backslash.", families.get("a_total").help());
        assertEquals(2.0, families.get("h").series("h_count").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // a sample before its TYPE
        "a_total 1\n# TYPE a_total counter\n",
        // the same series twice
        "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n",
        // a family split in two blocks
        "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a again\n",
        // TYPE twice
        "# TYPE a gauge\n# TYPE a gauge\na 1\n",
        // buckets not cumulative
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        // no +Inf bucket
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
        // +Inf is not the count
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 2\n",
        // le not ascending
        "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        // a bad escape, an unescaped quote, a bad label name, a bad value, a negative counter, no final newline
        "# TYPE a gauge\na{x=\"\\t\"} 1\n",
        "# TYPE a gauge\na{x=\"a\"b\"} 1\n",
        "# TYPE a gauge\na{1x=\"a\"} 1\n",
        "# TYPE a gauge\na one\n",
        "# TYPE a_total counter\na_total -1\n",
        "# TYPE a gauge\na 1",
    })
    void aBrokenExpositionIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Exposition.parse(text));
        assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }
}
