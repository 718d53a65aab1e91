package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on the SIP side (issue 6, "Faults"), with real Prosody, Kamailio and sipp: a BYE that never arrives, HEP
 * lost at random during a bounded load, and the proxy restarting mid-call. Nobody may stay "on the phone" longer
 * than the configured silence limit ({@link #SILENCE}, set short here), and what the watcher sees must end right.
 * HEP reaches Offhook through a {@link LossyUdpRelay}, so the tests can lose some of it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
    private static final Logger LOG = LogManager.getLogger(FaultsIT.class);
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "it-component-secret-0123456789";
    private static final String PASSWORD = "it-password-1";
    private static final String ALICE_PHONE = "alice@" + DOMAIN + "/phone";
    private static final String BERT_PHONE = "bert@" + DOMAIN + "/phone";
    /** tap.call-silence-timeout for these tests: an answered call with no signalling for this long is over. */
    private static final Duration SILENCE = Duration.ofSeconds(3);
    /** The tap's timers are checked once a second ({@code Services}): the most a state may outlive its limit by. */
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int LOAD_CALLS = 20;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static Prosody prosody;
    private static OffhookUnderTest offhook;
    private static LossyUdpRelay relay;
    private static Kamailio kamailio;
    private static Watcher bob;
    private static UserAgent alice;
    private static UserAgent bert;
    private static UserAgent xavier;
    private static boolean bertRegistered = true;

    @BeforeAll
    static void start() throws Exception {
        prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        prosody.registerAll(List.of("alice", "bob", "bert"), PASSWORD);
        for (String user : List.of("alice", "bert")) {
            prosody.addRosterItem(user, "bob@" + DOMAIN, "both");
            prosody.addRosterItem("bob", user + "@" + DOMAIN, "both");
        }
        offhook = OffhookUnderTest.start(work.resolve("offhook"), prosody, SECRET,
                "sip:alice@example.com = alice@offhook.test\nsip:bert@example.com = bert@offhook.test\n",
                Map.of("tap.call-silence-timeout", SILENCE.toSeconds() + "s"));
        relay = new LossyUdpRelay(offhook.hepPort(), 20261125L);
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), relay.port(), Kamailio.HepTransport.UDP, 64);
        bob = Watcher.login(prosody, "bob", PASSWORD, "desk");
        alice = UserAgent.of("alice");
        bert = UserAgent.of("bert");
        xavier = UserAgent.of("xavier");
        registerAll();
        bob.awaitPresence(BERT_PHONE, status("Phone available"), WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        Lab.closeQuietly(bob, kamailio, relay, offhook);
        if (prosody != null) {
            prosody.stop();
        }
    }

    private static void registerAll() throws IOException {
        CallLab lab = new CallLab(work, kamailio);
        for (UserAgent ua : List.of(alice, bert, xavier)) {
            lab.register(ua);
        }
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
    }

    private static Predicate<Presence> status(String text) {
        return p -> p.getType() == Presence.Type.available && text.equals(p.getStatus());
    }

    /** bert unregisters or registers; once bob sees it, everything Offhook sent him before has arrived. */
    private static void barrier() throws IOException {
        CallLab lab = new CallLab(work, kamailio);
        if (bertRegistered) {
            lab.client(Sipp.lab("unregister-all.xml", bert)).runToEnd(work);
            bob.awaitPresence(BERT_PHONE, p -> p.getType() == Presence.Type.unavailable, WAIT);
        } else {
            lab.register(bert);
            bob.awaitPresence(BERT_PHONE, status("Phone available"), WAIT);
        }
        bertRegistered = !bertRegistered;
    }

    @Test
    @Order(1)
    void aByeThatNeverArrivesEndsTheCallAtTheSilenceLimit() throws IOException {
        bob.mark();
        try (CallLab lab = new CallLab(work, kamailio)) {
            Sipp callee = lab.background(Sipp.of(Lab.testScenario("uas-answer-no-bye.xml"), alice)
                    .pause(CallLab.RING_MS));
            lab.client(Sipp.of(Lab.testScenario("uac-call-no-bye.xml"), xavier).key("callee", alice.user()))
                    .runToEnd(work);
            callee.awaitSuccess();
        }
        Watcher.Received talking = bob.awaitReceived(ALICE_PHONE, status("On the phone"), WAIT);
        Watcher.Received back = bob.awaitReceived(ALICE_PHONE, status("Phone available"), WAIT);
        long millis = (back.nanos() - talking.nanos()) / 1_000_000;
        LOG.info("Lost BYE: 'On the phone' for {} ms with a silence limit of {} ms", millis, SILENCE.toMillis());
        // The limit counts from the last signalling (the ACK, right after the 200 that showed "On the phone").
        assertTrue(millis >= SILENCE.toMillis() - 200, "ended after " + millis + " ms, before the silence limit");
        assertTrue(millis <= SILENCE.plus(TICK).toMillis() + 1000,
                "stuck 'On the phone' for " + millis + " ms, limit " + SILENCE.toMillis() + " ms");
        barrier();
        assertEquals(List.of("Phone ringing", "On the phone", "Phone available"), bob.statusesSinceMark(ALICE_PHONE));
    }

    @Test
    @Order(2)
    void hepLostAtRandomDuringALoadLeavesNobodyStuck() throws IOException {
        bob.mark();
        relay.lossRate(0.05);
        long droppedBefore = relay.dropped();
        try (CallLab lab = new CallLab(work, kamailio)) {
            Sipp callee = lab.background(Sipp.lab("uas-answer.xml", alice).calls(LOAD_CALLS).pause(50)
                    .timeout(Duration.ofSeconds(60)));
            lab.client(Sipp.lab("uac-call.xml", xavier).calls(LOAD_CALLS).rate(2).pause(150)
                    .key("callee", alice.user()).timeout(Duration.ofSeconds(60))).runToEnd(work);
            callee.awaitSuccess();
        } finally {
            relay.lossRate(0);
        }
        long lost = relay.dropped() - droppedBefore;
        // Whatever was lost, alice is back to "Phone available" within the silence limit (a lost BYE) and a tick.
        Duration limit = SILENCE.plus(TICK).plusSeconds(2);
        Await.until(limit, () -> "Phone available".equals(last(bob.statusesSinceMark(ALICE_PHONE))),
                () -> "alice stuck after the load; bob saw " + bob.statusesSinceMark(ALICE_PHONE));
        barrier();
        List<String> seen = bob.statusesSinceMark(ALICE_PHONE);
        assertEquals("Phone available", last(seen), "alice's last state after the barrier: " + seen);
        int talking = Collections.frequency(seen, "On the phone");
        LOG.info("HEP loss 5%: {} datagrams lost of {}; bob saw {} of {} calls 'On the phone', alice back to "
                + "'Phone available' after the load", lost, lost + relay.forwarded(), talking, LOAD_CALLS);
        assertTrue(lost > 0, "the relay lost nothing: the test tested nothing");
        // Kamailio mirrors each message as received and as sent: one lost copy changes nothing, so nearly every
        // answer must still be seen.
        assertTrue(talking >= LOAD_CALLS - 2, "only " + talking + " of " + LOAD_CALLS + " answered calls were shown; "
                + "bob saw " + seen);
    }

    @Test
    @Order(3)
    void aProxyRestartMidCallKeepsTheCallShownUntilItsBye() throws IOException {
        bob.mark();
        try (CallLab lab = new CallLab(work, kamailio)) {
            Sipp callee = lab.background(Sipp.lab("uas-answer.xml", alice).pause(CallLab.RING_MS));
            Sipp caller = lab.background(lab.client(Sipp.lab("uac-call.xml", xavier).pause(6000)
                    .key("callee", alice.user())));
            bob.awaitPresence(ALICE_PHONE, status("On the phone"), WAIT);
            kamailio = kamailio.restart();
            // The caller's BYE, after its talk time, takes the Record-Route through the restarted proxy.
            caller.awaitSuccess();
            callee.awaitSuccess();
        }
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
        // The restarted proxy lost its registrations (they were in memory only): the phones register again.
        registerAll();
        barrier();
        assertEquals(List.of("Phone ringing", "On the phone", "Phone available"), bob.statusesSinceMark(ALICE_PHONE),
                "a proxy restart must not flap alice's state");
    }

    private static String last(List<String> seen) {
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }
}
