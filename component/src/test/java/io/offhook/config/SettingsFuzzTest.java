package io.offhook.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.offhook.app.OffhookConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target for the config file (text an operator writes): {@link Settings} and {@link OffhookConfig#from}, which
 * reads every key. Run as a regression test on every build (seed: {@code etc/offhook.conf} and the inputs under
 * {@code SettingsFuzzTestInputs/}); fuzzed by {@code scripts/fuzz config}.
 */
class SettingsFuzzTest {
    private static final String SOURCE = "fuzz.conf";
    /** {@code fuzz.conf:LINE: } or, for a key that is missing altogether, {@code fuzz.conf: }. */
    private static final Pattern PROBLEM = Pattern.compile("fuzz\\.conf:(?:(\\d+):)? \\S.*", Pattern.DOTALL);
    /** A folder holding a secret file the text may name (relative paths resolve here). */
    private static final Path DIR = folder();

    private static Path folder() {
        try {
            Path dir = Files.createTempDirectory("offhook-config-fuzz");
            Path secret = dir.resolve("component.secret");
            Files.writeString(secret, "s3cret\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            dir.toFile().deleteOnExit();
            secret.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<String> examples() throws IOException {
        return Stream.of(Files.readString(Path.of("../etc/offhook.conf")),
                "xmpp.component.domain = phone.example.com\nxmpp.component.secret-file = component.secret\n"
                        + "mapping.file = users.map\nhep.listen = 127.0.0.1:9060\n");
    }

    /**
     * Any text: a config or a {@link ConfigException}, nothing else; every problem names the file and, when the key
     * is in the file, its line (a line the file has); the secret never appears in a problem.
     */
    @MethodSource("examples")
    @FuzzTest(maxDuration = "20s")
    void parseAnyText(@NotNull String text) {
        if (text.contains("/dev") || text.contains("/proc") || text.contains("/sys")) {
            return; // the file names files to read: a device or a kernel file is the operator's business
        }
        Settings settings = Settings.parse(text, SOURCE, DIR);
        long lines = text.lines().count();
        try {
            OffhookConfig.from(settings);
        } catch (ConfigException e) {
            assertFalse(e.problems().isEmpty(), "a ConfigException without a problem");
            for (String problem : e.problems()) {
                Matcher m = PROBLEM.matcher(problem);
                if (!m.matches()) {
                    fail("a problem that does not name the file and line: " + problem);
                }
                if (m.group(1) != null) {
                    long line = Long.parseLong(m.group(1));
                    assertTrue(line >= 1 && line <= lines, "line " + line + " of a " + lines + "-line file: "
                            + problem);
                }
                if (!text.contains("s3cret")) { // the text may quote it itself, as a malformed line say
                    assertFalse(problem.contains("s3cret"), "the secret is in a problem: " + problem);
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError("the config text broke the reader (" + e + "):\n" + text, e);
        }
    }
}
