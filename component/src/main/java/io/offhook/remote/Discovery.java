package io.offhook.remote;

import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;

/**
 * How Offhook learns whether a client can be remote-controlled: XEP-0146 section 3 says a client MUST advertise its
 * remote-controlling commands through service discovery as XEP-0050 section 2.2 describes, that is as items of
 * the node {@code http://jabber.org/protocol/commands} (XEP-0030 disco#items).
 */
public final class Discovery {
    /** XEP-0030 items. */
    public static final String NS_ITEMS = "http://jabber.org/protocol/disco#items";

    private Discovery() {
    }

    /** The disco#items query for the client's command list. */
    public static Element commandsQuery() {
        return DocumentHelper.createElement(QName.get("query", NS_ITEMS)).addAttribute("node", AdHocCommands.NS);
    }

    /** Whether a disco#items result lists {@code node} (any item's {@code node}, whatever its {@code jid}). */
    public static boolean lists(Element query, String node) {
        if (query == null || !"query".equals(query.getName()) || !NS_ITEMS.equals(query.getNamespaceURI())) {
            return false;
        }
        for (Element item : query.elements("item")) {
            if (node.equals(item.attributeValue("node"))) {
                return true;
            }
        }
        return false;
    }
}
