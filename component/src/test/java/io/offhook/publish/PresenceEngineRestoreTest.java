package io.offhook.publish;

import static io.offhook.publish.EngineHarness.assertShows;
import static io.offhook.publish.EngineHarness.only;
import static io.offhook.publish.EngineHarness.recipients;
import static io.offhook.tap.track.PhoneEventType.CALL_ENDED;
import static io.offhook.tap.track.PhoneEventType.ONLINE;
import static io.offhook.tap.track.PhoneEventType.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneState.AVAILABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.PhoneState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.Presence;

/**
 * What an engine put up survives a restart ({@link PresenceEngine#publications()} into a new engine's
 * {@link PresenceEngine#restorePublications}): a user still on the phone is never taken down on the way, what no
 * longer holds is taken down, and an overlay's own presence is put back after the call even when the server does
 * not tell the new process (issue 6, "Nothing lost across restarts").
 */
class PresenceEngineRestoreTest {
    private static final String MAP = "sip:alice@example.com = alice@localhost\n";
    private static final String ALICE = "sip:alice@example.com";
    private static final String[] ROSTER = {"bob@localhost=both", "erin@localhost=from"};

    private static EngineSettings settings(PresentationMode mode) {
        EngineSettings d = EngineSettings.defaults(EngineHarness.COMPONENT);
        return new EngineSettings(d.component(), d.phoneResource(), mode, d.combineFormat(), d.rosterRefresh(),
                d.rosterTimeout(), d.rosterRequestsInFlight(), d.gatewayPolicy());
    }

    /** An engine that showed alice on the phone to her contacts, then vanished (SIGKILL): what it had put up. */
    private static List<Publication> beforeTheKill(PresentationMode mode) {
        EngineHarness h = new EngineHarness(MAP, settings(mode));
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        h.online("alice@localhost/laptop", null, "Working");
        h.event(ALICE, ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        h.event(ALICE, ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c1");
        assertTrue(h.engine.publicationsVersion() > 0);
        return h.engine.publications();
    }

    private static EngineHarness restarted(PresentationMode mode, List<Publication> saved) {
        EngineHarness h = new EngineHarness(MAP, settings(mode));
        h.engine.restorePublications(saved);
        return h;
    }

    private static void assertNoUnavailable(List<Presence> sent) {
        assertTrue(sent.stream().noneMatch(p -> p.getType() == Presence.Type.unavailable), () -> sent.toString());
    }

    @Test
    void aUserStillOnThePhoneIsNeverTakenDownOnTheWay() {
        List<Publication> saved = beforeTheKill(PresentationMode.RESOURCE);
        assertEquals(Set.of("alice@localhost", "bob@localhost", "erin@localhost"),
                Set.copyOf(saved.stream().map(p -> p.to().toString()).toList()));
        EngineHarness h = restarted(PresentationMode.RESOURCE, saved);
        h.event(ALICE, ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.OFFLINE, "c1");
        h.connectAndGrant();
        assertNoUnavailable(h.presences());
        assertEquals(Set.copyOf(saved), Set.copyOf(h.engine.publications()), "saved again as it came");
        h.answerRoster("alice@localhost", ROSTER);
        List<Presence> shown = h.presences();
        assertNoUnavailable(shown);
        assertShows(only(shown, "bob@localhost"), "dnd", "On the phone", 50);
        assertShows(only(shown, "erin@localhost"), "dnd", "On the phone", 50);
        h.event(ALICE, CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        assertShows(only(h.presences(), "bob@localhost"), null, "Phone available", -1);
    }

    @Test
    void aPhoneThatWentAwayWhileDownIsTakenDownAtConnectWithoutWaitingForTheRoster() {
        EngineHarness h = restarted(PresentationMode.RESOURCE, beforeTheKill(PresentationMode.RESOURCE));
        // The tracker restored nothing for alice (her registration expired meanwhile): no event at all.
        assertEquals(List.of(), h.presences());
        h.engine.connected();
        List<Presence> down = h.presences();
        assertEquals(List.of("alice@localhost", "bob@localhost", "erin@localhost"), recipients(down));
        assertTrue(down.stream().allMatch(p -> p.getType() == Presence.Type.unavailable
                && p.getFrom().toString().equals("alice@localhost/phone")), down::toString);
        assertEquals(List.of(), h.engine.publications());
        assertEquals(List.of(), h.engine.userViews(), "nothing left to remember");
    }

    @Test
    void aContactRemovedFromTheRosterWhileDownIsTakenDownOnceTheRosterIsRead() {
        EngineHarness h = restarted(PresentationMode.RESOURCE, beforeTheKill(PresentationMode.RESOURCE));
        h.event(ALICE, ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.OFFLINE, "c1");
        h.connectAndGrant();
        h.presences();
        h.answerRoster("alice@localhost", "bob@localhost=both");
        List<Presence> sent = h.presences();
        assertShows(only(sent, "bob@localhost"), "dnd", "On the phone", 50);
        assertEquals(Presence.Type.unavailable, only(sent, "erin@localhost").getType());
    }

    @Test
    void anOverlayPutsBackTheUsersOwnPresenceAfterTheCallWhenTheServerSaysNothingAtConnect() {
        List<Publication> saved = beforeTheKill(PresentationMode.OVERLAY);
        Publication toBob = saved.stream().filter(p -> p.to().toString().equals("bob@localhost")).findFirst()
                .orElseThrow();
        assertEquals("alice@localhost/laptop", toBob.from().toString());
        assertNotNull(toBob.realPresence());
        // ejabberd sends no presence at connect: the new engine does not know alice's laptop.
        EngineHarness h = restarted(PresentationMode.OVERLAY, saved);
        h.event(ALICE, ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.OFFLINE, "c1");
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        assertEquals(List.of(), h.presences(), "the overlay stays while the call goes on");
        h.event(ALICE, CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        Presence back = only(h.presences(), "bob@localhost");
        assertEquals("alice@localhost/laptop", back.getFrom().toString());
        assertShows(back, null, "Working", null);
        assertNull(back.getType());
    }

    @Test
    void anOverlayWhoseResourceIsReportedAgainIsShownByTheNewProcess() {
        EngineHarness h = restarted(PresentationMode.OVERLAY, beforeTheKill(PresentationMode.OVERLAY));
        h.event(ALICE, ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.OFFLINE, "c1");
        h.connectAndGrant();
        // Prosody sends every online user's presence at connect.
        h.online("alice@localhost/laptop", null, "Working");
        h.answerRoster("alice@localhost", ROSTER);
        assertShows(only(h.presences(), "bob@localhost"), "dnd", "Working (On the phone)", null);
        assertTrue(h.engine.publications().stream().allMatch(p -> p.realPresence() != null
                && p.realPresence().contains("Working")));
    }

    @Test
    void aSavedPresenceThatDoesNotParseIsSkipped() {
        Publication bad = new Publication(new org.xmpp.packet.JID("alice@localhost"),
                new org.xmpp.packet.JID("alice@localhost/laptop"), new org.xmpp.packet.JID("bob@localhost"),
                PresentationMode.OVERLAY, "<presence><unclosed></presence>");
        EngineHarness h = restarted(PresentationMode.OVERLAY, List.of(bad));
        h.engine.connected();
        assertEquals(List.of(), h.presences());
        assertEquals(List.of(), h.engine.publications());
    }
}
