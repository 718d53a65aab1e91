package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live path against a real proxy: Kamailio mirrors every SIP message as HEPv3 over UDP to the tap's
 * {@code HepListener}; sipp phones register and call through Kamailio; the tracker, on the system clock, must report
 * each user's whole sequence of states as the lab README's "Expected phone states" gives it for the scenarios
 * registration and refresh, basic-call, callee-hangs-up, busy, cancel, hold-resume, forking and deregister (RFC 3261
 * registrations and INVITE dialogs, RFC 3264 hold).
 *
 * <p>One Kamailio and one tap serve the whole class; each test uses users of its own, so no state leaks from one
 * test to another, and every sipp gets fresh ports and Call-IDs.
 */
class LiveHepIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static LiveTap tap;
    private static Kamailio kamailio;
    private CallLab lab;
    private int kamailioErrorsBefore;
    private long dropsBefore;

    @BeforeAll
    static void startServers() throws IOException {
        Lab.sipp();
        tap = LiveTap.udp(TrackerConfig.DEFAULTS);
        try {
            kamailio = Kamailio.start(work.resolve("kamailio"), tap.port(), Kamailio.HepTransport.UDP, 64);
        } catch (IOException | RuntimeException | Error e) {
            tap.close();
            throw e;
        }
    }

    @AfterAll
    static void stopServers() {
        try {
            if (kamailio != null) {
                kamailio.close();
            }
        } finally {
            if (tap != null) {
                tap.close();
            }
        }
    }

    @BeforeEach
    void newLab() {
        lab = new CallLab(work, kamailio, tap);
        kamailioErrorsBefore = kamailio.errors().size();
        dropsBefore = tap.unexpectedDrops();
    }

    /** Stops what the test left running, then checks that neither Kamailio nor the tap complained meanwhile. */
    @AfterEach
    void stopPhones() {
        lab.close();
        List<String> errors = kamailio.errors();
        assertEquals(List.of(), errors.subList(kamailioErrorsBefore, errors.size()), "Kamailio logged errors");
        assertEquals(dropsBefore, tap.unexpectedDrops(), () -> "tap drops: " + tap.drops().snapshot());
        assertEquals(0, tap.listener().listenerFailures(), "pipeline failures");
    }

    /** registration and refresh: AVAILABLE once; the two refreshes are "still online", no change. */
    @Test
    void registrationAndRefreshes() throws IOException {
        UserAgent rita = UserAgent.of("rita");
        lab.client(Sipp.lab("register-refresh.xml", rita).key("expires", "60")).runToEnd(work);
        lab.assertStates(rita.aor(), "AVAILABLE");
        assertEquals(List.of(PhoneEventType.ONLINE, PhoneEventType.STILL_ONLINE, PhoneEventType.STILL_ONLINE),
                types(rita.aor()), () -> tap.events().describe(rita.aor()));
    }

    /** basic-call: the caller hangs up. */
    @Test
    void basicCall() throws IOException {
        UserAgent alice = UserAgent.of("alice");
        UserAgent bob = UserAgent.of("bob");
        lab.register(alice);
        lab.register(bob);
        lab.call(alice, "uac-call.xml", "uas-answer.xml", bob);
        lab.assertStates(alice.aor(), "AVAILABLE DIALING ON_THE_PHONE AVAILABLE",
                bob.aor(), "AVAILABLE RINGING ON_THE_PHONE AVAILABLE");
        assertEquals(List.of(PhoneEventType.ONLINE, PhoneEventType.DIALING, PhoneEventType.ON_THE_PHONE,
                PhoneEventType.CALL_ENDED), types(alice.aor()), () -> tap.events().describe(alice.aor()));
        assertEquals(List.of(PhoneEventType.ONLINE, PhoneEventType.RINGING, PhoneEventType.ON_THE_PHONE,
                PhoneEventType.CALL_ENDED), types(bob.aor()), () -> tap.events().describe(bob.aor()));
        for (PhoneEvent e : tap.events().of(alice.aor()).subList(1, 4)) {
            assertEquals(bob.aor(), e.remote(), e::toString);
        }
        for (PhoneEvent e : tap.events().of(bob.aor()).subList(1, 4)) {
            assertEquals(alice.aor(), e.remote(), e::toString);
        }
        assertEquals("BYE", tap.events().of(bob.aor()).get(3).detail(), () -> tap.events().describe(bob.aor()));
    }

    /** callee-hangs-up: the callee sends the BYE along the record-routed route set. */
    @Test
    void calleeHangsUp() throws IOException {
        UserAgent carol = UserAgent.of("carol");
        UserAgent dave = UserAgent.of("dave");
        lab.register(carol);
        lab.register(dave);
        lab.call(carol, "uac-call-remote-bye.xml", "uas-answer-then-bye.xml", dave);
        lab.assertStates(carol.aor(), "AVAILABLE DIALING ON_THE_PHONE AVAILABLE",
                dave.aor(), "AVAILABLE RINGING ON_THE_PHONE AVAILABLE");
    }

    /** busy: 486 at once, no early dialog at the callee; the caller dialled and is back. */
    @Test
    void busy() throws IOException {
        UserAgent erin = UserAgent.of("erin");
        UserAgent frank = UserAgent.of("frank");
        lab.register(erin);
        lab.register(frank);
        lab.call(erin, "uac-call-rejected.xml", "uas-busy.xml", frank);
        lab.assertStates(erin.aor(), "AVAILABLE DIALING AVAILABLE", frank.aor(), "AVAILABLE");
        assertEquals("486", last(erin.aor()).detail(), () -> tap.events().describe(erin.aor()));
    }

    /** cancel: the caller gives up while the callee rings. */
    @Test
    void cancelWhileRinging() throws IOException {
        UserAgent grace = UserAgent.of("grace");
        UserAgent heidi = UserAgent.of("heidi");
        lab.register(grace);
        lab.register(heidi);
        lab.call(grace, "uac-cancel.xml", "uas-ring-cancelled.xml", heidi);
        lab.assertStates(grace.aor(), "AVAILABLE DIALING AVAILABLE", heidi.aor(), "AVAILABLE RINGING AVAILABLE");
        assertEquals("CANCEL", last(grace.aor()).detail(), () -> tap.events().describe(grace.aor()));
        assertEquals("CANCEL", last(heidi.aor()).detail(), () -> tap.events().describe(heidi.aor()));
    }

    /** hold-resume: re-INVITE with a=sendonly (RFC 3264 section 8.4), then a=sendrecv again. */
    @Test
    void holdAndResume() throws IOException {
        UserAgent ivan = UserAgent.of("ivan");
        UserAgent judy = UserAgent.of("judy");
        lab.register(ivan);
        lab.register(judy);
        lab.call(ivan, "uac-hold.xml", "uas-hold.xml", judy);
        lab.assertStates(ivan.aor(), "AVAILABLE DIALING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE",
                judy.aor(), "AVAILABLE RINGING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE");
        // Each re-INVITE is "still on the phone"; its offer takes effect with the 200 (RFC 3261 14.1).
        assertEquals(List.of(PhoneEventType.ONLINE, PhoneEventType.DIALING, PhoneEventType.ON_THE_PHONE,
                PhoneEventType.STILL_ON_THE_PHONE, PhoneEventType.HELD, PhoneEventType.STILL_ON_THE_PHONE,
                PhoneEventType.RESUMED, PhoneEventType.CALL_ENDED), types(ivan.aor()),
                () -> tap.events().describe(ivan.aor()));
    }

    /**
     * forking: the callee has two devices; Kamailio rings both, the first answers, the proxy CANCELs the second
     * (487). The callee's aggregate goes RINGING, ON_THE_PHONE, AVAILABLE, never back to RINGING.
     */
    @Test
    void forkingToTwoDevices() throws IOException {
        UserAgent kate = UserAgent.of("kate");
        UserAgent leo = UserAgent.of("leo");
        UserAgent leo2 = UserAgent.of("leo");
        lab.register(kate);
        lab.register(leo);
        lab.register(leo2);
        Sipp answers = lab.background(Sipp.lab("uas-answer.xml", leo).pause(CallLab.RING_MS));
        Sipp cancelled = lab.background(Sipp.lab("uas-ring-cancelled.xml", leo2));
        lab.client(Sipp.lab("uac-call.xml", kate).pause(CallLab.TALK_MS).key("callee", "leo")).runToEnd(work);
        answers.awaitSuccess();
        cancelled.awaitSuccess();
        lab.assertStates(kate.aor(), "AVAILABLE DIALING ON_THE_PHONE AVAILABLE",
                leo.aor(), "AVAILABLE RINGING ON_THE_PHONE AVAILABLE");
        assertEquals(1, types(leo.aor()).stream().filter(t -> t == PhoneEventType.ON_THE_PHONE).count(),
                () -> tap.events().describe(leo.aor()));
        assertEquals("BYE", last(leo.aor()).detail(), () -> tap.events().describe(leo.aor()));
    }

    /**
     * deregister: one device removed with Expires 0; two devices of another user removed at once with
     * {@code Contact: *} (RFC 3261 section 10.2.2).
     */
    @Test
    void deregistration() throws IOException {
        UserAgent mike = UserAgent.of("mike");
        UserAgent nina = UserAgent.of("nina");
        UserAgent nina2 = UserAgent.of("nina");
        lab.client(Sipp.lab("register-unregister.xml", mike)).runToEnd(work);
        lab.register(nina);
        lab.register(nina2);
        lab.client(Sipp.lab("unregister-all.xml", nina)).runToEnd(work);
        lab.assertStates(mike.aor(), "AVAILABLE OFFLINE", nina.aor(), "AVAILABLE OFFLINE");
        assertTrue(types(nina.aor()).contains(PhoneEventType.STILL_ONLINE), () -> tap.events().describe(nina.aor()));
        assertEquals(PhoneEventType.OFFLINE, last(mike.aor()).type(), () -> tap.events().describe(mike.aor()));
    }

    private static List<PhoneEventType> types(String aor) {
        return tap.events().of(aor).stream().map(PhoneEvent::type).toList();
    }

    private static PhoneEvent last(String aor) {
        List<PhoneEvent> events = tap.events().of(aor);
        return events.get(events.size() - 1);
    }
}
