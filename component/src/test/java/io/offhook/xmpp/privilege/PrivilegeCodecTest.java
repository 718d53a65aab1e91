package io.offhook.xmpp.privilege;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.xmpp.privilege.RosterQuery.Subscription;
import java.util.Map;
import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;

class PrivilegeCodecTest {
    private static Message message(String xml) throws DocumentException {
        return new Message(DocumentHelper.parseText(xml).getRootElement());
    }

    @Test
    void readsBothVersionsOfThePermissionMessage() throws DocumentException {
        Permissions v2 = Permissions.from(message("<message from='localhost' to='phone.localhost'>"
                + "<privilege xmlns='urn:xmpp:privilege:2'><perm access='roster' type='get'/>"
                + "<perm access='presence' type='roster'/><perm access='iq'><namespace ns='urn:x' type='set'/></perm>"
                + "</privilege></message>")).orElseThrow();
        assertEquals("localhost", v2.server());
        assertTrue(v2.rosterGet());
        assertTrue(v2.presence());
        assertEquals("namespaces", v2.access().get("iq"));
        Permissions v1 = Permissions.from(message("<message from='localhost'>"
                + "<privilege xmlns='urn:xmpp:privilege:1'><perm access='roster' type='both'/>"
                + "<perm access='presence' type='managed_entity'/></privilege></message>")).orElseThrow();
        assertTrue(v1.rosterGet());
        assertTrue(v1.presence());
        Permissions none = Permissions.from(message("<message from='localhost'>"
                + "<privilege xmlns='urn:xmpp:privilege:2'/></message>")).orElseThrow();
        assertFalse(none.rosterGet());
        assertTrue(Permissions.from(message("<message from='localhost'><body>hi</body></message>")).isEmpty());
        assertTrue(Permissions.from(message("<message from='localhost'>"
                + "<privilege xmlns='urn:example'/></message>")).isEmpty());
    }

    @Test
    void buildsTheRosterGetAndReadsItsItems() throws DocumentException {
        IQ get = RosterQuery.get(new JID("phone.localhost"), new JID("alice@localhost/laptop"), "r1");
        assertEquals("<iq type=\"get\" id=\"r1\" from=\"phone.localhost\" to=\"alice@localhost\">"
                + "<query xmlns=\"jabber:iq:roster\"/></iq>", get.toXML());
        IQ result = new IQ(DocumentHelper.parseText("<iq type='result' id='r1'><query xmlns='jabber:iq:roster'>"
                + "<item jid='bob@localhost' subscription='both'/><item jid='dave@localhost' subscription='to'/>"
                + "<item jid='erin@localhost/ignored' subscription='from'/><item jid='x@localhost'/>"
                + "<item jid='gone@localhost' subscription='remove'/><item subscription='both'/>"
                + "<item jid='odd@localhost' subscription='weird'/></query></iq>").getRootElement());
        Map<JID, Subscription> items = RosterQuery.items(result);
        assertEquals(Subscription.BOTH, items.get(new JID("bob@localhost")));
        assertEquals(Subscription.TO, items.get(new JID("dave@localhost")));
        assertEquals(Subscription.FROM, items.get(new JID("erin@localhost")));
        assertEquals(Subscription.NONE, items.get(new JID("x@localhost")));
        assertEquals(Subscription.NONE, items.get(new JID("odd@localhost")));
        assertFalse(items.containsKey(new JID("gone@localhost")));
        assertEquals(5, items.size());
        assertTrue(Subscription.BOTH.contactSeesUser() && Subscription.FROM.contactSeesUser());
        assertFalse(Subscription.TO.contactSeesUser() || Subscription.NONE.contactSeesUser());
    }
}
