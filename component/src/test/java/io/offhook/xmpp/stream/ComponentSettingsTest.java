package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Settings validate themselves, name the key on error, and never show the secret. */
class ComponentSettingsTest {

    private static final ComponentSettings GOOD =
            ComponentSettings.of("127.0.0.1", 5347, "phone.localhost", "t0p-secret", "localhost");

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(Duration.ofSeconds(5), GOOD.connectTimeout());
        assertEquals(Duration.ofSeconds(10), GOOD.pingInterval());
        assertEquals(Duration.ofSeconds(5), GOOD.pingTimeout());
        assertEquals(Duration.ofMillis(250), GOOD.retryMin());
        assertEquals(Duration.ofSeconds(2), GOOD.retryMax());
        assertEquals(Duration.ofSeconds(60), GOOD.authRetryMax());
        assertEquals(1_000_000, GOOD.maxStanzaChars());
        assertEquals("127.0.0.1:5347", GOOD.address());
        assertEquals("[::1]:5347", ComponentSettings.of("::1", 5347, "p.l", "s", "l").address());
    }

    @Test
    void toStringHidesTheSecret() {
        assertFalse(GOOD.toString().contains("t0p-secret"), GOOD.toString());
        assertTrue(GOOD.toString().contains("phone.localhost"));
    }

    @Test
    void domainsAreNormalised() {
        assertEquals("phone.example.com",
                ComponentSettings.of("h", 1, " Phone.Example.COM ", "s", "Example.com").componentDomain());
    }

    @Test
    void badValuesNameTheirKey() {
        assertKey(ComponentSettings.KEY_HOST, () -> ComponentSettings.of(" ", 5347, "p.l", "s", "l"));
        assertKey(ComponentSettings.KEY_PORT, () -> ComponentSettings.of("h", 0, "p.l", "s", "l"));
        assertKey(ComponentSettings.KEY_PORT, () -> ComponentSettings.of("h", 65536, "p.l", "s", "l"));
        assertKey(ComponentSettings.KEY_DOMAIN, () -> ComponentSettings.of("h", 1, "user@p.l", "s", "l"));
        assertKey(ComponentSettings.KEY_DOMAIN, () -> ComponentSettings.of("h", 1, null, "s", "l"));
        assertKey(ComponentSettings.KEY_SECRET, () -> ComponentSettings.of("h", 1, "p.l", "", "l"));
        assertKey(ComponentSettings.KEY_SERVER_DOMAIN, () -> ComponentSettings.of("h", 1, "p.l", "s", "l/r"));
        assertKey(ComponentSettings.KEY_PING_INTERVAL, () -> GOOD.withPing(Duration.ZERO, Duration.ofSeconds(1)));
        assertKey(ComponentSettings.KEY_PING_TIMEOUT, () -> GOOD.withPing(Duration.ofSeconds(1), null));
        assertKey(ComponentSettings.KEY_CONNECT_TIMEOUT, () -> GOOD.withConnectTimeout(Duration.ofSeconds(-1)));
        assertKey(ComponentSettings.KEY_RETRY_MAX,
                () -> GOOD.withRetry(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(60)));
        assertKey(ComponentSettings.KEY_AUTH_RETRY_MAX,
                () -> GOOD.withRetry(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        assertKey(ComponentSettings.KEY_MAX_STANZA_CHARS, () -> GOOD.withMaxStanzaChars(100));
    }

    @Test
    void aBadSecretIsNotEchoed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComponentSettings.of("h", 0, "p.l", "my-secret", "l"));
        assertFalse(e.getMessage().contains("my-secret"));
    }

    private static void assertKey(String key, Supplier<ComponentSettings> settings) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, settings::get);
        assertTrue(e.getMessage().startsWith(key + " "), e.getMessage());
    }
}
