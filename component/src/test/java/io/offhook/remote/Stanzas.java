package io.offhook.remote;

import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Message;
import org.xmpp.packet.Presence;

/**
 * Stanzas for the tests: the ones marked "recorded" were captured on loopback from Prosody 0.12.3 with
 * prosody-modules mod_privilege (2023-02-23) and a raw client, ids as they were; the forms are XEP-0146's example
 * (section 4.1) and what Smack's AdHocCommandManager returns.
 */
final class Stanzas {
    private Stanzas() {
    }

    /** Recorded: the disco#items answer of a client listing set-status, as the component receives it. */
    static final String DISCO_ANSWER = "<iq from='alice@localhost' to='phone.localhost' type='result' id='o1'>"
            + "<privilege xmlns='urn:xmpp:privilege:2'><forwarded xmlns='urn:xmpp:forward:0'>"
            + "<iq id='i1' xml:lang='en' xmlns='jabber:client' type='result' from='alice@localhost/laptop'>"
            + "<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'>"
            + "<item jid='alice@localhost/laptop' name='Set status' node='http://jabber.org/protocol/rc#set-status'/>"
            + "</query></iq></forwarded></privilege></iq>";

    /** Recorded: the client answered the command with an error; Prosody says only this. */
    static final String CLIENT_ERROR = "<iq from='alice@localhost' to='phone.localhost' type='error' id='o2'>"
            + "<error type='cancel'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";

    /** Recorded: a privileged IQ to a resource that is gone; Prosody answered for it, wrapped in a result. */
    static final String GONE = "<iq from='alice@localhost' to='phone.localhost' type='result' id='o3'>"
            + "<privilege xmlns='urn:xmpp:privilege:2'><forwarded xmlns='urn:xmpp:forward:0'>"
            + "<iq from='alice@localhost/gone' to='alice@localhost' xmlns='jabber:client' type='error' id='i3'>"
            + "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
            + "</iq></forwarded></privilege></iq>";

    /** Recorded: a PEP publication through a privileged IQ (to the bare JID), accepted. */
    static final String PUBLISHED = "<iq from='alice@localhost' to='phone.localhost' type='result' id='o4'>"
            + "<privilege xmlns='urn:xmpp:privilege:2'><forwarded xmlns='urn:xmpp:forward:0'>"
            + "<iq id='i4' to='alice@localhost' type='result' xmlns='jabber:client'>"
            + "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='http://jabber.org/protocol/activity'>"
            + "<item id='current'/></publish></pubsub></iq></forwarded></privilege></iq>";

    /** Recorded: a privileged IQ whose namespace and type the permission does not list. */
    static final String FORBIDDEN = "<iq from='alice@localhost' to='phone.localhost' type='error' id='o7'>"
            + "<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>you are not allowed to send privileged &lt;IQ&gt; "
            + "stanzas of this type and namespace</text></error></iq>";

    /**
     * Recorded: Prosody's permission message with four IQ namespaces granted. mod_privilege nests each
     * {@code <namespace/>} in the previous one.
     */
    static final String PROSODY_PERMISSIONS = "<message from='localhost' to='phone.localhost'>"
            + "<privilege xmlns='urn:xmpp:privilege:2'><perm access='roster' type='get'/>"
            + "<perm access='message' type='outgoing'/><perm access='presence' type='roster'/><perm access='iq'>"
            + "<namespace ns='http://jabber.org/protocol/commands' type='set'>"
            + "<namespace ns='http://jabber.org/protocol/pubsub' type='set'>"
            + "<namespace ns='http://jabber.org/protocol/disco#items' type='get'>"
            + "<namespace ns='http://jabber.org/protocol/disco#info' type='get'/></namespace></namespace></namespace>"
            + "</perm></privilege></message>";

    /** Recorded (FINDINGS.md 1): ejabberd 23.01's, with no IQ permission. */
    static final String EJABBERD_PERMISSIONS = "<message to='phone.localhost' from='localhost'>"
            + "<privilege xmlns='urn:xmpp:privilege:1'><perm type='outgoing' access='message'/>"
            + "<perm type='get' access='roster'/><perm type='roster' access='presence'/></privilege></message>";

    /** XEP-0146 section 4.1, example 2: the form of a client that is online with priority 5, no message. */
    static final String XEP_FORM = "<command xmlns='http://jabber.org/protocol/commands'"
            + " node='http://jabber.org/protocol/rc#set-status' sessionid='set-status:20040727T0337Z'"
            + " status='executing'><x xmlns='jabber:x:data' type='form'><title>Change Status</title>"
            + "<instructions>Choose the status and status message</instructions>"
            + "<field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/rc</value></field>"
            + "<field label='Status' type='list-single' var='status'><required/><value>online</value>"
            + "<option label='Chat'><value>chat</value></option><option label='Online'><value>online</value></option>"
            + "<option label='Away'><value>away</value></option>"
            + "<option label='Extended Away'><value>xa</value></option>"
            + "<option label='Do Not Disturb'><value>dnd</value></option>"
            + "<option label='Invisible'><value>invisible</value></option>"
            + "<option label='Offline'><value>offline</value></option></field>"
            + "<field label='Priority' type='text-single' var='status-priority'><value>5</value></field>"
            + "<field label='Message' type='text-multi' var='status-message'/></x></command>";

    static Element element(String xml) {
        try {
            return DocumentHelper.parseText(xml).getRootElement();
        } catch (DocumentException e) {
            throw new IllegalArgumentException(xml, e);
        }
    }

    static IQ iq(String xml) {
        return new IQ(element(xml));
    }

    static Message message(String xml) {
        return new Message(element(xml));
    }

    static Presence presence(String xml) {
        return new Presence(element(xml));
    }
}
