package io.offhook.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

    @Test
    void doublesFromMinUpToMaxAndStaysThere() {
        List<Long> seconds = new ArrayList<>();
        for (int failures = 1; failures <= 9; failures++) {
            seconds.add(backoff.delay(failures).toSeconds());
        }
        assertEquals(List.of(5L, 10L, 20L, 40L, 80L, 160L, 300L, 300L, 300L), seconds);
        assertEquals(Duration.ofMinutes(5), backoff.delay(Integer.MAX_VALUE), "no overflow after many failures");
    }

    @Test
    void aLostSessionComesBackWithinTheFirstDelay() {
        assertEquals(Duration.ZERO, backoff.spread(0));
        assertEquals(Duration.ofMillis(2500), backoff.spread(0.5));
        assertTrue(backoff.spread(Math.nextDown(1.0)).compareTo(Duration.ofSeconds(5)) < 0);
        assertThrows(IllegalArgumentException.class, () -> backoff.spread(1));
        assertThrows(IllegalArgumentException.class, () -> backoff.spread(Double.NaN));
    }

    @Test
    void badSettingsNameTheirKeys() {
        assertEquals("fallback.retry-min must be positive", assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1))).getMessage()
                .startsWith("fallback.retry-max"));
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0));
    }
}
