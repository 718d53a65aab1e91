package io.offhook.xmpp.privilege;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.dom4j.Element;
import org.xmpp.packet.Message;

/**
 * What a server granted the component (XEP-0356 section 4): access type per permission, e.g.
 * {@code roster -> get}, {@code presence -> roster}, {@code message -> outgoing}.
 *
 * @param server the server domain that granted them (the permission message's {@code from})
 * @param namespace {@code urn:xmpp:privilege:1} or {@code urn:xmpp:privilege:2}
 * @param access access name to type, lower case; permissions the server did not name are absent
 */
public record Permissions(String server, String namespace, Map<String, String> access) {
    /** XEP-0356 before version 0.4, as ejabberd 23.01 speaks it. */
    public static final String NS_V1 = "urn:xmpp:privilege:1";
    /** XEP-0356 from version 0.4, as Prosody's mod_privilege speaks it. */
    public static final String NS_V2 = "urn:xmpp:privilege:2";

    public Permissions {
        access = Map.copyOf(access);
    }

    /**
     * The permissions a message grants, or empty when it is not a permission message. An empty
     * {@code <privilege/>} (Prosody sends one to every user at login) grants nothing and yields permissions with no
     * access.
     */
    public static Optional<Permissions> from(Message message) {
        Element privilege = privilege(message.getElement());
        if (privilege == null || message.getFrom() == null) {
            return Optional.empty();
        }
        Map<String, String> access = new TreeMap<>();
        for (Element perm : privilege.elements("perm")) {
            String name = perm.attributeValue("access");
            String type = perm.attributeValue("type");
            if (name != null && type != null) {
                access.put(name.toLowerCase(Locale.ROOT), type.toLowerCase(Locale.ROOT));
            } else if (name != null && !perm.elements().isEmpty()) {
                access.put(name.toLowerCase(Locale.ROOT), "namespaces");
            }
        }
        return Optional.of(new Permissions(message.getFrom().toBareJID(), privilege.getNamespaceURI(), access));
    }

    /** Whether the component may get users' rosters. */
    public boolean rosterGet() {
        String type = access.get("roster");
        return "get".equals(type) || "both".equals(type);
    }

    /** Whether the server forwards users' presence to the component. */
    public boolean presence() {
        String type = access.get("presence");
        return "roster".equals(type) || "managed_entity".equals(type);
    }

    private static Element privilege(Element message) {
        for (Element child : message.elements("privilege")) {
            String ns = child.getNamespaceURI();
            if (NS_V1.equals(ns) || NS_V2.equals(ns)) {
                return child;
            }
        }
        return null;
    }
}
