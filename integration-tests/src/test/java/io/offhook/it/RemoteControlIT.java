package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.publish.PresenceEngine;
import io.offhook.remote.RemoteStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.dom4j.Element;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote control (XEP-0146 set-status) and user activity (XEP-0108) on a real Prosody 0.12 with mod_privilege,
 * configured from {@code etc/prosody-offhook.cfg.lua}, through XEP-0356 privileged IQs; calls go through a real
 * Kamailio, which mirrors HEP to Offhook.
 *
 * <p>Alice ({@code mode=remote-control activity=on}) is online twice: her laptop's client offers set-status (as
 * Gajim and Psi do), her mobile's does not. Bob is her contact (both), with a client that shows activities; carol is
 * not her contact and wants activities too. The assertions are on what the clients really show and receive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteControlIT {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String SECRET = "it-component-secret-0123456789";
    static final String PASSWORD = "it-password-1";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int LONG_TALK_MS = 8000;
    static final String ALICE = "alice@" + DOMAIN;
    static final String LAPTOP = ALICE + "/laptop";
    static final String MOBILE = ALICE + "/mobile";
    static final RemoteControlledClient.Status WORKING = new RemoteControlledClient.Status("online", "Working", 5);
    static final RemoteControlledClient.Status ON_THE_PHONE =
            new RemoteControlledClient.Status("dnd", "On the phone", 5);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    static XmppServer server;
    static OffhookUnderTest offhook;
    static Kamailio kamailio;
    static Watcher bob;
    static ActivityWatcher bobActivities;
    static ActivityWatcher carolActivities;
    static RemoteControlledClient laptop;
    static Watcher mobile;
    static UserAgent alicePhone;
    static UserAgent xavier;

    CallLab lab;

    @BeforeAll
    static void start() throws IOException {
        server = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        for (String user : List.of("alice", "bob", "carol")) {
            server.register(user, PASSWORD);
        }
        server.addRosterItem("alice", "bob@" + DOMAIN, "both");
        server.addRosterItem("bob", ALICE, "both");
        offhook = OffhookUnderTest.start(work.resolve("offhook"), server, SECRET,
                "sip:alice@example.com = alice@offhook.test mode=remote-control activity=on\n", Map.of());
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), offhook.hepPort(), Kamailio.HepTransport.UDP, 64);
        bob = Watcher.login(server, "bob", PASSWORD, "desk");
        bobActivities = ActivityWatcher.login(server, "bob", PASSWORD, "activities");
        bobActivities.awaitCapsAnsweredTo(ALICE, WAIT);
        carolActivities = ActivityWatcher.login(server, "carol", PASSWORD, "activities");
        alicePhone = UserAgent.of("alice");
        xavier = UserAgent.of("xavier");
        CallLab setup = new CallLab(work, kamailio);
        setup.register(alicePhone);
        setup.register(xavier);
        laptop = RemoteControlledClient.login(server, "alice", PASSWORD, "laptop", WORKING);
        mobile = Watcher.login(server, "alice", PASSWORD, "mobile");
        mobile.setPresence(Presence.Mode.away, "Commuting", 0);
        bob.awaitPresence(MOBILE, status("Commuting"), WAIT);
        // Offhook asks each client once, as it comes online, whether it offers set-status.
        Await.until(WAIT, () -> remoteStats().requests() >= 2 && remoteStats().inFlight() == 0,
                () -> "Offhook did not finish asking alice's clients: " + remoteStats());
    }

    @AfterAll
    static void stopAll() {
        try {
            if (carolActivities != null) {
                assertEquals(List.of(), carolActivities.from(ALICE), "carol is not alice's contact");
            }
        } finally {
            Lab.closeQuietly(laptop, mobile, bob, bobActivities, carolActivities, kamailio, offhook);
            if (server != null) {
                server.stop();
            }
        }
    }

    @BeforeEach
    void newLab() {
        lab = new CallLab(work, kamailio);
        bob.mark();
    }

    @AfterEach
    void stopPhones() {
        lab.close();
        assertEquals(0, offhook.stats().mappingFailures());
    }

    static RemoteStats remoteStats() {
        try {
            return offhook.services().engine().call(PresenceEngine::remoteStats, Duration.ofSeconds(5));
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("the engine did not answer", e);
        }
    }

    static Predicate<Presence> status(String text) {
        return p -> p.getType() == Presence.Type.available && text.equals(p.getStatus());
    }

    /** xavier calls alice's phone, which answers; the call lasts {@link #LONG_TALK_MS}. */
    PresenceITBase.LongCall longCall() throws IOException {
        Sipp callee = lab.background(Sipp.lab("uas-answer.xml", alicePhone).pause(CallLab.RING_MS));
        Sipp caller = lab.background(lab.client(Sipp.lab("uac-call.xml", xavier).pause(LONG_TALK_MS)
                .key("callee", alicePhone.user())));
        return new PresenceITBase.LongCall(caller, callee);
    }

    /** XEP-0146 section 4.1 on a real client; XEP-0108 section 2.2 to a real +notify contact. */
    @Test
    @Order(1)
    void theClientItselfShowsTheCallAndGetsItsStatusBackTheOtherClientIsOverlaid() throws IOException {
        int activitiesBefore = bobActivities.from(ALICE).size();
        PresenceITBase.LongCall call = longCall();
        laptop.awaitShowing(ON_THE_PHONE, WAIT);
        // What bob's client shows of the laptop is the laptop's own broadcast: it really changed.
        Presence laptopSeen = bob.awaitPresence(LAPTOP, status("On the phone"), WAIT);
        assertEquals(Presence.Mode.dnd, laptopSeen.getMode());
        assertEquals(5, laptopSeen.getPriority(), "the client's priority is kept");
        // The mobile cannot be asked: the fallback (overlay) shows the call on it.
        Presence mobileSeen = bob.awaitPresence(MOBILE, status("Commuting (On the phone)"), WAIT);
        assertEquals(Presence.Mode.dnd, mobileSeen.getMode());
        ActivityWatcher.Received talking = bobActivities.await(ALICE, activitiesBefore + 1, WAIT)
                .get(activitiesBefore);
        Element general = talking.activity().element("talking");
        assertTrue(general != null && general.element("on_the_phone") != null, talking.toString());
        assertEquals("On the phone", talking.activity().elementText("text"));

        call.awaitEnd();
        laptop.awaitShowing(WORKING, WAIT);
        bob.awaitPresence(LAPTOP, p -> status("Working").test(p) && p.getMode() == Presence.Mode.available, WAIT);
        bob.awaitPresence(MOBILE, p -> status("Commuting").test(p) && p.getMode() == Presence.Mode.away, WAIT);
        List<ActivityWatcher.Received> activities = bobActivities.await(ALICE, activitiesBefore + 2, WAIT);
        assertTrue(activities.get(activities.size() - 1).empty(), "the stop: an empty activity, " + activities);

        List<RemoteControlledClient.Status> applied = laptop.applied();
        assertEquals(List.of(ON_THE_PHONE, WORKING), applied.subList(applied.size() - 2, applied.size()),
                "the last two statuses set on the laptop: " + applied);
        for (RemoteControlledClient.Status s : applied.subList(0, applied.size() - 2)) {
            assertEquals(new RemoteControlledClient.Status("away", "Phone ringing", 5), s, "before: " + applied);
        }
        assertTrue(mobile.receivedFrom(ALICE + "/phone").isEmpty(), "no phone resource with the overlay fallback");
        assertEquals(0, remoteStats().userChanges());
    }

    /** The rule of every mode: the user's own words win. */
    @Test
    @Order(2)
    void aStatusTheUserSetsDuringTheCallStaysAfterIt() throws IOException {
        int activitiesBefore = bobActivities.from(ALICE).size();
        PresenceITBase.LongCall call = longCall();
        laptop.awaitShowing(ON_THE_PHONE, WAIT);
        RemoteControlledClient.Status meeting = new RemoteControlledClient.Status("away", "In a meeting", 5);
        Await.until(WAIT, () -> remoteStats().inFlight() == 0, () -> "still asking: " + remoteStats());
        int executions = laptop.executions();
        laptop.setByUser(meeting);
        bob.awaitPresence(LAPTOP, status("In a meeting"), WAIT);
        call.awaitEnd();
        // The empty activity is published in the same step as the restore would be: once bob has it, Offhook has
        // handled the end of the call.
        List<ActivityWatcher.Received> activities = bobActivities.await(ALICE, activitiesBefore + 2, WAIT);
        assertTrue(activities.get(activities.size() - 1).empty(), activities.toString());
        Await.until(WAIT, () -> remoteStats().inFlight() == 0, () -> "still asking: " + remoteStats());
        assertEquals(meeting, laptop.current(), "nothing restored over the user's own status");
        assertEquals(executions, laptop.executions(), "not even asked");
        assertEquals(1, remoteStats().userChanges());
        laptop.setByUser(WORKING);
        bob.awaitPresence(LAPTOP, status("Working"), WAIT);
    }
}
