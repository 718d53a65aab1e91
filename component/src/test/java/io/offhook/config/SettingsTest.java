package io.offhook.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void readsTypedValuesWithCommentsAndDefaults() throws ConfigException {
        Settings s = Settings.parse("""
                # a comment
                xmpp.port = 5347   # trailing comment
                xmpp.ping-interval = 250ms
                name = a#b
                flag = yes
                """, "t.conf", dir);
        assertEquals(5347, s.integer("xmpp.port", 1, 1, 65535));
        assertEquals(Duration.ofMillis(250), s.duration("xmpp.ping-interval", Duration.ZERO));
        assertEquals(Duration.ofMinutes(5), s.duration("absent", Duration.ofMinutes(5)));
        assertEquals("a#b", s.string("name", ""));
        assertTrue(s.bool("flag", false));
        s.check(List.of());
    }

    @Test
    void everyProblemIsReportedAtOnceWithFileLineAndKey() {
        Settings s = Settings.parse("""
                xmpp.port = http
                xmpp.ping-interval = soon
                xmpp.prot = 1
                broken line
                xmpp.port = 2
                """, "t.conf", dir);
        s.integer("xmpp.port", 1, 1, 65535);
        s.duration("xmpp.ping-interval", Duration.ofSeconds(1));
        s.required("xmpp.component.domain");
        ConfigException e = assertThrows(ConfigException.class, () -> s.check(List.of("xmpp.port")));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("t.conf:4: expected 'key = value'"), all);
        assertTrue(all.contains("t.conf:5: xmpp.port is set twice (also on line 1)"), all);
        assertTrue(all.contains("t.conf:5: xmpp.port: 'http'") || all.contains("xmpp.port: '2'")
                || all.contains("xmpp.port"), all);
        assertTrue(all.contains("t.conf:2: xmpp.ping-interval: 'soon' is not a positive duration"), all);
        assertTrue(all.contains("xmpp.component.domain must be set"), all);
        assertTrue(all.contains("t.conf:3: unknown key 'xmpp.prot' (did you mean xmpp.port?)"), all);
    }

    @Test
    void secretFilesMustBePrivateAndAreNeverQuoted() throws IOException {
        Path secret = dir.resolve("s.secret");
        Files.writeString(secret, "hunter2\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Settings open = Settings.parse("xmpp.component.secret-file = s.secret\n", "t.conf", dir);
        open.secretFile("xmpp.component.secret-file");
        ConfigException e = assertThrows(ConfigException.class, () -> open.check(List.of()));
        assertTrue(e.getMessage().contains("readable by others"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"));

        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Settings ok = Settings.parse("xmpp.component.secret-file = s.secret\n", "t.conf", dir);
        assertEquals("hunter2", ok.secretFile("xmpp.component.secret-file"));
    }

    @Test
    void durations() {
        assertEquals(Duration.ofHours(2), Settings.parseDuration("2h"));
        assertEquals(Duration.ofMinutes(5), Settings.parseDuration("5 m"));
        assertEquals(null, Settings.parseDuration("5 parsecs"));
        assertEquals(null, Settings.parseDuration("s"));
    }
}
