package io.offhook.tap.subscribe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.publish.PublishedChange;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JAIN-SIP adapter on loopback against a hand-written PBX (a UDP socket): what the SUBSCRIBE carries, a NOTIFY
 * answered and turned into phone state, a NOTIFY of an unknown dialog refused with 481, and Expires: 0 at close.
 */
class DialogSubscribeClientTest {
    private static final String ALICE = "sip:alice@example.com";

    private DatagramSocket pbx;
    private DialogSubscribeClient client;
    private int listen;
    private final List<PublishedChange> changes = Collections.synchronizedList(new ArrayList<>());

    /** A received SIP message: its first line and headers (names lower case, first of each). */
    private record Message(String firstLine, Map<String, String> headers, SocketAddress from) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        pbx = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        pbx.setSoTimeout(10_000);
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            listen = probe.getLocalPort();
        }
        client = new DialogSubscribeClient(SubscribeConfig.of("127.0.0.1", pbx.getLocalPort(), false, "127.0.0.1",
                listen), changes::add, Clock.systemUTC());
        client.start();
    }

    @AfterEach
    void tearDown() {
        client.close();
        pbx.close();
    }

    private Message receive() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        pbx.receive(p);
        String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        String[] lines = text.split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        return new Message(lines[0], headers, p.getSocketAddress());
    }

    /** The next request of {@code method} (retransmissions of others skipped). */
    private Message receiveRequest(String method) throws IOException {
        for (int i = 0; i < 20; i++) {
            Message m = receive();
            if (m.firstLine().startsWith(method + " ")) {
                return m;
            }
        }
        throw new AssertionError("no " + method + " within 20 messages");
    }

    private Message receiveResponse() throws IOException {
        for (int i = 0; i < 20; i++) {
            Message m = receive();
            if (m.firstLine().startsWith("SIP/2.0 ")) {
                return m;
            }
        }
        throw new AssertionError("no response within 20 messages");
    }

    private void send(String text, SocketAddress to) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        pbx.send(new DatagramPacket(b, b.length, to));
    }

    private void answer(Message request, int status, String extra) throws IOException {
        String to = request.header("To");
        send("SIP/2.0 " + status + " Whatever\r\nVia: " + request.header("Via") + "\r\nFrom: " + request.header("From")
                + "\r\nTo: " + to + (to.contains("tag=") ? "" : ";tag=pbx1") + "\r\nCall-ID: "
                + request.header("Call-ID") + "\r\nCSeq: " + request.header("CSeq") + "\r\n" + extra
                + "Content-Length: 0\r\n\r\n", request.from());
    }

    private String notify(String callId, String toHeader, int cseq, String body) {
        return "NOTIFY sip:offhook@127.0.0.1:" + listen + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + pbx.getLocalPort() + ";branch=z9hG4bKn" + cseq + callId.hashCode()
                + "\r\nFrom: <" + ALICE + ">;tag=pbx1\r\nTo: " + toHeader + "\r\nCall-ID: " + callId
                + "\r\nCSeq: " + cseq + " NOTIFY\r\nMax-Forwards: 70\r\nContact: <sip:pbx@127.0.0.1:"
                + pbx.getLocalPort() + ">\r\nEvent: dialog\r\nSubscription-State: active;expires=600\r\n"
                + "Content-Type: application/dialog-info+xml\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void subscribesAnswersNotifiesAndUnsubscribesAtClose() throws Exception {
        client.setUsers(List.of(ALICE));
        Message subscribe = receiveRequest("SUBSCRIBE");
        assertEquals("SUBSCRIBE " + ALICE + " SIP/2.0", subscribe.firstLine());
        assertEquals("dialog", subscribe.header("Event"));
        assertEquals("application/dialog-info+xml", subscribe.header("Accept"));
        assertEquals("3600", subscribe.header("Expires"));
        assertTrue(subscribe.header("Contact").contains("127.0.0.1:" + listen), subscribe.header("Contact"));
        assertTrue(subscribe.header("From").contains("tag="), subscribe.header("From"));
        answer(subscribe, 200, "Expires: 600\r\nContact: <sip:pbx@127.0.0.1:" + pbx.getLocalPort() + ">\r\n");

        String callId = subscribe.header("Call-ID");
        send(notify(callId, subscribe.header("From"), 1, DialogSubscriberTest.info(0, true,
                DialogSubscriberTest.dialog("d1", "confirmed")).replace("pbx.example.net", "example.com")),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), listen));
        Message ok = receiveResponse();
        assertEquals("SIP/2.0 200 OK", ok.firstLine());
        assertEquals(PhoneState.ON_THE_PHONE, changes.get(changes.size() - 1).published(),
                "the state was taken before the NOTIFY was answered");
        assertEquals(ALICE, changes.get(0).aor());

        send(notify("nobody@pbx", "<sip:offhook@127.0.0.1>;tag=unknown", 1, DialogSubscriberTest.info(0, true)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), listen));
        assertTrue(receiveResponse().firstLine().startsWith("SIP/2.0 481 "));
        assertEquals(1, client.stats().active());

        Thread closing = new Thread(client::close, "closing");
        closing.start();
        Message unsubscribe = receiveRequest("SUBSCRIBE");
        assertEquals("0", unsubscribe.header("Expires"));
        assertEquals(callId, unsubscribe.header("Call-ID"));
        assertTrue(unsubscribe.header("To").contains("tag=pbx1"), "within the dialog: " + unsubscribe.header("To"));
        assertTrue(unsubscribe.firstLine().startsWith("SUBSCRIBE sip:pbx@127.0.0.1:" + pbx.getLocalPort()),
                "to the notifier's Contact: " + unsubscribe.firstLine());
        answer(unsubscribe, 200, "Expires: 0\r\n");
        closing.join(10_000);
        assertEquals(PhoneState.OFFLINE, changes.get(changes.size() - 1).published(), "its state went with it");
    }
}
