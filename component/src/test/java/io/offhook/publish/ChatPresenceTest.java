package io.offhook.publish;

import static io.offhook.tap.track.PhoneEventType.ON_THE_PHONE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.presence.PresentationMode;
import io.offhook.presence.Show;
import io.offhook.tap.publish.out.ChatState;
import io.offhook.tap.publish.out.ChatStatus;
import io.offhook.tap.track.PhoneState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.JID;
import org.xmpp.packet.Presence;

/**
 * What the engine tells the chat presence listener (chat presence into SIP): each mapped user's own real
 * presence, never Offhook's own (the phone resource, overlay echoes, gateway contacts), so nothing loops.
 */
class ChatPresenceTest {
    private static final String MAP = "sip:alice@example.com = alice@localhost\n"
            + "sip:*@pbx.example.net = *@localhost\n";

    private final List<String> told = new ArrayList<>();

    private EngineHarness started(PresentationMode mode) {
        EngineSettings d = EngineSettings.defaults(EngineHarness.COMPONENT);
        EngineHarness h = new EngineHarness(MAP, new EngineSettings(d.component(), d.phoneResource(), mode,
                d.combineFormat(), d.rosterRefresh(), d.rosterTimeout(), d.rosterRequestsInFlight(),
                d.gatewayPolicy()));
        h.engine.chatPresenceListener(new ChatPresenceListener() {
            @Override
            public void changed(ChatPresence p) {
                told.add(p.entity() + " " + (p.online() ? p.show().configName() : "offline") + " " + p.status());
            }

            @Override
            public void gone(JID user, String entity) {
                told.add("gone " + entity);
            }
        });
        h.connectAndGrant();
        h.answerRoster("alice@localhost", "bob@localhost=both");
        return h;
    }

    @Test
    void theBestRealResourceIsToldOnEachChangeAndOfflineAtTheEnd() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.online("alice@localhost/laptop", "away", "Lunch");
        h.online("alice@localhost/laptop", "away", "Lunch");
        h.engine.stanza(presenceWithPriority("alice@localhost/desk", "dnd", "Focus", 5));
        h.offline("alice@localhost/desk");
        h.offline("alice@localhost/laptop");
        assertEquals(List.of("sip:alice@example.com away Lunch", "sip:alice@example.com dnd Focus",
                "sip:alice@example.com away Lunch", "sip:alice@example.com offline "), told);
    }

    @Test
    void usersOfADomainRuleArePublishedAsTheAddressTheRuleDerivesAndUnmappedUsersNot() {
        EngineHarness h = started(PresentationMode.RESOURCE);
        h.online("carol@localhost/pc", null, null);
        h.online("zoe@elsewhere.example/pc", null, null);
        assertEquals(List.of("sip:carol@pbx.example.net available "), told);
        h.engine.mappingChanged(EngineHarness.identities("sip:alice@example.com = alice@localhost\n"));
        assertEquals(List.of("sip:carol@pbx.example.net available ", "gone sip:carol@pbx.example.net"), told);
    }

    @Test
    void offhooksOwnPhoneResourceAndOverlayEchoesAreNeverTold() {
        EngineHarness h = started(PresentationMode.OVERLAY);
        h.online("alice@localhost/laptop", null, "Working");
        told.clear();
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.AVAILABLE, "c1");
        Presence ours = EngineHarness.to(h.presences(), "bob@localhost").orElseThrow();
        // The overlay come back (ejabberd forwards what contacts receive), with and without Offhook's id.
        h.engine.stanza(EngineHarness.presence("alice@localhost/laptop", "dnd", "Working (On the phone)",
                ours.getID()));
        h.engine.stanza(EngineHarness.presence("alice@localhost/laptop", "dnd", "Working (On the phone)", null));
        // The phone resource (resource mode, or the login fallback's session) as the server forwards it.
        h.online("alice@localhost/phone", "dnd", "On the phone");
        // A gateway contact's presence as a contact receives it.
        h.online("alice@phone.localhost/phone", "dnd", "On the phone");
        assertEquals(List.of(), told, "Offhook's own presence must never be published as chat presence");
        h.online("alice@localhost/laptop", "xa", "Gone home");
        assertEquals(List.of("sip:alice@example.com xa Gone home"), told);
    }

    @Test
    void showsMapToChatStates() {
        JID alice = new JID("alice@localhost");
        assertEquals(new ChatState(ChatStatus.DND, "Focus"),
                new ChatPresence(alice, "sip:a@b", true, Show.DND, "Focus").state());
        assertEquals(ChatState.OFFLINE, new ChatPresence(alice, "sip:a@b", false, Show.DND, "Focus").state());
        assertEquals(ChatStatus.CHAT, new ChatPresence(alice, "sip:a@b", true, Show.CHAT, null).state().status());
    }

    private static Presence presenceWithPriority(String from, String show, String status, int priority) {
        Presence p = EngineHarness.presence(from, show, status, null);
        p.setPriority(priority);
        return p;
    }
}
