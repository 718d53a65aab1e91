package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the XMPP server wrappers share: the admin-facing configs in {@code etc/} and how a test config is generated
 * from them, running a server's control program with a deadline, and waiting for a server's ports.
 *
 * <p>The substitution scheme is the one the files document for admins: each file holds example values
 * ({@link #EXAMPLE_DOMAIN}, {@link #EXAMPLE_COMPONENT_DOMAIN}, {@link #EXAMPLE_SECRET}, {@link #EXAMPLE_COMPONENT_PORT})
 * and the test replaces every whole-word occurrence of each, nothing else; an example value that the file no longer
 * contains fails the test, so the tested config cannot drift from the documented one unnoticed.
 */
final class XmppLab {
    /** Where {@code etc/} is; by default two levels above the SIP lab ({@code integration-tests/lab}). */
    static final String ETC_DIR_PROPERTY = "offhook.etc.dir";
    static final String EXAMPLE_DOMAIN = "example.com";
    static final String EXAMPLE_COMPONENT_DOMAIN = "phone.example.com";
    static final String EXAMPLE_SECRET = "CHANGE-ME-to-a-long-random-secret";
    static final String EXAMPLE_COMPONENT_PORT = "5347";

    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern LOCALPART = Pattern.compile("[a-z0-9._-]+");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9._~+-]{8,200}");
    private static final int CONNECT_MILLIS = 200;

    private XmppLab() {
    }

    /** A bare JID {@code local@domain} with a simple localpart, as the tests use them. */
    record BareJid(String local, String domain) {
        BareJid {
            XmppLab.localpart(local);
            XmppLab.domain(domain);
        }

        static BareJid parse(String jid) {
            int at = jid == null ? -1 : jid.indexOf('@');
            if (at < 0) {
                throw new IllegalArgumentException("not a bare JID user@domain: '" + jid + "'");
            }
            return new BareJid(jid.substring(0, at), jid.substring(at + 1));
        }

        @Override
        public String toString() {
            return local + "@" + domain;
        }
    }

    /** The result of one run of a control program: its exit code and everything it printed. */
    record Run(String what, int exit, boolean timedOut, String output) {
        /** This run, or a failure naming what it did, its exit code and its output. */
        Run check() {
            if (timedOut) {
                fail(what + " did not end in time (killed); output:\n" + output);
            }
            if (exit != 0) {
                fail(what + " failed (exit " + exit + "); output:\n" + output);
            }
            return this;
        }
    }

    /** A file of {@code etc/}, e.g. {@code prosody-offhook.cfg.lua}; fails if it is missing. */
    static Path etcFile(String name) {
        String configured = System.getProperty(ETC_DIR_PROPERTY);
        Path dir = configured != null ? Path.of(configured).toAbsolutePath()
                : Lab.dir().getParent().getParent().resolve("etc");
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            fail("no " + file + " (set -D" + ETC_DIR_PROPERTY + "=.../etc)");
        }
        return file;
    }

    /**
     * The text of {@code etcFile} with every whole-word occurrence of each key of {@code examples} replaced by its
     * value ("whole word": not next to a letter, digit, {@code -}, {@code _}, nor preceded by a dot, so that
     * {@code example.com} does not match inside {@code phone.example.com}, nor 5347 inside 25347).
     */
    static String generate(Path etcFile, Map<String, String> examples) throws IOException {
        String text = Files.readString(etcFile, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : examples.entrySet()) {
            Matcher m = Pattern.compile("(?<![\\w.-])" + Pattern.quote(e.getKey()) + "(?![\\w-])").matcher(text);
            if (!m.find()) {
                fail(etcFile + " no longer contains the example value '" + e.getKey()
                        + "' that the tests replace (see the file's header): keep the documented scheme");
            }
            text = m.replaceAll(Matcher.quoteReplacement(e.getValue()));
        }
        return text;
    }

    /** {@code domain}, checked to be a plain lower-case DNS name (it goes into configs and command lines). */
    static String domain(String domain) {
        if (domain == null || !DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("not a lower-case domain name: '" + domain + "'");
        }
        return domain;
    }

    /** {@code user}, checked to be a simple lower-case localpart. */
    static String localpart(String user) {
        if (user == null || !LOCALPART.matcher(user).matches()) {
            throw new IllegalArgumentException("not a simple lower-case localpart: '" + user + "'");
        }
        return user;
    }

    /** {@code secret}, checked to need no quoting in Lua or YAML (never echoed in the message). */
    static String secret(String secret) {
        if (secret == null || !SECRET.matcher(secret).matches()) {
            throw new IllegalArgumentException("the component secret must be 8-200 characters of A-Z a-z 0-9 . _ ~ + -");
        }
        return secret;
    }

    /** {@code password}: the same rule as a secret (the servers' control programs take it on the command line). */
    static String password(String password) {
        if (password == null || !SECRET.matcher(password).matches()) {
            throw new IllegalArgumentException("test passwords must be 8-200 characters of A-Z a-z 0-9 . _ ~ + -");
        }
        return password;
    }

    /**
     * Returns once something accepts TCP connections on 127.0.0.1:{@code port}; fails when {@code process} exits
     * first or nothing accepts within {@code timeout}, with {@code diagnostics} (a log tail) in the message.
     */
    static void awaitAccepting(int port, Duration timeout, ProcessHandle process, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive()) {
                fail("the server (pid " + process.pid() + ") exited before 127.0.0.1:" + port + " accepted:\n"
                        + diagnostics.get());
            }
            if (System.nanoTime() - deadline >= 0) {
                fail("nothing accepted on 127.0.0.1:" + port + " within " + timeout.toSeconds() + " s:\n"
                        + diagnostics.get());
            }
            Await.pause();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a control program to its end in {@code dir}, its output (stdout and stderr) going to {@code output}
     * (overwritten); kills it (and its children) if it has not ended within {@code timeout}. {@link Run#check()}
     * turns a failed run into a test failure.
     *
     * @param what what the run does, for failure messages (the command line may hold a password)
     */
    static Run run(String what, List<String> command, Path dir, Path output, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Processes.started(p);
        boolean ended;
        try {
            ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (!ended) {
            Processes.stop(p.toHandle());
        }
        return new Run(what, ended ? p.exitValue() : -1, !ended,
                Files.readString(output, StandardCharsets.ISO_8859_1));
    }
}
