package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.junit.jupiter.api.Test;

/** RFC 6120 stream errors turned into advice that names the config key to check. */
class StreamErrorsTest {

    private static final ComponentSettings SETTINGS =
            ComponentSettings.of("127.0.0.1", 5347, "phone.localhost", "s", "localhost");

    @Test
    void notAuthorizedNamesTheSecretKey() throws Exception {
        Failure failure = StreamErrors.describe(error("not-authorized", null), SETTINGS, false);
        assertEquals(Failure.Kind.CONFIG, failure.kind());
        assertTrue(failure.reason().contains(ComponentSettings.KEY_SECRET), failure.reason());
        assertTrue(failure.reason().contains("127.0.0.1:5347"), failure.reason());
    }

    @Test
    void unknownHostAtStreamOpenNamesTheDomainKey() throws Exception {
        for (String condition : new String[] {"host-unknown", "improper-addressing"}) {
            Failure failure = StreamErrors.describe(error(condition, null), SETTINGS, false);
            assertEquals(Failure.Kind.CONFIG, failure.kind());
            assertTrue(failure.reason().contains(ComponentSettings.KEY_DOMAIN), failure.reason());
        }
    }

    @Test
    void invalidFromNamesTheTrustSettingOfBothServers() throws Exception {
        Failure failure = StreamErrors.describe(error("invalid-from", null), SETTINGS, true);
        assertEquals(Failure.Kind.CONFIG, failure.kind());
        assertTrue(failure.reason().contains("validate_from_addresses = false"), failure.reason());
        assertTrue(failure.reason().contains("check_from: false"), failure.reason());
    }

    @Test
    void otherConditionsAreTransientAndKeepTheServersText() throws Exception {
        Failure failure = StreamErrors.describe(error("system-shutdown", "going\ndown"), SETTINGS, true);
        assertEquals(Failure.Kind.TRANSIENT, failure.kind());
        assertTrue(failure.reason().contains("system-shutdown: going down"), failure.reason());
    }

    @Test
    void anErrorWithoutConditionIsUndefined() throws Exception {
        assertEquals("undefined-condition", StreamErrors.condition(error(null, "x")));
        assertEquals(203, StreamErrors.printable("z".repeat(500)).length());
    }

    private static Element error(String condition, String text) throws Exception {
        String xml = "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>"
                + (condition == null ? "" : "<" + condition + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>")
                + (text == null ? "" : "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>" + text + "</text>")
                + "</stream:error>";
        return DocumentHelper.parseText(xml).getRootElement();
    }
}
