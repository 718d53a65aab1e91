package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.caps.EntityCapsManager;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;

/**
 * A contact's client that shows user activities: it announces {@code http://jabber.org/protocol/activity+notify}
 * (XEP-0163 section 4: with XEP-0115 entity capabilities in its presence), so the server's PEP service sends it
 * every activity its contacts publish. It records each {@code <activity/>} it receives, in order, as XML.
 *
 * <p>Two things seen on Prosody 0.12 with Smack 4.4.8: Prosody sends each notification twice, to this full JID and
 * to the bare JID, with one id (counted once here); and Smack re-serialises the event with {@code <items/>} in the
 * pubsub namespace and {@code <item/>} in the event namespace, so the event is read by element names.
 */
final class ActivityWatcher implements AutoCloseable {
    static final String NS = "http://jabber.org/protocol/activity";
    private static final String NS_EVENT = "http://jabber.org/protocol/pubsub#event";

    /** One activity received: from whom, and the {@code <activity/>} element. */
    record Received(String from, Element activity) {
        /** Whether it is the empty activity, XEP-0108's "stop". */
        boolean empty() {
            return activity.elements().isEmpty();
        }

        @Override
        public String toString() {
            return from + ": " + activity.asXML();
        }
    }

    private final XMPPTCPConnection connection;
    private final String name;
    private final List<Received> received = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    /** Every message received, as XML, for failure messages (at most {@link #KEEP}). */
    private final List<String> messages = new ArrayList<>();
    private static final int KEEP = 50;
    /** Whom this client answered a caps query (disco#info): the PEP services of its contacts, and its own. */
    private final Set<String> capsAnsweredTo = ConcurrentHashMap.newKeySet();

    private ActivityWatcher(XMPPTCPConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    static ActivityWatcher login(XmppServer server, String user, String password, String resource)
            throws IOException {
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(server.domain())
                .setHostAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))
                .setPort(server.c2sPort())
                .setUsernameAndPassword(user, password)
                .setResource(resource)
                .setSecurityMode(SecurityMode.disabled)
                .setConnectTimeout(5_000)
                .build();
        XMPPTCPConnection connection = new XMPPTCPConnection(config);
        connection.setUseStreamManagement(false);
        ActivityWatcher w = new ActivityWatcher(connection, user + "@" + server.domain() + "/" + resource);
        EntityCapsManager.getInstanceFor(connection).enableEntityCaps();
        ServiceDiscoveryManager.getInstanceFor(connection).addFeature(NS + "+notify");
        connection.addSyncStanzaListener(w::message, StanzaTypeFilter.MESSAGE);
        // Smack hands IQ requests to their handlers only, never to listeners: the answer is what can be seen.
        connection.addStanzaSendingListener(w::sent, StanzaTypeFilter.IQ);
        try {
            connection.connect();
            connection.login();
        } catch (SmackException | XMPPException e) {
            connection.disconnect();
            return fail(w.name + " could not log in: " + e + "\n" + server.logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.disconnect();
            return fail("interrupted while " + w.name + " logged in", e);
        }
        return w;
    }

    private void message(Stanza stanza) {
        synchronized (this) {
            if (messages.size() < KEEP) {
                messages.add(stanza.toXML().toString());
            }
        }
        Element root;
        try {
            root = DocumentHelper.parseText(stanza.toXML().toString()).getRootElement();
        } catch (DocumentException e) {
            return;
        }
        Element event = root.element(QName.get("event", NS_EVENT));
        Element items = event == null ? null : event.element("items");
        if (items == null || !NS.equals(items.attributeValue("node"))) {
            return;
        }
        synchronized (this) {
            if (stanza.getStanzaId() != null && !ids.add(stanza.getStanzaId())) {
                return;
            }
            for (Element item : items.elements("item")) {
                Element activity = item.element(QName.get("activity", NS));
                if (activity != null) {
                    received.add(new Received(String.valueOf(stanza.getFrom()), activity.createCopy()));
                }
            }
        }
    }

    /** Notes the answer to a PEP service's caps query (disco#info): it then knows this client wants activities. */
    private void sent(Stanza stanza) {
        if (stanza instanceof IQ iq && iq.getType() == IQ.Type.result && stanza.toXML().toString().contains(
                "http://jabber.org/protocol/disco#info")) {
            capsAnsweredTo.add(String.valueOf(stanza.getTo()));
        }
    }

    /**
     * Waits until this client answered {@code bareJid}'s caps query: when this client's presence reaches a contact,
     * the contact's PEP service asks for the features behind a caps hash it does not know yet (Prosody asks for the
     * user's own service as well, in parallel), and then sends activities to clients with +notify.
     */
    void awaitCapsAnsweredTo(String bareJid, Duration timeout) {
        Await.until(timeout, () -> capsAnsweredTo.contains(bareJid), () -> name + " did not answer a caps query of "
                + bareJid + " (answered " + capsAnsweredTo + ")");
    }

    /** Every activity received from {@code bareJid} so far. */
    synchronized List<Received> from(String bareJid) {
        return received.stream().filter(r -> r.from().equals(bareJid)).toList();
    }

    /** Waits until at least {@code count} activities came from {@code bareJid}; returns them all. */
    List<Received> await(String bareJid, int count, Duration timeout) {
        Await.until(timeout, () -> from(bareJid).size() >= count, () -> name + " received " + from(bareJid).size()
                + " activities from " + bareJid + ", expected " + count + ": " + from(bareJid) + "; messages: "
                + messages());
        return from(bareJid);
    }

    private synchronized List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
