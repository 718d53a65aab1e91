package io.offhook.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.offhook.fallback.Logins;
import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingFile;
import io.offhook.mapping.NumberPlan;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.presence.PresenceMapping;
import io.offhook.remote.RemoteSettings;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import io.offhook.testing.MutableClock;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/** Drives a {@link PresenceEngine} the way the server and the tap would, and collects what it sends. */
final class EngineHarness {
    static final JID COMPONENT = new JID("phone.localhost");

    final List<Packet> sent = new ArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    final PresenceEngine engine;
    private long micros = 1_000_000L;

    EngineHarness(String mapping, EngineSettings settings) {
        this(mapping, settings, new DefaultPresenceMapping());
    }

    EngineHarness(String mapping, EngineSettings settings, PresenceMapping presenceMapping) {
        this(mapping, settings, presenceMapping, Logins.NONE);
    }

    EngineHarness(String mapping, EngineSettings settings, PresenceMapping presenceMapping, Logins logins) {
        engine = new PresenceEngine(settings, presenceMapping, identities(mapping), sent::add, clock,
                RemoteSettings.DEFAULTS, logins);
    }

    EngineHarness(String mapping, EngineSettings settings, RemoteSettings remote) {
        engine = new PresenceEngine(settings, new DefaultPresenceMapping(), identities(mapping), sent::add, clock,
                remote);
    }

    static IdentityMap identities(String text) {
        try {
            return MappingFile.parse(new StringReader(text), "test.map", NumberPlan.NONE);
        } catch (MappingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connects, grants roster and presence as Prosody does, and answers the roster gets with {@code rosters}. */
    void connectAndGrant() {
        engine.connected();
        engine.stanza(parse("<message from='localhost' to='phone.localhost'>"
                + "<privilege xmlns='urn:xmpp:privilege:2'><perm access='roster' type='get'/>"
                + "<perm access='presence' type='roster'/><perm access='message' type='outgoing'/></privilege>"
                + "</message>"));
    }

    /** Answers the outstanding roster get for {@code user} with items {@code "bob@localhost=both", ...}. */
    void answerRoster(String user, String... items) {
        IQ get = (IQ) take(p -> p instanceof IQ iq && iq.getTo().toBareJID().equals(user)
                && iq.getChildElement() != null && "jabber:iq:roster".equals(iq.getChildElement().getNamespaceURI()));
        StringBuilder xml = new StringBuilder("<iq type='result' from='" + user + "' to='phone.localhost' id='"
                + get.getID() + "'><query xmlns='jabber:iq:roster'>");
        for (String item : items) {
            String[] kv = item.split("=");
            xml.append("<item jid='").append(kv[0]).append("' subscription='").append(kv[1]).append("'/>");
        }
        xml.append("</query></iq>");
        engine.stanza(parse(xml.toString()));
    }

    void event(String aor, PhoneEventType type, PhoneState state, PhoneState previous, String callId) {
        micros += 1000;
        engine.phoneEvent(new PhoneEvent(micros, aor, type, state, previous, callId, "sip:carol@example.com", null));
    }

    void online(String fullJid, String show, String status) {
        engine.stanza(presence(fullJid, show, status, null));
    }

    static Presence presence(String from, String show, String status, String id) {
        StringBuilder xml = new StringBuilder("<presence from='" + from + "' to='phone.localhost'");
        if (id != null) {
            xml.append(" id='").append(id).append('\'');
        }
        xml.append('>');
        if (show != null) {
            xml.append("<show>").append(show).append("</show>");
        }
        if (status != null) {
            xml.append("<status>").append(status).append("</status>");
        }
        xml.append("</presence>");
        return (Presence) parse(xml.toString());
    }

    void offline(String fullJid) {
        engine.stanza(parse("<presence type='unavailable' from='" + fullJid + "' to='phone.localhost'/>"));
    }

    static Packet parse(String xml) {
        Element el;
        try {
            el = DocumentHelper.parseText(xml).getRootElement();
        } catch (DocumentException e) {
            throw new IllegalArgumentException(xml, e);
        }
        return switch (el.getName()) {
            case "presence" -> new Presence(el);
            case "iq" -> new IQ(el);
            case "message" -> new Message(el);
            default -> throw new IllegalArgumentException(xml);
        };
    }

    /** Removes and returns the first sent stanza matching; fails listing what was sent. */
    Packet take(Predicate<Packet> p) {
        for (int i = 0; i < sent.size(); i++) {
            if (p.test(sent.get(i))) {
                return sent.remove(i);
            }
        }
        throw new AssertionError("nothing matching was sent; sent: " + dump());
    }

    /** The presences sent (and removed from the list), without roster traffic. */
    List<Presence> presences() {
        List<Presence> out = new ArrayList<>();
        for (Packet p : new ArrayList<>(sent)) {
            if (p instanceof Presence presence) {
                out.add(presence);
                sent.remove(p);
            }
        }
        return out;
    }

    /** The single presence sent to {@code to}; fails if there are none or several. */
    static Presence only(List<Presence> presences, String to) {
        List<Presence> matching = presences.stream().filter(p -> p.getTo().toString().equals(to))
                .collect(Collectors.toList());
        assertEquals(1, matching.size(), () -> "presences to " + to + ": " + presences);
        return matching.get(0);
    }

    static Optional<Presence> to(List<Presence> presences, String to) {
        return presences.stream().filter(p -> p.getTo().toString().equals(to)).findFirst();
    }

    /** The last presence sent to {@code to}. */
    static Presence last(List<Presence> presences, String to) {
        Presence last = null;
        for (Presence p : presences) {
            if (p.getTo().toString().equals(to)) {
                last = p;
            }
        }
        if (last == null) {
            throw new AssertionError("nothing sent to " + to + ": " + presences);
        }
        return last;
    }

    static List<String> recipients(List<Presence> presences) {
        return presences.stream().map(p -> p.getTo().toString()).sorted().collect(Collectors.toList());
    }

    String dump() {
        return sent.stream().map(Packet::toXML).collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    static void assertShows(Presence p, String show, String status, Integer priority) {
        assertNotNull(p);
        assertEquals(show, p.getShow() == null ? null : p.getShow().name(), () -> p.toXML());
        assertEquals(status, p.getStatus(), () -> p.toXML());
        if (priority != null) {
            assertEquals(priority.intValue(), p.getPriority(), () -> p.toXML());
        }
    }
}
