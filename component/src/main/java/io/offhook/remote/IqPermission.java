package io.offhook.remote;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.dom4j.Element;
import org.dom4j.QName;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Message;

/**
 * The XEP-0356 {@code iq} permission a server granted (section 4, namespace 2): which payload namespaces the
 * component may send privileged IQs with, and of which type. Prosody lists them as
 * {@code <perm access='iq'><namespace ns='...' type='set'/></perm>}, but prosody-modules' mod_privilege of
 * 2023-02-23 (Debian 12) NESTS each {@code <namespace/>} in the previous one (it never closes them), so every
 * {@code namespace} element inside the permission counts, at any depth. ejabberd 23.01 has no such permission.
 *
 * @param server the domain that granted it
 * @param namespaces payload namespace to {@code get}, {@code set} or {@code both}
 */
public record IqPermission(String server, Map<String, String> namespaces) {
    public IqPermission {
        namespaces = Map.copyOf(namespaces);
    }

    /**
     * The IQ permission a permission message grants: empty when the message is no permission message, a permission
     * with no namespaces when it grants no {@code iq}.
     */
    public static Optional<IqPermission> from(Message message) {
        if (message.getFrom() == null) {
            return Optional.empty();
        }
        Element privilege = message.getElement().element(QName.get("privilege", PrivilegedIq.NS));
        if (privilege == null) {
            privilege = message.getElement().element(QName.get("privilege", "urn:xmpp:privilege:1"));
        }
        if (privilege == null) {
            return Optional.empty();
        }
        Map<String, String> granted = new TreeMap<>();
        for (Element perm : privilege.elements("perm")) {
            if (!"iq".equalsIgnoreCase(perm.attributeValue("access"))) {
                continue;
            }
            collect(perm, granted, 0);
        }
        return Optional.of(new IqPermission(message.getFrom().toBareJID(), granted));
    }

    /** The {@code namespace} children of {@code parent} and, nested, theirs (bounded by the stanza's own depth). */
    private static void collect(Element parent, Map<String, String> granted, int depth) {
        if (depth > 64) {
            return;
        }
        for (Element ns : parent.elements("namespace")) {
            String name = ns.attributeValue("ns");
            String type = ns.attributeValue("type");
            if (name != null && type != null) {
                granted.put(name, type.toLowerCase(Locale.ROOT));
            }
            collect(ns, granted, depth + 1);
        }
    }

    /** Whether privileged IQs of {@code type} with a payload in {@code namespace} are allowed. */
    public boolean allows(String namespace, IQ.Type type) {
        String granted = namespaces.get(namespace);
        return granted != null && (granted.equals("both") || granted.equals(type.toString()));
    }
}
