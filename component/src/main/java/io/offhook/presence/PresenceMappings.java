package io.offhook.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link PresenceMapping} a config names among those on the class path (ServiceLoader). */
public final class PresenceMappings {
    private PresenceMappings() {
    }

    /**
     * The mapping named {@code name}, configured with {@code settings}.
     *
     * @param loader where to look: the class loader that sees Offhook's {@code lib/}
     * @throws IllegalArgumentException naming {@code presence.mapping} and the names found when none matches, or a
     *     broken provider, or the key a mapping rejects
     */
    public static PresenceMapping load(String name, Map<String, String> settings, ClassLoader loader) {
        List<String> found = new ArrayList<>();
        try {
            for (PresenceMapping mapping : ServiceLoader.load(PresenceMapping.class, loader)) {
                found.add(mapping.name());
                if (mapping.name().equals(name)) {
                    mapping.configure(settings);
                    return mapping;
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("presence.mapping: a mapping on the class path cannot be loaded: "
                    + e.getMessage(), e);
        }
        throw new IllegalArgumentException("presence.mapping: no mapping named '" + name + "' on the class path; found "
                + found + " (put the jar in lib/ and list the class in META-INF/services/"
                + PresenceMapping.class.getName() + ")");
    }
}
