package io.offhook.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import io.offhook.presence.PresentationMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

/** The fallback.* keys: values, and problems that name their key and the credentials file's line. */
class FallbackSettingsTest {
    @TempDir
    Path dir;

    private List<String> problems(String conf, PresentationMode mode) {
        Settings s = Settings.parse(conf, "offhook.conf", dir);
        FallbackSettings.from(s, "phone", "{own} ({phone})", mode);
        ConfigException e = assertThrows(ConfigException.class, () -> s.check(FallbackSettings.KEYS));
        return e.problems();
    }

    @Test
    void everyKeyIsRead() throws IOException, ConfigException {
        Path creds = dir.resolve("fallback.credentials");
        Files.writeString(creds, "alice@other.test = pw host=127.0.0.1\n");
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
        Settings s = Settings.parse("""
                fallback.credentials-file = fallback.credentials
                fallback.priority = -5
                fallback.concurrent-logins = 3
                fallback.retry-min = 1s
                fallback.retry-max = 30s
                fallback.connect-timeout = 4s
                """, "offhook.conf", dir);
        FallbackSettings f = FallbackSettings.from(s, "phone", "{own} ({phone})", PresentationMode.LOGIN)
                .orElseThrow();
        s.check(FallbackSettings.KEYS);
        assertEquals(Optional.of(creds), f.credentials().file());
        assertTrue(f.credentials().find(new JID("alice@other.test")).isPresent());
        assertEquals(-5, f.priority());
        assertEquals(3, f.concurrentLogins());
        assertEquals(Duration.ofSeconds(1), f.retryMin());
        assertEquals(Duration.ofSeconds(30), f.retryMax());
        assertEquals(Duration.ofSeconds(4), f.connectTimeout());
    }

    @Test
    void aCredentialsFileOthersMayReadStopsTheStartNamingIt() throws IOException {
        Path creds = dir.resolve("fallback.credentials");
        Files.writeString(creds, "alice@other.test = pw\n");
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of("offhook.conf:1: fallback.credentials-file: " + creds + " is readable by group or "
                + "others; chmod 600 it (it holds passwords)"),
                problems("fallback.credentials-file = fallback.credentials\n", PresentationMode.RESOURCE));
    }

    @Test
    void aBadLineIsNamedUnderTheKey() throws IOException {
        Path creds = dir.resolve("fallback.credentials");
        Files.writeString(creds, "# users\nalice@other.test\n");
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
        assertEquals(List.of("offhook.conf:1: fallback.credentials-file: " + creds + ":2: no '=' between the JID "
                + "and the password (user@domain = password)"),
                problems("fallback.credentials-file = fallback.credentials\n", PresentationMode.RESOURCE));
    }

    @Test
    void loginAsTheDeploymentsModeNeedsTheFile() {
        assertEquals(List.of("offhook.conf: presence.mode: login needs fallback.credentials-file (the file with the "
                + "users' passwords)"), problems("", PresentationMode.LOGIN));
    }

    @Test
    void badValuesNameTheirKeys() {
        List<String> p = problems("""
                fallback.priority = 128
                fallback.concurrent-logins = 0
                fallback.retry-min = 10s
                fallback.retry-max = 5s
                """, PresentationMode.RESOURCE);
        assertEquals(3, p.size(), p::toString);
        assertTrue(p.get(0).startsWith("offhook.conf:1: fallback.priority: '128' is not a whole number from -128 "
                + "to 127"), p.get(0));
        assertTrue(p.get(1).startsWith("offhook.conf:2: fallback.concurrent-logins:"), p.get(1));
        assertEquals("offhook.conf:4: fallback.retry-max: 5000 ms is less than fallback.retry-min (10000 ms)",
                p.get(2));
    }
}
