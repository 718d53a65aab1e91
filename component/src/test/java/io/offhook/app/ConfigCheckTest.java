package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offhook check-config} on the shipped {@code etc/offhook.conf} and {@code etc/users.map}: what it says it
 * would do, what each SIP address maps to, and every kind of bad input, each naming what is wrong and exiting 2.
 */
class ConfigCheckTest {
    private static final Path ETC = Path.of("..", "etc");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    /** The shipped config and mapping, copied with a secret file; {@code extra} lines are appended. */
    private Path shipped(String extra) throws IOException {
        Path secret = dir.resolve("component.secret");
        Files.writeString(secret, "s3cret-for-the-test\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.copy(ETC.resolve("users.map"), dir.resolve("users.map"));
        Path conf = dir.resolve("offhook.conf");
        Files.writeString(conf, Files.readString(ETC.resolve("offhook.conf")) + extra);
        return conf;
    }

    private int check(Path conf, String... addresses) {
        return ConfigCheck.run(conf, List.of(addresses), new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theShippedConfigIsDescribedAndEachAddressMapped() throws IOException {
        Path conf = shipped("");
        int status = check(conf, "sip:alice@pbx.example.net", "sip:bob@pbx.example.net;transport=tcp",
                "sip:Frank@PBX.example.net", "tel:+49-30-1234567", "+49 30 7654321", "sip:2001@pbx.example.net",
                "sip:grace@pbx.example.net", "sip:nobody@elsewhere.org");
        assertEquals(0, status, err());
        assertEquals("", err());
        String out = out();
        assertTrue(out.startsWith("offhook: " + conf + " is valid (nothing was connected to).\n"), out);
        assertTrue(out.contains("XMPP      connects to 127.0.0.1:5347 as component phone.localhost (pings localhost)"),
                out);
        assertTrue(out.contains("SIP       HEP on 127.0.0.1:9060 udp+tcp, from any sender, no auth key"), out);
        assertTrue(out.contains("Presence  resource mode unless the mapping says otherwise (resource \"phone\"), "
                + "presence mapping \"default\", gateway subscribers contacts"), out);
        assertTrue(out.contains("Mapping   " + dir.resolve("users.map") + ": 9 entries, 7 XMPP users named"), out);
        assertTrue(out.contains("Numbers   country code (none: national numbers match only as written), national "
                + "prefix 0, international prefix 00"), out);
        assertTrue(out.contains("Gateway   subscriptions kept in memory only"), out);
        assertTrue(out.contains("Login     login mode unavailable (fallback.credentials-file not set)"), out);
        assertTrue(out.contains("State     not kept across restarts (state.file not set)"), out);
        List<String> lines = out.lines().toList();
        List<String> answers = lines.subList(lines.indexOf("") + 1, lines.size());
        assertEquals(List.of(
                "sip:alice@pbx.example.net -> alice@example.com, resource mode (the default), shown as "
                        + "alice@example.com/phone, remote party hidden",
                "sip:bob@pbx.example.net;transport=tcp (sip:bob@pbx.example.net) -> bob@example.com, overlay mode "
                        + "(mode= in the mapping), shown on bob@example.com's own resources, remote party shown",
                "sip:Frank@PBX.example.net (sip:Frank@pbx.example.net) -> frank@example.com, remote-control mode "
                        + "(mode= in the mapping), shown by frank@example.com's own clients (XEP-0146); clients that "
                        + "cannot are served in overlay mode, remote party hidden",
                "tel:+49-30-1234567 (tel:+49301234567) -> carol@example.com, resource mode (the default), shown as "
                        + "carol@example.com/phone, remote party hidden",
                "+49 30 7654321 (tel:+49307654321) -> dave@example.com, resource mode (mode= in the mapping), shown "
                        + "as dave@example.com/phone, remote party hidden",
                "sip:2001@pbx.example.net -> erin@example.com, resource mode (the default), shown as "
                        + "erin@example.com/phone, remote party hidden",
                "sip:grace@pbx.example.net -> grace@partner.example, login mode (mode= in the mapping), shown as "
                        + "grace@partner.example/phone by logging in as the user (NOT SHOWN: no line for the user in "
                        + "fallback.credentials-file), remote party hidden",
                "sip:nobody@elsewhere.org -> not mapped (not shown in XMPP)"), answers);
    }

    @Test
    void gatewayUsersAreShownAsTheirPhoneContact() throws IOException {
        Path conf = shipped("");
        Files.writeString(dir.resolve("users.map"), "sip:gina@pbx.example.net = gina@localhost mode=gateway\n"
                + "sip:otto@pbx.example.net = otto@other.example mode=gateway\n");
        assertEquals(0, check(conf, "sip:gina@pbx.example.net", "sip:otto@pbx.example.net"), err());
        assertTrue(out().contains("sip:gina@pbx.example.net -> gina@localhost, gateway mode (mode= in the mapping), "
                + "shown as the contact gina@phone.localhost, remote party hidden"), out());
        assertTrue(out().contains("as the contact otto\\40other.example@phone.localhost"), out());
    }

    @Test
    void usersOnOtherServersWithAPasswordAreLoggedIn() throws IOException {
        Path creds = dir.resolve("fallback.credentials");
        Files.writeString(creds, "grace@partner.example = pw\notto@other.example = pw bosh=https://xmpp.other.example"
                + "/http-bind\n");
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
        Path conf = shipped("");
        Files.writeString(conf, Files.readString(conf).replace("#fallback.credentials-file = "
                + "/etc/offhook/fallback.credentials", "fallback.credentials-file = fallback.credentials"));
        Files.writeString(dir.resolve("users.map"), "sip:grace@pbx.example.net = grace@partner.example mode=login\n"
                + "sip:otto@pbx.example.net = otto@other.example\n"
                + "sip:ute@pbx.example.net = ute@other.example\n");
        assertEquals(0, check(conf, "sip:grace@pbx.example.net", "sip:otto@pbx.example.net",
                "sip:ute@pbx.example.net"), err());
        String out = out();
        assertTrue(out.contains("Login     2 accounts in " + creds + ", priority -1"), out);
        assertTrue(out.contains("sip:grace@pbx.example.net -> grace@partner.example, login mode (mode= in the "
                + "mapping), shown as grace@partner.example/phone by logging in as the user, remote party hidden"), out);
        assertTrue(out.contains("sip:otto@pbx.example.net -> otto@other.example, login mode (automatic: its domain is "
                + "not localhost and the credentials file has its password), shown as otto@other.example/phone by "
                + "logging in as the user over BOSH (https://xmpp.other.example/http-bind), remote party hidden"), out);
        assertTrue(out.contains("sip:ute@pbx.example.net -> ute@other.example, resource mode (the default)"), out);
    }

    @Test
    void settingsThatDifferFromTheDefaultsAreReported() throws IOException {
        Path conf = shipped("");
        String text = Files.readString(conf)
                .replace("presence.mode = resource", "presence.mode = gateway")
                .replace("hep.transports = udp,tcp", "hep.transports = udp")
                .replace("hep.allow =", "hep.allow = 10.0.0.0/8, 192.0.2.7")
                .replace("publish.listen = off", "publish.listen = 127.0.0.1:5070")
                .replace("#mapping.country-code = 49", "mapping.country-code = 49")
                .replace("#gateway.state-file = /var/lib/offhook/gateway-subscribers",
                        "gateway.state-file = /var/lib/offhook/gateway-subscribers")
                .replace("#state.file = state/offhook.snapshot", "state.file = state/offhook.snapshot");
        Files.writeString(conf, text);
        assertEquals(0, check(conf, "030 1234567"), err());
        String out = out();
        assertTrue(out.contains("Presence  gateway mode unless the mapping says otherwise, presence mapping"), out);
        assertTrue(out.contains("HEP on 127.0.0.1:9060 udp, from 10.0.0.0/8, 192.0.2.7, no auth key"), out);
        assertTrue(out.contains("SIP PUBLISH on 127.0.0.1:5070 udp+tcp, from 127.0.0.1, ::1, no digest "
                + "authentication, lifetimes 10 s to 3600 s"), out);
        assertTrue(out.contains("country code 49, national prefix 0, international prefix 00"), out);
        assertTrue(out.contains("Gateway   subscriptions kept in /var/lib/offhook/gateway-subscribers"), out);
        assertTrue(out.contains("State     registrations, calls and shown presences saved to "
                + dir.resolve("state/offhook.snapshot") + " every 5s when changed, restored at start"), out);
        // With the country code, a national number finds the international entry.
        assertTrue(out.contains("030 1234567 (tel:0301234567) -> carol@example.com, gateway mode (the default)"),
                out);
    }

    @Test
    void aBadConfigNamesEveryKeyAndPrintsNoReport() throws IOException {
        Path conf = shipped("presence.moed = overlay\n");
        Files.writeString(conf, Files.readString(conf).replace("xmpp.port = 5347", "xmpp.port = 99999"));
        assertEquals(2, check(conf, "sip:alice@pbx.example.net"));
        assertEquals("", out());
        assertTrue(err().contains("xmpp.port: '99999' is not a whole number from 1 to 65535"), err());
        assertTrue(err().contains("presence.moed"), err());
    }

    @Test
    void aBrokenMappingFileNamesItsLines() throws IOException {
        Path conf = shipped("");
        Files.writeString(dir.resolve("users.map"), "sip:alice@pbx.example.net = alice@example.com\n"
                + "this is not a mapping\nsip:bob@pbx.example.net = bob@example.com mode=sideways\n");
        assertEquals(2, check(conf));
        assertEquals("", out());
        assertTrue(err().contains("users.map:2: missing '='"), err());
        assertTrue(err().contains("users.map:3: unknown presentation mode 'sideways'"), err());
    }

    @Test
    void aMappingFileThatIsNotUtf8IsRefused() throws IOException {
        Path conf = shipped("");
        Files.write(dir.resolve("users.map"), new byte[] {'s', 'i', 'p', ':', (byte) 0xff, '@', 'x', ' ', '=', ' ',
            'a', '@', 'b', '\n'});
        assertEquals(2, check(conf));
        assertTrue(err().contains("users.map"), err());
    }

    @Test
    void aMissingMappingFileIsNamed() throws IOException {
        Path conf = shipped("");
        Files.delete(dir.resolve("users.map"));
        assertEquals(2, check(conf));
        assertTrue(err().contains("mapping.file: " + dir.resolve("users.map") + " does not exist"), err());
    }

    @Test
    void anUnknownPresenceMappingIsNamed() throws IOException {
        Path conf = shipped("");
        Files.writeString(conf, Files.readString(conf).replace("presence.mapping = default",
                "presence.mapping = nosuch"));
        assertEquals(2, check(conf));
        assertTrue(err().contains("presence.mapping: no mapping named 'nosuch'"), err());
    }

    @Test
    void aMissingConfigFileIsNamed() {
        assertEquals(2, check(dir.resolve("nothing.conf")));
        assertTrue(err().contains("config file " + dir.resolve("nothing.conf") + " not found"), err());
    }

    @Test
    void anAddressThatIsNoAddressIsReportedAndTheOthersStillAnswered() throws IOException {
        Path conf = shipped("");
        assertEquals(2, check(conf, "http://example.com/", "sip:alice@pbx.example.net"));
        assertTrue(err().contains("http://example.com/: not a sip:, sips: or tel: address, nor a telephone number"),
                err());
        assertTrue(out().contains("sip:alice@pbx.example.net -> alice@example.com"), out());
    }

    @Test
    void theSecretIsNeverPrinted() throws IOException {
        Path conf = shipped("");
        check(conf, "sip:alice@pbx.example.net");
        assertTrue(!out().contains("s3cret") && !err().contains("s3cret"));
    }
}
