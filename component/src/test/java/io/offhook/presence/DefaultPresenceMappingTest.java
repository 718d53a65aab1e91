package io.offhook.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.JID;

class DefaultPresenceMappingTest {
    private static final JID ALICE = new JID("alice@localhost");
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");

    private static PhoneStatus status(PhoneState state, Optional<String> remote) {
        List<CallView> calls = state.compareTo(PhoneState.DIALING) >= 0
                ? List.of(new CallView(state, T, T, remote)) : List.of();
        return new PhoneStatus(ALICE, state, T, calls);
    }

    @Test
    void defaults() {
        DefaultPresenceMapping m = new DefaultPresenceMapping();
        assertEquals(PhonePresence.NONE, m.map(status(PhoneState.OFFLINE, Optional.empty())));
        assertEquals(PhonePresence.idle(Show.AVAILABLE, "Phone available", -1),
                m.map(status(PhoneState.AVAILABLE, Optional.empty())));
        assertEquals(PhonePresence.busy(Show.DND, "On the phone", 50),
                m.map(status(PhoneState.ON_THE_PHONE, Optional.empty())));
        assertEquals(PhonePresence.busy(Show.AWAY, "Phone ringing", 50),
                m.map(status(PhoneState.RINGING, Optional.empty())));
    }

    @Test
    void configuredTextsShowsAndPriorities() {
        DefaultPresenceMapping m = new DefaultPresenceMapping();
        m.configure(Map.of("presence.on-the-phone.show", "xa", "presence.on-the-phone.text", "Busy",
                "presence.priority.in-call", "10", "presence.show-idle", "false"));
        assertEquals(PhonePresence.busy(Show.XA, "Busy", 10), m.map(status(PhoneState.ON_THE_PHONE,
                Optional.empty())));
        assertEquals(PhonePresence.NONE, m.map(status(PhoneState.AVAILABLE, Optional.empty())));
    }

    @Test
    void badValuesNameTheKey() {
        DefaultPresenceMapping m = new DefaultPresenceMapping();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.configure(Map.of("presence.ringing.show", "busy")));
        assertTrue(e.getMessage().startsWith("presence.ringing.show:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.configure(Map.of("presence.priority.idle", "200")));
        assertTrue(e.getMessage().startsWith("presence.priority.idle:"), e.getMessage());
    }

    @Test
    void theRemotePartyIsShownOnlyWhenItReachesTheMapping() {
        DefaultPresenceMapping m = new DefaultPresenceMapping();
        assertEquals("On the phone (+4930123@example.com)", m.map(status(PhoneState.ON_THE_PHONE,
                Optional.of("sip:+4930123@example.com"))).status());
        assertEquals("On the phone", m.map(status(PhoneState.ON_THE_PHONE, Optional.empty())).status());
    }

    @Test
    void loadsByNameWithServiceLoaderAndExplainsAMissingOne() {
        PresenceMapping m = PresenceMappings.load("default", Map.of(), getClass().getClassLoader());
        assertTrue(m instanceof DefaultPresenceMapping);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PresenceMappings.load("nope", Map.of(), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("presence.mapping: no mapping named 'nope'"), e.getMessage());
        assertTrue(e.getMessage().contains("default"), e.getMessage());
    }

    @Test
    void priorityOutOfRangeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PhonePresence.busy(Show.DND, "x", 128));
    }
}
