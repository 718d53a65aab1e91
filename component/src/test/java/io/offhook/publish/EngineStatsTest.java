package io.offhook.publish;

import static io.offhook.tap.track.PhoneEventType.HELD;
import static io.offhook.tap.track.PhoneEventType.ONLINE;
import static io.offhook.tap.track.PhoneEventType.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneEventType.RINGING;
import static io.offhook.tap.track.PhoneState.AVAILABLE;
import static io.offhook.tap.track.PhoneState.OFFLINE;
import static io.offhook.tap.track.PhoneState.ON_HOLD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.PhoneState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's counts for metrics: users and calls per state, presence stanzas per mode. */
class EngineStatsTest {
    private static final String MAP = """
            sip:alice@example.com = alice@localhost
            sip:gina@example.com = gina@localhost mode=gateway
            sip:olga@example.com = olga@localhost mode=overlay
            """;

    @Test
    void usersAndCallsAreCountedPerStateAndPresencePerMode() {
        EngineHarness h = new EngineHarness(MAP, EngineSettings.defaults(EngineHarness.COMPONENT));
        h.connectAndGrant();
        h.answerRoster("alice@localhost", "bob@localhost=both");
        h.answerRoster("olga@localhost", "bob@localhost=both");
        h.answerRoster("gina@localhost", "bob@localhost=both");
        h.online("olga@localhost/laptop", null, "Working");
        h.presences();
        h.event("sip:alice@example.com", ONLINE, AVAILABLE, OFFLINE, null);
        h.event("sip:alice@example.com", RINGING, PhoneState.RINGING, AVAILABLE, "c1");
        h.event("sip:alice@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1");
        h.event("sip:alice@example.com", RINGING, PhoneState.ON_THE_PHONE, PhoneState.ON_THE_PHONE, "c2");
        h.event("sip:gina@example.com", ONLINE, AVAILABLE, OFFLINE, null);
        h.engine.stanza(EngineHarness.parse(
                "<presence type='subscribe' from='bob@localhost' to='gina@phone.localhost'/>"));
        h.event("sip:olga@example.com", ONLINE, AVAILABLE, OFFLINE, null);
        h.event("sip:olga@example.com", ON_THE_PHONE, PhoneState.ON_THE_PHONE, AVAILABLE, "c3");
        h.event("sip:olga@example.com", HELD, ON_HOLD, PhoneState.ON_THE_PHONE, "c3");
        int sent = h.presences().size();

        EngineStats s = h.engine.stats();
        assertEquals(Map.of(PhoneState.ON_THE_PHONE, 1, AVAILABLE, 1, ON_HOLD, 1), s.usersByState());
        assertEquals(Map.of(PhoneState.ON_THE_PHONE, 1, PhoneState.RINGING, 1, ON_HOLD, 1), s.callsByState());
        long resource = s.presenceByMode().getOrDefault(PresentationMode.RESOURCE, 0L);
        long overlay = s.presenceByMode().getOrDefault(PresentationMode.OVERLAY, 0L);
        assertEquals(sent, resource + overlay + s.presenceByMode().getOrDefault(PresentationMode.GATEWAY, 0L),
                "every presence is counted under one mode: " + s.presenceByMode());
        // alice: to herself and bob, for idle, ringing and talking; a second ringing call does not change her view.
        assertEquals(6, resource, s.presenceByMode().toString());
        // olga: her laptop's presence re-sent to her contact bob, on the phone, then on hold.
        assertEquals(2, overlay, s.presenceByMode().toString());
        // gina: 'subscribed' and her phone's state to bob.
        assertEquals(2, s.presenceByMode().getOrDefault(PresentationMode.GATEWAY, 0L), s.presenceByMode().toString());
    }
}
