package io.offhook.it;

import io.offhook.app.OffhookConfig;
import io.offhook.app.Services;
import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import io.offhook.publish.EngineStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Offhook itself, in this JVM, started by {@link Services} exactly as {@code offhook} starts it, from the shipped
 * {@code etc/offhook.conf} with only the keys a test must change replaced (server ports, the component's domain,
 * HEP on a free port): the tested config is the documented one.
 */
final class OffhookUnderTest implements AutoCloseable {
    private final Services services;

    private OffhookUnderTest(Services services) {
        this.services = services;
    }

    /**
     * Starts Offhook against {@code server} with the mapping file {@code usersMap}; {@code overrides} replace
     * further keys of the shipped config. Returns once the component connection is up.
     */
    static OffhookUnderTest start(Path dir, XmppServer server, String secret, String usersMap,
                                  Map<String, String> overrides) throws IOException {
        Path file = writeConfig(dir, server, secret, usersMap, overrides);
        OffhookConfig config;
        try {
            config = OffhookConfig.from(Settings.load(file));
        } catch (ConfigException e) {
            throw new IllegalStateException("the test's config is invalid:\n" + e.getMessage(), e);
        }
        Services services;
        try {
            services = Services.start(config, Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Offhook did not start", e);
        }
        OffhookUnderTest offhook = new OffhookUnderTest(services);
        try {
            if (!services.connection().awaitConnected(Duration.ofSeconds(10))) {
                throw new IllegalStateException("Offhook's component did not connect to " + server.name() + ": "
                        + services.connection().stats());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            offhook.close();
            throw new IllegalStateException("interrupted", e);
        } catch (RuntimeException e) {
            offhook.close();
            throw e;
        }
        return offhook;
    }

    /**
     * Writes {@code dir/offhook.conf} (the shipped config with the keys a test must change replaced, then
     * {@code overrides}), {@code dir/users.map} and the secret file (mode 600); returns the config file.
     */
    static Path writeConfig(Path dir, XmppServer server, String secret, String usersMap,
                            Map<String, String> overrides) throws IOException {
        Files.createDirectories(dir);
        Path secretFile = dir.resolve("component.secret");
        Files.writeString(secretFile, secret + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("users.map"), usersMap, StandardCharsets.UTF_8);
        String conf = Files.readString(XmppLab.etcFile("offhook.conf"), StandardCharsets.UTF_8);
        conf = set(conf, "xmpp.port", Integer.toString(server.componentPort()));
        conf = set(conf, "xmpp.component.domain", server.componentDomain());
        conf = set(conf, "xmpp.server-domain", server.domain());
        conf = set(conf, "hep.listen", "127.0.0.1:0");
        conf = set(conf, "hep.transports", "udp");
        conf = set(conf, "xmpp.retry-max", "500ms");
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            conf = set(conf, e.getKey(), e.getValue());
        }
        Path file = dir.resolve("offhook.conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        return file;
    }

    /** Replaces {@code key}'s line (commented out or not) in the shipped config. */
    private static String set(String conf, String key, String value) {
        Matcher m = Pattern.compile("(?m)^#?" + Pattern.quote(key) + " =.*$").matcher(conf);
        if (!m.find()) {
            throw new IllegalStateException("etc/offhook.conf no longer has the key " + key);
        }
        return m.replaceFirst(Matcher.quoteReplacement(key + " = " + value));
    }

    /** Where Kamailio mirrors HEP to. */
    int hepPort() {
        return services.hepUdpPort();
    }

    Services services() {
        return services;
    }

    /** The engine's counters, read on its own thread. */
    EngineStats stats() {
        try {
            return services.engine().call(e -> e.stats(), Duration.ofSeconds(5));
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("the engine did not answer", e);
        }
    }

    @Override
    public void close() {
        services.close();
    }
}
