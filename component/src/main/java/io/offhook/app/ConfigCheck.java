package io.offhook.app;

import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import io.offhook.fallback.FallbackSessions;
import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappedUser;
import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingFile;
import io.offhook.mapping.NumberPlan;
import io.offhook.presence.PresenceMappings;
import io.offhook.publish.PresenceEngine;
import io.offhook.presence.PresentationMode;
import io.offhook.tap.hep.HepConfig;
import io.offhook.tap.track.Aor;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.xmpp.packet.JID;

/**
 * {@code offhook check-config}: reads the config and the mapping file it names exactly as a start would, connects
 * nowhere and binds nothing, and says what Offhook would do: which XMPP server and component, where SIP comes from,
 * how presence is shown, how many users are mapped, and, for each SIP address asked about, the XMPP user and mode
 * it maps to. An operator checks an edit before a restart, and answers "why is Bob not shown?" without reading logs.
 *
 * <p>The report goes to {@code out}; problems (every one found, each naming file, line and key) go to {@code err}.
 * Exit status: {@link #OK} when the config and the mapping are good and every address was understood,
 * {@link #BAD} otherwise. "Not mapped" is an answer, not a problem.
 */
final class ConfigCheck {
    /** Everything is good. */
    static final int OK = 0;
    /** The config, the mapping file or an address is bad. */
    static final int BAD = 2;

    private final PrintStream out;
    private final PrintStream err;

    private ConfigCheck(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Checks {@code file} and looks up {@code addresses}.
     *
     * @return {@link #OK} or {@link #BAD}
     */
    static int run(Path file, List<String> addresses, PrintStream out, PrintStream err) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(addresses, "addresses");
        return new ConfigCheck(Objects.requireNonNull(out, "out"), Objects.requireNonNull(err, "err"))
                .check(file, addresses);
    }

    private int check(Path file, List<String> addresses) {
        if (!Files.isRegularFile(file)) {
            err.println("offhook: config file " + file + " not found (use --config FILE)");
            return BAD;
        }
        Settings settings;
        OffhookConfig config;
        try {
            settings = Settings.load(file);
            config = OffhookConfig.from(settings);
        } catch (ConfigException e) {
            err.println("offhook: " + file + " has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            return BAD;
        } catch (IOException e) {
            err.println("offhook: cannot read " + file + ": " + e.getMessage());
            return BAD;
        }
        if (!presenceMappingLoads(config)) {
            return BAD;
        }
        IdentityMap map = mapping(config.mappingFile(), config.numberPlan());
        if (map == null) {
            return BAD;
        }
        report(file, config, map);
        int status = OK;
        if (!addresses.isEmpty()) {
            out.println();
            for (String address : addresses) {
                if (!lookUp(address, config, map)) {
                    status = BAD;
                }
            }
        }
        return status;
    }

    /** Finds the presence mapping the config names, with the jars of plugins.dir, as a start would. */
    private boolean presenceMappingLoads(OffhookConfig config) {
        ClassLoader parent = ConfigCheck.class.getClassLoader();
        ClassLoader loader;
        try {
            loader = Plugins.loader(config.pluginDir(), parent);
        } catch (IOException e) {
            err.println("offhook: " + e.getMessage());
            return false;
        }
        try {
            PresenceMappings.load(config.presenceMapping(), config.presenceSettings(), loader);
            return true;
        } catch (IllegalArgumentException e) {
            err.println("offhook: " + e.getMessage());
            return false;
        } catch (RuntimeException e) {
            err.println("offhook: presence.mapping: '" + config.presenceMapping() + "' failed to configure itself: "
                    + e);
            return false;
        } finally {
            if (loader instanceof URLClassLoader plugins) {
                try {
                    plugins.close();
                } catch (IOException e) {
                    // Only the check used it; the JVM ends right after.
                }
            }
        }
    }

    /** The mapping file, read strictly as UTF-8 like the running program reads it; null after reporting why not. */
    private IdentityMap mapping(Path file, NumberPlan plan) {
        try (Reader in = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT))) {
            return MappingFile.parse(in, file.toString(), plan);
        } catch (MappingException e) {
            err.println("offhook: the mapping file (mapping.file) has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            if (e.notShown() > 0) {
                err.println("  (and " + e.notShown() + " more)");
            }
            return null;
        } catch (NoSuchFileException e) {
            err.println("offhook: mapping.file: " + file + " does not exist (see etc/users.map for an example)");
            return null;
        } catch (IOException e) {
            err.println("offhook: mapping.file: cannot read " + file + ": " + e);
            return null;
        }
    }

    private void report(Path file, OffhookConfig config, IdentityMap map) {
        out.println("offhook: " + file + " is valid (nothing was connected to).");
        row("XMPP", "connects to " + config.component().address() + " as component "
                + config.component().componentDomain() + " (pings " + config.component().serverDomain() + ")");
        if (config.hep().isPresent()) {
            HepConfig hep = config.hep().get();
            List<String> transports = new ArrayList<>();
            if (hep.udpEnabled()) {
                transports.add("udp");
            }
            if (hep.tcpEnabled()) {
                transports.add("tcp");
            }
            row("SIP", "HEP on " + hostPort(hep.bindAddress(), hep.port()) + " " + String.join("+", transports)
                    + ", from " + (hep.allowList().isEmpty() ? "any sender" : String.join(", ", hep.allowList()))
                    + ", " + (hep.authKey() == null ? "no auth key" : "auth key required"));
        } else {
            row("SIP", "no HEP listener (hep.listen = off)");
        }
        config.capture().ifPresent(c -> row("", "live capture on " + c.interfaceName() + " (" + c.filter() + ")"));
        config.publish().ifPresent(p -> row("", "SIP PUBLISH on " + hostPort(p.bindAddress(), p.port()) + " "
                + (p.udp() && p.tcp() ? "udp+tcp" : p.udp() ? "udp" : "tcp") + ", from "
                + (p.allowList().isEmpty() ? "any sender" : String.join(", ", p.allowList())) + ", "
                + (p.credentials().isEmpty() ? "no digest authentication"
                        : "digest authentication (" + p.credentials().size() + " publishers)")
                + ", lifetimes " + p.minExpires().toSeconds() + " s to " + p.maxExpires().toSeconds() + " s"));
        config.dialogSubscribe().ifPresent(d -> row("", "dialog events: SUBSCRIBE at "
                + hostPort(d.targetHost(), d.targetPort()) + " " + d.transport() + ", NOTIFYs on "
                + hostPort(d.bindAddress(), d.port()) + ", for " + (d.users().isEmpty()
                        ? "the mapping's explicit SIP addresses" : count(d.users().size(), "address", "addresses"))
                + ", Expires " + d.expires().toSeconds() + " s" + (d.credentials() == null ? ""
                        : ", digest user " + d.credentials().user())));
        row("Presence", config.engine().defaultMode().configName() + " mode unless the mapping says otherwise"
                + (config.engine().defaultMode() == PresentationMode.RESOURCE
                        ? " (resource \"" + config.engine().phoneResource() + "\")" : "")
                + ", presence mapping \"" + config.presenceMapping() + "\", gateway subscribers "
                + config.engine().gatewayPolicy().name().toLowerCase(Locale.ROOT));
        row("Mapping", config.mappingFile() + ": " + count(map.size(), "entry", "entries") + ", "
                + count(map.users().size(), "XMPP user", "XMPP users") + " named (rules add every user of their "
                + "SIP domain); checked for changes every " + human(config.mappingPoll()));
        row("Numbers", numberPlan(config.numberPlan()));
        row("Gateway", config.gatewayStateFile().map(p -> "subscriptions kept in " + p)
                .orElse("subscriptions kept in memory only (gateway.state-file not set)"));
        row("Login", config.fallback().credentials().file().map(p -> count(config.fallback().credentials().size(),
                "account", "accounts") + " in " + p + ", priority " + config.fallback().priority())
                .orElse("login mode unavailable (fallback.credentials-file not set)"));
        row("State", config.stateFile().map(p -> "registrations, calls and shown presences saved to " + p
                + " every " + human(config.stateInterval()) + " when changed, restored at start")
                .orElse("not kept across restarts (state.file not set)"));
    }

    /** One address: what it maps to; false when it is no address at all. */
    private boolean lookUp(String address, OffhookConfig config, IdentityMap map) {
        String uri = address.strip();
        if (!uri.isEmpty() && (uri.charAt(0) == '+' || Character.isDigit(uri.charAt(0)))) {
            uri = "tel:" + uri.replace(" ", "");
        }
        String aor = Aor.of(uri);
        if (aor == null) {
            err.println(address + ": not a sip:, sips: or tel: address, nor a telephone number");
            return false;
        }
        String shown = aor.equals(address) ? address : address + " (" + aor + ")";
        Optional<MappedUser> found = map.find(aor);
        if (found.isEmpty()) {
            out.println(shown + " -> not mapped (not shown in XMPP)");
            return true;
        }
        MappedUser user = found.get();
        PresentationMode configured = user.mode().orElse(config.engine().defaultMode());
        PresentationMode mode = FallbackSessions.effectiveMode(user.jid(), configured,
                config.component().serverDomain(), config.fallback().credentials());
        String how = switch (mode) {
            case RESOURCE -> "as " + user.jid().toBareJID() + "/" + config.engine().phoneResource();
            case OVERLAY -> "on " + user.jid().toBareJID() + "'s own resources";
            case GATEWAY -> "as the contact " + PresenceEngine.gatewayContact(user.jid(), config.engine().component());
            case REMOTE_CONTROL -> "by " + user.jid().toBareJID() + "'s own clients (XEP-0146); clients that "
                    + "cannot are served " + switch (config.remote().fallback()) {
                        case NONE -> "nothing";
                        default -> "in " + config.remote().fallback().name().toLowerCase(Locale.ROOT) + " mode";
                    };
            case LOGIN -> "as " + user.jid().toBareJID() + "/" + config.engine().phoneResource() + " by logging in "
                    + "as the user" + config.fallback().credentials().find(user.jid())
                            .map(a -> a.bosh().map(u -> " over BOSH (" + u + ")").orElse(""))
                            .orElse(" (NOT SHOWN: no line for the user in fallback.credentials-file)");
        };
        out.println(shown + " -> " + user.jid().toBareJID() + ", " + mode.configName() + " mode"
                + (mode != configured ? " (automatic: its domain is not " + config.component().serverDomain()
                        + " and the credentials file has its password)"
                        : user.mode().isPresent() ? " (mode= in the mapping)" : " (the default)") + ", shown " + how
                + ", remote party " + (user.showRemoteParty() ? "shown" : "hidden"));
        return true;
    }

    private static String numberPlan(NumberPlan plan) {
        if (plan.countryCode().isEmpty() && plan.nationalPrefix().isEmpty()
                && plan.internationalPrefix().isEmpty()) {
            return "no number plan: numbers match only as written";
        }
        return "country code " + plan.countryCode().orElse("(none: national numbers match only as written)")
                + ", national prefix " + plan.nationalPrefix().orElse("(none)") + ", international prefix "
                + plan.internationalPrefix().orElse("(none)");
    }

    private void row(String title, String text) {
        out.printf("  %-9s %s%n", title, text);
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
