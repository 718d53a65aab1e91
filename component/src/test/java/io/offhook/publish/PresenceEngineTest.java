package io.offhook.publish;

import static io.offhook.publish.EngineHarness.assertShows;
import static io.offhook.publish.EngineHarness.last;
import static io.offhook.publish.EngineHarness.only;
import static io.offhook.publish.EngineHarness.recipients;
import static io.offhook.publish.EngineHarness.to;
import static io.offhook.tap.track.PhoneEventType.CALL_ENDED;
import static io.offhook.tap.track.PhoneEventType.HELD;
import static io.offhook.tap.track.PhoneEventType.OFFLINE;
import static io.offhook.tap.track.PhoneEventType.ONLINE;
import static io.offhook.tap.track.PhoneEventType.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneEventType.STILL_ON_THE_PHONE;
import static io.offhook.tap.track.PhoneState.AVAILABLE;
import static io.offhook.tap.track.PhoneState.ON_HOLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PhoneStatus;
import io.offhook.presence.PresenceMapping;
import io.offhook.presence.PresentationMode;
import io.offhook.presence.Show;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import io.offhook.xmpp.stream.XmlChars;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.PacketError;
import org.xmpp.packet.Presence;

/**
 * The engine's decisions in each presentation mode, and the rules that hold in all of them: presence only to the
 * user and to from/both contacts, the user's own dnd/xa first, contacts logging in later served at once.
 */
class PresenceEngineTest {
    private static final String MAP = "sip:alice@example.com = alice@localhost\n";
    private static final String[] ROSTER = {"bob@localhost=both", "dave@localhost=to", "erin@localhost=from",
        "frank@localhost=none"};

    private static EngineSettings settings(PresentationMode mode) {
        EngineSettings d = EngineSettings.defaults(EngineHarness.COMPONENT);
        return new EngineSettings(d.component(), d.phoneResource(), mode, d.combineFormat(), d.rosterRefresh(),
                d.rosterTimeout(), d.rosterRequestsInFlight(), d.gatewayPolicy());
    }

    private static EngineHarness started(PresentationMode mode) {
        EngineHarness h = new EngineHarness(MAP, settings(mode));
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        return h;
    }

    private static void call(EngineHarness h) {
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:alice@example.com", PhoneEventType.RINGING, PhoneState.RINGING, AVAILABLE, "c1");
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1");
    }

    @Test
    void resourceModeShowsThePhoneOnlyToTheUserAndFromOrBothContacts() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        List<Presence> idle = h.presences();
        assertEquals(List.of("alice@localhost", "bob@localhost", "erin@localhost"), recipients(idle));
        for (Presence p : idle) {
            assertEquals("alice@localhost/phone", p.getFrom().toString());
            assertShows(p, null, "Phone available", -1);
        }
        h.event("sip:alice@example.com", PhoneEventType.RINGING, PhoneState.RINGING, AVAILABLE, "c1");
        assertShows(only(h.presences(), "bob@localhost"), "away", "Phone ringing", 50);
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1");
        List<Presence> talking = h.presences();
        assertEquals(List.of("alice@localhost", "bob@localhost", "erin@localhost"), recipients(talking));
        assertShows(only(talking, "erin@localhost"), "dnd", "On the phone", 50);
        h.event("sip:alice@example.com", CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        assertShows(only(h.presences(), "bob@localhost"), null, "Phone available", -1);
        h.event("sip:alice@example.com", OFFLINE, PhoneState.OFFLINE, AVAILABLE, null);
        Presence gone = only(h.presences(), "bob@localhost");
        assertEquals(Presence.Type.unavailable, gone.getType());
        assertTrue(gone.getID().startsWith(PresenceEngine.ID_PREFIX));
    }

    @Test
    void aRepeatedEventSendsNothingNew() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        call(h);
        h.presences();
        h.event("sip:alice@example.com", STILL_ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.ON_THE_PHONE,
                "c1");
        assertEquals(List.of(), h.presences());
    }

    @Test
    void aContactComingOnlineMidCallGetsTheStateAtOnceAtTheirResource() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.offline("bob@localhost/desk");
        call(h);
        assertFalse(recipients(h.presences()).contains("bob@localhost"), "bob is known offline");
        h.online("bob@localhost/desk", null, null);
        List<Presence> sent = h.presences();
        assertShows(only(sent, "bob@localhost/desk"), "dnd", "On the phone", 50);
        assertEquals("alice@localhost/phone", only(sent, "bob@localhost/desk").getFrom().toString());
    }

    @Test
    void aNonContactNeverReceivesAnything() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.online("carol@localhost/pc", null, null);
        h.online("dave@localhost/pc", null, null);
        h.online("frank@localhost/pc", null, null);
        call(h);
        h.event("sip:alice@example.com", HELD, ON_HOLD, PhoneState.ON_THE_PHONE, "c1");
        h.event("sip:alice@example.com", CALL_ENDED, AVAILABLE, ON_HOLD, "c1");
        for (Presence p : h.presences()) {
            String to = p.getTo().toBareJID();
            assertTrue(to.equals("alice@localhost") || to.equals("bob@localhost") || to.equals("erin@localhost"),
                    () -> "sent to a non-contact: " + p.toXML());
        }
    }

    @Test
    void theUsersOwnDndOutranksThePhoneAndKeepsTheirWords() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.online("alice@localhost/laptop", "dnd", "Focus time");
        call(h);
        assertShows(last(h.presences(), "bob@localhost"), "dnd", "Focus time (On the phone)", 50);
        h.online("alice@localhost/laptop", "xa", "Gone fishing");
        assertShows(only(h.presences(), "bob@localhost"), "xa", "Gone fishing (On the phone)", 50);
        h.online("alice@localhost/laptop", "away", "Lunch");
        assertShows(only(h.presences(), "bob@localhost"), "dnd", "On the phone", 50);
    }

    @Test
    void ejabberdsCopiesOfOneChangeSendOneUpdate() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.online("alice@localhost/laptop", null, "Working");
        call(h);
        h.presences();
        // ejabberd forwards one copy of alice's change per session that received it.
        for (int i = 0; i < 500; i++) {
            h.online("alice@localhost/laptop", "dnd", "Focus time");
        }
        List<Presence> sent = h.presences();
        assertEquals(3, sent.size(), "one update to alice and each of her two contacts, not 500");
        assertShows(only(sent, "bob@localhost"), "dnd", "Focus time (On the phone)", 50);
    }

    @Test
    void overlayAddsThePhoneToTheUsersOwnPresenceAndRestoresIt() {
        EngineHarness h = started(PresentationMode.OVERLAY);
        h.online("alice@localhost/laptop", null, "Working");
        call(h);
        List<Presence> during = h.presences();
        assertEquals(List.of("bob@localhost", "erin@localhost"), recipients(during.stream()
                .filter(p -> p.getType() == null).toList()).stream().distinct().toList());
        Presence overlay = to(during, "bob@localhost").orElseThrow();
        assertEquals("alice@localhost/laptop", overlay.getFrom().toString());
        assertShows(overlay, "away", "Working (Phone ringing)", null);
        h.event("sip:alice@example.com", CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        Presence restored = only(h.presences(), "bob@localhost");
        assertEquals("alice@localhost/laptop", restored.getFrom().toString());
        assertShows(restored, null, "Working", null);
    }

    @Test
    void overlayKeepsAStatusChangedMidCallAndIgnoresItsOwnEcho() {
        EngineHarness h = started(PresentationMode.OVERLAY);
        h.online("alice@localhost/laptop", null, "Working");
        call(h);
        Presence ours = to(h.presences(), "bob@localhost").orElseThrow();
        // ejabberd forwards what bob receives, including the component's own overlay: it is not alice's presence.
        h.engine.stanza(EngineHarness.presence("alice@localhost/laptop", "dnd", "Working (On the phone)",
                ours.getID()));
        h.engine.stanza(EngineHarness.presence("alice@localhost/laptop", "dnd", "Working (On the phone)", null));
        assertEquals(List.of(), h.presences());
        assertEquals(2, h.engine.stats().echoesIgnored());
        h.online("alice@localhost/laptop", "away", "In a meeting");
        assertShows(only(h.presences(), "bob@localhost"), "dnd", "In a meeting (On the phone)", null);
        h.event("sip:alice@example.com", CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        assertShows(only(h.presences(), "bob@localhost"), "away", "In a meeting", null);
    }

    @Test
    void overlayShowsNothingWhenTheUserHasNoOnlineResource() {
        EngineHarness h = started(PresentationMode.OVERLAY);
        call(h);
        assertEquals(List.of(), h.presences());
    }

    @Test
    void gatewayAcceptsOnlyTheUsersContactsAndUpdatesOnlineSubscribers() {
        EngineHarness h = started(PresentationMode.GATEWAY);
        h.engine.stanza(EngineHarness.parse(
                "<presence type='subscribe' from='bob@localhost' to='alice@phone.localhost'/>"));
        List<Presence> answer = h.presences();
        assertEquals(Presence.Type.subscribed, answer.get(0).getType());
        assertEquals("alice@phone.localhost", answer.get(0).getFrom().toString());
        assertEquals(Presence.Type.unavailable, answer.get(1).getType(), "no phone registered yet");
        h.engine.stanza(EngineHarness.parse(
                "<presence type='subscribe' from='carol@localhost' to='alice@phone.localhost'/>"));
        Presence denied = only(h.presences(), "carol@localhost");
        assertEquals(Presence.Type.unsubscribed, denied.getType());
        h.engine.stanza(EngineHarness.parse("<presence from='bob@localhost/desk' to='alice@phone.localhost'/>"));
        h.presences();
        call(h);
        List<Presence> sent = h.presences();
        assertEquals(List.of("bob@localhost"), recipients(sent).stream().distinct().toList());
        assertShows(sent.get(sent.size() - 1), "dnd", "On the phone", null);
        h.engine.stanza(EngineHarness.parse(
                "<presence type='probe' from='carol@localhost' to='alice@phone.localhost'/>"));
        assertEquals(Presence.Type.unsubscribed, only(h.presences(), "carol@localhost").getType());
        h.engine.stanza(EngineHarness.parse(
                "<presence type='probe' from='bob@localhost' to='alice@phone.localhost'/>"));
        assertShows(only(h.presences(), "bob@localhost"), "dnd", "On the phone", null);
        assertEquals(2, h.engine.stats().subscriptionsDenied());
    }

    @Test
    void gatewaySubscribersRestoredAfterARestartGetUpdatesAtOnceButOnlyIfStillContacts() {
        EngineHarness h = new EngineHarness(MAP, settings(PresentationMode.GATEWAY));
        h.engine.restoreGatewaySubscribers(java.util.Map.of(new JID("alice@localhost"),
                java.util.Set.of(new JID("bob@localhost"),
                        new JID("carol@localhost"))));
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        call(h);
        List<Presence> sent = h.presences();
        assertEquals(List.of("bob@localhost"), recipients(sent).stream().distinct().toList(),
                "carol was saved as a subscriber but is no contact of alice: she gets nothing");
        assertShows(last(sent, "bob@localhost"), "dnd", "On the phone", null);
        assertEquals(2, h.engine.gatewaySubscribers().get(new JID("alice@localhost")).size());
    }

    @Test
    void gatewayRequestsForUnknownPhonesAreRefusedAndRememberNothing() {
        EngineHarness h = started(PresentationMode.GATEWAY);
        h.sent.clear();
        for (int i = 0; i < 100; i++) {
            h.engine.stanza(EngineHarness.parse("<presence type='subscribe' from='bob@localhost' to='made-up" + i
                    + "@phone.localhost'/>"));
        }
        List<Presence> answers = h.presences();
        assertEquals(100, answers.size());
        assertTrue(answers.stream().allMatch(p -> p.getType() == Presence.Type.unsubscribed));
        assertEquals(List.of(), h.sent, "no roster requests for names nobody mapped");
        assertEquals(100, h.engine.stats().subscriptionsDenied());
        assertEquals(0, h.engine.gatewayVersion());
    }

    @Test
    void aContactRemovedFromTheRosterIsSentUnavailable() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        call(h);
        h.presences();
        h.clock.advance(Duration.ofMinutes(6));
        h.engine.tick();
        h.answerRoster("alice@localhost", "erin@localhost=from");
        Presence gone = only(h.presences(), "bob@localhost");
        assertEquals(Presence.Type.unavailable, gone.getType());
        assertEquals("alice@localhost/phone", gone.getFrom().toString());
    }

    @Test
    void aSubscriptionChangeMakesTheRosterBeReadAgainSoon() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.engine.stanza(EngineHarness.parse(
                "<presence type='subscribed' from='alice@localhost' to='carol@localhost'/>"));
        h.clock.advance(Duration.ofSeconds(1));
        h.engine.tick();
        h.answerRoster("alice@localhost", "bob@localhost=both", "carol@localhost=from");
        call(h);
        assertTrue(recipients(h.presences()).contains("carol@localhost"));
    }

    @Test
    void aReconnectShowsEverythingAgainAndShutdownTakesItDown() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        call(h);
        h.presences();
        h.engine.disconnected();
        h.engine.connected();
        List<Presence> again = h.presences();
        assertEquals(List.of("alice@localhost", "bob@localhost", "erin@localhost"), recipients(again));
        h.engine.shutdown();
        List<Presence> down = h.presences();
        assertEquals(3, down.size());
        assertTrue(down.stream().allMatch(p -> p.getType() == Presence.Type.unavailable));
        assertEquals(0, h.engine.stats().shown());
    }

    @Test
    void unmappedUsersAreCountedAndIgnored() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.event("sip:mallory@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        assertEquals(List.of(), h.presences());
        assertEquals(1, h.engine.stats().unmapped());
    }

    @Test
    void aFailingMappingFallsBackToTheDefault() {
        PresenceMapping broken = new PresenceMapping() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public PhonePresence map(PhoneStatus status) {
                throw new IllegalStateException("boom");
            }
        };
        EngineHarness h = new EngineHarness(MAP, settings(PresentationMode.RESOURCE), broken);
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        call(h);
        assertShows(last(h.presences(), "bob@localhost"), "dnd", "On the phone", 50);
        assertEquals(3, h.engine.stats().mappingFailures());
    }

    @Test
    void aPhoneStatusLongerThanClientsShowIsCut() {
        String endless = "On the phone with " + "x".repeat(10_000);
        PresenceMapping verbose = new PresenceMapping() {
            @Override
            public String name() {
                return "verbose";
            }

            @Override
            public PhonePresence map(PhoneStatus status) {
                return PhonePresence.busy(Show.DND, endless, 50);
            }
        };
        EngineHarness h = new EngineHarness(MAP, settings(PresentationMode.RESOURCE), verbose);
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        call(h);
        String status = last(h.presences(), "bob@localhost").getStatus();
        assertEquals(PresenceEngine.MAX_PHONE_STATUS, status.length());
        assertTrue(status.startsWith("On the phone with xxx") && status.endsWith("\u2026"), status);
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDCDE";
        String text = "x".repeat(PresenceEngine.MAX_PHONE_STATUS - 2) + emoji + "more";
        String cut = PresenceEngine.phoneText(PhonePresence.busy(Show.DND, text, 50));
        assertEquals("x".repeat(PresenceEngine.MAX_PHONE_STATUS - 2) + "\u2026", cut);
        String fits = "y".repeat(PresenceEngine.MAX_PHONE_STATUS);
        assertEquals(fits, PresenceEngine.phoneText(PhonePresence.busy(Show.DND, fits, 50)));
    }

    @Test
    void aHostileRemotePartyIsEscapedAndCleanedNeverRawXml() {
        EngineHarness h = new EngineHarness("sip:alice@example.com = alice@localhost remote=show\n",
                settings(PresentationMode.RESOURCE), new DefaultPresenceMapping());
        h.connectAndGrant();
        h.answerRoster("alice@localhost", ROSTER);
        String hostile = "sip:</status><show>chat</show><x xmlns='evil'/>\u0007\u0000@example.com";
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        h.engine.phoneEvent(new PhoneEvent(5_000_000, "sip:alice@example.com", ON_THE_PHONE,
                PhoneState.ON_THE_PHONE, AVAILABLE, "c9", hostile, null));
        Presence p = last(h.presences(), "bob@localhost");
        String xml = p.toXML();
        assertTrue(p.getStatus().startsWith("On the phone (</status><show>chat</show>"), p.getStatus());
        assertTrue(xml.contains("&lt;/status&gt;&lt;show&gt;chat&lt;/show&gt;"), xml);
        assertEquals(1, xml.split("<show>", -1).length - 1, "one show element only: " + xml);
        assertFalse(xml.contains("<x "), "no element from the SIP side: " + xml);
        assertEquals(-1, XmlChars.firstInvalidInMarkup(xml), "no character XML forbids: " + xml);
    }

    @Test
    void aUserRemovedFromTheMappingIsTakenDown() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        call(h);
        h.presences();
        h.engine.mappingChanged(EngineHarness.identities("sip:zed@example.com = zed@localhost\n"));
        List<Presence> down = h.presences();
        assertEquals(3, down.size());
        assertTrue(down.stream().allMatch(p -> p.getType() == Presence.Type.unavailable));
    }

    @Test
    void iqsAddressedToItAreAnsweredPingsWithAResultTheRestWithAnError() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.sent.clear();
        h.engine.stanza(EngineHarness.parse("<iq type='get' id='p1' from='bob@localhost/desk' "
                + "to='alice@phone.localhost'><ping xmlns='urn:xmpp:ping'/></iq>"));
        IQ pong = (IQ) h.take(p -> p instanceof IQ);
        assertEquals(IQ.Type.result, pong.getType());
        assertEquals("p1", pong.getID());
        h.engine.stanza(EngineHarness.parse("<iq type='set' id='d2' from='bob@localhost/desk' to='phone.localhost'>"
                + "<query xmlns='urn:example'/></iq>"));
        IQ error = (IQ) h.take(p -> p instanceof IQ);
        assertEquals(IQ.Type.error, error.getType());
        assertEquals(PacketError.Condition.service_unavailable, error.getError().getCondition());
    }

    @Test
    void aUserViewSaysWhatIsHeldAndShownAndHidesTheRemotePartyUnlessOptedIn() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        assertTrue(h.engine.userView(new JID("alice@localhost")).isEmpty(), "nothing held yet");
        call(h);
        UserView alice = h.engine.userView(new JID("alice@localhost/anything")).orElseThrow();
        assertEquals(PhoneState.ON_THE_PHONE, alice.status().state());
        assertEquals(PresentationMode.RESOURCE, alice.mode());
        assertEquals(List.of("sip:alice@example.com"), alice.addresses());
        assertEquals("On the phone", alice.shown().status());
        assertEquals(3, alice.recipients(), "alice herself, bob and erin");
        assertEquals(1, alice.status().calls().size());
        assertTrue(alice.status().calls().get(0).remote().isEmpty(), "alice did not opt in to remote=show");
        assertEquals(List.of(alice), h.engine.userViews());
    }
}
