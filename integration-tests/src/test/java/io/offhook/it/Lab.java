package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the SIP lab's files are ({@code integration-tests/lab}: the Kamailio config template and the sipp
 * scenarios the captures were recorded with) and where the external programs are. A missing program fails the test
 * with the Debian package to install: CI installs them, so a skip would hide a broken setup.
 */
final class Lab {
    /** Set by failsafe (pom.xml); the module's {@code lab} directory when run from the module directory. */
    static final String LAB_DIR_PROPERTY = "offhook.lab.dir";
    private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private Lab() {
    }

    static Path dir() {
        Path dir = Path.of(System.getProperty(LAB_DIR_PROPERTY, "lab")).toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("kamailio/kamailio.cfg.template"))) {
            fail("SIP lab not found at " + dir + " (set -D" + LAB_DIR_PROPERTY + "=.../integration-tests/lab)");
        }
        return dir;
    }

    static Path kamailioTemplate() {
        return dir().resolve("kamailio/kamailio.cfg.template");
    }

    /** A scenario of the lab, e.g. {@code uac-call.xml}. */
    static Path scenario(String name) {
        Path p = dir().resolve("sipp").resolve(name);
        if (!Files.isRegularFile(p)) {
            fail("no sipp scenario " + p);
        }
        return p;
    }

    /** A scenario of these tests only, under {@code src/test/resources/sipp}. */
    static Path testScenario(String name) {
        URL url = Lab.class.getResource("/sipp/" + name);
        if (url == null) {
            return fail("no test scenario /sipp/" + name + " on the class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            return fail("bad resource URL " + url, e);
        }
    }

    /** The absolute path of {@code program}, searched on PATH and in the sbin directories; fails if missing. */
    static Path program(String program, String debianPackage) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(SBIN);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return fail(program + " is not installed: these tests need the Debian package '" + debianPackage
                + "' (apt-get install " + debianPackage + "); searched " + dirs);
    }

    static Path kamailio() {
        return program("kamailio", "kamailio");
    }

    static Path sipp() {
        return program("sipp", "sip-tester");
    }

    /**
     * Closes each of {@code resources} that is not null, in order, going on past a failure: in a test's teardown,
     * stopping the rest (servers, processes) matters more than why one did not stop; the logs stay in the work
     * folder.
     */
    static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception | AssertionError e) {
                    // Go on with the rest.
                }
            }
        }
    }
}
