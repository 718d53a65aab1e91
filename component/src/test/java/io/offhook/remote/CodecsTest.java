package io.offhook.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.Show;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.PacketError;

/** The remote-control and activity codecs against literal XML: what the specs show and Prosody really sent. */
class CodecsTest {
    private static final JID COMPONENT = new JID("phone.localhost");
    private static final JID ALICE = new JID("alice@localhost");
    private static final JID LAPTOP = new JID("alice@localhost/laptop");

    @Test
    void theXepsFormIsReadWithItsCurrentValuesAndOptions() {
        StatusForm form = StatusForm.parse(Stanzas.element(Stanzas.XEP_FORM));
        assertEquals(RcStatus.ONLINE, form.status());
        assertEquals(Optional.of(5), form.priority());
        assertEquals("", form.message());
        assertEquals(List.of(RcStatus.values()), form.offered());
        assertEquals(Optional.of(new ClientStatus(Show.AVAILABLE, "")), form.shows());
        assertTrue(form.offers(Show.DND));
    }

    @Test
    void aMultiLineMessageAndAnOddPriority() {
        StatusForm form = StatusForm.parse(Stanzas.element("<command xmlns='http://jabber.org/protocol/commands' "
                + "status='executing' sessionid='s'><x xmlns='jabber:x:data' type='form'>"
                + "<field var='status'><value>xa</value><option><value>online</value></option>"
                + "<option><value>xa</value></option></field>"
                + "<field var='status-priority'><value>high</value></field>"
                + "<field var='status-message'><value>Away</value><value>back at 3</value></field></x></command>"));
        assertEquals(Optional.of(new ClientStatus(Show.XA, "Away\nback at 3")), form.shows());
        assertEquals(Optional.empty(), form.priority(), "not a number: left out of the submission");
        assertFalse(form.offers(Show.DND));
        assertTrue(form.offers(Show.XA));
        StatusForm invisible = StatusForm.parse(Stanzas.element("<command xmlns='http://jabber.org/protocol/commands'>"
                + "<x xmlns='jabber:x:data' type='form'><field var='status'><value>invisible</value></field></x>"
                + "</command>"));
        assertEquals(Optional.empty(), invisible.shows());
    }

    @Test
    void aFormOffhookCannotUseSaysWhy() {
        String head = "<command xmlns='http://jabber.org/protocol/commands'>";
        assertEquals("the command returned no data form", assertThrows(IllegalArgumentException.class,
                () -> StatusForm.parse(Stanzas.element(head + "</command>"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StatusForm.parse(Stanzas.element(head
                + "<x xmlns='jabber:x:data'><field var='FORM_TYPE'><value>urn:other</value></field>"
                + "<field var='status'><value>dnd</value></field></x></command>"))).getMessage()
                .contains("FORM_TYPE is 'urn:other'"));
        assertEquals("the form has no 'status' field", assertThrows(IllegalArgumentException.class,
                () -> StatusForm.parse(Stanzas.element(head + "<x xmlns='jabber:x:data'/></command>"))).getMessage());
        assertEquals("the form's status 'busy' is none of XEP-0146's values", assertThrows(
                IllegalArgumentException.class, () -> StatusForm.parse(Stanzas.element(head
                        + "<x xmlns='jabber:x:data'><field var='status'><value>busy</value></field></x></command>")))
                .getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new StatusForm(RcStatus.DND, Optional.of(200), "", List.of()));
    }

    @Test
    void theSubmissionKeepsTheClientsPriorityAndSplitsLines() {
        StatusForm form = StatusForm.parse(Stanzas.element(Stanzas.XEP_FORM));
        assertEquals("<command xmlns=\"http://jabber.org/protocol/commands\" "
                + "node=\"http://jabber.org/protocol/rc#set-status\" sessionid=\"set-status:20040727T0337Z\">"
                + "<x xmlns=\"jabber:x:data\" type=\"submit\">"
                + "<field type=\"hidden\" var=\"FORM_TYPE\"><value>http://jabber.org/protocol/rc</value></field>"
                + "<field type=\"list-single\" var=\"status\"><value>dnd</value></field>"
                + "<field type=\"text-single\" var=\"status-priority\"><value>5</value></field>"
                + "<field type=\"text-multi\" var=\"status-message\"><value>On the phone</value></field></x>"
                + "</command>",
                form.submit("set-status:20040727T0337Z", new ClientStatus(Show.DND, "On the phone")).asXML());
        StatusForm noPriority = new StatusForm(RcStatus.AWAY, Optional.empty(), "", List.of());
        String xml = noPriority.submit("s", new ClientStatus(Show.AVAILABLE, "Working\nfrom home")).asXML();
        assertTrue(xml.contains("<value>online</value>"), xml);
        assertFalse(xml.contains("status-priority"), "no priority given: none sent, so the client keeps its own");
        assertTrue(xml.contains("<value>Working</value><value>from home</value>"), xml);
        String empty = noPriority.submit("s", new ClientStatus(Show.AWAY, "")).asXML();
        assertTrue(empty.contains("var=\"status-message\"><value></value></field>"), "an empty message clears it: "
                + empty);
    }

    @Test
    void commandsExecuteCancelAndAnswers() {
        assertEquals("<command xmlns=\"http://jabber.org/protocol/commands\" "
                + "node=\"http://jabber.org/protocol/rc#set-status\" action=\"execute\"/>",
                AdHocCommands.execute(RemoteControl.NODE_SET_STATUS).asXML());
        assertEquals("<command xmlns=\"http://jabber.org/protocol/commands\" "
                + "node=\"http://jabber.org/protocol/rc#set-status\" sessionid=\"s1\" action=\"cancel\"/>",
                AdHocCommands.cancel(RemoteControl.NODE_SET_STATUS, "s1").asXML());
        AdHocCommands.Reply form = AdHocCommands.parse(Stanzas.element(Stanzas.XEP_FORM));
        assertEquals(AdHocCommands.Status.EXECUTING, form.status());
        assertEquals(Optional.of("set-status:20040727T0337Z"), form.sessionId());
        AdHocCommands.Reply done = AdHocCommands.parse(Stanzas.element(
                "<command xmlns='http://jabber.org/protocol/commands' node='n' sessionid='s' status='completed'>"
                        + "<note type='error'>Not now</note></command>"));
        assertEquals(AdHocCommands.Status.COMPLETED, done.status());
        assertEquals(Optional.of("Not now"), done.errorNote());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdHocCommands.parse(Stanzas.element(
                "<command xmlns='http://jabber.org/protocol/commands' status='running'/>"))).getMessage()
                .contains("'running'"));
        assertThrows(IllegalArgumentException.class, () -> AdHocCommands.parse(Stanzas.element("<query xmlns='x'/>")));
    }

    @Test
    void aPrivilegedIqWrapsTheClientIqAsProsodyRequires() {
        IQ iq = PrivilegedIq.wrap(COMPONENT, LAPTOP, IQ.Type.get, "offhook-rc-1", LAPTOP, Discovery.commandsQuery());
        assertEquals("<iq type=\"get\" id=\"offhook-rc-1\" from=\"phone.localhost\" to=\"alice@localhost\">"
                + "<privileged_iq xmlns=\"urn:xmpp:privilege:2\">"
                + "<iq xmlns=\"jabber:client\" type=\"get\" id=\"offhook-rc-1\" to=\"alice@localhost/laptop\">"
                + "<query xmlns=\"http://jabber.org/protocol/disco#items\" "
                + "node=\"http://jabber.org/protocol/commands\"/>"
                + "</iq></privileged_iq></iq>", iq.toXML());
    }

    @Test
    void answersAsProsodyReallySendsThem() {
        PrivilegedIq.Answer disco = assertInstanceOf(PrivilegedIq.Answer.class,
                PrivilegedIq.unwrap(Stanzas.iq(Stanzas.DISCO_ANSWER)));
        assertEquals("alice@localhost/laptop", disco.iq().getFrom().toString());
        assertTrue(Discovery.lists(disco.payload(), RemoteControl.NODE_SET_STATUS));
        assertFalse(Discovery.lists(disco.payload(), "http://jabber.org/protocol/rc#forward"));
        assertFalse(Discovery.lists(null, RemoteControl.NODE_SET_STATUS));

        PrivilegedIq.Failed client = assertInstanceOf(PrivilegedIq.Failed.class,
                PrivilegedIq.unwrap(Stanzas.iq(Stanzas.CLIENT_ERROR)));
        assertEquals(PacketError.Condition.internal_server_error, client.condition());
        assertTrue(client.wrapper());
        PrivilegedIq.Failed gone = assertInstanceOf(PrivilegedIq.Failed.class,
                PrivilegedIq.unwrap(Stanzas.iq(Stanzas.GONE)));
        assertEquals(PacketError.Condition.service_unavailable, gone.condition());
        assertFalse(gone.wrapper(), "the server answered for the gone resource, inside a result");
        PrivilegedIq.Failed forbidden = assertInstanceOf(PrivilegedIq.Failed.class,
                PrivilegedIq.unwrap(Stanzas.iq(Stanzas.FORBIDDEN)));
        assertEquals("forbidden: you are not allowed to send privileged <IQ> stanzas of this type and namespace",
                forbidden.describe());
        assertInstanceOf(PrivilegedIq.Answer.class, PrivilegedIq.unwrap(Stanzas.iq(Stanzas.PUBLISHED)));
        assertInstanceOf(PrivilegedIq.Failed.class, PrivilegedIq.unwrap(Stanzas.iq(
                "<iq type='result' id='x' from='alice@localhost'/>")));
    }

    @Test
    void theActivityItemsAndTheirPublication() {
        assertEquals("<activity xmlns=\"http://jabber.org/protocol/activity\"><talking><on_the_phone/></talking>"
                + "<text>On the phone</text></activity>", UserActivity.onThePhone(" On the phone ").asXML());
        assertEquals("<activity xmlns=\"http://jabber.org/protocol/activity\"><talking><on_the_phone/></talking>"
                + "</activity>", UserActivity.onThePhone("  ").asXML());
        assertEquals("\uFFFD", UserActivity.onThePhone("\u0001").elementText("text"), "made valid XML");
        assertEquals("<pubsub xmlns=\"http://jabber.org/protocol/pubsub\">"
                + "<publish node=\"http://jabber.org/protocol/activity\"><item id=\"current\">"
                + "<activity xmlns=\"http://jabber.org/protocol/activity\"/></item></publish>"
                + "<publish-options><x xmlns=\"jabber:x:data\" type=\"submit\">"
                + "<field var=\"FORM_TYPE\" type=\"hidden\">"
                + "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
                + "<field var=\"pubsub#access_model\"><value>presence</value></field></x></publish-options>"
                + "</pubsub>", UserActivity.publish(UserActivity.none()).asXML());
    }

    @Test
    void iqPermissionsOfBothServers() {
        IqPermission prosody = IqPermission.from(Stanzas.message(Stanzas.PROSODY_PERMISSIONS)).orElseThrow();
        assertEquals("localhost", prosody.server());
        assertTrue(prosody.allows(AdHocCommands.NS, IQ.Type.set));
        assertFalse(prosody.allows(AdHocCommands.NS, IQ.Type.get));
        assertTrue(prosody.allows(Discovery.NS_ITEMS, IQ.Type.get));
        assertTrue(prosody.allows(UserActivity.NS_PUBSUB, IQ.Type.set));
        assertEquals(4, prosody.namespaces().size(), "nested ones count: " + prosody);
        IqPermission ejabberd = IqPermission.from(Stanzas.message(Stanzas.EJABBERD_PERMISSIONS)).orElseThrow();
        assertEquals(Map.of(), ejabberd.namespaces());
        assertTrue(IqPermission.from(Stanzas.message("<message from='localhost'><body>hi</body></message>")).isEmpty());
        IqPermission both = new IqPermission("x", Map.of("urn:a", "both"));
        assertTrue(both.allows("urn:a", IQ.Type.get) && both.allows("urn:a", IQ.Type.set));
    }
}
