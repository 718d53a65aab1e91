package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The per-publisher token bucket, on a clock the test moves. */
class RateLimiterTest {
    private long nanos;
    private final RateLimiter limiter = new RateLimiter(5, () -> nanos);

    @Test
    void aBurstOfTheRateThenOneTokenPerFifthOfASecond() throws UnknownHostException {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.allow(a), "request " + i);
        }
        assertFalse(limiter.allow(a));
        assertTrue(limiter.allow(b), "another publisher has its own bucket");
        nanos += 200_000_000L;
        assertTrue(limiter.allow(a));
        assertFalse(limiter.allow(a));
        nanos += 60_000_000_000L;
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.allow(a), "a full bucket, no more: request " + i);
        }
        assertFalse(limiter.allow(a));
    }
}
