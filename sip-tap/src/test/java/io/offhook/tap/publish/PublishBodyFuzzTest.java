package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.offhook.tap.track.PhoneState;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz targets for what a SIP PUBLISH carries (RFC 3903): the PIDF/RPID and dialog-info readers, and the event
 * state compositor that takes the requests. Run as regression tests on every build (seeds: the publication fixtures,
 * the tests' XXE and entity-expansion bodies, and the inputs under {@code PublishBodyFuzzTestInputs/}); fuzzed by
 * {@code scripts/fuzz pidf}, {@code scripts/fuzz dialog-info} and {@code scripts/fuzz publish}.
 */
class PublishBodyFuzzTest {
    private static final String PIDF_TYPE = "application/pidf+xml";
    private static final String DIALOG_TYPE = "application/dialog-info+xml";
    private static final List<String> AORS = List.of("sip:alice@example.com", "sip:bob@example.com",
            "sip:carol@example.net");
    private static final Set<Integer> STATUSES = Set.of(200, 400, 412, 413, 415, 423, 489, 503);
    /** Small limits, so that fuzzing reaches them. */
    private static final PublishConfig CONFIG = new PublishConfig("127.0.0.1", PublishConfig.DEFAULT_PORT, true,
            true, List.of("127.0.0.1"), PublisherCredentials.none(), "offhook", Duration.ofSeconds(10),
            Duration.ofSeconds(60), 4, 4096, 1000, true);

    static Stream<byte[]> bodies() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("asterisk-inuse.pidf.xml", "asterisk-ready.pidf.xml",
                "asterisk-unavailable.pidf.xml", "on-the-phone.pidf.xml", "rfc3863-example.pidf.xml",
                "rfc4480-example.pidf.xml", "asterisk-onhold.dialog-info.xml", "asterisk-ringing.dialog-info.xml",
                "kamailio-callee-confirmed.dialog-info.xml", "kamailio-callee-early.dialog-info.xml",
                "kamailio-callee-terminated.dialog-info.xml", "rfc4235-confirmed.dialog-info.xml",
                "rfc4235-early.dialog-info.xml")) {
            seeds.add(Bodies.fixture(name));
        }
        seeds.add(Bodies.pidf("sip:alice@example.com", "closed", "busy"));
        seeds.add(Bodies.dialogInfo("sip:alice@example.com", 3, false, "d1:confirmed:initiator:held",
                "d2:early:recipient", "d3:terminated"));
        seeds.add(Bodies.utf8("<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY xxe SYSTEM 'file:///etc/hostname'>]>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='t'><status><basic>open"
                + "</basic></status></tuple><note>&xxe;</note></presence>"));
        seeds.add(Bodies.utf8("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                + "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><note>&lol3;</note></presence>"));
        seeds.add(Bodies.utf8("<?xml version='1.0'?><!DOCTYPE d [<!ENTITY xxe SYSTEM 'file:///etc/hostname'>]>"
                + "<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info' version='0' state='full' entity='&xxe;'/>"));
        return seeds.stream();
    }

    /**
     * Any bytes as a PIDF body: a document or {@link BodyException}, never another exception; a document with a
     * DTD is refused (an independent StAX pass says whether there is one), so no entity is expanded or fetched;
     * nothing read is longer than the input (no expansion); the phone state follows the documented mapping.
     */
    @MethodSource("bodies")
    @FuzzTest(maxDuration = "20s")
    void parsePidf(byte[] input) {
        PidfDocument doc;
        try {
            doc = PidfDocument.parse(input);
        } catch (BodyException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertTrue(!hasDtd(input), "a document with a DTD was read");
        assertTrue(!doc.entity().isBlank() && doc.entity().length() <= input.length, "entity " + doc.entity());
        assertTrue(doc.activities().size() <= input.length, "more activities than bytes");
        for (String activity : doc.activities()) {
            assertTrue(!activity.isEmpty() && activity.length() <= input.length, "activity " + activity);
        }
        for (boolean busy : new boolean[] {false, true}) {
            PhoneState s = doc.phoneState(busy);
            assertTrue(s == PhoneState.ON_THE_PHONE || s == (doc.open() ? PhoneState.AVAILABLE : PhoneState.OFFLINE),
                    "phone state " + s);
        }
    }

    /**
     * Any bytes as a dialog-info body: a document or {@link BodyException}, never another exception; a document
     * with a DTD is refused; at most {@link DialogInfo#MAX_DIALOGS} dialogs; nothing read is longer than the input.
     */
    @MethodSource("bodies")
    @FuzzTest(maxDuration = "20s")
    void parseDialogInfo(byte[] input) {
        DialogInfo info;
        try {
            info = DialogInfo.parse(input);
        } catch (BodyException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertTrue(!hasDtd(input), "a document with a DTD was read");
        assertTrue(info.version() >= 0, "version");
        assertTrue(info.entity().length() <= input.length, "entity " + info.entity());
        assertTrue(info.dialogs().size() <= DialogInfo.MAX_DIALOGS, "dialogs " + info.dialogs().size());
        for (DialogInfo.Dialog d : info.dialogs()) {
            for (String s : new String[] {d.id(), d.callId(), d.event(), d.remote()}) {
                assertTrue(s == null || s.length() <= input.length, "a value longer than the input: " + s);
            }
            assertNotNull(d.phoneState());
            assertTrue(d.code() >= 0, "code " + d.code());
        }
    }

    /**
     * A sequence of PUBLISH requests (fuzzed resource, event, entity tag, lifetime, body type and body, seeds among
     * the bodies) to the state compositor, with time passing: every answer is one RFC 3903 gives, with a tag and a
     * lifetime within the limits when it accepts; never more publications than the limit; after every request each
     * address's state is the one last reported for it (no change unreported); far in the future nothing is left.
     */
    @FuzzTest(maxDuration = "20s")
    void publishRequests(FuzzedDataProvider in) {
        TestClock clock = new TestClock();
        Map<String, PhoneState> reported = new HashMap<>();
        PublicationStore store = new PublicationStore(CONFIG, change -> {
            assertTrue(AORS.contains(change.aor()), "a change for an address nobody published: " + change.aor());
            reported.put(change.aor(), change.published());
        }, clock);
        List<byte[]> seeds = bodies().toList();
        List<String> etags = new ArrayList<>();
        int steps = in.consumeInt(1, 12);
        for (int i = 0; i < steps; i++) {
            String aor = in.pickValue(AORS);
            String event = in.pickValue(new String[] {"presence", "dialog", "Dialog", "presence.winfo", ""});
            String ifMatch = etags.isEmpty() || in.consumeBoolean() ? null
                    : in.consumeBoolean() ? in.pickValue(etags) : in.consumeString(24);
            long expires = switch (in.consumeInt(0, 5)) {
                case 0 -> PublishRequest.NO_EXPIRES;
                case 1 -> 0;
                case 2 -> 5;
                case 3 -> 30;
                case 4 -> 0xFFFF_FFFFL;
                default -> in.consumeLong(0, Long.MAX_VALUE);
            };
            String type = in.pickValue(new String[] {PIDF_TYPE, DIALOG_TYPE, "text/plain", ""});
            byte[] body = switch (in.consumeInt(0, 2)) {
                case 0 -> new byte[0];
                case 1 -> in.pickValue(seeds);
                default -> in.consumeBytes(in.consumeInt(0, 5000));
            };
            PublishAnswer answer = store.publish(new PublishRequest(aor, event.isEmpty() ? null : event, ifMatch,
                    expires, type.isEmpty() ? null : type, body, "127.0.0.1:5062"));
            assertTrue(STATUSES.contains(answer.status()), "status " + answer.status() + " " + answer.reason());
            if (answer.ok()) {
                assertNotNull(answer.etag(), "a 200 without SIP-ETag");
                etags.add(answer.etag());
                assertTrue(expires == 0 ? answer.expires() == 0 : answer.expires() >= 10 && answer.expires() <= 60,
                        "granted " + answer.expires() + " s for " + expires);
            }
            assertTrue(store.size() <= CONFIG.maxPublications(), "publications " + store.size());
            for (String a : AORS) {
                assertEquals(reported.getOrDefault(a, PhoneState.OFFLINE), store.stateOf(a),
                        "state of " + a + " differs from the last one reported");
            }
            clock.advance(Duration.ofSeconds(in.consumeInt(0, 90)));
            store.tick();
        }
        clock.advance(Duration.ofHours(2));
        store.tick();
        assertEquals(0, store.size(), "publications outlived their lifetime");
        for (String a : AORS) {
            assertEquals(PhoneState.OFFLINE, store.stateOf(a), a);
            assertEquals(PhoneState.OFFLINE, reported.getOrDefault(a, PhoneState.OFFLINE), "last report for " + a);
        }
    }

    /** Whether the JDK's StAX parser (DTDs not processed) meets a DTD before the input ends or turns out broken. */
    private static boolean hasDtd(byte[] input) {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("no external resources");
        });
        try {
            XMLStreamReader r = f.createXMLStreamReader(new ByteArrayInputStream(input));
            try {
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.DTD) {
                        return true;
                    }
                }
            } finally {
                r.close();
            }
        } catch (XMLStreamException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
