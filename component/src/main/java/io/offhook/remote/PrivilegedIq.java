package io.offhook.remote;

import java.util.Objects;
import java.util.Optional;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.PacketError;

/**
 * XEP-0356 privileged IQ (namespace 2, as Prosody's {@code mod_privilege} speaks it): an IQ the component sends "as"
 * a user, and the answer that comes back.
 *
 * <p>What Prosody requires (verified on 0.12 with prosody-modules 2023-02-23): the outer IQ goes to the user's bare
 * JID; the wrapped {@code <iq xmlns='jabber:client'/>} has the outer's type, an id and exactly one payload element,
 * whose namespace the permission lists for that type. The wrapped IQ then reaches its {@code to} from the user's
 * bare JID. The answer comes back as a result wrapping {@code <privilege><forwarded><iq/>} (also when the server
 * itself answered the wrapped IQ with an error, e.g. {@code service-unavailable} for a resource that is gone); an
 * error the client returned, or no answer within the server's own 120 s, comes back as a bare
 * {@code internal-server-error}; a missing permission as {@code forbidden} with a text.
 */
public final class PrivilegedIq {
    /** XEP-0356 from version 0.4, the only one with an IQ permission. */
    public static final String NS = "urn:xmpp:privilege:2";
    /** XEP-0297 Stanza Forwarding. */
    public static final String NS_FORWARD = "urn:xmpp:forward:0";
    private static final String NS_CLIENT = "jabber:client";

    private PrivilegedIq() {
    }

    /** What came back for a privileged IQ. */
    public sealed interface Outcome permits Answer, Failed {
    }

    /** The wrapped IQ was answered with a result. */
    public record Answer(IQ iq) implements Outcome {
        public Answer {
            Objects.requireNonNull(iq, "iq");
        }

        /** The answer's payload, or null for an empty result. */
        public Element payload() {
            return iq.getChildElement();
        }
    }

    /**
     * The wrapped IQ failed.
     *
     * @param condition the error condition (undefined-condition when none could be read)
     * @param text the error's text, empty when none
     * @param wrapper whether the outer IQ itself is the error: the server refused the privileged IQ
     *     ({@code forbidden}: the permission is missing; {@code service-unavailable}: no IQ permission at all, as on
     *     ejabberd 23.01), or reports the wrapped IQ's failure without detail ({@code internal-server-error}: the
     *     addressee returned an error or did not answer, Prosody 0.12). Otherwise the wrapped IQ's addressee, or
     *     the server on its behalf, answered with the error.
     */
    public record Failed(PacketError.Condition condition, String text, boolean wrapper) implements Outcome {
        public Failed {
            Objects.requireNonNull(condition, "condition");
            text = text == null ? "" : text;
        }

        /** {@code forbidden: text}, for logs. */
        public String describe() {
            return condition.toXMPP() + (text.isEmpty() ? "" : ": " + text);
        }
    }

    /**
     * The privileged IQ that sends {@code payload} as {@code user}.
     *
     * @param id the id of both the outer and the wrapped IQ (Offhook's ids are unique per process)
     * @param to the wrapped IQ's addressee: one of the user's full JIDs, or the bare JID (own PEP service)
     */
    public static IQ wrap(JID component, JID user, IQ.Type type, String id, JID to, Element payload) {
        Element inner = DocumentHelper.createElement(QName.get("iq", NS_CLIENT))
                .addAttribute("type", type.toString()).addAttribute("id", id).addAttribute("to", to.toString());
        inner.add(payload);
        IQ outer = new IQ(type, id);
        outer.setFrom(component);
        outer.setTo(user.asBareJID());
        outer.setChildElement("privileged_iq", NS).add(inner);
        return outer;
    }

    /** What an answer to a privileged IQ says. */
    public static Outcome unwrap(IQ reply) {
        if (reply.getType() == IQ.Type.error) {
            return failed(reply.getError(), true);
        }
        Element wrapped = Optional.ofNullable(reply.getElement().element(QName.get("privilege", NS)))
                .map(p -> p.element(QName.get("forwarded", NS_FORWARD)))
                .map(f -> f.element("iq"))
                .orElse(null);
        if (wrapped == null) {
            return new Failed(PacketError.Condition.undefined_condition,
                    "the server's answer forwards no <iq/>", true);
        }
        IQ inner = new IQ(wrapped.createCopy(), true);
        if (inner.getType() == IQ.Type.error) {
            return failed(inner.getError(), false);
        }
        return new Answer(inner);
    }

    private static Failed failed(PacketError error, boolean wrapper) {
        if (error == null) {
            return new Failed(PacketError.Condition.undefined_condition, "", wrapper);
        }
        PacketError.Condition condition;
        try {
            condition = error.getCondition();
        } catch (IllegalArgumentException unknown) {
            condition = null;
        }
        return new Failed(condition == null ? PacketError.Condition.undefined_condition : condition,
                error.getText(), wrapper);
    }
}
