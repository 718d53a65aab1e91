package io.offhook.tap.publish;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves (the publish and subscribe tests share it). */
public final class TestClock extends Clock {
    private Instant now = Instant.parse("2026-03-01T10:00:00Z");

    public void advance(Duration d) {
        now = now.plus(d);
    }

    public long micros() {
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
