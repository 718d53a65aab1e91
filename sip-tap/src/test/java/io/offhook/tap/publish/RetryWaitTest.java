package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RetryWaitTest {
    @Test
    void doublesFromTheMinimumUpToTheMaximumWithTheUpperHalfRandom() {
        assertEquals(500, RetryWait.millis(1000, 60_000, 1, 0));
        assertEquals(750, RetryWait.millis(1000, 60_000, 1, 0.5));
        assertEquals(1000, RetryWait.millis(1000, 60_000, 2, 0));
        assertEquals(4000, RetryWait.millis(1000, 60_000, 4, 0));
        assertEquals(30_000, RetryWait.millis(1000, 60_000, 7, 0), "64 s capped at 60 s, half of it");
        assertEquals(59_999, RetryWait.millis(1000, 60_000, 1000, 0.99999));
    }

    @Test
    void oddInputsStayInBounds() {
        assertEquals(500, RetryWait.millis(1000, 60_000, 0, 0), "no failure counts as the first");
        assertEquals(500, RetryWait.millis(1000, 60_000, -3, -1), "a random below 0 is 0");
        assertEquals(1000, RetryWait.millis(1000, 60_000, 1, 7), "above 1 is 1");
        assertEquals(1, RetryWait.millis(0, 0, 1, 0), "never 0: no tight loop");
        assertEquals(Long.MAX_VALUE / 2, RetryWait.millis(1L << 62, Long.MAX_VALUE, 3, 0), "no overflow");
        assertEquals(Long.MAX_VALUE / 2, RetryWait.millis(1, Long.MAX_VALUE, Integer.MAX_VALUE, 0),
                "no overflow, and no endless loop");
    }
}
