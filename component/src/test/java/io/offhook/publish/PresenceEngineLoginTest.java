package io.offhook.publish;

import static io.offhook.tap.track.PhoneEventType.CALL_ENDED;
import static io.offhook.tap.track.PhoneEventType.OFFLINE;
import static io.offhook.tap.track.PhoneEventType.ONLINE;
import static io.offhook.tap.track.PhoneEventType.ON_THE_PHONE;
import static io.offhook.tap.track.PhoneEventType.RINGING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.fallback.Logins;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.PhoneState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.JID;
import org.xmpp.packet.Presence;

/**
 * Users in login mode: the engine hands their phone to the login fallback ({@link Logins}) with the texts of the
 * same presence mapping, and sends nothing for them through the component.
 */
class PresenceEngineLoginTest {
    /** Records what the engine asks; takes over users of other.test, as the real fallback does with a password. */
    private static final class RecordingLogins implements Logins {
        final List<String> shown = new ArrayList<>();

        @Override
        public PresentationMode mode(JID user, PresentationMode configured) {
            return configured != PresentationMode.GATEWAY && user.getDomain().equals("other.test")
                    ? PresentationMode.LOGIN : configured;
        }

        @Override
        public void show(JID user, boolean registered, PhonePresence phone) {
            shown.add(user + (registered ? " " + phone.activity() + " " + phone.show().configName() + " "
                    + phone.status() : " off"));
        }

        List<String> take() {
            List<String> out = List.copyOf(shown);
            shown.clear();
            return out;
        }
    }

    private final RecordingLogins logins = new RecordingLogins();

    private EngineHarness started(String map) {
        EngineHarness h = new EngineHarness(map, EngineSettings.defaults(EngineHarness.COMPONENT),
                new DefaultPresenceMapping(), logins);
        h.connectAndGrant();
        return h;
    }

    @Test
    void aLoginUsersPhoneGoesToTheFallbackWithTheMappingsTextsAndNothingThroughTheComponent() {
        EngineHarness h = started("sip:fiona@example.com = fiona@localhost mode=login\n");
        h.answerRoster("fiona@localhost", "bob@localhost=both");
        String aor = "sip:fiona@example.com";
        h.event(aor, ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        h.event(aor, RINGING, PhoneState.RINGING, PhoneState.AVAILABLE, "c1");
        h.event(aor, ON_THE_PHONE, PhoneState.ON_THE_PHONE, PhoneState.RINGING, "c1");
        h.event(aor, CALL_ENDED, PhoneState.AVAILABLE, PhoneState.ON_THE_PHONE, "c1");
        h.event(aor, OFFLINE, PhoneState.OFFLINE, PhoneState.AVAILABLE, null);
        assertEquals(List.of(
                "fiona@localhost IDLE available Phone available",
                "fiona@localhost BUSY away Phone ringing",
                "fiona@localhost BUSY dnd On the phone",
                "fiona@localhost IDLE available Phone available",
                "fiona@localhost off"), logins.take());
        assertEquals(List.of(), h.presences(), "nothing through the component");
        h.event(aor, OFFLINE, PhoneState.OFFLINE, PhoneState.OFFLINE, null);
        assertEquals(List.of(), logins.take(), "an offline user is forgotten");
    }

    @Test
    void usersTheFallbackTakesOverAreShownByItAlone() {
        EngineHarness h = started("sip:gus@example.com = gus@other.test\n"
                + "sip:gina@example.com = gina@other.test mode=gateway\n");
        h.event("sip:gus@example.com", ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:gina@example.com", ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        assertEquals(List.of("gus@other.test IDLE available Phone available"), logins.take());
        assertEquals(List.of(), h.presences());
    }

    @Test
    void leavingLoginModeOrTheMappingLogsOff() {
        EngineHarness h = started("sip:fiona@example.com = fiona@localhost mode=login\n"
                + "sip:hal@example.com = hal@localhost mode=login\n");
        h.answerRoster("fiona@localhost", "bob@localhost=both");
        h.answerRoster("hal@localhost", "bob@localhost=both");
        h.event("sip:fiona@example.com", ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        h.event("sip:hal@example.com", ONLINE, PhoneState.AVAILABLE, PhoneState.OFFLINE, null);
        logins.take();
        h.engine.mappingChanged(EngineHarness.identities("sip:fiona@example.com = fiona@localhost\n"));
        assertEquals(List.of("fiona@localhost off", "hal@localhost off"), logins.take().stream().sorted().toList());
        List<Presence> now = h.presences();
        assertEquals("fiona@localhost/phone", EngineHarness.only(now, "bob@localhost").getFrom().toString(),
                "fiona is shown through the component in resource mode now");
    }
}
