package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import io.offhook.fallback.Credentials;
import io.offhook.fallback.FallbackSettings;
import io.offhook.presence.PresentationMode;
import io.offhook.remote.RemoteSettings;
import io.offhook.tap.publish.PublishConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

/** The shipped etc/offhook.conf is valid, documents every key, and bad values are reported by key. */
class OffhookConfigTest {
    private static final Path ETC = Path.of("..", "etc");

    @TempDir
    Path dir;

    private Path secret() throws IOException {
        Path s = dir.resolve("component.secret");
        Files.writeString(s, "s3cret\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rw-------"));
        return s;
    }

    @Test
    void theShippedConfigIsValidAndItsDefaultsAreTheCodesDefaults() throws IOException, ConfigException {
        secret();
        Files.copy(ETC.resolve("users.map"), dir.resolve("users.map"));
        Path conf = dir.resolve("offhook.conf");
        Files.copy(ETC.resolve("offhook.conf"), conf);
        OffhookConfig c = OffhookConfig.from(Settings.load(conf));
        assertEquals("phone.localhost", c.component().componentDomain());
        assertEquals("localhost", c.component().serverDomain());
        assertEquals(Duration.ofSeconds(10), c.component().pingInterval());
        assertEquals(PresentationMode.RESOURCE, c.engine().defaultMode());
        assertEquals("phone", c.engine().phoneResource());
        assertEquals(9060, c.hep().orElseThrow().port());
        assertEquals(RemoteSettings.DEFAULTS, c.remote());
        assertTrue(c.capture().isEmpty());
        assertTrue(c.metricsListen().isEmpty(), "no metrics endpoint unless asked for");
        assertFalse(c.component().toString().contains("s3cret"), "the secret must not be printed");
        assertEquals(FallbackSettings.defaults(Credentials.none(), "phone"), c.fallback(),
                "login mode unavailable until fallback.credentials-file is set");
        assertEquals(Set.of(), c.adminJids(), "nobody is an admin unless named");
        assertTrue(c.stateFile().isEmpty(), "no state file unless asked for");
        assertEquals(Duration.ofSeconds(5), c.stateInterval());
        assertTrue(c.publish().isEmpty(), "no SIP PUBLISH receiver unless asked for");
    }

    @Test
    void publishTakesItsDefaultsFromTheShippedFileAndIsCheckedKeyByKey() throws IOException, ConfigException {
        secret();
        Files.copy(ETC.resolve("users.map"), dir.resolve("users.map"));
        Path conf = dir.resolve("offhook.conf");
        String shipped = Files.readString(ETC.resolve("offhook.conf"));
        Files.writeString(conf, shipped.replace("publish.listen = off", "publish.listen = 127.0.0.1:5070"));
        PublishConfig p = OffhookConfig.from(Settings.load(conf)).publish().orElseThrow();
        assertEquals(PublishConfig.defaults(), p, "the shipped file's values are the code's defaults");

        Path auth = dir.resolve("publishers");
        Files.writeString(auth, "kamailio = pw\n");
        Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(conf, shipped.replace("publish.listen = off", "publish.listen = [::1]:5071")
                .replace("publish.transports = udp,tcp", "publish.transports = tcp")
                .replace("publish.allow = 127.0.0.1, ::1", "publish.allow = any")
                .replace("publish.auth-file =", "publish.auth-file = publishers")
                .replace("publish.busy-is-on-the-phone = true", "publish.busy-is-on-the-phone = false")
                .replace("hep.listen = 127.0.0.1:9060", "hep.listen = off"));
        p = OffhookConfig.from(Settings.load(conf)).publish().orElseThrow();
        assertEquals("::1", p.bindAddress());
        assertEquals(5071, p.port());
        assertFalse(p.udp());
        assertTrue(p.tcp());
        assertEquals(List.of(), p.allowList());
        assertEquals(1, p.credentials().size());
        assertFalse(p.busyIsOnThePhone());

        Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(conf, """
                xmpp.component.domain = phone.localhost
                xmpp.component.secret-file = component.secret
                mapping.file = users.map
                hep.listen = off
                publish.listen = 127.0.0.1:50x0
                publish.transports = udp, sctp
                publish.min-expires = 1500ms
                publish.max-body = 10
                publish.auth-file = publishers
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains(":5: publish.listen: '127.0.0.1:50x0' is not ADDRESS:PORT"), all);
        assertTrue(all.contains(":8: publish.max-body: '10' is not a whole number from 256 to 1048576"), all);
        assertTrue(all.contains(":9: publish.auth-file: " + auth + " is readable by group or others"), all);
        assertTrue(all.contains(":4: hep.listen: off, and no capture.interface, publish.listen or dialog-subscribe.target either"), all);

        Files.writeString(conf, """
                xmpp.component.domain = phone.localhost
                xmpp.component.secret-file = component.secret
                mapping.file = users.map
                publish.listen = 127.0.0.1:5070
                publish.allow = any
                """);
        e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        all = String.join("\n", e.problems());
        assertTrue(all.contains(":5: publish.allow: 'any' needs publish.auth-file"), all);

        Files.writeString(conf, """
                xmpp.component.domain = phone.localhost
                xmpp.component.secret-file = component.secret
                mapping.file = users.map
                publish.listen = 127.0.0.1:5070
                publish.transports = sctp
                publish.min-expires = 2h
                """);
        e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        all = String.join("\n", e.problems());
        assertTrue(all.contains(":5: publish.transports: 'sctp' is neither udp nor tcp"), all);
        assertTrue(all.contains("publish.max-expires: maxExpires 3600 s is below minExpires 7200 s"), all);
    }

    @Test
    void adminJidsAreBareJidsOfPeopleAndEachBadOneIsNamed() throws IOException, ConfigException {
        secret();
        Path conf = dir.resolve("admins.conf");
        String base = """
                xmpp.component.domain = phone.localhost
                xmpp.component.secret-file = component.secret
                mapping.file = users.map
                """;
        Files.writeString(conf, base + "admin.jids = Admin@Localhost, ops@example.com\n");
        assertEquals(Set.of(new JID("admin@localhost"), new JID("ops@example.com")),
                OffhookConfig.from(Settings.load(conf)).adminJids());

        Files.writeString(conf, base + "admin.jids = admin@localhost/laptop, localhost, a@b@c\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        String all = String.join("\n", e.problems());
        assertEquals(3, e.problems().size(), all);
        assertTrue(all.contains(":4: admin.jids: 'admin@localhost/laptop' is not a bare JID"), all);
        assertTrue(all.contains(":4: admin.jids: 'localhost' is not a bare JID"), all);
        assertTrue(all.contains(":4: admin.jids: 'a@b@c' is not a valid JID"), all);
    }

    @Test
    void theStateFileIsRelativeToTheConfigsFolderAndABadIntervalIsNamed() throws IOException, ConfigException {
        secret();
        Path conf = dir.resolve("state.conf");
        String base = """
                xmpp.component.domain = phone.localhost
                xmpp.component.secret-file = component.secret
                mapping.file = users.map
                state.file = state/offhook.snapshot
                """;
        Files.writeString(conf, base + "state.interval = 30s\n");
        OffhookConfig c = OffhookConfig.from(Settings.load(conf));
        assertEquals(dir.resolve("state/offhook.snapshot"), c.stateFile().orElseThrow());
        assertEquals(Duration.ofSeconds(30), c.stateInterval());
        Files.writeString(conf, base + "state.interval = often\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        assertEquals(1, e.problems().size(), () -> String.join("\n", e.problems()));
        assertTrue(e.problems().get(0).contains(":5: state.interval: 'often' is not a positive duration"),
                e.problems().get(0));
    }

    @Test
    void theDialogSubscriberIsOffByDefaultAndItsKeysAreCheckedByName() throws IOException, ConfigException {
        secret();
        Path conf = dir.resolve("subscribe.conf");
        String base = """
                xmpp.component.domain = phone.localhost
                xmpp.component.secret-file = component.secret
                mapping.file = users.map
                """;
        Files.writeString(conf, base);
        assertTrue(OffhookConfig.from(Settings.load(conf)).dialogSubscribe().isEmpty());

        Files.writeString(conf, base + "hep.listen = off\ndialog-subscribe.target = sip:pbx.example.net:5080\n"
                + "dialog-subscribe.listen = 192.0.2.10:5072\ndialog-subscribe.transport = TCP\n"
                + "dialog-subscribe.expires = 10m\ndialog-subscribe.users = sip:1001@pbx.example.net\n");
        var d = OffhookConfig.from(Settings.load(conf)).dialogSubscribe().orElseThrow();
        assertEquals("pbx.example.net", d.targetHost());
        assertEquals(5080, d.targetPort());
        assertTrue(d.tcp());
        assertEquals("192.0.2.10", d.bindAddress());
        assertEquals("sip:offhook@192.0.2.10", d.from());
        assertEquals(Duration.ofMinutes(10), d.expires());
        assertEquals(List.of("sip:1001@pbx.example.net"), d.users());

        Files.writeString(conf, base + "dialog-subscribe.target = pbx:port\ndialog-subscribe.transport = sctp\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("dialog-subscribe.target: 'pbx:port' has no valid port"), all);
        assertTrue(all.contains("dialog-subscribe.transport: 'sctp' is neither udp nor tcp"), all);

        Files.writeString(conf, base + "dialog-subscribe.target = 192.0.2.1\ndialog-subscribe.listen = 0.0.0.0:5072\n");
        e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        assertTrue(e.problems().get(0).contains("dialog-subscribe.listen: listen address '0.0.0.0'"),
                e.problems().get(0));
        Files.writeString(conf, base + "dialog-subscribe.target = 192.0.2.1\ndialog-subscribe.expires = 5s\n"
                + "dialog-subscribe.users = alice@example.com\n");
        e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        assertTrue(e.problems().get(0).contains("dialog-subscribe.expires: expires must be whole seconds, 60 s"),
                e.problems().get(0));
        Files.writeString(conf, base + "dialog-subscribe.target = 192.0.2.1\n"
                + "dialog-subscribe.users = alice@example.com\n");
        e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        assertTrue(e.problems().get(0).contains("dialog-subscribe.users: user 'alice@example.com' is not a SIP"),
                e.problems().get(0));
        Files.writeString(conf, base + "dialog-subscribe.target = 192.0.2.1\ndialog-subscribe.auth-user = offhook\n");
        e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        assertTrue(e.problems().get(0).contains("dialog-subscribe.auth-password-file"), e.problems().get(0));
    }

    @Test
    void everyKeyIsDocumentedInTheShippedFileAndNoOtherKeyIsThere() throws IOException {
        Set<String> documented = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^#?([a-z][a-z0-9.-]+) =").matcher(Files.readString(ETC.resolve(
                "offhook.conf")));
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertEquals(new LinkedHashSet<>(OffhookConfig.KEYS).stream().sorted().toList(),
                documented.stream().sorted().toList());
    }

    @Test
    void aMissingSecretFileIsOneProblemNamingItsKey() throws IOException {
        Files.copy(ETC.resolve("users.map"), dir.resolve("users.map"));
        Path conf = dir.resolve("offhook.conf");
        Files.copy(ETC.resolve("offhook.conf"), conf);
        ConfigException e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        assertEquals(1, e.problems().size(), () -> String.join("\n", e.problems()));
        assertTrue(e.problems().get(0).contains("xmpp.component.secret-file: ")
                && e.problems().get(0).contains("does not exist"), e.problems().get(0));
    }

    @Test
    void problemsNameTheKeyAndAllAreReported() throws IOException {
        secret();
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, """
                xmpp.component.domain = alice@phone.localhost
                xmpp.component.secret-file = component.secret
                xmpp.port = 99999
                presence.mode = sideways
                presence.ringing.txt = Ring
                hep.listen = nowhere
                mapping.file = users.map
                metrics.listen = metrics.example.com:9464
                remote-control.fallback = gateway
                remote-control.timeout = 2m
                activity.default = maybe
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> OffhookConfig.from(Settings.load(conf)));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("xmpp.component.domain: 'alice@phone.localhost' must be a plain domain"), all);
        assertTrue(all.contains(":3: xmpp.port: '99999'"), all);
        assertTrue(all.contains(":4: presence.mode: unknown presentation mode 'sideways'"), all);
        assertTrue(all.contains(":5: presence.ringing.txt: unknown key"), all);
        assertTrue(all.contains(":6: hep.listen: 'nowhere' is not ADDRESS:PORT"), all);
        assertTrue(all.contains(":8: metrics.listen: 'metrics.example.com:9464': the address must be a literal IP "
                + "address"), all);
        assertTrue(all.contains(":9: remote-control.fallback: 'gateway' is none of overlay, resource, none"), all);
        assertTrue(all.contains(":10: remote-control.timeout: 120 s is not below Prosody's own 120 s limit"), all);
        assertTrue(all.contains(":11: activity.default: 'maybe' is not true or false"), all);
    }
}
