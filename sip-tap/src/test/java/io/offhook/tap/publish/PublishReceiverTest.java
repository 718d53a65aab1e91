package io.offhook.tap.publish;

import static io.offhook.tap.publish.Bodies.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.publish.RawSip.Answer;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sip.SipException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The receiver on a real JAIN-SIP stack on loopback, driven by hand-written SIP messages over UDP and TCP. */
class PublishReceiverTest {
    private static final String ALICE = "sip:alice@example.com";
    private static final String DIALOG = "Event: dialog";
    private static final String DIALOG_INFO = "Content-Type: application/dialog-info+xml";

    private final TestClock clock = new TestClock();
    private final List<PublishedChange> changes = Collections.synchronizedList(new ArrayList<>());
    private final DropCounters drops = new DropCounters();
    private PublishReceiver receiver;
    private PublicationStore store;
    private RawSip client;
    private int port;

    private void start(PublishConfig base) throws IOException, SipException {
        port = RawSip.freePort();
        PublishConfig config = base.withListen("127.0.0.1", port);
        store = new PublicationStore(config, changes::add, clock);
        receiver = new PublishReceiver(config, store, drops, clock, System::nanoTime);
        receiver.start();
        client = new RawSip(port);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static String body(String fixture) {
        return new String(fixture(fixture), StandardCharsets.UTF_8);
    }

    @Test
    void publishRefreshAndRemoveOverUdp() throws Exception {
        start(PublishConfig.defaults());
        Answer ok = client.send(client.publish(ALICE, RawSip.branch(),
                body("kamailio-callee-confirmed.dialog-info.xml"), DIALOG, "Expires: 61", DIALOG_INFO));
        assertEquals(200, ok.status());
        String etag = ok.header("SIP-ETag");
        assertNotNull(etag);
        assertEquals("61", ok.header("Expires"));
        assertTrue(ok.header("To").contains(";tag="), "a To tag: " + ok.header("To"));
        assertEquals(PhoneState.ON_THE_PHONE, store.stateOf(ALICE));

        Answer refreshed = client.send(client.publish(ALICE, RawSip.branch(), "", DIALOG, "Expires: 61",
                "SIP-If-Match: " + etag));
        assertEquals(200, refreshed.status());
        assertNotEquals(etag, refreshed.header("SIP-ETag"));
        Answer stale = client.send(client.publish(ALICE, RawSip.branch(), "", DIALOG, "Expires: 61",
                "SIP-If-Match: " + etag));
        assertEquals(412, stale.status());
        assertEquals("Conditional Request Failed", stale.reason());

        Answer removed = client.send(client.publish(ALICE, RawSip.branch(), "", DIALOG, "Expires: 0",
                "SIP-If-Match: " + refreshed.header("SIP-ETag")));
        assertEquals(200, removed.status());
        assertEquals("0", removed.header("Expires"));
        assertEquals(PhoneState.OFFLINE, store.stateOf(ALICE));
        assertEquals(1, drops.get(DropReason.PUBLISH_REJECTED), "the 412");
    }

    @Test
    void aViaCommentEscapingItsLineEndIsDroppedAndTheReceiverGoesOn() throws Exception {
        start(PublishConfig.defaults());
        // JAIN-SIP's own Via parser would append to this comment until the heap is gone (RELIABILITY.md).
        client.sendOnly(client.publish(ALICE, RawSip.branch(), body("kamailio-callee-confirmed.dialog-info.xml"),
                "Via: SIP/2.0/UDP 192.0.2.1 (x\\", DIALOG, "Expires: 61", DIALOG_INFO));
        assertEquals(400, assertTimeoutPreemptively(Duration.ofSeconds(20), () -> client.receive()).status(),
                "refused as malformed");
        Answer ok = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> client.send(client.publish(ALICE,
                RawSip.branch(), body("kamailio-callee-confirmed.dialog-info.xml"), DIALOG, "Expires: 61",
                DIALOG_INFO)));
        assertEquals(200, ok.status());
        assertEquals(1, store.size(), "only the well-formed PUBLISH was applied");
    }

    @Test
    void aRetransmissionGetsTheSameAnswerAndIsAppliedOnce() throws Exception {
        start(PublishConfig.defaults());
        String request = client.publish(ALICE, RawSip.branch(), body("kamailio-callee-early.dialog-info.xml"), DIALOG,
                "Expires: 60", DIALOG_INFO);
        Answer first = client.send(request);
        Answer again = client.send(request);
        assertEquals(200, again.status());
        assertEquals(first.header("SIP-ETag"), again.header("SIP-ETag"));
        assertEquals(1, store.size());
        assertEquals(1, changes.size(), "one RINGING, not two: " + changes);
    }

    @Test
    void refusalsCarryTheHeadersTheirStatusNeeds() throws Exception {
        start(PublishConfig.defaults());
        Answer badEvent = client.send(client.publish(ALICE, RawSip.branch(), "x", "Event: message-summary",
                "Content-Type: text/plain"));
        assertEquals(489, badEvent.status());
        assertTrue(badEvent.header("Allow-Events").contains("presence"), badEvent.headers().toString());

        Answer wrongType = client.send(client.publish(ALICE, RawSip.branch(), body("on-the-phone.pidf.xml"), DIALOG,
                "Content-Type: application/pidf+xml"));
        assertEquals(415, wrongType.status());
        assertEquals("application/dialog-info+xml", wrongType.header("Accept"));

        Answer brief = client.send(client.publish(ALICE, RawSip.branch(), body("on-the-phone.pidf.xml"),
                "Event: presence", "Expires: 5", "Content-Type: application/pidf+xml"));
        assertEquals(423, brief.status());
        assertEquals("10", brief.header("Min-Expires"));

        Answer bad = client.send(client.publish(ALICE, RawSip.branch(), "<dialog-info xmlns=\"urn:ietf:params:xml:ns:"
                + "dialog-info\" version=\"1\" state=\"full\" entity=\"sip:alice@example.com\"><dialog id=\"x\">"
                + "<state>ringing</state></dialog></dialog-info>", DIALOG, DIALOG_INFO));
        assertEquals(400, bad.status());
        assertEquals("Bad application/dialog-info+xml: dialog x state 'ringing' is not one of RFC 4235's",
                bad.reason());

        Answer noUser = client.send(RawSip.request("PUBLISH", "sip:example.com", RawSip.branch(), "UDP",
                client.localPort(), "").replace("To: <sip:example.com>", "To: <sip:example.com>"));
        assertEquals(404, noUser.status());
        assertEquals(0, store.size());
        assertEquals(5, drops.get(DropReason.PUBLISH_REJECTED));
    }

    @Test
    void optionsSaysWhatIsAcceptedAndOtherMethodsAreNotAllowed() throws Exception {
        start(PublishConfig.defaults());
        Answer options = client.send(RawSip.request("OPTIONS", "sip:127.0.0.1", RawSip.branch(), "UDP",
                client.localPort(), ""));
        assertEquals(200, options.status());
        assertTrue(options.header("Allow").contains("PUBLISH"), options.headers().toString());
        Answer message = client.send(RawSip.request("MESSAGE", ALICE, RawSip.branch(), "UDP", client.localPort(),
                "hi", "Content-Type: text/plain"));
        assertEquals(405, message.status());
    }

    @Test
    void tcpWorksToo() throws Exception {
        start(PublishConfig.defaults());
        Answer ok = RawSip.overTcp(port, "PUBLISH", ALICE, body("on-the-phone.pidf.xml"), "Event: presence",
                "Expires: 60", "Content-Type: application/pidf+xml");
        assertEquals(200, ok.status());
        assertEquals(PhoneState.ON_THE_PHONE, store.stateOf(ALICE));
    }

    @Test
    void aSenderOffTheAllowListIsForbidden() throws Exception {
        start(PublishConfig.defaults().withAccess(List.of("192.0.2.0/24"), PublisherCredentials.none(), "offhook"));
        Answer no = client.send(client.publish(ALICE, RawSip.branch(), body("on-the-phone.pidf.xml"),
                "Event: presence", "Content-Type: application/pidf+xml"));
        assertEquals(403, no.status());
        assertEquals(1, drops.get(DropReason.PUBLISH_NOT_ALLOWED));
        assertEquals(0, store.size());
    }

    @Test
    void digestAuthenticationChallengesAndThenAccepts() throws Exception {
        PublisherCredentials creds = PublisherCredentials.parse(List.of("kamailio = pa55word"), "test");
        start(PublishConfig.defaults().withAccess(List.of(), creds, "offhook"));
        String body = body("on-the-phone.pidf.xml");
        Answer challenge = client.send(client.publish(ALICE, RawSip.branch(), body, "Event: presence",
                "Content-Type: application/pidf+xml"));
        assertEquals(401, challenge.status());
        Map<String, String> c = DigestAuth.parse(challenge.header("WWW-Authenticate"));
        assertEquals("offhook", c.get("realm"));
        assertEquals("auth", c.get("qop"));
        assertEquals(0, store.size());

        String ha1 = PublisherCredentials.md5Hex("kamailio:offhook:pa55word");
        String response = DigestAuth.response(ha1, c.get("nonce"), "00000001", "c0ffee", "PUBLISH", ALICE);
        String authorization = "Authorization: Digest username=\"kamailio\", realm=\"offhook\", nonce=\""
                + c.get("nonce") + "\", uri=\"" + ALICE + "\", response=\"" + response
                + "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c0ffee\"";
        Answer ok = client.send(client.publish(ALICE, RawSip.branch(), body, "Event: presence",
                "Content-Type: application/pidf+xml", authorization));
        assertEquals(200, ok.status());
        assertEquals(1, store.size());

        Answer wrong = client.send(client.publish(ALICE, RawSip.branch(), body, "Event: presence",
                "Content-Type: application/pidf+xml", authorization.replace(response, "0".repeat(32))));
        assertEquals(403, wrong.status());
        assertEquals(1, drops.get(DropReason.PUBLISH_AUTH_FAILED));
    }

    @Test
    void aPublisherOverItsRateIsToldToWait() throws Exception {
        start(PublishConfig.defaults().withLimits(100, 65_536, 2));
        String body = body("on-the-phone.pidf.xml");
        for (int i = 0; i < 2; i++) {
            assertEquals(200, client.send(client.publish(ALICE, RawSip.branch(), body, "Event: presence",
                    "Content-Type: application/pidf+xml")).status());
        }
        Answer slow = client.send(client.publish(ALICE, RawSip.branch(), body, "Event: presence",
                "Content-Type: application/pidf+xml"));
        assertEquals(503, slow.status());
        assertEquals("1", slow.header("Retry-After"));
        assertEquals(1, drops.get(DropReason.PUBLISH_RATE_LIMITED));
    }

    @Test
    void closingReleasesThePortAndEndsJainSipsThreads() throws Exception {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        start(PublishConfig.defaults());
        receiver.close();
        receiver.close();
        // A thread that is not a daemon and outlives close() would keep Offhook's JVM from ending after a stop.
        for (int i = 0; i < 100 && (!nonDaemon(newThreads(before)).isEmpty()
                || newThreads(before).stream().anyMatch(t -> t.getName().equals("EventScannerThread"))); i++) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), nonDaemon(newThreads(before)), "JAIN-SIP's threads that outlive close");
        assertEquals(List.of(), newThreads(before).stream().map(Thread::getName)
                .filter("EventScannerThread"::equals).toList(), "JAIN-SIP's event thread still runs after close");
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertEquals(port, again.getLocalPort());
        }
    }

    private static List<String> nonDaemon(List<Thread> threads) {
        return threads.stream().filter(t -> !t.isDaemon()).map(Thread::getName).toList();
    }

    private static List<Thread> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !before.contains(t))
                .toList();
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            PublishConfig config = PublishConfig.defaults().withListen("127.0.0.1", taken.getLocalPort());
            PublishReceiver r = new PublishReceiver(config, new PublicationStore(config, changes::add, clock), drops,
                    clock, System::nanoTime);
            SipException e = org.junit.jupiter.api.Assertions.assertThrows(SipException.class, r::start);
            assertTrue(e.getMessage().contains(":" + taken.getLocalPort()), e.getMessage());
            r.close();
        }
    }
}
