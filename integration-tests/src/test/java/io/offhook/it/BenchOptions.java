package io.offhook.it;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What one run of {@link BenchPresenceLatency} measures, from its command line and an optional properties file, so
 * that the same harness can race another SIP-to-XMPP presence path beside Offhook (issue 6, "A harness that can race
 * peers"): whether Offhook is started at all ({@code target}), which JID the watcher watches for each callee
 * ({@code watch}), which presence stanza means "ringing", "on the phone" and "available", which Kamailio config is
 * the SIP proxy (the peer's own, for a path that lives in Kamailio such as pua_dialoginfo + presence + pua_xmpp) and
 * where it mirrors HEP, and the load: the fixed phases of issue 3 or a ramp of call rates. The defaults are exactly
 * the Offhook run of issue 3. {@link #usage()} documents every key.
 *
 * @param target         Offhook in the benchmark's JVM, or an external path (started by the Kamailio config)
 * @param watch          the watched JID of a callee, from its SIP user name
 * @param ringing        the stanza that shows the callee's phone ringing
 * @param onThePhone     the stanza that shows the callee on the phone (what issue 3's end-to-end latency ends at)
 * @param available      the stanza that shows the callee's phone idle again
 * @param component      the component domain the harness's Prosody accepts (with the harness's secret)
 * @param kamailioConfig the Kamailio config template, or {@code null} for the lab's
 * @param kamailioFiles  a directory copied into Kamailio's fresh work directory before it starts (files a peer's
 *                       modules want there, e.g. db_text tables that must start empty on every run), or
 *                       {@code null}
 * @param hep            where Kamailio mirrors HEP
 * @param roster         whether each callee gets an account, and bob and the callee each other in their rosters
 * @param subscribe      whether bob sends a presence subscription to each callee's watched JID at set-up
 * @param callees        how many SIP users are called, round robin
 * @param rate           calls per second of the loaded phase
 * @param seconds        length of the loaded phase
 * @param sequential     calls of the sequential phase
 * @param ramp           call rates of a ramp, ascending; empty for the phases of issue 3
 * @param rampCalls      calls per step of the ramp
 * @param rampTalkMillis how long each call of the ramp talks
 * @param callerDomain   the domain of the sipp caller's From: {@link #CALLERS_DOMAIN} (no path publishes it), or a
 *                       domain the path under test publishes (e.g. {@code example.com}), and then its sequential
 *                       calls are judged at bob for the caller too
 * @param kamailioMegabytes Kamailio's shared memory ({@code -m}): the lab's proxy needs 128 MiB; a peer that keeps
 *                       dialogs, publications and subscriptions in it may need more at high rates
 */
record BenchOptions(Target target, JidPattern watch, StateMatcher ringing, StateMatcher onThePhone,
                    StateMatcher available, String component, Path kamailioConfig, Path kamailioFiles, Hep hep,
                    boolean roster,
                    boolean subscribe, int callees, int rate, int seconds, int sequential, List<Integer> ramp,
                    int rampCalls, int rampTalkMillis, String callerDomain,
                    int kamailioMegabytes) {
    /** The caller's domain unless told: Kamailio is not its proxy and Offhook's mapping leaves it out. */
    static final String CALLERS_DOMAIN = "callers.example";
    /** How long the loaded and warm-up phases talk (issue 3's runs). */
    static final int TALK_MS = 1000;
    static final String OFFHOOK_WATCH = "{user}@" + BenchPresenceLatency.DOMAIN + "/phone";
    static final String OFFHOOK_RINGING = "type:available;status:Phone ringing";
    static final String OFFHOOK_ON_THE_PHONE = "type:available;status:" + BenchPresenceLatency.ON_THE_PHONE;
    static final String OFFHOOK_AVAILABLE = "type:available;status:Phone available";
    static final int MAX_RAMP_STEPS = 12;

    /** The keys of the properties file, which are also the command line's {@code --key value} options. */
    static final List<String> KEYS = List.of("target", "watch", "ringing", "on-the-phone", "available", "component",
            "kamailio-config", "kamailio-files", "hep", "roster", "subscribe", "callees", "rate", "seconds", "sequential", "ramp",
            "ramp-calls", "ramp-talk-ms", "caller-domain", "kamailio-mb");

    /** Whose presence path is measured. */
    enum Target {
        /** Offhook, started in the benchmark's JVM from the shipped config, fed HEP by the lab's Kamailio. */
        OFFHOOK,
        /** Any other path, started by the Kamailio config ({@code kamailio-config}); Offhook is not started. */
        EXTERNAL
    }

    /** What a callee's phone shows, in the order a call shows it. */
    enum Shown {
        RINGING, ON_THE_PHONE, AVAILABLE;

        /** One letter, for a call's sequence in notes: R, P (on the phone), A. */
        char letter() {
            return this == RINGING ? 'R' : this == ON_THE_PHONE ? 'P' : 'A';
        }
    }

    /**
     * Where the Kamailio the harness starts mirrors HEP: to Offhook's HEP port, nowhere (a free port nobody listens
     * on, for a config template that mirrors), or a fixed port on 127.0.0.1 (a peer that takes HEP).
     */
    record Hep(boolean offhook, int port) {
        Hep {
            if (offhook && port != 0 || port < 0 || port > 65535) {
                throw new IllegalArgumentException("HEP target: offhook, none or a port 1..65535");
            }
        }

        static Hep parse(String where, String value) {
            if (value.equals("offhook")) {
                return new Hep(true, 0);
            }
            if (value.equals("none")) {
                return new Hep(false, 0);
            }
            int port = whole(where, value);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(where + ": " + port + " is not a port (1..65535)");
            }
            return new Hep(false, port);
        }

        boolean none() {
            return !offhook && port == 0;
        }

        @Override
        public String toString() {
            return offhook ? "offhook" : port == 0 ? "none" : "127.0.0.1:" + port;
        }
    }

    /**
     * The JID a callee is watched at, from its SIP user name: a pattern with {@code {user}} once in its local part,
     * e.g. {@code {user}@offhook.test/phone} (Offhook's resource mode: that resource only) or
     * {@code {user}*example.com@sip.offhook.test} (Kamailio's xmpp module, domain separator {@code *}). Without a
     * resource the pattern matches the bare JID and every resource of it.
     */
    record JidPattern(String pattern, Pattern regex) {
        private static final String USER = "{user}";
        private static final Pattern FORBIDDEN = Pattern.compile("[\\s<>'\"&]");

        JidPattern {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(regex, "regex");
        }

        static JidPattern parse(String where, String pattern) {
            int user = pattern.indexOf(USER);
            int at = pattern.indexOf('@');
            if (user < 0 || pattern.indexOf(USER, user + 1) >= 0) {
                throw new IllegalArgumentException(where + ": '" + pattern + "' must contain {user} exactly once");
            }
            if (at < user + USER.length() || at == pattern.length() - 1 || pattern.indexOf('@', at + 1) >= 0) {
                throw new IllegalArgumentException(where + ": '" + pattern + "' must be local@domain with {user} in "
                        + "the local part, e.g. {user}@offhook.test/phone");
            }
            if (FORBIDDEN.matcher(pattern).find() || pattern.indexOf('/') >= 0 && pattern.indexOf('/') < at) {
                throw new IllegalArgumentException(where + ": '" + pattern + "' is not a JID pattern (no blanks, "
                        + "quotes, <, >, &; the resource after the domain)");
            }
            String before = pattern.substring(0, user);
            String after = pattern.substring(user + USER.length());
            String resource = pattern.indexOf('/') >= 0 ? "" : "(?:/.*)?";
            return new JidPattern(pattern, Pattern.compile(Pattern.quote(before) + "([^@/]+)" + Pattern.quote(after)
                    + resource, Pattern.DOTALL));
        }

        /** The JID to watch for {@code user}. */
        String jid(String user) {
            return pattern.replace(USER, user);
        }

        /** {@link #jid} without its resource: what a subscription is sent to. */
        String bare(String user) {
            String jid = jid(user);
            int slash = jid.indexOf('/');
            return slash < 0 ? jid : jid.substring(0, slash);
        }

        /** The SIP user whose watched JID {@code jid} is, or {@code null} when it is none. */
        String user(String jid) {
            if (jid == null) {
                return null;
            }
            Matcher m = regex.matcher(jid);
            return m.matches() ? m.group(1) : null;
        }

        @Override
        public String toString() {
            return pattern;
        }
    }

    /**
     * Which presence stanza means one state: conditions separated by {@code ;}, all of which must hold.
     * {@code status:TEXT} (the {@code <status/>} text, XML entities decoded, equals TEXT), {@code show:VALUE}
     * ({@code <show/>} equals VALUE; {@code show:} means no show, i.e. plain available), {@code type:TYPE} (the type
     * attribute; {@code available} means none), {@code regex:RE} (RE is found in the stanza's XML; it takes the rest
     * of the spec, semicolons included, so it comes last). The XML is the stanza as captured on the wire, or as
     * Smack serializes what the watcher received (attribute quotes and order may differ from the wire).
     */
    record StateMatcher(String spec, List<Condition> conditions) {
        private static final Pattern TYPE = Pattern.compile("\\stype\\s*=\\s*(['\"])([^'\"]*)\\1");

        StateMatcher {
            Objects.requireNonNull(spec, "spec");
            conditions = List.copyOf(conditions);
            if (conditions.isEmpty()) {
                throw new IllegalArgumentException("a state matcher needs at least one condition");
            }
        }

        /** One test of a stanza. */
        sealed interface Condition permits Status, Show, Type, Regex {
            boolean test(String stanza);
        }

        /** The status text equals {@code text}. */
        record Status(String text) implements Condition {
            @Override
            public boolean test(String stanza) {
                return text.equals(child(stanza, "status"));
            }
        }

        /** The show element equals {@code value}; an empty value means no show element. */
        record Show(String value) implements Condition {
            @Override
            public boolean test(String stanza) {
                String show = child(stanza, "show");
                return value.isEmpty() ? show == null || show.isEmpty() : value.equals(show);
            }
        }

        /** The stanza's type attribute; {@code available} is the absence of one. */
        record Type(String value) implements Condition {
            @Override
            public boolean test(String stanza) {
                Matcher m = TYPE.matcher(openingTag(stanza));
                String type = m.find() ? m.group(2) : "available";
                return value.equals(type);
            }
        }

        /** A regular expression found anywhere in the stanza. */
        record Regex(Pattern pattern) implements Condition {
            @Override
            public boolean test(String stanza) {
                return pattern.matcher(stanza).find();
            }
        }

        static StateMatcher parse(String where, String spec) {
            if (spec.isBlank()) {
                throw new IllegalArgumentException(where + ": empty; e.g. status:On the phone, show:dnd, "
                        + "type:available, regex:<show>dnd</show>, or several joined by ;");
            }
            List<Condition> conditions = new ArrayList<>();
            String rest = spec;
            while (rest != null) {
                int colon = rest.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException(where + ": '" + rest + "' is not name:value (status:, "
                            + "show:, type: or regex:) in '" + spec + "'");
                }
                String name = rest.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value;
                if (name.equals("regex")) {
                    value = rest.substring(colon + 1);
                    rest = null;
                } else {
                    int semicolon = rest.indexOf(';', colon);
                    value = rest.substring(colon + 1, semicolon < 0 ? rest.length() : semicolon);
                    rest = semicolon < 0 ? null : rest.substring(semicolon + 1);
                }
                conditions.add(condition(where, spec, name, value));
            }
            return new StateMatcher(spec, conditions);
        }

        private static Condition condition(String where, String spec, String name, String value) {
            switch (name) {
                case "status":
                    return new Status(value);
                case "show":
                    if (!value.isEmpty() && !List.of("away", "chat", "dnd", "xa").contains(value)) {
                        throw new IllegalArgumentException(where + ": show:" + value + " is not a show value "
                                + "(away, chat, dnd, xa, or empty for none) in '" + spec + "'");
                    }
                    return new Show(value);
                case "type":
                    if (!List.of("available", "unavailable", "subscribe", "subscribed", "unsubscribe",
                            "unsubscribed", "probe", "error").contains(value)) {
                        throw new IllegalArgumentException(where + ": type:" + value + " is not a presence type in '"
                                + spec + "'");
                    }
                    return new Type(value);
                case "regex":
                    try {
                        return new Regex(Pattern.compile(value, Pattern.DOTALL));
                    } catch (PatternSyntaxException e) {
                        throw new IllegalArgumentException(where + ": regex:" + value + " is not a regular "
                                + "expression: " + e.getDescription(), e);
                    }
                default:
                    throw new IllegalArgumentException(where + ": unknown condition '" + name + ":' in '" + spec
                            + "' (status:, show:, type:, regex:)");
            }
        }

        /** Whether the presence stanza {@code xml} (one {@code <presence>} element) meets every condition. */
        boolean matches(String xml) {
            for (Condition c : conditions) {
                if (!c.test(xml)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return spec;
        }

        private static String openingTag(String stanza) {
            int end = stanza.indexOf('>');
            return end < 0 ? stanza : stanza.substring(0, end + 1);
        }

        /** The text of the first child element {@code name} (XML decoded), "" when empty, null when absent. */
        static String child(String stanza, String name) {
            Matcher m = Pattern.compile("<" + name + "(?:\\s[^>]*?)?(?:/>|>([^<]*)</" + name + "\\s*>)")
                    .matcher(stanza);
            if (!m.find()) {
                return null;
            }
            return m.group(1) == null ? "" : decode(m.group(1));
        }

        /** XML's five predefined entities and character references; anything else is left as it is. */
        static String decode(String text) {
            if (text.indexOf('&') < 0) {
                return text;
            }
            StringBuilder b = new StringBuilder(text.length());
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                int semicolon = c == '&' ? text.indexOf(';', i) : -1;
                String entity = semicolon > i && semicolon - i <= 10 ? text.substring(i + 1, semicolon) : null;
                String decoded = entity == null ? null : entity(entity);
                if (decoded == null) {
                    b.append(c);
                    i++;
                } else {
                    b.append(decoded);
                    i = semicolon + 1;
                }
            }
            return b.toString();
        }

        private static String entity(String name) {
            switch (name) {
                case "lt":
                    return "<";
                case "gt":
                    return ">";
                case "amp":
                    return "&";
                case "quot":
                    return "\"";
                case "apos":
                    return "'";
                default:
                    break;
            }
            try {
                int code = name.startsWith("#x") ? Integer.parseInt(name.substring(2), 16)
                        : name.startsWith("#") ? Integer.parseInt(name.substring(1)) : -1;
                return Character.isValidCodePoint(code) && code > 0 ? Character.toString(code) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * What one call showed at the watcher, judged from the states it received for the callee between the call's
     * INVITE and the callee's next call (repeats of the same state in a row count once).
     *
     * @param complete   exactly ringing, on the phone, available, in that order
     * @param outOfOrder all three arrived, but not (only) in that order, e.g. an older state after a newer one
     * @param missing    the states that never arrived
     */
    record Verdict(boolean complete, boolean outOfOrder, Set<Shown> missing) {
        Verdict {
            missing = missing.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(missing));
        }

        /** Judges the states received, in the order received. */
        static Verdict of(List<Shown> received) {
            List<Shown> collapsed = new ArrayList<>();
            for (Shown s : received) {
                if (collapsed.isEmpty() || collapsed.get(collapsed.size() - 1) != s) {
                    collapsed.add(s);
                }
            }
            EnumSet<Shown> missing = EnumSet.allOf(Shown.class);
            collapsed.forEach(missing::remove);
            boolean complete = collapsed.equals(List.of(Shown.RINGING, Shown.ON_THE_PHONE, Shown.AVAILABLE));
            return new Verdict(complete, missing.isEmpty() && !complete, missing);
        }

        /** A call's received states as letters, e.g. {@code RPA}, {@code PRA}, {@code RA}. */
        static String letters(List<Shown> received) {
            StringBuilder b = new StringBuilder();
            received.forEach(s -> b.append(s.letter()));
            return b.length() == 0 ? "nothing" : b.toString();
        }
    }

    BenchOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(watch, "watch");
        Objects.requireNonNull(ringing, "ringing");
        Objects.requireNonNull(onThePhone, "onThePhone");
        Objects.requireNonNull(available, "available");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(hep, "hep");
        ramp = List.copyOf(ramp);
        if (target == Target.OFFHOOK && !hep.offhook()) {
            throw new IllegalArgumentException("hep: Offhook gets the calls only as HEP from Kamailio: with target "
                    + "offhook it must be offhook (it is " + hep + ")");
        }
        if (target == Target.EXTERNAL && hep.offhook()) {
            throw new IllegalArgumentException("hep: offhook needs target offhook (Offhook is not started for an "
                    + "external target); use none or a port");
        }
    }

    /** The defaults: issue 3's Offhook run (50 calls/s for 60 s, 100 sequential calls, 200 callees). */
    static BenchOptions defaults() {
        return parse(List.of());
    }

    /**
     * Reads the command line: {@code [rate [seconds [sequential]]]} as before, {@code --KEY VALUE} or
     * {@code --KEY=VALUE} for each of {@link #KEYS}, and {@code --config FILE}, a properties file with the same keys
     * (the command line wins). Throws {@link IllegalArgumentException} naming the option or file key at fault.
     */
    static BenchOptions parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        Path config = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String key = a.substring(2, eq < 0 ? a.length() : eq);
            if (!key.equals("config") && !KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + " (known: --config, --"
                        + String.join(", --", KEYS) + ")");
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            if (key.equals("config")) {
                config = Path.of(value);
            } else {
                values.put(key, value);
                where.put(key, "option --" + key);
            }
        }
        String[] names = {"rate", "seconds", "sequential"};
        if (positional.size() > names.length) {
            throw new IllegalArgumentException("at most three numbers (rate, seconds, sequential), not "
                    + positional);
        }
        for (int i = 0; i < positional.size(); i++) {
            if (values.containsKey(names[i])) {
                throw new IllegalArgumentException(names[i] + " given twice: as argument " + (i + 1) + " and as "
                        + where.get(names[i]));
            }
            values.put(names[i], positional.get(i));
            where.put(names[i], names[i] + " (argument " + (i + 1) + ")");
        }
        if (config != null) {
            Properties file = load(config);
            for (String key : file.stringPropertyNames()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException(config + ": unknown key '" + key + "' (known: "
                            + String.join(", ", KEYS) + ")");
                }
                if (!values.containsKey(key)) {
                    values.put(key, file.getProperty(key).strip());
                    where.put(key, config + ": key " + key);
                }
            }
        }
        return of(values, where);
    }

    private static Properties load(Path file) {
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            return p;
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static BenchOptions of(Map<String, String> values, Map<String, String> where) {
        Target target = switch (values.getOrDefault("target", "offhook")) {
            case "offhook" -> Target.OFFHOOK;
            case "external" -> Target.EXTERNAL;
            default -> throw new IllegalArgumentException(where.get("target") + ": '" + values.get("target")
                    + "' is neither offhook nor external");
        };
        boolean offhook = target == Target.OFFHOOK;
        JidPattern watch = JidPattern.parse(where.getOrDefault("watch", "watch"),
                required(values, where, "watch", offhook ? OFFHOOK_WATCH : null));
        StateMatcher ringing = StateMatcher.parse(where.getOrDefault("ringing", "ringing"),
                required(values, where, "ringing", offhook ? OFFHOOK_RINGING : null));
        StateMatcher onThePhone = StateMatcher.parse(where.getOrDefault("on-the-phone", "on-the-phone"),
                required(values, where, "on-the-phone", offhook ? OFFHOOK_ON_THE_PHONE : null));
        StateMatcher available = StateMatcher.parse(where.getOrDefault("available", "available"),
                required(values, where, "available", offhook ? OFFHOOK_AVAILABLE : null));
        String component = values.getOrDefault("component", BenchPresenceLatency.COMPONENT);
        if (!component.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
            throw new IllegalArgumentException(where.get("component") + ": '" + component + "' is not a domain "
                    + "name (lower case letters, digits, dots and dashes)");
        }
        String callerDomain = values.getOrDefault("caller-domain", CALLERS_DOMAIN);
        if (!callerDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
            throw new IllegalArgumentException(where.get("caller-domain") + ": '" + callerDomain + "' is not a "
                    + "domain name (lower case letters, digits, dots and dashes)");
        }
        Path kamailioConfig = null;
        if (values.containsKey("kamailio-config")) {
            kamailioConfig = Path.of(values.get("kamailio-config"));
            if (!Files.isRegularFile(kamailioConfig)) {
                throw new IllegalArgumentException(where.get("kamailio-config") + ": no such file "
                        + kamailioConfig.toAbsolutePath());
            }
        }
        Path kamailioFiles = null;
        if (values.containsKey("kamailio-files")) {
            kamailioFiles = Path.of(values.get("kamailio-files"));
            if (!Files.isDirectory(kamailioFiles)) {
                throw new IllegalArgumentException(where.get("kamailio-files") + ": no such directory "
                        + kamailioFiles.toAbsolutePath());
            }
        }
        Hep hep = Hep.parse(where.getOrDefault("hep", "hep"), values.getOrDefault("hep", offhook ? "offhook"
                : "none"));
        boolean roster = bool(values, where, "roster", offhook);
        boolean subscribe = bool(values, where, "subscribe", false);
        int rate = number(values, where, "rate", 50, 1, 1000);
        int seconds = number(values, where, "seconds", 60, 1, 600);
        int sequential = number(values, where, "sequential", 100, 1, 1000);
        List<Integer> ramp = ramp(values, where);
        int rampCalls = number(values, where, "ramp-calls", 2000, 10, 20_000);
        int rampTalk = number(values, where, "ramp-talk-ms", 500, 0, 10_000);
        int defaultCallees = 200;
        if (!ramp.isEmpty()) {
            int needed = minCallees(ramp.get(ramp.size() - 1), rampTalk);
            defaultCallees = Math.max(defaultCallees, (needed + 99) / 100 * 100);
        }
        int callees = number(values, where, "callees", defaultCallees, 1, 5000);
        if (ramp.isEmpty()) {
            checkRate(rate, TALK_MS, callees, where.getOrDefault("rate", "rate"));
        } else {
            for (int r : ramp) {
                checkRate(r, rampTalk, callees, where.get("ramp"));
            }
        }
        return new BenchOptions(target, watch, ringing, onThePhone, available, component, kamailioConfig,
                kamailioFiles, hep, roster, subscribe, callees, rate, seconds, sequential, ramp, rampCalls, rampTalk,
                callerDomain, number(values, where, "kamailio-mb", BenchPresenceLatency.KAMAILIO_MB, 64, 4096));
    }

    /**
     * How many callees a rate needs so that each one's calls (ring, talk, then as long again to spare) never
     * overlap when they are called round robin.
     */
    static int minCallees(int rate, int talkMillis) {
        return (int) Math.ceil(rate * 2.0 * (BenchPresenceLatency.RING_MS + talkMillis) / 1000);
    }

    private static void checkRate(int rate, int talkMillis, int callees, String where) {
        if (minCallees(rate, talkMillis) > callees) {
            throw new IllegalArgumentException(where + ": " + rate + " calls/s is too fast for " + callees
                    + " callees: each callee's calls (ring " + BenchPresenceLatency.RING_MS + " ms + talk "
                    + talkMillis + " ms, twice over) must not overlap; it needs --callees "
                    + minCallees(rate, talkMillis) + " or more");
        }
    }

    private static List<Integer> ramp(Map<String, String> values, Map<String, String> where) {
        String value = values.getOrDefault("ramp", "").strip();
        if (value.isEmpty()) {
            return List.of();
        }
        List<Integer> rates = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            int r = whole(where.get("ramp"), part.strip());
            if (r < 1 || r > 3000 || !rates.isEmpty() && r <= rates.get(rates.size() - 1)) {
                throw new IllegalArgumentException(where.get("ramp") + ": '" + value + "' must be ascending call "
                        + "rates 1..3000, comma separated, e.g. 50,100,150,200,300");
            }
            rates.add(r);
        }
        if (rates.size() > MAX_RAMP_STEPS) {
            throw new IllegalArgumentException(where.get("ramp") + ": at most " + MAX_RAMP_STEPS + " steps, not "
                    + rates.size());
        }
        return rates;
    }

    private static String required(Map<String, String> values, Map<String, String> where, String key,
                                   String fallback) {
        String v = values.get(key);
        if (v != null) {
            return v;
        }
        if (fallback == null) {
            throw new IllegalArgumentException("--" + key + " is required with --target external (see --help)");
        }
        where.putIfAbsent(key, "default of " + key);
        return fallback;
    }

    private static boolean bool(Map<String, String> values, Map<String, String> where, String key, boolean dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(where.get(key) + ": '" + v + "' is neither true nor false");
        }
        return v.equals("true");
    }

    private static int number(Map<String, String> values, Map<String, String> where, String key, int dflt, int min,
                              int max) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        int n = whole(where.get(key), v);
        if (n < min || n > max) {
            throw new IllegalArgumentException(where.get(key) + ": " + n + " is out of range " + min + ".." + max);
        }
        return n;
    }

    private static int whole(String where, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + v + "' is not a whole number", e);
        }
    }

    /** Which of the three states {@code stanza} shows: the first matcher that accepts it, or {@code null}. */
    Shown classify(String stanza) {
        if (ringing.matches(stanza)) {
            return Shown.RINGING;
        }
        if (onThePhone.matches(stanza)) {
            return Shown.ON_THE_PHONE;
        }
        return available.matches(stanza) ? Shown.AVAILABLE : null;
    }

    /** The matcher of one state. */
    StateMatcher matcher(Shown shown) {
        return switch (shown) {
            case RINGING -> ringing;
            case ON_THE_PHONE -> onThePhone;
            case AVAILABLE -> available;
        };
    }

    /** Whether the caller is in a domain the path under test may publish, so that bob watches it too. */
    boolean watchesCaller() {
        return !callerDomain.equals(CALLERS_DOMAIN);
    }

    /** One line per setting, for the run's output. */
    String describe() {
        return "target " + target.name().toLowerCase(Locale.ROOT) + ", watch " + watch + ", ringing [" + ringing
                + "], on the phone [" + onThePhone + "], available [" + available + "], component " + component
                + ", kamailio config " + (kamailioConfig == null ? "the lab's" : kamailioConfig)
                + (kamailioFiles == null ? "" : ", kamailio files " + kamailioFiles) + ", hep " + hep
                + ", roster " + roster + ", subscribe " + subscribe + ", callees " + callees
                + (ramp.isEmpty() ? ", rate " + rate + ", seconds " + seconds + ", sequential " + sequential
                        : ", ramp " + ramp + " x " + rampCalls + " calls, talk " + rampTalkMillis + " ms")
                + (watchesCaller() ? ", caller-domain " + callerDomain : "")
                + (kamailioMegabytes == BenchPresenceLatency.KAMAILIO_MB ? "" : ", kamailio-mb " + kamailioMegabytes);
    }

    /** What {@code --help} prints. */
    static String usage() {
        return String.join("\n",
                "scripts/bench presence-latency [rate [seconds [sequential]]] [--KEY VALUE | --KEY=VALUE]... "
                        + "[--config FILE]",
                "scripts/bench presence-ramp [--KEY VALUE]...",
                "    the same with --ramp 50,100,200,400,600,800,1000,1200,1500,2000 unless given",
                "",
                "  --config FILE        a properties file with the keys below (the command line wins)",
                "  --target T           offhook (default: Offhook in the benchmark's JVM, fed HEP by the lab's",
                "                       Kamailio) or external (Offhook is not started; the path under test is",
                "                       started by --kamailio-config, e.g. pua_dialoginfo + presence + pua_xmpp)",
                "  --watch PATTERN      the JID bob watches per callee, {user} = the SIP user (callee1...);",
                "                       default " + OFFHOOK_WATCH + "; without /resource: the bare JID or any",
                "                       resource, e.g. {user}*example.com@sip.offhook.test",
                "  --ringing SPEC       the presence that means ringing (default " + OFFHOOK_RINGING + ")",
                "  --on-the-phone SPEC  ... on the phone (default " + OFFHOOK_ON_THE_PHONE + ")",
                "  --available SPEC     ... available again (default " + OFFHOOK_AVAILABLE + ")",
                "                       SPEC: conditions joined by ';', all must hold: status:TEXT, show:VALUE",
                "                       (show: = none), type:TYPE (available = no type), regex:RE (last; found",
                "                       in the stanza's XML). Required with --target external.",
                "  --component DOMAIN   the component domain Prosody accepts (default " + BenchPresenceLatency.COMPONENT
                        + ")",
                "  --kamailio-config F  the Kamailio config template (default the lab's); the harness replaces",
                "                       @SIP_PORT@ @HEP_PORT@ @XMPP_HOST@ @XMPP_PORT@ @XMPP_DOMAIN@",
                "                       @COMPONENT_DOMAIN@ @COMPONENT_SECRET@ @KAMAILIO_DIR@ (its work",
                "                       directory, fresh on every run)",
                "  --kamailio-files D   a directory copied into that work directory before Kamailio starts",
                "                       (e.g. db_text tables a peer's modules want, empty on every run)",
                "  --hep WHERE          where Kamailio mirrors HEP: offhook (default with target offhook), none",
                "                       (default otherwise: a free port nobody listens on) or a 127.0.0.1 port",
                "  --roster B           true: accounts for the callees, each in bob's roster and bob in theirs",
                "                       (default true with target offhook, false otherwise)",
                "  --subscribe B        true: bob subscribes to each callee's watched bare JID (default false)",
                "  --callees N          SIP users called round robin (default 200, more for a fast ramp)",
                "  --rate N --seconds N --sequential N   the loaded phase (50 calls/s, 60 s) and the sequential",
                "                       phase (100 calls); the same as the three numbers",
                "  --ramp R1,R2,...     instead: a warm-up, then --ramp-calls calls at each rate in turn, until",
                "                       a state change is lost or out of order, or the SIP side is late",
                "  --ramp-calls N       calls per step (default 2000)",
                "  --ramp-talk-ms N     talk time of each ramp call (default 500)",
                "  --caller-domain D    the caller's SIP domain (default " + CALLERS_DOMAIN + ", which nothing",
                "                       publishes); another, e.g. example.com: bob also watches the caller",
                "                       (subscribing with --subscribe) and its sequential calls are judged",
                "  --kamailio-mb N      Kamailio's shared memory in MiB (default " + BenchPresenceLatency.KAMAILIO_MB
                        + "; a peer's gateway may need more)");
    }
}
