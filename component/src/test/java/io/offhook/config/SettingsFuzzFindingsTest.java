package io.offhook.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What fuzzing ({@link SettingsFuzzTest}) found in config reading, one test per finding, each naming the input
 * (also kept as a regression input under {@code SettingsFuzzTestInputs/parseAnyText/}).
 */
class SettingsFuzzFindingsTest {

    /**
     * Input {@code nul-in-secret-file-path}: {@code xmpp.component.secret-file} holding a NUL character. Resolving
     * it threw InvalidPathException out of the config check ({@code offhook --check} ended in a stack trace); now it
     * is one problem naming the file, line and key.
     */
    @Test
    void aPathWithANulCharacterIsAProblemOfItsLine() {
        Settings s = Settings.parse("a = 1\nsecret = compo\0nent.secret\n", "x.conf", Path.of("/tmp"));
        assertTrue(s.path("secret").isEmpty());
        assertEquals("", s.secretFile("secret"));
        ConfigException e = assertThrows(ConfigException.class, () -> {
            s.integer("a", 0, 0, 9);
            s.check(List.of("a", "secret"));
        });
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("x.conf:2: secret: 'compo?nent.secret' is not a path"),
                e.problems().get(0));
    }

    /**
     * Input {@code country-code-not-digits}: {@code mapping.country-code = users.map}. The number plan threw its
     * IllegalArgumentException out of {@code OffhookConfig.from} ({@code offhook --check} ended in a stack trace);
     * now it is a problem naming the key and the value, among the others.
     */
    @Test
    void aBadCountryCodeIsAProblemOfItsKey(@org.junit.jupiter.api.io.TempDir Path dir) {
        Settings s = Settings.parse("mapping.country-code = users.map\n", "x.conf", dir);
        ConfigException e = assertThrows(ConfigException.class, () -> io.offhook.app.OffhookConfig.from(s));
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("x.conf:1: mapping.country-code: country code "
                + "'users.map' must have 1 to 3 digits")), e.problems().toString());
    }
}
