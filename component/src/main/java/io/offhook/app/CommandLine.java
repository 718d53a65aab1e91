package io.offhook.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code offhook} was asked to do, parsed from its arguments without side effects, so that {@link Main} only
 * acts and every rule of the command line is tested without starting anything.
 *
 * <pre>
 *   offhook [run] [--config FILE]
 *   offhook check-config [--config FILE | FILE] [SIP-ADDRESS...]     (also: offhook --config FILE --check)
 *   offhook --version
 *   offhook --help
 * </pre>
 *
 * A positional argument of {@code check-config} is a SIP address to look up when it is a {@code sip:}, {@code sips:}
 * or {@code tel:} URI or a telephone number (starting with {@code +} or a digit), else the config file.
 *
 * @param action what to do
 * @param config the config file: {@code --config}, or the default the launcher names
 * @param addresses the SIP addresses {@code check-config} maps, in the order given
 */
record CommandLine(Action action, Path config, List<String> addresses) {

    /** What {@code offhook} does. */
    enum Action {
        /** Run the SIP tap and the XMPP component until SIGTERM. */
        RUN,
        /** Validate the config and the mapping file, print what would be done, connect nowhere. */
        CHECK_CONFIG,
        /** Print the version. */
        VERSION,
        /** Print the help text. */
        HELP
    }

    /** The system property with the default config file; {@code bin/offhook} sets it to its own etc/. */
    static final String CONFIG_PROPERTY = "offhook.config";

    /** The short usage, printed after a mistake on the command line. */
    static final String USAGE = String.join("\n",
            "usage: offhook [run] [--config FILE]",
            "       offhook check-config [--config FILE | FILE] [SIP-ADDRESS...]",
            "       offhook --version | --help");

    /** Everything {@code --help} prints. */
    static final String HELP = String.join("\n",
            "Offhook shows SIP phone state as XMPP presence (a SIP tap and a trusted XMPP component).",
            "",
            USAGE,
            "",
            "Commands:",
            "  run            (the default) run until SIGTERM or Ctrl-C; on stop every presence Offhook",
            "                 put up is taken down before it disconnects",
            "  check-config   validate the config and the mapping file it names, connect nowhere, and print",
            "                 what Offhook would do; for each SIP-ADDRESS given (sip:, sips:, tel: or a",
            "                 telephone number) the XMPP user and presentation mode it maps to",
            "",
            "Options:",
            "  --config FILE  the config file (default: the install's etc/offhook.conf, or ./etc/offhook.conf)",
            "  --check        the same as check-config",
            "  --version      print the version and exit",
            "  -h, --help     print this help and exit",
            "",
            "Exit status: 0 after a clean stop or a good check, 1 when start-up fails, 2 for a bad command",
            "line, config or mapping file. Environment (bin/offhook): JAVA_HOME, JAVA_OPTS, OFFHOOK_CONFIG,",
            "OFFHOOK_LOG_CONFIG.",
            "");

    CommandLine {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(config, "config");
        addresses = List.copyOf(addresses);
    }

    /** A mistake on the command line: the message says which argument and why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses the arguments.
     *
     * @param args as {@code main} got them
     * @param defaultConfig the config file when none is given
     * @throws UsageException naming the argument that is wrong
     */
    static CommandLine parse(List<String> args, Path defaultConfig) throws UsageException {
        Objects.requireNonNull(defaultConfig, "defaultConfig");
        Action action = null;
        boolean help = false;
        boolean version = false;
        boolean check = false;
        String config = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a == null) {
                throw new UsageException("an empty argument");
            }
            if (i == 0) {
                switch (a) {
                    case "run" -> action = Action.RUN;
                    case "check-config" -> action = Action.CHECK_CONFIG;
                    case "help" -> help = true;
                    case "version" -> version = true;
                    default -> {
                    }
                }
                if (action != null || help || version) {
                    continue;
                }
            }
            switch (a) {
                case "-h", "--help" -> help = true;
                case "-V", "--version" -> version = true;
                case "--check" -> check = true;
                case "--config" -> {
                    if (i + 1 >= args.size() || args.get(i + 1).isEmpty()) {
                        throw new UsageException("--config needs a file");
                    }
                    config = once(config, args.get(++i));
                }
                default -> {
                    if (a.startsWith("--config=")) {
                        String value = a.substring("--config=".length());
                        if (value.isEmpty()) {
                            throw new UsageException("--config needs a file");
                        }
                        config = once(config, value);
                    } else if (a.startsWith("-") && !a.equals("-")) {
                        throw new UsageException("unknown option '" + a + "'");
                    } else if (a.isBlank()) {
                        throw new UsageException("an empty argument");
                    } else {
                        positional.add(a);
                    }
                }
            }
        }
        if (help) {
            return new CommandLine(Action.HELP, defaultConfig, List.of());
        }
        if (version) {
            return new CommandLine(Action.VERSION, defaultConfig, List.of());
        }
        if (check) {
            if (action == Action.RUN) {
                throw new UsageException("'run' and --check contradict each other");
            }
            action = Action.CHECK_CONFIG;
        }
        if (action == null) {
            action = Action.RUN;
        }
        List<String> addresses = new ArrayList<>();
        for (String p : positional) {
            if (action != Action.CHECK_CONFIG) {
                throw new UsageException("unexpected argument '" + p + "' (SIP addresses go after check-config)");
            }
            if (looksLikeAddress(p)) {
                addresses.add(p);
            } else if (config == null) {
                config = p;
            } else {
                throw new UsageException("'" + p + "' is no sip:, sips: or tel: address, and the config file is "
                        + "already " + config);
            }
        }
        return new CommandLine(action, config == null ? defaultConfig : Path.of(config), addresses);
    }

    private static String once(String before, String value) throws UsageException {
        if (before != null) {
            throw new UsageException("the config file is given twice ('" + before + "' and '" + value + "')");
        }
        return value;
    }

    /** A sip:, sips: or tel: URI (any case), or a telephone number: a leading {@code +} or digit. */
    static boolean looksLikeAddress(String arg) {
        String lower = arg.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sip:") || lower.startsWith("sips:") || lower.startsWith("tel:")) {
            return true;
        }
        char c = arg.charAt(0);
        return c == '+' || c >= '0' && c <= '9';
    }

    /** The default config file: the {@value #CONFIG_PROPERTY} system property, else {@code etc/offhook.conf}. */
    static Path defaultConfig() {
        String p = System.getProperty(CONFIG_PROPERTY);
        return Path.of(p == null || p.isBlank() ? "etc/offhook.conf" : p);
    }

    /**
     * The version from the jar's manifest ({@code Implementation-Version}, which the build sets to the project's
     * version), or {@code "unknown"} when run from classes rather than the jar.
     */
    static String version() {
        String v = CommandLine.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "unknown (not run from offhook.jar)" : v;
    }
}
