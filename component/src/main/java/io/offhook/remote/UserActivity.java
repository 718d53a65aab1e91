package io.offhook.remote;

import io.offhook.xmpp.stream.XmlChars;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;

/**
 * XEP-0108 (User Activity) items and their XEP-0163 (PEP) publication.
 *
 * <p>During a call: {@code <activity><talking><on_the_phone/></talking><text>On the phone</text></activity>}
 * (section 3, the RPID "on-the-phone" mapping of section 4). After it: an empty {@code <activity/>}, which
 * section 2.2 defines as the "stop command". Published as item {@code current} of node
 * {@code http://jabber.org/protocol/activity}, with XEP-0060 publish-options asking for the {@code presence}
 * access model: only those who may see the user's presence receive it, the rule that holds in every mode (a node
 * the user configured otherwise makes the server refuse, and Offhook leaves it alone). The text carries no
 * {@code xml:lang}: it is the operator's configured presence text, whose language Offhook does not know.
 */
public final class UserActivity {
    /** The activity namespace, also the PEP node. */
    public static final String NS = "http://jabber.org/protocol/activity";
    /** XEP-0060 publish-subscribe. */
    public static final String NS_PUBSUB = "http://jabber.org/protocol/pubsub";
    /** The item id of a PEP singleton (XEP-0163 section 4.3). */
    public static final String ITEM_ID = "current";
    private static final String PUBLISH_OPTIONS = "http://jabber.org/protocol/pubsub#publish-options";

    private UserActivity() {
    }

    /** {@code talking/on_the_phone}, with {@code text} when it is not blank. */
    public static Element onThePhone(String text) {
        Element activity = DocumentHelper.createElement(QName.get("activity", NS));
        activity.addElement(QName.get("talking", NS)).addElement(QName.get("on_the_phone", NS));
        String clean = text == null ? "" : XmlChars.clean(text).strip();
        if (!clean.isEmpty()) {
            activity.addElement(QName.get("text", NS)).setText(clean);
        }
        return activity;
    }

    /** The empty {@code <activity/>}: the user does nothing Offhook knows of. */
    public static Element none() {
        return DocumentHelper.createElement(QName.get("activity", NS));
    }

    /** The {@code <pubsub/>} payload that publishes {@code activity} as the user's current one. */
    public static Element publish(Element activity) {
        Element pubsub = DocumentHelper.createElement(QName.get("pubsub", NS_PUBSUB));
        pubsub.addElement(QName.get("publish", NS_PUBSUB)).addAttribute("node", NS)
                .addElement(QName.get("item", NS_PUBSUB)).addAttribute("id", ITEM_ID).add(activity);
        Element x = pubsub.addElement(QName.get("publish-options", NS_PUBSUB))
                .addElement(QName.get("x", StatusForm.NS_DATA)).addAttribute("type", "submit");
        x.addElement(QName.get("field", StatusForm.NS_DATA)).addAttribute("var", "FORM_TYPE")
                .addAttribute("type", "hidden").addElement("value").setText(PUBLISH_OPTIONS);
        x.addElement(QName.get("field", StatusForm.NS_DATA)).addAttribute("var", "pubsub#access_model")
                .addElement("value").setText("presence");
        return pubsub;
    }
}
