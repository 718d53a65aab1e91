package io.offhook.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.CallView;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PhoneStatus;
import io.offhook.presence.PresenceMapping;
import io.offhook.presence.PresenceMappings;
import io.offhook.presence.Show;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

/**
 * The README's "your own presence mapping" recipe, done as a user would: the class and its
 * {@code META-INF/services} entry in a jar in a {@code lib/} folder, found by name through ServiceLoader.
 */
class PluginJarTest {
    @TempDir
    Path lib;

    private ClassLoader libLoader() throws IOException {
        Path jar = lib.resolve("since-mapping.jar");
        String cls = SinceMapping.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             InputStream bytes = SinceMapping.class.getClassLoader().getResourceAsStream(cls)) {
            j.putNextEntry(new JarEntry(cls));
            bytes.transferTo(j);
            j.putNextEntry(new JarEntry("META-INF/services/" + PresenceMapping.class.getName()));
            j.write((SinceMapping.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void aMappingInAJarIsFoundByNameAndConfigured() throws IOException {
        PresenceMapping m = PresenceMappings.load("since", Map.of("presence.since.zone", "Europe/Berlin"),
                libLoader());
        Instant start = Instant.parse("2026-11-25T13:05:00Z");
        PhoneStatus talking = new PhoneStatus(new JID("alice@localhost"), PhoneState.ON_THE_PHONE, start,
                List.of(new CallView(PhoneState.ON_THE_PHONE, start, start, Optional.empty())));
        assertEquals(PhonePresence.busy(Show.DND, "On the phone since 14:05", 10), m.map(talking));
        PhoneStatus idle = new PhoneStatus(new JID("alice@localhost"), PhoneState.AVAILABLE, start, List.of());
        assertEquals(PhonePresence.NONE, m.map(idle));
    }

    @Test
    void itsOwnBadSettingStopsStartUpNamingTheKey() throws IOException {
        ClassLoader loader = libLoader();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PresenceMappings.load("since", Map.of("presence.since.zone", "Mars/Olympus"), loader));
        assertTrue(e.getMessage().startsWith("presence.since.zone:"), e.getMessage());
    }

    @Test
    void withoutTheJarItIsNotFound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PresenceMappings.load("since", Map.of(), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("no mapping named 'since'"), e.getMessage());
    }
}
