package io.offhook.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.PhonePresence;
import io.offhook.presence.Show;
import io.offhook.tap.track.PhoneState;
import io.offhook.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dom4j.Element;
import org.dom4j.QName;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/**
 * The remote-control state machine and the activity publisher, as the engine drives them, against a scripted
 * client: each test asserts the whole sequence of requests Offhook sends (d = disco, x = execute, s = submit,
 * c = cancel, p = publish).
 */
class RemoteControlTest {
    private static final JID ALICE = new JID("alice@localhost");
    private static final PhonePresence IDLE = PhonePresence.idle(Show.AVAILABLE, "Phone available", -1);
    private static final PhonePresence RINGING = PhonePresence.busy(Show.AWAY, "Phone ringing", 50);
    private static final PhonePresence TALKING = PhonePresence.busy(Show.DND, "On the phone", 50);
    private static final PhonePresence HELD = PhonePresence.busy(Show.AWAY, "On the phone (on hold)", 50);

    /** The engine's side: a clock, what was sent, the user's resources. */
    private static final class Harness {
        final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
        final List<IQ> sent = new ArrayList<>();
        final RemoteControl rc;
        final Map<String, Presence> resources = new LinkedHashMap<>();
        boolean remoteControl = true;
        boolean activity;
        PhoneState state = PhoneState.AVAILABLE;
        PhonePresence phone = IDLE;
        int session;

        Harness(RemoteSettings settings) {
            rc = new RemoteControl(new JID("phone.localhost"), settings, "{own} ({phone})",
                    (Packet p) -> sent.add((IQ) p), clock);
            rc.connected();
        }

        Harness() {
            this(RemoteSettings.DEFAULTS);
        }

        Harness granted() {
            rc.permissions(Stanzas.message(Stanzas.PROSODY_PERMISSIONS));
            return this;
        }

        void sync() {
            rc.sync(new RemoteControl.UserView(ALICE, remoteControl, activity, state, phone, resources));
        }

        void online(String resource, String show, String status) {
            Presence p = new Presence();
            p.setFrom(new JID("alice", "localhost", resource));
            if (show != null) {
                p.setShow(Presence.Show.valueOf(show));
            }
            if (status != null) {
                p.setStatus(status);
            }
            resources.put(resource, p);
            sync();
        }

        void offline(String resource) {
            resources.remove(resource);
            sync();
        }

        void phone(PhoneState s, PhonePresence p) {
            state = s;
            phone = p;
            sync();
        }

        /** One letter per request sent since the last call, and clears them. */
        String requests() {
            StringBuilder b = new StringBuilder();
            for (IQ iq : sent) {
                b.append(kind(iq));
            }
            return b.toString();
        }

        static char kind(IQ iq) {
            Element payload = inner(iq).elements().get(0);
            if (payload.getNamespaceURI().equals(Discovery.NS_ITEMS)) {
                return 'd';
            }
            if (payload.getNamespaceURI().equals(UserActivity.NS_PUBSUB)) {
                return 'p';
            }
            String action = payload.attributeValue("action");
            return "execute".equals(action) ? 'x' : "cancel".equals(action) ? 'c' : 's';
        }

        static Element inner(IQ iq) {
            return iq.getChildElement().element(QName.get("iq", "jabber:client"));
        }

        /** The oldest unanswered request (they are answered in order), removed. */
        IQ next() {
            assertFalse(sent.isEmpty(), "nothing was sent");
            return sent.remove(0);
        }

        IQ next(char kind) {
            IQ iq = next();
            assertEquals(kind, kind(iq), iq.toXML());
            return iq;
        }

        /** Answers {@code request} as Prosody forwards the client's result. */
        void answer(IQ request, String payload) {
            Element inner = inner(request);
            String to = inner.attributeValue("to");
            rc.response(Stanzas.iq("<iq from='alice@localhost' to='phone.localhost' type='result' id='"
                    + request.getID() + "'><privilege xmlns='urn:xmpp:privilege:2'>"
                    + "<forwarded xmlns='urn:xmpp:forward:0'><iq xmlns='jabber:client' type='result' id='"
                    + inner.attributeValue("id") + "' from='" + to + "' to='alice@localhost'>" + payload
                    + "</iq></forwarded></privilege></iq>"));
        }

        void clientError(IQ request) {
            rc.response(Stanzas.iq(Stanzas.CLIENT_ERROR.replace("id='o2'", "id='" + request.getID() + "'")));
        }

        void lists(boolean setStatus) {
            answer(next('d'), "<query xmlns='http://jabber.org/protocol/disco#items' "
                    + "node='http://jabber.org/protocol/commands'>" + (setStatus
                    ? "<item jid='alice@localhost/laptop' node='http://jabber.org/protocol/rc#set-status'/>" : "")
                    + "</query>");
        }

        /** Answers the next execute with the client's current values. */
        void form(String status, int priority, String message) {
            IQ execute = next('x');
            answer(execute, "<command xmlns='http://jabber.org/protocol/commands' "
                    + "node='http://jabber.org/protocol/rc#set-status' sessionid='s" + (++session)
                    + "' status='executing'><x xmlns='jabber:x:data' type='form'>"
                    + "<field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/rc</value></field>"
                    + "<field type='list-single' var='status'><value>" + status + "</value></field>"
                    + "<field type='text-single' var='status-priority'><value>" + priority + "</value></field>"
                    + "<field type='text-multi' var='status-message'><value>" + message + "</value></field>"
                    + "</x></command>");
        }

        /** Answers the next submission as completed and returns what it set: {@code dnd "On the phone" 5}. */
        String complete() {
            IQ submit = next('s');
            String set = submitted(submit);
            answer(submit, "<command xmlns='http://jabber.org/protocol/commands' "
                    + "node='http://jabber.org/protocol/rc#set-status' sessionid='s" + session
                    + "' status='completed'/>");
            return set;
        }

        static String submitted(IQ submit) {
            Element x = inner(submit).elements().get(0).element(QName.get("x", StatusForm.NS_DATA));
            StringBuilder b = new StringBuilder();
            for (Element f : x.elements("field")) {
                if (!"FORM_TYPE".equals(f.attributeValue("var"))) {
                    List<String> values = new ArrayList<>();
                    f.elements("value").forEach(v -> values.add(v.getText()));
                    b.append(b.length() == 0 ? "" : " ").append(f.attributeValue("var").equals("status-message")
                            ? "\"" + String.join("\n", values) + "\"" : String.join(",", values));
                }
            }
            return b.toString();
        }

        void cancelled() {
            IQ cancel = next('c');
            answer(cancel, "<command xmlns='http://jabber.org/protocol/commands' status='canceled'/>");
        }

        Set<String> covered() {
            return rc.covered(ALICE);
        }

        void after(Duration d) {
            clock.advance(d);
            rc.tick();
        }
    }

    /** A laptop that advertises set-status, online "Working", and a call that rings and is answered. */
    private static Harness holding() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        assertEquals("", h.requests(), "idle: nothing to change");
        h.phone(PhoneState.RINGING, RINGING);
        h.form("online", 5, "Working");
        assertEquals("away 5 \"Phone ringing\"", h.complete());
        h.online("laptop", "away", "Phone ringing"); // the client announces it: Offhook's echo
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.form("away", 5, "Phone ringing");
        assertEquals("dnd 5 \"On the phone\"", h.complete());
        h.online("laptop", "dnd", "On the phone");
        return h;
    }

    @Test
    void aCallSetsTheClientsStatusUpdatesItAndRestoresItAfter() {
        Harness h = holding();
        assertEquals(Set.of("laptop"), h.covered());
        assertEquals(0, h.rc.stats().userChanges(), "its own echo is not the user's change");
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.form("dnd", 5, "On the phone");
        assertEquals("online 5 \"Working\"", h.complete());
        h.online("laptop", null, "Working");
        assertEquals("", h.requests());
        RemoteStats s = h.rc.stats();
        assertEquals(1, s.restores());
        assertEquals(2, s.holds());
        assertEquals(7, s.requests(), "disco, then execute and submit three times");
        assertEquals(0, s.inFlight());
        assertTrue(h.rc.tracks(ALICE), "the discovery of her online laptop stays cached");
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        assertEquals('x', Harness.kind(h.sent.get(0)), "the next call starts without asking disco again");
    }

    @Test
    void aStatusTheUserSetsDuringTheCallStaysAndIsNotRestored() {
        Harness h = holding();
        h.online("laptop", "away", "Lunch");
        assertEquals(1, h.rc.stats().userChanges());
        assertEquals(Set.of("laptop"), h.covered(), "still the user's client: the fallback leaves it alone");
        h.phone(PhoneState.ON_HOLD, HELD);
        h.phone(PhoneState.AVAILABLE, IDLE);
        assertEquals("", h.requests(), "their words win: no update, no restore");
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.form("away", 5, "Lunch");
        assertEquals("dnd 5 \"On the phone\"", h.complete(), "a new call starts from what the user set");
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.form("dnd", 5, "On the phone");
        assertEquals("away 5 \"Lunch\"", h.complete());
    }

    @Test
    void aChangeSeenOnlyInTheFormIsTheUsersToo() {
        Harness h = holding();
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.form("xa", 5, "Gone home");
        h.cancelled();
        assertEquals("", h.requests());
        assertEquals(1, h.rc.stats().userChanges());
        assertEquals(0, h.rc.stats().restores());
    }

    @Test
    void thePresenceOfASubmissionInFlightIsNoVerdict() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.form("online", 5, "Working");
        // The client re-announces its old presence while Offhook's submission is on its way: not a change.
        h.online("laptop", null, "Working");
        assertEquals("dnd 5 \"On the phone\"", h.complete());
        h.online("laptop", "dnd", "On the phone");
        assertEquals(0, h.rc.stats().userChanges());
    }

    @Test
    void theUsersOwnDndStaysWithThePhonesTextAdded() {
        Harness h = new Harness().granted();
        h.online("laptop", "dnd", "Focus time");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.form("dnd", 0, "Focus time");
        assertEquals("dnd 0 \"Focus time (On the phone)\"", h.complete());
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.form("dnd", 0, "Focus time (On the phone)");
        assertEquals("dnd 0 \"Focus time\"", h.complete());
    }

    @Test
    void aClientWithoutSetStatusIsLeftToTheFallback() {
        Harness h = new Harness().granted();
        h.online("mobile", null, null);
        assertEquals(Set.of("mobile"), h.covered(), "while Offhook asks, the fallback waits");
        h.phone(PhoneState.RINGING, RINGING);
        h.lists(false);
        assertEquals(Set.of(), h.covered());
        assertEquals(Set.of(ALICE), h.rc.takeChanged(), "the engine must show the fallback now");
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.phone(PhoneState.RINGING, RINGING);
        assertEquals("", h.requests(), "asked once per full JID");
        h.offline("mobile");
        h.online("mobile", null, null);
        assertEquals("d", h.requests().substring(0, 1), "a new session is asked again");
    }

    @Test
    void aClientThatRefusesIsLeftToTheFallbackWhileOnline() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.clientError(h.next('x'));
        assertEquals(Set.of(), h.covered());
        assertEquals(1, h.rc.stats().refusals());
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        assertEquals("", h.requests(), "not asked again while it stays online");
    }

    @Test
    void aCanceledCommandOrAnUnreadableFormIsARefusal() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.answer(h.next('x'), "<command xmlns='http://jabber.org/protocol/commands' sessionid='s9' "
                + "status='executing'><x xmlns='jabber:x:data' type='form'>"
                + "<field var='status'><value>busy</value></field></x></command>");
        h.cancelled();
        assertEquals(Set.of(), h.covered());
        Harness g = new Harness().granted();
        g.online("laptop", null, "Working");
        g.lists(true);
        g.phone(PhoneState.ON_THE_PHONE, TALKING);
        g.answer(g.next('x'), "<command xmlns='http://jabber.org/protocol/commands' status='canceled'/>");
        assertEquals(Set.of(), g.covered());
    }

    @Test
    void aClientThatDoesNotAnswerIsLeftToTheFallbackForThisCallOnly() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        IQ late = h.next('x');
        h.after(Duration.ofSeconds(9));
        assertEquals(Set.of("laptop"), h.covered());
        h.after(Duration.ofSeconds(2));
        assertEquals(Set.of(), h.covered());
        assertEquals(1, h.rc.stats().timeouts());
        h.answer(late, "<command xmlns='http://jabber.org/protocol/commands' sessionid='s1' status='executing'/>");
        assertEquals("", h.requests(), "a late answer changes nothing");
        h.phone(PhoneState.AVAILABLE, IDLE);
        assertEquals(Set.of("laptop"), h.covered());
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.form("online", 5, "Working");
        assertEquals("dnd 5 \"On the phone\"", h.complete(), "tried again at the next call");
    }

    @Test
    void aSubmissionWithoutAnswerIsCheckedAndRestoredAfterTheCall() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.form("online", 5, "Working");
        h.next('s'); // the client applies it but its answer is lost
        h.after(Duration.ofSeconds(11));
        assertEquals(Set.of("laptop"), h.covered(), "Offhook's status may be on it: not the fallback's");
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.after(Duration.ofSeconds(2));
        h.form("dnd", 5, "On the phone");
        assertEquals("online 5 \"Working\"", h.complete());
        assertEquals(1, h.rc.stats().restores());
    }

    @Test
    void aFailingRestoreIsRetriedABoundedNumberOfTimesThenGivenUp() {
        Harness h = holding();
        h.phone(PhoneState.AVAILABLE, IDLE);
        List<Long> pauses = new ArrayList<>();
        Instant last = h.clock.instant();
        for (int attempt = 0; attempt <= 3; attempt++) {
            IQ x = h.next('x');
            pauses.add(Duration.between(last, h.clock.instant()).toSeconds());
            h.clientError(x);
            last = h.clock.instant();
            for (int i = 0; i < 40 && h.sent.isEmpty(); i++) {
                h.after(Duration.ofMillis(500));
            }
        }
        assertEquals(List.of(0L, 2L, 4L, 8L), pauses);
        assertEquals("", h.requests(), "given up after remote-control.retries = 3");
        assertEquals(1, h.rc.stats().gaveUp());
        h.after(Duration.ofMinutes(5));
        assertEquals("", h.requests());
    }

    @Test
    void anInvisibleClientIsLeftAlone() {
        Harness h = new Harness().granted();
        h.online("laptop", null, null);
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        IQ x = h.next('x');
        h.answer(x, "<command xmlns='http://jabber.org/protocol/commands' sessionid='s1' status='executing'>"
                + "<x xmlns='jabber:x:data' type='form'><field var='status'><value>invisible</value></field></x>"
                + "</command>");
        h.cancelled();
        assertEquals(Set.of("laptop"), h.covered(), "not the fallback's either: it would make it visible");
        h.phone(PhoneState.AVAILABLE, IDLE);
        assertEquals("", h.requests());
    }

    @Test
    void aClientThatReconnectsWithinTheGraceIsRestored() {
        Harness h = holding();
        h.offline("laptop");
        assertTrue(h.rc.tracks(ALICE));
        h.phone(PhoneState.AVAILABLE, IDLE);
        assertEquals("", h.requests());
        h.after(Duration.ofMinutes(3));
        h.online("laptop", "dnd", "On the phone");
        h.lists(true);
        h.form("dnd", 5, "On the phone");
        assertEquals("online 5 \"Working\"", h.complete());
    }

    @Test
    void aUserWithNoClientOnlineCostsNothing() {
        Harness h = new Harness().granted();
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.after(Duration.ofSeconds(1));
        h.phone(PhoneState.AVAILABLE, IDLE);
        assertEquals("", h.requests());
        assertFalse(h.rc.tracks(ALICE));
        assertEquals(Set.of(), h.rc.takeChanged(), "nothing for the engine to show again, ever");
        h.online("laptop", null, "Working");
        h.offline("laptop");
        h.next('d');
        assertFalse(h.rc.tracks(ALICE), "its only client went offline: forgotten");
    }

    @Test
    void aClientGoneLongerThanTheGraceIsForgotten() {
        Harness h = holding();
        h.offline("laptop");
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.after(RemoteControl.OFFLINE_GRACE);
        assertFalse(h.rc.tracks(ALICE));
        assertEquals(Set.of(ALICE), h.rc.takeChanged());
    }

    @Test
    void leavingRemoteControlModeRestoresAtOnce() {
        Harness h = holding();
        h.remoteControl = false;
        h.sync();
        h.form("dnd", 5, "On the phone");
        assertEquals("online 5 \"Working\"", h.complete());
        assertFalse(h.rc.tracks(ALICE));
    }

    @Test
    void atMostMaxInFlightRequestsAreOutstanding() {
        Harness h = new Harness(new RemoteSettings(Fallback.OVERLAY, Duration.ofSeconds(10), 2, 3, false)).granted();
        for (String r : List.of("a", "b", "c", "d", "e")) {
            h.resources.put(r, Stanzas.presence("<presence from='alice@localhost/" + r + "'/>"));
        }
        h.sync();
        assertEquals("dd", h.requests());
        assertEquals(2, h.rc.stats().inFlight());
        h.lists(true);
        assertEquals(2, h.sent.size(), "one answered, the next one goes out");
        h.after(Duration.ofSeconds(11));
        assertEquals(2, h.rc.stats().timeouts());
        assertEquals(4, h.sent.size(), "two timed out: two more");
    }

    @Test
    void noIqPermissionNoRemoteControlAndTheFallbackShowsEverythingSaidOnce() {
        try (LogLines log = new LogLines()) {
            Harness h = new Harness();
            h.rc.permissions(Stanzas.message(Stanzas.EJABBERD_PERMISSIONS));
            h.activity = true;
            h.online("laptop", null, "Working");
            h.phone(PhoneState.ON_THE_PHONE, TALKING);
            h.phone(PhoneState.AVAILABLE, IDLE);
            h.phone(PhoneState.ON_THE_PHONE, TALKING);
            assertEquals("", h.requests());
            assertEquals(Set.of(), h.covered());
            List<String> warnings = log.warnings();
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("Server localhost does not let Offhook send privileged IQs for "
                    + "http://jabber.org/protocol/commands (set)"), warnings.get(0));
            assertTrue(warnings.get(0).contains("ejabberd 23.01 has no such permission"), warnings.get(0));
            assertTrue(warnings.get(0).contains("fallback 'overlay' (remote-control.fallback)"), warnings.get(0));
            assertTrue(warnings.get(1).contains("user activity (XEP-0108) is not published there"), warnings.get(1));
        }
    }

    @Test
    void aServerThatRefusesThePrivilegeStopsEverythingOnItsDomain() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        IQ disco = h.next('d');
        h.rc.response(Stanzas.iq(Stanzas.FORBIDDEN.replace("id='o7'", "id='" + disco.getID() + "'")));
        assertEquals(Set.of(), h.covered());
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        assertEquals("", h.requests());
        h.granted(); // the next connection's permission message
        assertEquals("d", h.requests());
    }

    @Test
    void aLostConnectionFailsWhatWasInFlightAndForgetsDiscovery() {
        Harness h = new Harness().granted();
        h.online("laptop", null, "Working");
        h.lists(true);
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.next('x');
        h.rc.disconnected();
        h.rc.connected();
        assertEquals(Set.of(), h.covered(), "failed for this call");
        h.granted();
        h.lists(true);
        assertEquals("", h.requests(), "asked again (the session may be new), but not used in this call");
    }

    // ---------------------------------------------------------------- activity

    @Test
    void activityIsPublishedOnThePhoneAndRetractedAfter() {
        Harness h = new Harness().granted();
        h.remoteControl = false;
        h.activity = true;
        h.phone(PhoneState.RINGING, RINGING);
        assertEquals("", h.requests(), "ringing is not talking");
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        IQ publish = h.next('p');
        assertEquals("alice@localhost", Harness.inner(publish).attributeValue("to"), "the user's own PEP service");
        Element item = Harness.inner(publish).elements().get(0).element(QName.get("publish", UserActivity.NS_PUBSUB))
                .element(QName.get("item", UserActivity.NS_PUBSUB));
        assertEquals(UserActivity.onThePhone("On the phone").asXML(),
                item.element(QName.get("activity", UserActivity.NS)).asXML());
        h.phone(PhoneState.ON_HOLD, HELD);
        assertEquals("", h.requests(), "one publication in flight at a time");
        h.answer(publish, "<pubsub xmlns='http://jabber.org/protocol/pubsub'/>");
        IQ held = h.next('p');
        assertTrue(held.toXML().contains("On the phone (on hold)"), held.toXML());
        h.answer(held, "");
        h.phone(PhoneState.AVAILABLE, IDLE);
        IQ retract = h.next('p');
        assertTrue(retract.toXML().contains("<activity xmlns=\"http://jabber.org/protocol/activity\"/>"),
                retract.toXML());
        h.answer(retract, "");
        assertFalse(h.rc.tracks(ALICE));
        assertEquals(3, h.rc.stats().activityPublications());
    }

    @Test
    void aRefusedActivityIsNotRepeatedAndALostRetractionIsRetried() {
        Harness h = new Harness().granted();
        h.remoteControl = false;
        h.activity = true;
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.clientError(h.next('p'));
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.after(Duration.ofSeconds(30));
        assertEquals("", h.requests(), "refused (e.g. the user's node has another access model): left alone");
        h.phone(PhoneState.AVAILABLE, IDLE);
        assertEquals("", h.requests(), "nothing was published, nothing to retract");
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.answer(h.next('p'), "");
        h.phone(PhoneState.AVAILABLE, IDLE);
        h.next('p');
        h.after(Duration.ofSeconds(11));
        h.after(Duration.ofSeconds(2));
        IQ again = h.next('p');
        assertNotNull(again);
        h.answer(again, "");
        assertFalse(h.rc.tracks(ALICE));
    }

    @Test
    void shutdownRetractsThePublishedActivityWithoutWaiting() {
        Harness h = new Harness().granted();
        h.remoteControl = false;
        h.activity = true;
        h.phone(PhoneState.ON_THE_PHONE, TALKING);
        h.answer(h.next('p'), "");
        h.rc.shutdown();
        IQ retract = h.next('p');
        assertTrue(retract.toXML().contains("<activity xmlns=\"http://jabber.org/protocol/activity\"/>"));
    }
}
