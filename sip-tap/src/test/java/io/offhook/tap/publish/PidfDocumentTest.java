package io.offhook.tap.publish;

import static io.offhook.tap.publish.Bodies.fixture;
import static io.offhook.tap.publish.Bodies.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PIDF (RFC 3863) with RPID (RFC 4480): the RFCs' examples, what Asterisk publishes, and bodies to refuse. */
class PidfDocumentTest {
    @TempDir
    Path dir;

    @Test
    void rfc3863sExampleIsOpenAndItsImBusyIsNoActivity() throws BodyException {
        PidfDocument d = PidfDocument.parse(fixture("rfc3863-example.pidf.xml"));
        assertEquals("pres:someone@example.com", d.entity());
        assertTrue(d.open());
        assertEquals(Set.of(), d.activities());
        assertEquals(PhoneState.AVAILABLE, d.phoneState(true));
    }

    @Test
    void rfc4480sAwayPersonKeepsThePhoneAvailable() throws BodyException {
        PidfDocument d = PidfDocument.parse(fixture("rfc4480-example.pidf.xml"));
        assertEquals(Set.of("away"), d.activities(), "the note inside activities is no activity");
        assertEquals(PhoneState.AVAILABLE, d.phoneState(true));
    }

    @Test
    void onThePhoneIsOnThePhone() throws BodyException {
        PidfDocument d = PidfDocument.parse(fixture("on-the-phone.pidf.xml"));
        assertEquals(Set.of("on-the-phone"), d.activities());
        assertEquals(PhoneState.ON_THE_PHONE, d.phoneState(false));
        assertEquals(PhoneState.ON_THE_PHONE, PidfDocument.parse(Bodies.pidf("sip:a@b", "closed", "on-the-phone"))
                .phoneState(false), "an activity outranks the basic status");
    }

    @Test
    void asteriskInUseIsClosedAndBusyWhichIsOnThePhoneUnlessConfiguredOtherwise() throws BodyException {
        PidfDocument d = PidfDocument.parse(fixture("asterisk-inuse.pidf.xml"));
        assertFalse(d.open());
        assertEquals(Set.of("busy"), d.activities());
        assertEquals(PhoneState.ON_THE_PHONE, d.phoneState(true));
        assertEquals(PhoneState.OFFLINE, d.phoneState(false));
        assertEquals(PhoneState.AVAILABLE, PidfDocument.parse(Bodies.pidf("sip:a@b", "open", "busy"))
                .phoneState(false));
    }

    @Test
    void asteriskReadyAndUnavailable() throws BodyException {
        assertEquals(PhoneState.AVAILABLE, PidfDocument.parse(fixture("asterisk-ready.pidf.xml")).phoneState(true));
        PidfDocument gone = PidfDocument.parse(fixture("asterisk-unavailable.pidf.xml"));
        assertEquals(Set.of("away"), gone.activities());
        assertEquals(PhoneState.OFFLINE, gone.phoneState(true));
    }

    @Test
    void aDocumentWithoutTuplesIsOffline() throws BodyException {
        PidfDocument d = PidfDocument.parse(utf8("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'/>"));
        assertEquals(PhoneState.OFFLINE, d.phoneState(true));
    }

    @Test
    void badBodiesAreRefusedNamingTheProblem() {
        assertRefused("<presence entity='sip:a@b'/>", "root element is presence, not PIDF presence");
        assertRefused("<presence xmlns='urn:ietf:params:xml:ns:pidf'/>", "PIDF presence without an entity");
        assertRefused("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='t'><status>"
                + "<basic>maybe</basic></status></tuple></presence>",
                "PIDF basic status 'maybe' is neither open nor closed");
        assertRefused("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple>",
                "malformed XML at line 1");
        assertRefused("", "malformed XML at line 1 column 1: Premature end of file");
        assertRefused("hello", "malformed XML at line 1 column 1");
        assertRefused("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='t'><status><basic>"
                + "open<x/></basic></status></tuple></presence>", "element basic must hold text only");
    }

    @Test
    void anExternalEntityIsNeverResolved() throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-MARKER");
        String xxe = "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY xxe SYSTEM '" + secret.toUri() + "'>]>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='t'><status><basic>open"
                + "</basic></status></tuple><note>&xxe;</note></presence>";
        BodyException e = assertThrows(BodyException.class, () -> PidfDocument.parse(utf8(xxe)));
        assertEquals("a DTD or entity is not allowed in a publication", e.getMessage());
        // And the same entity in a parameter-less external DTD reference.
        String external = "<?xml version='1.0'?><!DOCTYPE presence SYSTEM '" + secret.toUri() + "'>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'/>";
        BodyException e2 = assertThrows(BodyException.class, () -> PidfDocument.parse(utf8(external)));
        assertFalse(e2.getMessage().contains("TOP-SECRET-MARKER"), e2.getMessage());
    }

    /**
     * Found by fuzzing ({@code control-character-in-a-dtd}): a control character inside a DOCTYPE made the JDK's
     * parser look up an error message it does not have, and its {@code MissingResourceException} escaped.
     */
    @Test
    void aControlCharacterInADtdIsABodyException() {
        assertRefused("<?xml version='1.0'?><!DOCTYPE d [<\u0001>]><presence/>", "malformed XML");
    }

    @Test
    void entityExpansionIsRefused() {
        String laughs = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                + "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><note>&lol3;</note></presence>";
        BodyException e = assertThrows(BodyException.class, () -> PidfDocument.parse(utf8(laughs)));
        assertTrue(e.getMessage().contains("DTD"), e.getMessage());
    }

    private static void assertRefused(String body, String expectedStart) {
        BodyException e = assertThrows(BodyException.class, () -> PidfDocument.parse(utf8(body)));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    }
}
