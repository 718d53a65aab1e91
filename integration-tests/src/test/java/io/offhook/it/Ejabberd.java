package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One ejabberd 23.01 on loopback, configured as {@code etc/ejabberd-offhook.yml} documents: the test writes a small
 * {@code ejabberd.yml} of its own (the part that stands for an admin's: hosts, a c2s listener on a free 127.0.0.1
 * port without TLS, mod_roster and mod_admin_extra) that includes the etc file with only its example values replaced
 * ({@link XmppLab#generate}), exactly as the etc file tells admins to.
 *
 * <p>It runs through Debian's {@code ejabberdctl --config-dir --spool --logs foreground}, with an
 * {@code ejabberdctl.cfg} of its own: a node name unique to this run, Erlang distribution on 127.0.0.1 only, on a
 * fixed free port ({@code ERL_DIST_PORT}) so that no epmd is started at all, and a cookie of its own on the command
 * line (the install user's home is not touched). Debian's ejabberdctl switches to the user {@code ejabberd} when run
 * by root (as CI does), so the server's directory is handed to that user. Users and roster items go through
 * {@code ejabberdctl register} and {@code add_rosteritem} (mod_admin_extra), while it runs; an online user receives
 * the roster push at once. Every ejabberdctl call starts an Erlang VM: about a second each.
 *
 * <p>{@link #stop()} asks the node to stop ({@code ejabberdctl stop}), waits for every process of its tree, kills
 * what is left, and finally kills any process whose command line names this run's node (a stray control client).
 */
final class Ejabberd implements XmppServer {
    static final String ETC_FILE = "ejabberd-offhook.yml";
    /** The user Debian's ejabberdctl runs ejabberd as when started by root. */
    static final String INSTALL_USER = "ejabberd";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Path conf;
    private final Path spool;
    private final Path logs;
    private final Path out;
    private final String domain;
    private final String componentDomain;
    private final int c2sPort;
    private final int componentPort;
    private final String node;
    private Process process;

    private Ejabberd(Path dir, String domain, String componentDomain, int c2sPort, int componentPort, String node) {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.spool = dir.resolve("spool");
        this.logs = dir.resolve("logs");
        this.out = dir.resolve("ejabberd.out");
        this.domain = domain;
        this.componentDomain = componentDomain;
        this.c2sPort = c2sPort;
        this.componentPort = componentPort;
        this.node = node;
    }

    /**
     * Writes the configs into {@code tempDir}, starts ejabberd and returns once its c2s and component ports accept
     * connections.
     */
    static Ejabberd start(Path tempDir, String domain, String componentDomain, String secret) throws IOException {
        XmppLab.domain(domain);
        XmppLab.domain(componentDomain);
        XmppLab.secret(secret);
        Lab.program("ejabberdctl", "ejabberd");
        String me = System.getProperty("user.name");
        boolean root = "root".equals(me);
        if (!root && !INSTALL_USER.equals(me)) {
            fail("Debian's ejabberdctl runs only as root or as the user '" + INSTALL_USER + "', not as '" + me
                    + "': run the integration tests as root, as CI does");
        }
        Path dir = Files.createDirectories(tempDir).toAbsolutePath();
        int c2sPort = FreePorts.one();
        int componentPort = FreePorts.one();
        int distPort = FreePorts.one();
        Ejabberd e = new Ejabberd(dir, domain, componentDomain, c2sPort, componentPort, "offhook" + distPort
                + "@localhost");
        Files.createDirectories(e.conf);
        Files.createDirectories(e.spool);
        Files.createDirectories(e.logs);
        Map<String, String> examples = new LinkedHashMap<>();
        examples.put(XmppLab.EXAMPLE_COMPONENT_DOMAIN, componentDomain);
        examples.put(XmppLab.EXAMPLE_SECRET, secret);
        examples.put(XmppLab.EXAMPLE_COMPONENT_PORT, Integer.toString(componentPort));
        Files.writeString(e.conf.resolve("offhook.yml"), XmppLab.generate(XmppLab.etcFile(ETC_FILE), examples),
                StandardCharsets.UTF_8);
        Files.writeString(e.conf.resolve("ejabberd.yml"), e.mainConfig(), StandardCharsets.UTF_8);
        Files.writeString(e.conf.resolve("ejabberdctl.cfg"), e.ctlConfig(distPort), StandardCharsets.UTF_8);
        Files.writeString(e.conf.resolve("inetrc"), "{lookup,[\"file\",\"native\"]}.\n"
                + "{host,{127,0,0,1}, [\"localhost\"]}.\n", StandardCharsets.UTF_8);
        if (root) {
            handToInstallUser(dir);
        }
        try {
            e.launch();
        } catch (IOException | RuntimeException | Error ex) {
            e.stop();
            throw ex;
        }
        return e;
    }

    private String mainConfig() {
        return String.join("\n",
                "# A throw-away ejabberd for Offhook's integration tests, written by Ejabberd.java. It stands for an",
                "# admin's ejabberd.yml; the Offhook part is etc/ejabberd-offhook.yml, included at the end.",
                "loglevel: info",
                "hosts:",
                "  - \"" + domain + "\"",
                "# A test has no certificate: c2s without TLS here only (the etc file leaves production's TLS alone).",
                "certfiles: []",
                "listen:",
                "  -",
                "    port: " + c2sPort,
                "    ip: \"127.0.0.1\"",
                "    module: ejabberd_c2s",
                "    starttls_required: false",
                "auth_password_format: scram",
                "modules:",
                "  mod_roster: {}",
                "  mod_disco: {}",
                "  mod_ping: {}",
                "  # ejabberdctl register / add_rosteritem, for the tests' users and roster items",
                "  mod_admin_extra: {}",
                "include_config_file: \"" + conf.resolve("offhook.yml") + "\"",
                "");
    }

    private String ctlConfig(int distPort) {
        String cookie = HexFormat.of().formatHex(randomBytes());
        return String.join("\n",
                "# Written by Ejabberd.java for a throw-away ejabberd of the integration tests.",
                "ERLANG_NODE=" + node,
                "# Erlang distribution on loopback only, on a fixed port: with ERL_DIST_PORT set, ejabberdctl passes",
                "# -erl_epmd_port and -start_epmd false, so no epmd runs, and its commands connect to that port.",
                "INET_DIST_INTERFACE=127.0.0.1",
                "ERL_EPMD_ADDRESS=127.0.0.1",
                "ERL_DIST_PORT=" + distPort,
                "ERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0 -setcookie " + cookie + "\"",
                "EJABBERD_BYPASS_WARNINGS=true",
                "");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /**
     * Gives the server's directory to the install user, and lets it reach the directory: the ancestors that only
     * their owner may search (a JUnit temp dir is mode 700) get search permission for others when they lie under
     * {@code java.io.tmpdir}; any other such ancestor fails the test rather than being changed.
     */
    private static void handToInstallUser(Path dir) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        for (Path a = dir.getParent(); a != null; a = a.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(a);
            if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                continue;
            }
            if (!a.startsWith(tmp) || a.equals(tmp)) {
                fail("ejabberd runs as the user '" + INSTALL_USER + "' and cannot reach " + dir + ": " + a
                        + " is not searchable by others; use a directory under " + tmp);
            }
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(a, perms);
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = users.lookupPrincipalByName(INSTALL_USER);
        GroupPrincipal group = users.lookupPrincipalByGroupName(INSTALL_USER);
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(ctl("foreground"))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        Processes.started(process);
        ProcessHandle handle = process.toHandle();
        XmppLab.awaitAccepting(c2sPort, START_TIMEOUT, handle, this::diagnostics);
        XmppLab.awaitAccepting(componentPort, START_TIMEOUT, handle, this::diagnostics);
    }

    private List<String> ctl(String... command) {
        List<String> c = new ArrayList<>(List.of(Lab.program("ejabberdctl", "ejabberd").toString(),
                "--config-dir", conf.toString(), "--spool", spool.toString(), "--logs", logs.toString()));
        c.addAll(List.of(command));
        return c;
    }

    private XmppLab.Run runCtl(String what, String... command) throws IOException {
        return XmppLab.run(what, ctl(command), dir, dir.resolve("ejabberdctl.out"), CTL_TIMEOUT);
    }

    private String diagnostics() {
        return "log " + log() + ":\n" + logTail() + "\noutput " + out + ":\n" + Processes.tail(out, 20);
    }

    @Override
    public String name() {
        return "ejabberd";
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

    @Override
    public void register(String user, String password) throws IOException {
        XmppLab.localpart(user);
        XmppLab.password(password);
        requireRunning("registering " + user);
        runCtl("ejabberdctl register " + user + "@" + domain, "register", user, domain, password).check();
    }

    @Override
    public void addRosterItem(String user, String contactJid, Subscription subscription) throws IOException {
        XmppLab.localpart(user);
        XmppLab.BareJid contact = XmppLab.BareJid.parse(contactJid);
        requireRunning("adding a roster item for " + user);
        runCtl("ejabberdctl add_rosteritem " + user + "@" + domain + " " + contact + " " + subscription.xml(),
                "add_rosteritem", user, domain, contact.local(), contact.domain(), contact.local(), "",
                subscription.xml()).check();
    }

    private void requireRunning(String what) {
        if (process == null || !process.isAlive()) {
            fail(what + ": ejabberd is not running (users and roster items go through ejabberdctl)");
        }
    }

    @Override
    public void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(p.toHandle());
        p.descendants().forEach(tree::add);
        if (p.isAlive()) {
            try {
                runCtl("ejabberdctl stop", "stop");
            } catch (IOException e) {
                // ejabberdctl could not even start: the kill below does the job
            }
        }
        List<String> left = new ArrayList<>();
        for (ProcessHandle h : tree) {
            if (!awaitExit(h, STOP_TIMEOUT) && !Processes.stop(h)) {
                left.add(h.pid() + " " + h.info().commandLine().orElse("?"));
            }
        }
        // A control client or a node started outside the tree we hold (never expected): found by our node name.
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(node)).orElse(false))
                .forEach(h -> {
                    left.add(h.pid() + " " + h.info().commandLine().orElse("?"));
                    Processes.stop(h);
                });
        if (!left.isEmpty()) {
            throw new IllegalStateException("ejabberd " + node + " (dir " + dir + ") left processes behind: " + left);
        }
    }

    private static boolean awaitExit(ProcessHandle h, Duration timeout) {
        if (!h.isAlive()) {
            return true;
        }
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        }
    }

    @Override
    public void restart() throws IOException {
        stop();
        launch();
    }

    @Override
    public Path log() {
        return logs.resolve("ejabberd.log");
    }

    @Override
    public String toString() {
        return "Ejabberd[" + domain + ", c2s 127.0.0.1:" + c2sPort + ", component " + componentDomain + " on :"
                + componentPort + ", node " + node + ", " + dir + "]";
    }
}
