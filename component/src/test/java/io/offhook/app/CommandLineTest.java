package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.app.CommandLine.Action;
import io.offhook.app.CommandLine.UsageException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line of {@code offhook}: subcommands, the {@code --check} alias, and clear mistakes. */
class CommandLineTest {
    private static final Path DEFAULT = Path.of("/opt/offhook/etc/offhook.conf");

    private static CommandLine parse(String... args) throws UsageException {
        return CommandLine.parse(List.of(args), DEFAULT);
    }

    @Test
    void nothingRunsWithTheDefaultConfig() throws UsageException {
        assertEquals(new CommandLine(Action.RUN, DEFAULT, List.of()), parse());
        assertEquals(new CommandLine(Action.RUN, DEFAULT, List.of()), parse("run"));
        assertEquals(new CommandLine(Action.RUN, Path.of("my.conf"), List.of()), parse("--config", "my.conf"));
        assertEquals(new CommandLine(Action.RUN, Path.of("my.conf"), List.of()), parse("run", "--config=my.conf"));
    }

    @Test
    void checkConfigTakesAFileAndAddressesInAnyOrder() throws UsageException {
        assertEquals(new CommandLine(Action.CHECK_CONFIG, DEFAULT, List.of()), parse("check-config"));
        assertEquals(new CommandLine(Action.CHECK_CONFIG, Path.of("a.conf"),
                List.of("sip:alice@pbx.example.net", "tel:+4930123", "+49 30 123", "2001", "SIPS:bob@x")),
                parse("check-config", "sip:alice@pbx.example.net", "a.conf", "tel:+4930123", "+49 30 123", "2001",
                        "SIPS:bob@x"));
        assertEquals(new CommandLine(Action.CHECK_CONFIG, Path.of("b.conf"), List.of("sip:a@b")),
                parse("check-config", "--config", "b.conf", "sip:a@b"));
    }

    @Test
    void checkIsAnAliasOfCheckConfig() throws UsageException {
        assertEquals(new CommandLine(Action.CHECK_CONFIG, Path.of("c.conf"), List.of()),
                parse("--config", "c.conf", "--check"));
        assertEquals(new CommandLine(Action.CHECK_CONFIG, DEFAULT, List.of("sip:a@b")), parse("--check", "sip:a@b"));
    }

    @Test
    void helpAndVersionWinOverEverythingElse() throws UsageException {
        assertEquals(Action.HELP, parse("--help").action());
        assertEquals(Action.HELP, parse("-h").action());
        assertEquals(Action.HELP, parse("help").action());
        assertEquals(Action.HELP, parse("check-config", "--help").action());
        assertEquals(Action.VERSION, parse("--version").action());
        assertEquals(Action.VERSION, parse("version").action());
        assertEquals(Action.VERSION, parse("--config", "x.conf", "--version").action());
    }

    @Test
    void mistakesNameTheArgument() {
        assertMistake("unknown option '--chek'", "--chek");
        assertMistake("--config needs a file", "--config");
        assertMistake("--config needs a file", "--config=");
        assertMistake("the config file is given twice ('a' and 'b')", "--config", "a", "--config", "b");
        assertMistake("'b.conf' is no sip:, sips: or tel: address, and the config file is already a.conf",
                "check-config", "--config", "a.conf", "b.conf");
        assertMistake("unexpected argument 'sip:a@b' (SIP addresses go after check-config)", "sip:a@b");
        assertMistake("unexpected argument 'x.conf' (SIP addresses go after check-config)", "run", "x.conf");
        assertMistake("'run' and --check contradict each other", "run", "--check");
        assertMistake("an empty argument", "check-config", " ");
    }

    private static void assertMistake(String message, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> parse(args));
        assertEquals(message, e.getMessage());
    }

    @Test
    void addressesAreUrisOrNumbers() {
        assertTrue(CommandLine.looksLikeAddress("sip:alice@example.com"));
        assertTrue(CommandLine.looksLikeAddress("Tel:+4930"));
        assertTrue(CommandLine.looksLikeAddress("030 123"));
        assertTrue(!CommandLine.looksLikeAddress("etc/offhook.conf"));
        assertTrue(!CommandLine.looksLikeAddress("alice@example.com"));
    }

    @Test
    void theHelpNamesEveryCommandAndOption() {
        for (String word : List.of("run", "check-config", "--config FILE", "--check", "--version", "--help",
                "JAVA_HOME", "JAVA_OPTS", "Exit status")) {
            assertTrue(CommandLine.HELP.contains(word), word);
        }
    }

    @Test
    void withoutAJarTheVersionSaysSo() {
        // Tests run from classes; the jar's manifest carries Implementation-Version (DistributionIT checks that).
        assertTrue(CommandLine.version().startsWith("unknown") || CommandLine.version().matches("\\d.*"),
                CommandLine.version());
    }
}
