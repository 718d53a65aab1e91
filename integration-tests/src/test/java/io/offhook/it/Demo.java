package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jivesoftware.smack.packet.Presence;

/**
 * The one-command demo ({@code scripts/demo}): the real stack on loopback, as an operator would run it. A Prosody
 * with users and rosters, Offhook as its own process (the built jar, the shipped config with ports filled in), a
 * Kamailio that mirrors HEP to it, sipp phones that register and call, and bob's chat client (Smack), whose view
 * of his contacts' presence is printed as it arrives. Each scene checks that bob saw exactly what he should; the
 * first one that does not stops the demo with what was expected, what arrived, and where the logs are.
 *
 * <p>Every port is a free one on 127.0.0.1 picked at start, so the demo runs beside anything else (and a second
 * time in a row); everything it started is stopped by PID at the end, on failure, and on Ctrl-C.
 *
 * <p>{@code Demo [--fast] WORK_DIR}: {@code --fast} rings and talks for the tests' short times instead of a pace a
 * person can follow.
 */
final class Demo {
    static final String DOMAIN = "offhook.demo";
    static final String COMPONENT = "phone." + DOMAIN;
    static final String USERS_MAP = """
            # SIP address of record = XMPP JID [options]  (see etc/users.map)
            sip:alice@example.com = alice@offhook.demo
            sip:olivia@example.com = olivia@offhook.demo mode=overlay
            sip:gina@example.com = gina@offhook.demo mode=gateway
            """;
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PASSWORD = "demo-password-1";

    /** How long callees ring and callers talk. */
    record Pace(int ringMillis, int talkMillis) {
        static final Pace HUMAN = new Pace(1200, 2000);
        static final Pace FAST = new Pace(CallLab.RING_MS, CallLab.TALK_MS);
    }

    private final PrintStream out;
    private final Path work;
    private final Pace pace;
    /** What to stop, most recent first. */
    private final Deque<Stoppable> started = new ArrayDeque<>();
    private volatile String step = "starting";
    private volatile long sceneStart = System.nanoTime();
    private Prosody prosody;
    private Kamailio kamailio;
    private Process offhook;
    private Path offhookLog;
    private Watcher bob;
    private Watcher carol;
    private UserAgent alice;
    private UserAgent olivia;
    private UserAgent gina;
    private UserAgent xavier;

    private interface Stoppable {
        void stop() throws Exception;
    }

    Demo(PrintStream out, Path work, Pace pace) {
        this.out = out;
        this.work = work;
        this.pace = pace;
    }

    public static void main(String[] args) {
        Pace pace = Pace.HUMAN;
        Path work = null;
        for (String a : args) {
            if (a.equals("--fast")) {
                pace = Pace.FAST;
            } else if (work == null && !a.startsWith("-")) {
                work = Path.of(a);
            } else {
                System.err.println("usage: Demo [--fast] WORK_DIR");
                System.exit(2);
            }
        }
        if (work == null) {
            System.err.println("usage: Demo [--fast] WORK_DIR");
            System.exit(2);
        }
        Demo demo = new Demo(System.out, work, pace);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stopAll, "demo-stop"));
        System.exit(demo.run());
    }

    /** Plays every scene; 0 when bob saw everything he should have, 1 (after saying why) when not. */
    int run() {
        try {
            play();
            say("");
            say("Done: bob saw every change, carol (no contact) saw nothing. Stopping what the demo started.");
            bob.onPresence(r -> { });
            return 0;
        } catch (AssertionError | Exception e) {
            say("");
            say("demo FAILED while " + step + ":");
            say("  " + e.getMessage());
            say("Logs are kept in " + work + (offhookLog == null ? "." : " (Offhook's: " + offhookLog + ")."));
            return 1;
        } finally {
            stopAll();
        }
    }

    private void play() throws Exception {
        Files.createDirectories(work);
        String secret = randomSecret();

        step("starting Prosody (XMPP server " + DOMAIN + ")");
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, secret);
        started.push(prosody::stop);
        say("Prosody is up: clients on 127.0.0.1:" + prosody.c2sPort() + ", components on 127.0.0.1:"
                + prosody.componentPort() + " (config from etc/prosody-offhook.cfg.lua)");
        prosody.registerAll(List.of("alice", "bob", "carol", "olivia", "gina"), PASSWORD);
        List<Prosody.RosterItem> rosters = new ArrayList<>();
        for (String user : List.of("alice", "olivia", "gina")) {
            rosters.add(new Prosody.RosterItem(user, "bob@" + DOMAIN, XmppServer.Subscription.BOTH));
            rosters.add(new Prosody.RosterItem("bob", user + "@" + DOMAIN, XmppServer.Subscription.BOTH));
        }
        prosody.addRosterItems(rosters);
        say("Users alice, olivia, gina, bob and carol; bob is a contact of alice, olivia and gina, carol of nobody.");

        step("starting Offhook (component " + COMPONENT + ")");
        int hep = FreePorts.one();
        Path config = OffhookUnderTest.writeConfig(work.resolve("offhook"), prosody, secret, USERS_MAP,
                Map.of("hep.listen", "127.0.0.1:" + hep));
        offhookLog = work.resolve("offhook/offhook.log");
        offhook = OffhookProcess.startRunning(config, offhookLog);
        Process running = offhook;
        started.push(() -> OffhookProcess.stop(running));
        say("Offhook is up (pid " + offhook.pid() + "): HEP on 127.0.0.1:" + hep + ", mapping "
                + work.resolve("offhook/users.map") + ":");
        USERS_MAP.lines().filter(l -> !l.startsWith("#")).forEach(l -> say("    " + l));

        step("starting Kamailio (SIP proxy)");
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), hep, Kamailio.HepTransport.UDP, 64);
        started.push(kamailio::close);
        say("Kamailio is up: SIP on 127.0.0.1:" + kamailio.sipPort() + ", mirroring every message as HEP to Offhook");

        step("logging in bob and carol");
        bob = Watcher.login(prosody, "bob", PASSWORD, "desk");
        started.push(bob::close);
        carol = Watcher.login(prosody, "carol", PASSWORD, "desk");
        started.push(carol::close);
        bob.onPresence(this::show);
        say("bob's chat client is online; below is what it receives, as it arrives (time since the scene began).");

        CallLab lab = new CallLab(work, kamailio);
        started.push(lab::close);
        alice = UserAgent.of("alice");
        olivia = UserAgent.of("olivia");
        gina = UserAgent.of("gina");
        xavier = UserAgent.of("xavier");
        String alicePhone = "alice@" + DOMAIN + "/phone";
        String oliviaLaptop = "olivia@" + DOMAIN + "/laptop";
        String ginaPhone = "gina@" + COMPONENT;

        scene("olivia logs in on her laptop and sets her status to 'Working'", oliviaLaptop, () -> {
            Watcher laptop = Watcher.login(prosody, "olivia", PASSWORD, "laptop");
            started.push(laptop::close);
            laptop.setPresence(Presence.Mode.available, "Working", 0);
        }, "available", "Working");
        scene("alice's desk phone registers: Offhook adds a 'phone' resource to her presence", alicePhone,
                () -> lab.register(alice), "Phone available");
        // Offhook accepts (bob is gina's contact), then answers the server's probe: her phone is not registered yet.
        scene("bob adds gina's phone as a contact of its own (gateway mode: " + ginaPhone + ")", ginaPhone,
                () -> bob.subscribe(ginaPhone), "subscribed", "unavailable");
        scene("gina's phone registers", ginaPhone, () -> lab.register(gina), "Phone available");
        lab.register(olivia);
        lab.register(xavier);
        scene("xavier (not mapped) calls alice: her phone rings, she answers, they talk, xavier hangs up",
                alicePhone, () -> call(lab, xavier, "uac-call.xml", "uas-answer.xml", alice),
                "Phone ringing", "On the phone", "Phone available");
        scene("alice calls xavier", alicePhone, () -> call(lab, alice, "uac-call.xml", "uas-answer.xml", xavier),
                "Calling", "On the phone", "Phone available");
        scene("xavier calls alice and puts her on hold, then resumes", alicePhone,
                () -> call(lab, xavier, "uac-hold.xml", "uas-hold.xml", alice),
                "Phone ringing", "On the phone", "On the phone (on hold)", "On the phone", "Phone available");
        scene("xavier calls alice, who rejects it as busy (486, no change to show); he calls again and hangs up "
                + "while it rings (CANCEL)", alicePhone, () -> {
                    call(lab, xavier, "uac-call-rejected.xml", "uas-busy.xml", alice);
                    call(lab, xavier, "uac-cancel.xml", "uas-ring-cancelled.xml", alice);
                }, "Phone ringing", "Phone available");
        scene("xavier calls olivia (overlay mode: the phone is added to her own laptop's status)", oliviaLaptop,
                () -> call(lab, xavier, "uac-call.xml", "uas-answer.xml", olivia),
                "Working (Phone ringing)", "Working (On the phone)", "Working");
        scene("xavier calls gina (gateway mode: her phone's own contact changes)", ginaPhone,
                () -> call(lab, xavier, "uac-call.xml", "uas-answer.xml", gina),
                "Phone ringing", "On the phone", "Phone available");

        step("checking what carol saw");
        for (String user : List.of("alice@" + DOMAIN, "olivia@" + DOMAIN, ginaPhone)) {
            if (!carol.receivedFrom(user).isEmpty()) {
                fail("carol is nobody's contact, yet received presence of " + user + ": "
                        + carol.receivedFrom(user));
            }
        }
        say("");
        say("== carol, who is nobody's contact, received no presence of alice, olivia or gina.");

        Process stopping = offhook;
        scene("Offhook stops (SIGTERM): it takes down the presence it put up before it disconnects", alicePhone,
                () -> {
                    if (!OffhookProcess.stop(stopping)) {
                        fail("offhook did not exit within " + OffhookProcess.WAIT.toSeconds() + " s of SIGTERM");
                    }
                }, "unavailable");
    }

    /** A call from {@code caller} to {@code callee} at the demo's pace; both phones must complete their script. */
    private void call(CallLab lab, UserAgent caller, String callerScenario, String calleeScenario, UserAgent callee)
            throws IOException {
        Sipp answering = lab.background(Sipp.lab(calleeScenario, callee).pause(pace.ringMillis()));
        lab.client(Sipp.lab(callerScenario, caller).pause(pace.talkMillis()).key("callee", callee.user()))
                .runToEnd(work);
        answering.awaitSuccess();
    }

    private interface Action {
        void run() throws Exception;
    }

    /**
     * Prints the scene's title, does it, and waits until bob has seen {@code from} go through {@code expected};
     * fails naming what he saw instead.
     */
    private void scene(String title, String from, Action action, String... expected) throws Exception {
        step(title);
        say("");
        say("== " + title);
        bob.mark();
        sceneStart = System.nanoTime();
        action.run();
        String last = expected[expected.length - 1];
        try {
            bob.awaitPresence(from, p -> last.equals(describeStatus(p)), WAIT);
        } catch (AssertionError e) {
            fail("bob did not see " + from + " reach '" + last + "' within " + WAIT.toSeconds() + " s; he saw "
                    + bob.statusesSinceMark(from));
        }
        List<String> seen = bob.statusesSinceMark(from);
        if (!seen.equals(List.of(expected))) {
            fail("bob should have seen " + from + " go " + List.of(expected) + " but saw " + seen);
        }
    }

    /** One line of bob's view: when, from whom, and what. */
    private void show(Watcher.Received r) {
        Presence p = r.presence();
        double seconds = (r.nanos() - sceneStart) / 1e9;
        String what = p.getType() == Presence.Type.available
                ? String.format(Locale.ROOT, "%-5s %s", p.getMode(), quote(p.getStatus()))
                : p.getType().toString();
        say(String.format(Locale.ROOT, "  +%6.3f s  bob sees %-28s %s", seconds, p.getFrom(), what));
    }

    private static String describeStatus(Presence p) {
        return p.getType() == Presence.Type.available ? p.getStatus() : p.getType().toString();
    }

    private static String quote(String s) {
        return s == null ? "" : "\"" + s + "\"";
    }

    private void step(String what) {
        step = what;
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** Stops everything started, newest first, each by PID. Idempotent; also the Ctrl-C hook. */
    synchronized void stopAll() {
        while (!started.isEmpty()) {
            try {
                started.pop().stop();
            } catch (Exception | AssertionError e) {
                say("demo: stopping something failed: " + e);
            }
        }
    }

    private static String randomSecret() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder("demo-");
        for (int i = 0; i < 32; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
