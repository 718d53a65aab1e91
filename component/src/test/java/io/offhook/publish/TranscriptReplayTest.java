package io.offhook.publish;

import static io.offhook.publish.EngineHarness.assertShows;
import static io.offhook.publish.EngineHarness.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/**
 * The engine fed with what real servers sent a component (the transcripts recorded by
 * {@code integration-tests/lab/xmpp/record.py}): whatever Prosody or ejabberd sends, presence goes only to alice and
 * to her contacts with subscription from or both (bob, erin), never to dave (to) or carol (none); echoes are
 * recognised; the user's own dnd outranks the phone.
 */
class TranscriptReplayTest {
    private static final String MAP = "sip:alice@example.com = alice@localhost\n";
    private static final Set<String> AUDIENCE = Set.of("alice@localhost", "bob@localhost", "erin@localhost");

    /** The stanzas a component received in one recorded scenario, in order. */
    static List<Packet> received(String server, String scenario) throws IOException {
        String name = "/xmpp/" + server + "/" + scenario + ".component.xml";
        List<Packet> out = new ArrayList<>();
        try (InputStream in = TranscriptReplayTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            boolean incoming = false;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String t = line.strip();
                if (t.equals("<!-- in -->") || t.equals("<!-- out -->")) {
                    incoming = t.equals("<!-- in -->");
                } else if (incoming && (t.startsWith("<presence") || t.startsWith("<message")
                        || t.startsWith("<iq"))) {
                    out.add(EngineHarness.parse(t));
                }
            }
        }
        return out;
    }

    static Stream<String> servers() {
        return Stream.of("prosody", "ejabberd");
    }

    private static EngineHarness inCall() {
        EngineHarness h = new EngineHarness(MAP, EngineSettings.defaults(EngineHarness.COMPONENT));
        h.connectAndGrant();
        h.answerRoster("alice@localhost", "bob@localhost=both", "dave@localhost=to", "erin@localhost=from");
        h.event("sip:alice@example.com", PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:alice@example.com", PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE,
                PhoneState.AVAILABLE, "c1");
        h.presences();
        return h;
    }

    @ParameterizedTest
    @MethodSource("servers")
    void everyRecordedScenarioKeepsPresenceToTheAudience(String server) throws IOException {
        for (String scenario : List.of("01-permissions", "02-online-at-connect", "03-forwarded-presence",
                "04-roster-get", "05-echo", "06-probes", "07-subscription-changes", "08-gateway",
                "09-non-contact", "10-restart", "11-directed-phone-presence", "12-session-end")) {
            EngineHarness h = inCall();
            for (Packet p : received(server, scenario)) {
                h.engine.stanza(p);
            }
            for (Presence p : h.presences()) {
                String to = p.getTo().toBareJID();
                boolean gateway = p.getFrom().getDomain().equals("phone.localhost");
                assertTrue(AUDIENCE.contains(to) || gateway && (p.getType() == Presence.Type.unsubscribed
                                || p.getType() == Presence.Type.subscribed && to.equals("bob@localhost")),
                        () -> server + " " + scenario + ": sent to " + to + ": " + p.toXML());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void theUsersDndFromTheServerOutranksThePhone(String server) throws IOException {
        EngineHarness h = inCall();
        for (Packet p : received(server, "03-forwarded-presence")) {
            h.engine.stanza(p);
            if (p instanceof Presence pr && pr.getFrom().toBareJID().equals("alice@localhost")
                    && "Busy".equals(pr.getStatus())) {
                break;
            }
        }
        assertShows(last(h.presences(), "bob@localhost"), "dnd", "Busy (On the phone)", 50);
    }

    @Test
    void ejabberdsEchoOfTheComponentsOwnPresenceIsNotTheUsers() throws IOException {
        EngineHarness h = new EngineHarness(MAP, EngineSettings.defaults(EngineHarness.COMPONENT));
        h.connectAndGrant();
        h.answerRoster("alice@localhost", "bob@localhost=both");
        List<Packet> in = received("ejabberd", "05-echo");
        long echoes = in.stream().filter(p -> p instanceof Presence && p.getID() != null
                && p.getID().startsWith(PresenceEngine.ID_PREFIX)).count();
        assertEquals(4, echoes, "the recording has four echoes");
        for (Packet p : in) {
            h.engine.stanza(p);
        }
        assertEquals(4, h.engine.stats().echoesIgnored());
        // Had the echo of alice/laptop been taken for alice's own presence, overlay would now re-send it.
        h.engine.mappingChanged(EngineHarness.identities(MAP.replace("localhost", "localhost mode=overlay")));
        h.event("sip:alice@example.com", PhoneEventType.RINGING, PhoneState.RINGING, PhoneState.AVAILABLE, "c1");
        assertEquals(List.of(), h.presences());
    }

    @Test
    void prosodysPresenceDumpAtConnectTellsWhoIsOnline() throws IOException {
        EngineHarness h = new EngineHarness(MAP, EngineSettings.defaults(EngineHarness.COMPONENT));
        h.engine.connected();
        for (Packet p : received("prosody", "02-online-at-connect")) {
            h.engine.stanza(p);
        }
        h.answerRoster("alice@localhost", "bob@localhost=both", "erin@localhost=from");
        h.event("sip:alice@example.com", PhoneEventType.ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:alice@example.com", PhoneEventType.ON_THE_PHONE, PhoneState.ON_THE_PHONE,
                PhoneState.AVAILABLE, "c1");
        // Her laptop (chat, priority 5) is her own presence, not her mobile (xa, priority -1): the phone shows.
        List<Presence> sent = h.presences();
        assertShows(last(sent, "bob@localhost"), "dnd", "On the phone", 50);
        assertTrue(sent.stream().noneMatch(p -> p.getTo().toBareJID().equals("carol@localhost")));
    }
}
