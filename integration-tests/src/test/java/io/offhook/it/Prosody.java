package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Prosody 0.12 on loopback, configured as {@code etc/prosody-offhook.cfg.lua} documents: the test writes a small
 * main config of its own (the part that stands for an admin's {@code prosody.cfg.lua}: free 127.0.0.1 ports, a data
 * directory in the test's directory, c2s without TLS, {@code run_as_root} because CI runs as root) and
 * {@code Include}s the etc file with only its example values replaced ({@link XmppLab#generate}).
 *
 * <p>It runs in the foreground ({@code prosody -F}), so the process the test holds is Prosody itself and
 * {@link #stop()} is a SIGTERM to that PID, awaited. Users and roster items are added through Prosody's admin shell
 * ({@code prosodyctl shell}, mod_admin_shell over a unix socket in the data directory), so they work only while it
 * runs, and a roster item reaches an online user's session at once (roster push) instead of at next login.
 */
final class Prosody implements XmppServer {
    static final String ETC_FILE = "prosody-offhook.cfg.lua";
    /** Where Debian's prosody-modules puts XEP-0356 (Prosody's own module directory, so no plugin_paths needed). */
    static final Path MOD_PRIVILEGE = Path.of("/usr/lib/prosody/modules/mod_privilege/mod_privilege.lua");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SHELL_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final Path config;
    private final Path log;
    private final Path out;
    private final Path adminSocket;
    private final String domain;
    private final String componentDomain;
    private final int c2sPort;
    private final int componentPort;
    private final List<String> plainHosts;
    /** The HTTP port of BOSH on the plain hosts; -1 without. */
    private final int httpPort;
    private Process process;

    private Prosody(Path dir, String domain, String componentDomain, int c2sPort, int componentPort,
                    List<String> plainHosts, int httpPort) {
        this.dir = dir;
        this.config = dir.resolve("prosody.cfg.lua");
        this.log = dir.resolve("prosody.log");
        this.out = dir.resolve("prosody.out");
        this.adminSocket = dir.resolve("data/prosody.sock");
        this.domain = domain;
        this.componentDomain = componentDomain;
        this.c2sPort = c2sPort;
        this.componentPort = componentPort;
        this.plainHosts = List.copyOf(plainHosts);
        this.httpPort = httpPort;
    }

    /**
     * Writes the configs into {@code tempDir}, starts Prosody and returns once its c2s and component ports accept
     * connections and its admin socket exists.
     */
    static Prosody start(Path tempDir, String domain, String componentDomain, String secret) throws IOException {
        return start(tempDir, domain, componentDomain, secret, List.of());
    }

    /**
     * {@link #start(Path, String, String, String)} with more user domains on the same c2s port that do NOT trust the
     * component: plain VirtualHosts of the test's own main config (no XEP-0356 permissions; the etc file does not
     * mention them), for users on "another server", like the login fallback's.
     */
    static Prosody start(Path tempDir, String domain, String componentDomain, String secret, List<String> plainHosts)
            throws IOException {
        return start(tempDir, domain, componentDomain, secret, plainHosts, false);
    }

    /**
     * {@link #start(Path, String, String, String, List)}, and with {@code bosh}, BOSH (XEP-0124/XEP-0206, Prosody's
     * mod_bosh) on the plain hosts only, over plain HTTP on a free 127.0.0.1 port ({@link #boshUrl()}): the
     * "other server" of a login-fallback user who logs in over BOSH. The first plain host answers requests to
     * 127.0.0.1 ({@code http_default_host}); the BOSH session itself names its host.
     */
    static Prosody start(Path tempDir, String domain, String componentDomain, String secret, List<String> plainHosts,
                         boolean bosh) throws IOException {
        if (bosh && plainHosts.isEmpty()) {
            throw new IllegalArgumentException("BOSH is for the plain hosts, and there are none");
        }
        for (String host : plainHosts) {
            XmppLab.domain(host);
        }
        XmppLab.domain(domain);
        XmppLab.domain(componentDomain);
        XmppLab.secret(secret);
        Lab.program("prosody", "prosody");
        if (!Files.isRegularFile(MOD_PRIVILEGE)) {
            fail("no " + MOD_PRIVILEGE + ": the tests need Prosody's XEP-0356 module from the Debian package "
                    + "'prosody-modules' (apt-get install prosody-modules)");
        }
        Path dir = Files.createDirectories(tempDir).toAbsolutePath();
        Files.createDirectories(dir.resolve("data"));
        // Prosody's default certificate directory (relative to the config): empty, but present, so that its log
        // does not start with an error about it.
        Files.createDirectories(dir.resolve("certs"));
        int c2sPort = FreePorts.one();
        int componentPort = FreePorts.one();
        Map<String, String> examples = new LinkedHashMap<>();
        examples.put(XmppLab.EXAMPLE_COMPONENT_DOMAIN, componentDomain);
        examples.put(XmppLab.EXAMPLE_DOMAIN, domain);
        examples.put(XmppLab.EXAMPLE_SECRET, secret);
        examples.put(XmppLab.EXAMPLE_COMPONENT_PORT, Integer.toString(componentPort));
        Files.writeString(dir.resolve("offhook.cfg.lua"), XmppLab.generate(XmppLab.etcFile(ETC_FILE), examples),
                StandardCharsets.UTF_8);
        Prosody p = new Prosody(dir, domain, componentDomain, c2sPort, componentPort, plainHosts,
                bosh ? FreePorts.one() : -1);
        Files.writeString(p.config, p.mainConfig(), StandardCharsets.UTF_8);
        try {
            p.launch();
        } catch (IOException | RuntimeException | Error e) {
            p.stop();
            throw e;
        }
        return p;
    }

    private String mainConfig() {
        StringBuilder hosts = new StringBuilder();
        for (String host : plainHosts) {
            hosts.append("-- A user domain that does not trust the component (no privileged_entities): \"another "
                    + "server\".\nVirtualHost ").append(lua(host)).append('\n');
            if (httpPort > 0) {
                hosts.append("modules_enabled = { \"bosh\" } -- added to the global modules, for this host only\n");
            }
        }
        String http = httpPort < 0 ? "-- no HTTP (BOSH is off)" : String.join("\n",
                "-- BOSH on the plain hosts (mod_bosh, path /http-bind), plain HTTP on loopback: no certificate here.",
                "http_ports = { " + httpPort + " }",
                "http_interfaces = { \"127.0.0.1\" }",
                "https_ports = { }",
                "-- A request to 127.0.0.1 names no host of Prosody's: the first plain host answers it.",
                "http_default_host = " + lua(plainHosts.get(0)));
        return String.join("\n",
                "-- A throw-away Prosody for Offhook's integration tests, written by Prosody.java. It stands for an",
                "-- admin's prosody.cfg.lua; the Offhook part is etc/prosody-offhook.cfg.lua, included at the end.",
                "run_as_root = true -- CI runs the tests as root; a real server runs as the prosody user",
                "data_path = " + lua(dir.resolve("data").toString()),
                "log = { info = " + lua(log.toString()) + " }",
                "interfaces = { \"127.0.0.1\" }",
                "c2s_ports = { " + c2sPort + " }",
                "s2s_ports = { } -- no federation in tests",
                "-- A test has no certificate: c2s without TLS here only (the etc file keeps production's TLS).",
                "c2s_require_encryption = false",
                "allow_unencrypted_plain_auth = true",
                "authentication = \"internal_hashed\"",
                "-- admin_shell: the tests add users and roster items through prosodyctl shell.",
                "modules_enabled = { \"roster\"; \"saslauth\"; \"disco\"; \"ping\"; \"admin_shell\" }",
                http,
                "Include \"offhook.cfg.lua\"",
                hosts.toString());
    }

    private void launch() throws IOException {
        Files.deleteIfExists(adminSocket);
        process = new ProcessBuilder(List.of(Lab.program("prosody", "prosody").toString(), "-F", "--config",
                config.toString()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
        Processes.started(process);
        ProcessHandle handle = process.toHandle();
        XmppLab.awaitAccepting(c2sPort, START_TIMEOUT, handle, this::diagnostics);
        XmppLab.awaitAccepting(componentPort, START_TIMEOUT, handle, this::diagnostics);
        if (httpPort > 0) {
            XmppLab.awaitAccepting(httpPort, START_TIMEOUT, handle, this::diagnostics);
        }
        Await.until(START_TIMEOUT, () -> Files.exists(adminSocket) || !handle.isAlive(),
                () -> "no admin socket " + adminSocket + ":\n" + diagnostics());
        if (!handle.isAlive()) {
            fail("Prosody exited at start:\n" + diagnostics());
        }
    }

    private String diagnostics() {
        return "log " + log + ":\n" + logTail() + "\noutput " + out + ":\n" + Processes.tail(out, 20);
    }

    @Override
    public String name() {
        return "prosody";
    }

    @Override
    public String domain() {
        return domain;
    }

    @Override
    public String componentDomain() {
        return componentDomain;
    }

    @Override
    public int c2sPort() {
        return c2sPort;
    }

    @Override
    public int componentPort() {
        return componentPort;
    }

    /** The BOSH endpoint of the plain hosts: {@code http://127.0.0.1:PORT/http-bind} (mod_bosh's default path). */
    String boshUrl() {
        if (httpPort < 0) {
            return fail("this Prosody was started without BOSH");
        }
        return "http://127.0.0.1:" + httpPort + "/http-bind";
    }

    @Override
    public void register(String user, String password) throws IOException {
        registerOn(domain, user, password);
    }

    /** {@link #register} on one of the plain hosts (or the main domain). */
    void registerOn(String host, String user, String password) throws IOException {
        XmppLab.localpart(user);
        XmppLab.password(password);
        knownHost(host);
        shell("registering " + user + "@" + host,
                "user:create(" + lua(user + "@" + host) + ", " + lua(password) + ")");
    }

    private void knownHost(String host) {
        if (!host.equals(domain) && !plainHosts.contains(host)) {
            throw new IllegalArgumentException(host + " is not a host of " + this);
        }
    }

    @Override
    public void addRosterItem(String user, String contactJid, Subscription subscription) throws IOException {
        addRosterItemOn(domain, user, contactJid, subscription);
    }

    /** {@link #addRosterItem} for a user of one of the plain hosts (or the main domain). */
    void addRosterItemOn(String host, String user, String contactJid, Subscription subscription) throws IOException {
        knownHost(host);
        XmppLab.localpart(user);
        String contact = XmppLab.BareJid.parse(contactJid).toString();
        // One line of Lua in the running server (the admin shell's ">" prefix): the live roster when the user is
        // online, the stored one otherwise; saved, then pushed to the user's online resources.
        shell("adding " + contact + " (" + subscription.xml() + ") to " + user + "@" + host + "'s roster",
                "> local rm = require \"core.rostermanager\"; local u, h, c = " + lua(user) + ", " + lua(host)
                        + ", " + lua(contact) + "; local r = rm.load_roster(u, h); if not r then error(\"no roster for \""
                        + " .. u) end; r[c] = { subscription = " + lua(subscription.xml()) + "; groups = {} }; "
                        + "local ok, err = rm.save_roster(u, h, r); if not ok then error(\"save_roster: \" .. "
                        + "tostring(err)) end; rm.roster_push(u, h, c); return \"roster item saved\"");
    }

    /** How many accounts or roster items {@link #registerAll} and {@link #addRosterItems} put in one shell call. */
    private static final int SHELL_BATCH = 100;

    /** One roster item for {@link #addRosterItems}: {@code contactJid} in {@code user}'s roster. */
    record RosterItem(String user, String contactJid, Subscription subscription) {
        RosterItem {
            XmppLab.localpart(user);
            contactJid = XmppLab.BareJid.parse(contactJid).toString();
            Objects.requireNonNull(subscription, "subscription");
        }
    }

    /** The running Prosody's PID (benchmarks read its CPU time from {@code /proc}); fails when it is not running. */
    long pid() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return fail("Prosody is not running");
        }
        return p.pid();
    }

    /**
     * {@link #register} for many accounts with one password, {@value #SHELL_BATCH} per admin-shell call: each
     * {@code prosodyctl shell} costs about 50 ms, too much for the hundreds of users of a benchmark.
     */
    void registerAll(List<String> users, String password) throws IOException {
        registerAllOn(domain, users, password);
    }

    /** {@link #registerAll} on one of the plain hosts (or the main domain). */
    void registerAllOn(String host, List<String> users, String password) throws IOException {
        knownHost(host);
        XmppLab.password(password);
        for (int from = 0; from < users.size(); from += SHELL_BATCH) {
            List<String> batch = users.subList(from, Math.min(users.size(), from + SHELL_BATCH));
            StringBuilder names = new StringBuilder();
            for (String user : batch) {
                names.append(lua(XmppLab.localpart(user))).append(", ");
            }
            String done = batch.size() + " users created";
            shellExpecting("registering " + batch.size() + " users (" + batch.get(0) + "...)",
                    "> local um = require \"core.usermanager\"; local h = " + lua(host) + "; local n = 0; "
                            + "for _, u in ipairs({ " + names + "}) do local ok, err = um.create_user(u, "
                            + lua(password) + ", h); if not ok then error(\"create_user \" .. u .. \": \" .. "
                            + "tostring(err)) end; n = n + 1 end; return n .. \" users created\"", done);
        }
    }

    /**
     * {@link #addRosterItem} for many items, {@value #SHELL_BATCH} per admin-shell call, each user's roster loaded
     * and saved once per call (a user with 500 contacts would otherwise rewrite a growing roster 500 times).
     */
    void addRosterItems(List<RosterItem> items) throws IOException {
        addRosterItemsOn(domain, items);
    }

    /** {@link #addRosterItems} for users of one of the plain hosts (or the main domain). */
    void addRosterItemsOn(String host, List<RosterItem> items) throws IOException {
        knownHost(host);
        for (int from = 0; from < items.size(); from += SHELL_BATCH) {
            List<RosterItem> batch = items.subList(from, Math.min(items.size(), from + SHELL_BATCH));
            Map<String, StringBuilder> byUser = new LinkedHashMap<>();
            for (RosterItem item : batch) {
                byUser.computeIfAbsent(item.user(), u -> new StringBuilder("{ " + lua(u)))
                        .append(", { ").append(lua(item.contactJid())).append(", ")
                        .append(lua(item.subscription().xml())).append(" }");
            }
            StringBuilder table = new StringBuilder();
            for (StringBuilder entry : byUser.values()) {
                table.append(entry).append(" }, ");
            }
            String done = batch.size() + " roster items saved";
            shellExpecting("adding " + batch.size() + " roster items (" + batch.get(0) + "...)",
                    "> local rm = require \"core.rostermanager\"; local h = " + lua(host) + "; local n = 0; "
                            + "for _, e in ipairs({ " + table + "}) do local u = e[1]; local r = rm.load_roster(u, h); "
                            + "if not r then error(\"no roster for \" .. u) end; for i = 2, #e do "
                            + "r[e[i][1]] = { subscription = e[i][2]; groups = {} } end; "
                            + "local ok, err = rm.save_roster(u, h, r); if not ok then error(\"save_roster: \" .. "
                            + "tostring(err)) end; for i = 2, #e do rm.roster_push(u, h, e[i][1]) end; "
                            + "n = n + #e - 1 end; return n .. \" roster items saved\"", done);
        }
    }

    /** {@link #shell}, and fails unless the shell's output holds {@code expected} (what the command returns). */
    private void shellExpecting(String what, String command, String expected) throws IOException {
        shell(what, command);
        String output = Processes.tail(dir.resolve("prosodyctl.out"), 20);
        if (!output.contains(expected)) {
            fail(what + ": the admin shell did not answer '" + expected + "':\n" + output);
        }
    }

    private void shell(String what, String command) throws IOException {
        if (process == null || !process.isAlive()) {
            fail(what + ": Prosody is not running (users and roster items go through its admin shell)");
        }
        XmppLab.run(what, List.of(Lab.program("prosodyctl", "prosody").toString(), "--config", config.toString(),
                "shell", command), dir, dir.resolve("prosodyctl.out"), SHELL_TIMEOUT).check();
    }

    /** A Lua string literal; the values are checked plain names, paths or passwords, escaped all the same. */
    private static String lua(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                throw new IllegalArgumentException("control character in a Lua string: " + (int) c);
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        if (!Processes.stop(p.toHandle())) {
            throw new IllegalStateException("Prosody (pid " + p.pid() + ", dir " + dir + ") did not stop");
        }
    }

    @Override
    public void restart() throws IOException {
        stop();
        launch();
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public String toString() {
        return "Prosody[" + domain + ", c2s 127.0.0.1:" + c2sPort + ", component " + componentDomain + " on :"
                + componentPort + ", pid " + (process == null ? "-" : Long.toString(process.pid())) + ", " + dir + "]";
    }
}
