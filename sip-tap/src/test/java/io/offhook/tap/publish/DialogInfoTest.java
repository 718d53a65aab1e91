package io.offhook.tap.publish;

import static io.offhook.tap.publish.Bodies.fixture;
import static io.offhook.tap.publish.Bodies.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.DialogInfo.Dialog;
import io.offhook.tap.publish.DialogInfo.Direction;
import io.offhook.tap.publish.DialogInfo.State;
import io.offhook.tap.track.PhoneState;
import org.junit.jupiter.api.Test;

/** dialog-info (RFC 4235): the RFC's examples, what Kamailio and Asterisk publish, and bodies to refuse. */
class DialogInfoTest {
    @Test
    void rfc4235EarlyInitiatorIsDialing() throws BodyException {
        DialogInfo info = DialogInfo.parse(fixture("rfc4235-early.dialog-info.xml"));
        assertEquals("sip:alice@example.com", info.entity());
        assertEquals(0, info.version());
        assertTrue(info.full());
        Dialog d = info.dialogs().get(0);
        assertEquals(new Dialog("as7d900as8", "a84b4c76e66710", Direction.INITIATOR, State.EARLY, null, 0, null,
                false), d);
        assertEquals(PhoneState.DIALING, d.phoneState());
        assertEquals("a84b4c76e66710", d.callKey());
    }

    @Test
    void rfc4235ConfirmedWithRenderingYesIsOnThePhoneWithTheRemoteIdentity() throws BodyException {
        Dialog d = DialogInfo.parse(fixture("rfc4235-confirmed.dialog-info.xml")).dialogs().get(0);
        assertEquals(State.CONFIRMED, d.state());
        assertEquals("sip:bob@example.org", d.remote());
        assertFalse(d.held());
        assertEquals(PhoneState.ON_THE_PHONE, d.phoneState());
    }

    @Test
    void kamailiosCalleeRingsTalksAndEndsAsCapturedFromKamailio() throws BodyException {
        Dialog early = DialogInfo.parse(fixture("kamailio-callee-early.dialog-info.xml")).dialogs().get(0);
        assertEquals(Direction.RECIPIENT, early.direction());
        assertEquals("1-8157@127.0.0.1", early.callKey());
        assertEquals("sip:xavier@example.com", early.remote());
        assertEquals(PhoneState.RINGING, early.phoneState());
        assertEquals(PhoneState.ON_THE_PHONE,
                DialogInfo.parse(fixture("kamailio-callee-confirmed.dialog-info.xml")).dialogs().get(0).phoneState());
        Dialog ended = DialogInfo.parse(fixture("kamailio-callee-terminated.dialog-info.xml")).dialogs().get(0);
        assertFalse(ended.active());
        assertEquals(PhoneState.OFFLINE, ended.phoneState());
    }

    @Test
    void asteriskMarksHoldWithPvalueAndRingsWithoutADirection() throws BodyException {
        Dialog held = DialogInfo.parse(fixture("asterisk-onhold.dialog-info.xml")).dialogs().get(0);
        assertEquals("alice", held.callKey());
        assertEquals(Direction.UNKNOWN, held.direction());
        assertTrue(held.held());
        assertNull(held.remote());
        assertEquals(PhoneState.ON_HOLD, held.phoneState());
        assertEquals(PhoneState.RINGING,
                DialogInfo.parse(fixture("asterisk-ringing.dialog-info.xml")).dialogs().get(0).phoneState());
    }

    @Test
    void partialStateAndTheTerminationReason() throws BodyException {
        DialogInfo info = DialogInfo.parse(utf8("<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info'"
                + " version='7' state='partial' entity='sip:a@example.com'><dialog id='d1'>"
                + "<state event='rejected' code='486'>terminated</state></dialog></dialog-info>"));
        assertFalse(info.full());
        assertEquals(7, info.version());
        Dialog d = info.dialogs().get(0);
        assertEquals("rejected", d.event());
        assertEquals(486, d.code());
        assertEquals("d1", d.callKey());
    }

    @Test
    void anEmptyDocumentHasNoDialogs() throws BodyException {
        assertEquals(0, DialogInfo.parse(utf8("<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info' version='0'"
                + " state='full' entity='sip:a@example.com'/>")).dialogs().size());
    }

    @Test
    void badBodiesAreRefusedNamingTheProblem() {
        String root = "<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info' ";
        assertRefused("<dialog-info version='0' state='full' entity='sip:a@b'/>",
                "root element is dialog-info, not dialog-info");
        assertRefused(root + "state='full' entity='sip:a@b'/>", "dialog-info without a version");
        assertRefused(root + "version='-1' state='full' entity='sip:a@b'/>",
                "dialog-info version '-1' is not a number");
        assertRefused(root + "version='0' entity='sip:a@b'/>", "dialog-info without a state");
        assertRefused(root + "version='0' state='some' entity='sip:a@b'/>",
                "dialog-info state 'some' is neither full nor partial");
        assertRefused(root + "version='0' state='full'/>", "dialog-info without an entity");
        assertRefused(root + "version='0' state='full' entity='sip:a@b'><dialog><state>early</state></dialog>"
                + "</dialog-info>", "dialog without an id");
        assertRefused(root + "version='0' state='full' entity='sip:a@b'><dialog id='x'/></dialog-info>",
                "dialog x has no state");
        assertRefused(root + "version='0' state='full' entity='sip:a@b'><dialog id='x'><state>ringing</state>"
                + "</dialog></dialog-info>", "dialog x state 'ringing' is not one of RFC 4235's");
        assertRefused(root + "version='0' state='full' entity='sip:a@b'><dialog id='x' direction='caller'>"
                + "<state>early</state></dialog></dialog-info>",
                "dialog x direction 'caller' is neither initiator nor recipient");
        assertRefused(root + "version='0' state='full' entity='sip:a@b'><dialog id='x'><state code='4x6'>"
                + "terminated</state></dialog></dialog-info>", "dialog x code '4x6' is not a status code");
    }

    @Test
    void tooManyDialogsAreRefused() {
        StringBuilder b = new StringBuilder("<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info' version='0'"
                + " state='full' entity='sip:a@b'>");
        for (int i = 0; i <= DialogInfo.MAX_DIALOGS; i++) {
            b.append("<dialog id='d").append(i).append("'><state>early</state></dialog>");
        }
        BodyException e = assertThrows(BodyException.class,
                () -> DialogInfo.parse(utf8(b.append("</dialog-info>").toString())));
        assertEquals("more than 1000 dialogs", e.getMessage());
    }

    /** Found by fuzzing ({@code control-character-in-a-dtd}); see the same test of {@code PidfDocumentTest}. */
    @Test
    void aControlCharacterInADtdIsABodyException() {
        assertRefused("<?xml version='1.0'?><!DOCTYPE d [<\u0001\u000bNTITY x SYSTEM 'file:///etc/hostname'>]><d/>",
                "malformed XML");
    }

    @Test
    void anExternalEntityIsNeverResolved() {
        String xxe = "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY xxe SYSTEM 'file:///etc/hostname'>]>"
                + "<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info' version='0' state='full' entity='&xxe;'/>";
        BodyException e = assertThrows(BodyException.class, () -> DialogInfo.parse(utf8(xxe)));
        assertEquals("a DTD or entity is not allowed in a publication", e.getMessage());
    }

    private static void assertRefused(String body, String expectedStart) {
        BodyException e = assertThrows(BodyException.class, () -> DialogInfo.parse(utf8(body)));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    }
}
