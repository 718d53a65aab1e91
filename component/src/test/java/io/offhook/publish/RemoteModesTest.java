package io.offhook.publish;

import static io.offhook.publish.EngineHarness.assertShows;
import static io.offhook.publish.EngineHarness.only;
import static io.offhook.tap.track.PhoneEventType.CALL_ENDED;
import static io.offhook.tap.track.PhoneEventType.ONLINE;
import static io.offhook.tap.track.PhoneEventType.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneState.AVAILABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.remote.Fallback;
import io.offhook.remote.RemoteSettings;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dom4j.Element;
import org.dom4j.QName;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/**
 * Remote-control mode and user activity inside the engine: the clients remote control reaches show the call
 * themselves, the fallback shows it on the others, and nothing of it reaches anyone who is not a from/both contact.
 * Alice has a laptop whose client offers set-status and a mobile whose client does not; bob is her contact.
 */
class RemoteModesTest {
    private static final String PERMISSIONS = "<message from='localhost' to='phone.localhost'>"
            + "<privilege xmlns='urn:xmpp:privilege:2'><perm type='get' access='roster'/>"
            + "<perm type='roster' access='presence'/><perm access='iq'>"
            + "<namespace type='set' ns='http://jabber.org/protocol/commands'/>"
            + "<namespace type='set' ns='http://jabber.org/protocol/pubsub'/>"
            + "<namespace type='get' ns='http://jabber.org/protocol/disco#items'/></perm></privilege></message>";

    private static EngineHarness started(String mapping, Fallback fallback) {
        EngineSettings d = EngineSettings.defaults(EngineHarness.COMPONENT);
        EngineHarness h = new EngineHarness(mapping, d, new RemoteSettings(fallback, Duration.ofSeconds(10), 32, 3,
                false));
        h.engine.connected();
        h.engine.stanza(EngineHarness.parse(PERMISSIONS));
        h.answerRoster("alice@localhost", "bob@localhost=both", "carol@localhost=none");
        return h;
    }

    private static EngineHarness twoClients(Fallback fallback) {
        EngineHarness h = started("sip:alice@example.com = alice@localhost mode=remote-control\n", fallback);
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        h.online("alice@localhost/laptop", null, "Working");
        h.online("alice@localhost/mobile", "away", null);
        answer(h, "alice@localhost/laptop", "<query xmlns='http://jabber.org/protocol/disco#items' "
                + "node='http://jabber.org/protocol/commands'><item jid='alice@localhost/laptop' "
                + "node='http://jabber.org/protocol/rc#set-status'/></query>");
        answer(h, "alice@localhost/mobile", "<query xmlns='http://jabber.org/protocol/disco#items' "
                + "node='http://jabber.org/protocol/commands'/>");
        assertEquals(List.of(), h.presences(), "idle: remote-control mode shows nothing");
        return h;
    }

    /** The privileged IQs sent (removed from what was sent). */
    private static List<IQ> privileged(EngineHarness h) {
        List<IQ> out = new ArrayList<>();
        for (Packet p : new ArrayList<>(h.sent)) {
            if (p instanceof IQ iq && iq.getChildElement() != null
                    && "privileged_iq".equals(iq.getChildElement().getName())) {
                out.add(iq);
                h.sent.remove(p);
            }
        }
        return out;
    }

    private static Element inner(IQ iq) {
        return iq.getChildElement().element(QName.get("iq", "jabber:client"));
    }

    /** Answers the one outstanding privileged IQ to {@code to} with {@code payload}, as Prosody forwards it. */
    private static IQ answer(EngineHarness h, String to, String payload) {
        IQ request = (IQ) h.take(p -> p instanceof IQ iq && iq.getChildElement() != null
                && "privileged_iq".equals(iq.getChildElement().getName())
                && to.equals(inner(iq).attributeValue("to")));
        h.engine.stanza(EngineHarness.parse("<iq from='alice@localhost' to='phone.localhost' type='result' id='"
                + request.getID() + "'><privilege xmlns='urn:xmpp:privilege:2'><forwarded xmlns='urn:xmpp:forward:0'>"
                + "<iq xmlns='jabber:client' type='result' id='" + request.getID() + "' from='" + to + "'>" + payload
                + "</iq></forwarded></privilege></iq>"));
        return request;
    }

    private static void form(EngineHarness h, String status, String message) {
        answer(h, "alice@localhost/laptop", "<command xmlns='http://jabber.org/protocol/commands' sessionid='s' "
                + "status='executing'><x xmlns='jabber:x:data' type='form'>"
                + "<field var='status'><value>" + status + "</value></field>"
                + "<field var='status-priority'><value>1</value></field>"
                + "<field var='status-message'><value>" + message + "</value></field></x></command>");
    }

    private static String completed(EngineHarness h) {
        IQ submit = answer(h, "alice@localhost/laptop",
                "<command xmlns='http://jabber.org/protocol/commands' sessionid='s' status='completed'/>");
        return submit.toXML();
    }

    @Test
    void overlayFallbackShowsTheCallOnlyOnTheClientRemoteControlCannotReach() {
        EngineHarness h = twoClients(Fallback.OVERLAY);
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c1");
        List<Presence> during = h.presences();
        Presence overlay = only(during, "bob@localhost");
        assertEquals("alice@localhost/mobile", overlay.getFrom().toString(), "the laptop shows it itself");
        assertShows(overlay, "dnd", "On the phone", null);
        form(h, "online", "Working");
        assertTrue(completed(h).contains("<value>dnd</value>"));
        // The laptop announces Offhook's status: the engine does not take it for the user's own dnd.
        h.online("alice@localhost/laptop", "dnd", "On the phone");
        assertEquals(List.of(), h.presences(), "nothing to send: the server already broadcast the laptop's change");
        h.event("sip:alice@example.com", CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        Presence restored = only(h.presences(), "bob@localhost");
        assertEquals("alice@localhost/mobile", restored.getFrom().toString());
        assertShows(restored, "away", null, null);
        form(h, "dnd", "On the phone");
        assertTrue(completed(h).contains("<value>Working</value>"), "the laptop's own status comes back");
        assertEquals(List.of(), privileged(h));
        assertEquals(1, h.engine.remoteStats().restores());
    }

    @Test
    void resourceFallbackShowsThePhoneWhileAnyClientIsNotReached() {
        EngineHarness h = twoClients(Fallback.RESOURCE);
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c1");
        List<Presence> during = h.presences();
        Presence phone = only(during, "bob@localhost");
        assertEquals("alice@localhost/phone", phone.getFrom().toString());
        assertShows(phone, "dnd", "On the phone", 50);
        form(h, "online", "Working");
        completed(h);
        h.online("alice@localhost/laptop", "dnd", "On the phone");
        assertEquals(List.of(), h.presences(), "the laptop's (Offhook's) dnd is not taken for the user's own");
        h.offline("alice@localhost/mobile");
        Presence gone = only(h.presences(), "bob@localhost");
        assertEquals(Presence.Type.unavailable, gone.getType(), "every client is reached now: no phone resource");
    }

    @Test
    void noFallbackShowsNothingOnTheOthers() {
        EngineHarness h = twoClients(Fallback.NONE);
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c1");
        assertEquals(List.of(), h.presences());
        assertEquals(1, privileged(h).size(), "the laptop's execute");
    }

    @Test
    void withoutThePrivilegeEveryClientGetsTheFallback() {
        EngineHarness h = new EngineHarness("sip:alice@example.com = alice@localhost mode=remote-control\n",
                EngineSettings.defaults(EngineHarness.COMPONENT), RemoteSettings.DEFAULTS);
        h.connectAndGrant(); // as ejabberd: roster and presence, no iq
        h.answerRoster("alice@localhost", "bob@localhost=both");
        h.online("alice@localhost/laptop", null, "Working");
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c1");
        assertShows(only(h.presences(), "bob@localhost"), "dnd", "Working (On the phone)", null);
        assertEquals(List.of(), privileged(h));
    }

    @Test
    void aClientThatRefusesMidSetupIsOverlaidAtOnce() {
        EngineHarness h = twoClients(Fallback.OVERLAY);
        h.offline("alice@localhost/mobile");
        h.presences();
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c1");
        assertEquals(List.of(), h.presences());
        IQ execute = (IQ) h.take(p -> p instanceof IQ);
        h.engine.stanza(EngineHarness.parse("<iq from='alice@localhost' to='phone.localhost' type='error' id='"
                + execute.getID() + "'><error type='cancel'><internal-server-error "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"));
        Presence overlay = only(h.presences(), "bob@localhost");
        assertEquals("alice@localhost/laptop", overlay.getFrom().toString());
        assertShows(overlay, "dnd", "Working (On the phone)", null);
    }

    @Test
    void activityComposesWithResourceMode() {
        EngineHarness h = started("sip:alice@example.com = alice@localhost activity=on\n", Fallback.OVERLAY);
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:alice@example.com", PhoneEventType.RINGING, PhoneState.RINGING, AVAILABLE, "c1");
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1");
        assertShows(EngineHarness.last(h.presences(), "bob@localhost"), "dnd", "On the phone", 50);
        IQ publish = answer(h, "alice@localhost", "");
        assertTrue(publish.toXML().contains("<talking><on_the_phone/></talking><text>On the phone</text>"),
                publish.toXML());
        h.event("sip:alice@example.com", CALL_ENDED, AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        IQ retract = answer(h, "alice@localhost", "");
        assertTrue(retract.toXML().contains("<item id=\"current\"><activity xmlns=\"http://jabber.org/protocol/"
                + "activity\"/></item>"), retract.toXML());
        assertEquals(2, h.engine.remoteStats().activityPublications());
    }
}
