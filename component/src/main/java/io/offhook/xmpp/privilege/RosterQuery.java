package io.offhook.xmpp.privilege;

import java.util.HashMap;
import java.util.Map;
import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;

/**
 * A privileged roster get (XEP-0356 section 5) and the items of its result. Only items that let the user's
 * presence flow to the contact count for publishing; the rest are kept so a change can be told apart from an
 * absence.
 */
public final class RosterQuery {
    /** The roster namespace (RFC 6121 section 2). */
    public static final String NS = "jabber:iq:roster";

    private RosterQuery() {
    }

    /** The roster get the component sends on {@code user}'s behalf. */
    public static IQ get(JID component, JID user, String id) {
        IQ iq = new IQ(IQ.Type.get, id);
        iq.setFrom(component);
        iq.setTo(user.asBareJID());
        iq.setChildElement("query", NS);
        return iq;
    }

    /**
     * The items of a roster result: contact bare JID to subscription. Items whose JID does not parse are left out
     * (counted by the caller as the difference to the element count if it cares); an unknown subscription counts as
     * {@link Subscription#NONE}.
     */
    public static Map<JID, Subscription> items(IQ result) {
        Map<JID, Subscription> items = new HashMap<>();
        Element query = result.getChildElement();
        if (query == null || !NS.equals(query.getNamespaceURI())) {
            return items;
        }
        for (Element item : query.elements("item")) {
            String jid = item.attributeValue("jid");
            if (jid == null) {
                continue;
            }
            JID contact;
            try {
                contact = new JID(jid).asBareJID();
            } catch (IllegalArgumentException bad) {
                continue;
            }
            Subscription subscription = Subscription.parse(item.attributeValue("subscription"));
            if (subscription != Subscription.REMOVE) {
                items.put(contact, subscription);
            }
        }
        return items;
    }

    /** A roster item's subscription state (RFC 6121 section 2.1.2.5). */
    public enum Subscription {
        NONE, TO, FROM, BOTH, REMOVE;

        /** Whether the user's presence may flow to this contact: {@code from} or {@code both}. */
        public boolean contactSeesUser() {
            return this == FROM || this == BOTH;
        }

        static Subscription parse(String text) {
            if (text == null) {
                return NONE;
            }
            return switch (text) {
                case "to" -> TO;
                case "from" -> FROM;
                case "both" -> BOTH;
                case "remove" -> REMOVE;
                default -> NONE;
            };
        }
    }
}
