package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as an operator installs it (README "Install"): {@code component/target/offhook-*.tar.gz}
 * unpacked, the shipped {@code etc/offhook.conf} edited in place, {@code bin/offhook} run from another directory.
 * It prints its version, {@code check-config} says what each SIP address maps to, and a real Prosody accepts the
 * component; SIGTERM stops the JVM the launcher exec'd (no shell left in between) with the JVM's 143 after the
 * shutdown hook ran, and nothing is left running. Build the archive first: {@code mvn -pl component -am package}.
 */
class DistributionIT {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-distribution-secret-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static Prosody prosody;
    private static Path install;
    private static String version;
    private static int hepPort;

    @BeforeAll
    static void installAndStartProsody() throws IOException, InterruptedException {
        Path archive = archive();
        Matcher name = Pattern.compile("offhook-(.+)\\.tar\\.gz").matcher(archive.getFileName().toString());
        assertTrue(name.matches(), archive.toString());
        version = name.group(1);
        Path root = Files.createDirectories(work.resolve("opt"));
        Run untar = run(List.of("tar", "-xzf", archive.toString(), "-C", root.toString()), root);
        assertEquals(0, untar.exit(), untar.output());
        install = root.resolve("offhook-" + version);
        for (String file : List.of("bin/offhook", "lib/offhook.jar", "etc/offhook.conf", "etc/log4j2.xml",
                "etc/users.map", "etc/offhook.service", "etc/prosody-offhook.cfg.lua", "etc/ejabberd-offhook.yml",
                "etc/kamailio-hep.cfg", "etc/opensips-hep.cfg", "etc/asterisk-hep.conf",
                "etc/freeswitch-sofia-capture.xml", "etc/heplify.md", "etc/openfire.md", "README.md", "NOTICE")) {
            assertTrue(Files.isRegularFile(install.resolve(file)), "the archive has no " + file);
        }
        assertTrue(Files.isExecutable(install.resolve("bin/offhook")), "bin/offhook is not executable");

        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        // What the README tells an operator to do: edit the shipped config, write the secret and the mapping.
        hepPort = FreePorts.one();
        Path etc = install.resolve("etc");
        String conf = Files.readString(etc.resolve("offhook.conf"), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : Map.of("xmpp.port", Integer.toString(prosody.componentPort()),
                "xmpp.component.domain", COMPONENT, "xmpp.server-domain", DOMAIN,
                "hep.listen", "127.0.0.1:" + hepPort, "xmpp.retry-max", "500ms").entrySet()) {
            conf = set(conf, e.getKey(), e.getValue());
        }
        Files.writeString(etc.resolve("offhook.conf"), conf, StandardCharsets.UTF_8);
        Path secret = etc.resolve("component.secret");
        Files.writeString(secret, SECRET + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(etc.resolve("users.map"), String.join("\n",
                "sip:alice@example.com = alice@" + DOMAIN,
                "sip:*@pbx.example.net = *@" + DOMAIN + " case=lower",
                "+49 30 1234567 = carol@" + DOMAIN + " mode=gateway",
                ""), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stopProsody() {
        if (prosody != null) {
            prosody.stop();
        }
    }

    /** The newest {@code offhook-*.tar.gz} the component module built. */
    private static Path archive() throws IOException {
        Path target = XmppLab.etcFile("offhook.conf").getParent().getParent().resolve("component/target");
        Optional<Path> newest = Optional.empty();
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> all = Files.newDirectoryStream(target, "offhook-*.tar.gz")) {
                for (Path p : all) {
                    FileTime t = Files.getLastModifiedTime(p);
                    if (newest.isEmpty() || t.compareTo(Files.getLastModifiedTime(newest.get())) > 0) {
                        newest = Optional.of(p);
                    }
                }
            }
        }
        if (newest.isEmpty()) {
            fail("no " + target + "/offhook-*.tar.gz: build it first (mvn -pl component -am package)");
        }
        return newest.get();
    }

    /** Replaces {@code key}'s line (commented out or not) in the shipped config. */
    private static String set(String conf, String key, String value) {
        Matcher m = Pattern.compile("(?m)^#?" + Pattern.quote(key) + " =.*$").matcher(conf);
        if (!m.find()) {
            fail("the shipped etc/offhook.conf no longer has the key " + key);
        }
        return m.replaceFirst(Matcher.quoteReplacement(key + " = " + value));
    }

    private record Run(int exit, String output) {
    }

    /** Runs a command to its end (killed after {@link #WAIT}) and returns its exit status and output. */
    private static Run run(List<String> command, Path cwd) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "run", ".log");
        Process p = launch(command, cwd, log);
        try {
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                fail(command + " did not end within " + WAIT + ":\n" + Processes.tail(log, 40));
            }
        } finally {
            Processes.stop(p.toHandle());
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** Starts a command with the JDK running the tests as JAVA_HOME and none of Offhook's variables set. */
    private static Process launch(List<String> command, Path cwd, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OFFHOOK_") || k.equals("JAVA_OPTS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return Processes.started(pb.start());
    }

    private static List<String> offhook(String... args) {
        List<String> command = new ArrayList<>();
        command.add(install.resolve("bin/offhook").toString());
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void theLauncherPrintsTheVersionFromTheJarAndTheHelp() throws IOException, InterruptedException {
        Run v = run(offhook("--version"), work);
        assertEquals(0, v.exit(), v.output());
        assertEquals("offhook " + version + "\n", v.output());
        Run help = run(offhook("--help"), work);
        assertEquals(0, help.exit(), help.output());
        assertTrue(help.output().contains("check-config") && help.output().contains("--config FILE"),
                help.output());
        Run wrong = run(offhook("--chek"), work);
        assertEquals(2, wrong.exit(), wrong.output());
        assertTrue(wrong.output().contains("unknown option '--chek'"), wrong.output());
    }

    @Test
    void checkConfigUsesTheInstallsConfigAndSaysWhatEachAddressMapsTo() throws IOException, InterruptedException {
        Run check = run(offhook("check-config", "sip:alice@example.com;transport=tcp", "sip:Bob@PBX.example.net",
                "tel:+49301234567", "sip:nobody@example.com"), work);
        assertEquals(0, check.exit(), check.output());
        String out = check.output();
        assertTrue(out.startsWith("offhook: " + install.resolve("etc/offhook.conf") + " is valid"), out);
        assertTrue(out.contains("XMPP      connects to 127.0.0.1:" + prosody.componentPort() + " as component "
                + COMPONENT + " (pings " + DOMAIN + ")"), out);
        assertTrue(out.contains("SIP       HEP on 127.0.0.1:" + hepPort + " udp+tcp"), out);
        assertTrue(out.contains("Mapping   " + install.resolve("etc/users.map") + ": 3 entries"), out);
        List<String> lines = out.lines().toList();
        assertEquals(List.of(
                "sip:alice@example.com;transport=tcp (sip:alice@example.com) -> alice@offhook.test, resource mode "
                        + "(the default), shown as alice@offhook.test/phone, remote party hidden",
                "sip:Bob@PBX.example.net (sip:Bob@pbx.example.net) -> bob@offhook.test, resource mode (the "
                        + "default), shown as bob@offhook.test/phone, remote party hidden",
                "tel:+49301234567 -> carol@offhook.test, gateway mode (mode= in the mapping), shown as the contact "
                        + "carol@phone.offhook.test, remote party hidden",
                "sip:nobody@example.com -> not mapped (not shown in XMPP)"),
                lines.subList(lines.indexOf("") + 1, lines.size()));
        assertFalse(out.contains(SECRET), "the secret must never be printed");

        Run missing = run(offhook("check-config", work.resolve("no-such.conf").toString()), work);
        assertEquals(2, missing.exit(), missing.output());
        assertTrue(missing.output().contains("no-such.conf not found"), missing.output());
    }

    @Test
    void itConnectsToProsodyAndStopsCleanlyOnSigterm() throws IOException, InterruptedException {
        Path log = work.resolve("offhook.log");
        Process offhook = launch(offhook(), work, log);
        try {
            Await.until(WAIT, () -> Processes.tail(log, 200).contains("XMPP component " + COMPONENT
                    + " connected to") || !offhook.isAlive(), () -> "no connection:\n" + Processes.tail(log, 40));
            assertTrue(offhook.isAlive(), () -> "offhook exited:\n" + Processes.tail(log, 40));
            Await.until(WAIT, () -> Processes.tail(log, 200).contains("Offhook running"),
                    () -> "not running:\n" + Processes.tail(log, 40));
            String started = Processes.tail(log, 200);
            assertTrue(started.contains("Offhook " + version + " starting with "
                    + install.resolve("etc/offhook.conf")), started);
            // The launcher exec'd the JVM: the process we started is java itself, with no child left to orphan.
            String command = offhook.toHandle().info().command().orElse("");
            assertTrue(command.endsWith("/java"), "bin/offhook did not exec java: " + command);
            assertEquals(0, offhook.toHandle().descendants().count(), "the launcher left a child process");

            offhook.destroy();
            assertTrue(offhook.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "offhook did not exit after SIGTERM");
            // 143 = 128 + SIGTERM is how the JVM exits on SIGTERM once its shutdown hook has run (the systemd unit
            // counts it as success: SuccessExitStatus=143).
            assertEquals(143, offhook.exitValue(), () -> Processes.tail(log, 40));
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(output.contains("Stopped"), output);
            assertTrue(output.contains("XMPP component " + COMPONENT + " closed its connection"), output);
            assertFalse(output.contains(SECRET), "the secret must never be logged");
            assertFalse(output.contains("ERROR"), output);
        } finally {
            assertTrue(Processes.stop(offhook.toHandle()), "offhook could not be stopped");
        }
        assertFalse(offhook.toHandle().isAlive());
    }
}
