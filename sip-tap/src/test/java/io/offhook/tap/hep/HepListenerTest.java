package io.offhook.tap.hep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.offhook.tap.hep.HepTestData.Chunk;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HEP listener on real loopback sockets (127.0.0.1 and ::1 only). */
class HepListenerTest {
    private static final long TIMEOUT_SECONDS = 10;
    private static final Instant NOW = Instant.parse("2026-11-25T18:00:00Z");

    private final BlockingQueue<SipPacket> received = new LinkedBlockingQueue<>();
    private final DropCounters drops = new DropCounters();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private HepListener start(HepConfig config) throws IOException {
        return start(config, received::add);
    }

    private HepListener start(HepConfig config, PacketListener target) throws IOException {
        HepListener listener = new HepListener(config, target, drops, Clock.fixed(NOW, ZoneOffset.UTC));
        toClose.add(listener);
        listener.start();
        return listener;
    }

    private static HepConfig loopback() {
        return HepConfig.defaults().withPort(0);
    }

    private static String sip(String callId) {
        return HepTestData.INVITE.replace("a84b4c76e66710@pc33.example.com", callId);
    }

    private static byte[] hep3(String callId, int sourcePort, String authKey) {
        byte[] data = sip(callId).getBytes(StandardCharsets.UTF_8);
        SipPacket p = new SipPacket(1_700_000_000_000_000L, Transport.UDP, new byte[] {127, 0, 0, 1}, sourcePort,
                new byte[] {127, 0, 0, 1}, 5060, data, 0, data.length);
        return HepEncoder.encodeV3(p, 2001, authKey);
    }

    private static String text(SipPacket p) {
        return new String(p.data(), p.offset(), p.length(), StandardCharsets.UTF_8);
    }

    private SipPacket next() throws InterruptedException {
        SipPacket p = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(p, "no packet within " + TIMEOUT_SECONDS + " s");
        return p;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private void awaitDrops(DropReason reason, long count) {
        await(() -> drops.get(reason) >= count, count + " x " + reason + ", have " + drops.snapshot());
        assertEquals(count, drops.get(reason), drops.snapshot().toString());
    }

    private DatagramSocket udpClient(String address) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        toClose.add(s);
        return s;
    }

    private static void send(DatagramSocket s, String address, int port, byte[] data) throws IOException {
        s.send(new DatagramPacket(data, data.length, new InetSocketAddress(InetAddress.getByName(address), port)));
    }

    private Socket tcpClient(String address, int port) throws IOException {
        Socket s = new Socket(InetAddress.getByName(address), port);
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        toClose.add(s);
        return s;
    }

    /** Waits until the server closes the connection (EOF, or a reset after the server closed it). */
    private static void assertClosedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            assertEquals(-1, in.read(), "the server closes the connection");
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection within " + TIMEOUT_SECONDS + " s");
        } catch (IOException e) {
            // connection reset: closed by the server while our bytes were unread, also a close
            assertTrue(e.getMessage() != null && e.getMessage().contains("reset"), e.toString());
        }
    }

    // ---- UDP ----

    @Test
    void udpDeliversKamailioHepV3V2AndV1() throws Exception {
        HepListener listener = start(loopback().withTcp(false));
        assertEquals(-1, listener.tcpPort());
        DatagramSocket client = udpClient("127.0.0.1");
        for (String name : List.of(HepTestData.V3_IPV4, HepTestData.V2_IPV6, HepTestData.V1_IPV4)) {
            send(client, "127.0.0.1", listener.udpPort(), HepTestData.fixture(name));
        }
        SipPacket v3 = next();
        assertTrue(text(v3).startsWith("OPTIONS sip:probe@127.0.0.1:25060 SIP/2.0\r\n"));
        assertEquals(0x6b0727c5L * 1_000_000L + 0xf53f, v3.timeMicros());
        assertEquals(25070, v3.sourcePort());
        assertEquals(Transport.UDP, v3.transport());
        SipPacket v2 = next();
        assertEquals(InetAddress.getByName("::1"), v2.sourceAddress());
        byte[] v2Bytes = HepTestData.fixture(HepTestData.V2_IPV6);
        assertEquals(HepDecoder.decode(v2Bytes, 0, v2Bytes.length).timeMicros(), v2.timeMicros());
        assertTrue(v2.timeMicros() > 1_795_631_044_000_000L && v2.timeMicros() < 1_795_631_046_000_000L);
        SipPacket v1 = next();
        assertEquals(NOW.getEpochSecond() * 1_000_000L, v1.timeMicros(), "HEPv1 has no time: arrival time");
        assertEquals(0, drops.total(), drops.snapshot().toString());
    }

    @Test
    void udpSaysWhenDatagramsKeepWaitingAndWhenItCaughtUp() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Boolean> behind = new CopyOnWriteArrayList<>();
        AtomicInteger delivered = new AtomicInteger();
        HepListener listener = start(loopback().withTcp(false), new PacketListener() {
            @Override
            public void onPacket(SipPacket packet) {
                if (delivered.incrementAndGet() == 1) {
                    first.countDown();
                    try {
                        release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS); // busy, while more arrives
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void behind(boolean now) {
                behind.add(now);
            }
        });
        DatagramSocket client = udpClient("127.0.0.1");
        send(client, "127.0.0.1", listener.udpPort(), hep3("c-0", 5070, null));
        assertTrue(first.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        int more = 600; // over two rounds of reads; small enough for the socket buffer
        for (int i = 1; i <= more; i++) {
            send(client, "127.0.0.1", listener.udpPort(), hep3("c-" + i, 5070, null));
        }
        release.countDown();
        await(() -> delivered.get() == more + 1 && behind.size() == 2, "all delivered and caught up: " + behind);
        assertEquals(List.of(true, false), behind);
        assertEquals(0, drops.total(), drops.snapshot().toString());
    }

    @Test
    void udpCountsGarbageTruncatedOversizedAndNonSip() throws Exception {
        HepListener listener = start(loopback().withTcp(false).withMaxFrameSize(1024));
        DatagramSocket client = udpClient("127.0.0.1");
        int port = listener.udpPort();
        byte[] v3 = HepTestData.fixture(HepTestData.V3_IPV4);
        send(client, "127.0.0.1", port, "hello, not HEP".getBytes(StandardCharsets.UTF_8));
        send(client, "127.0.0.1", port, Arrays.copyOf(v3, v3.length - 20));
        send(client, "127.0.0.1", port, new byte[1500]);
        List<Chunk> log = new ArrayList<>();
        for (Chunk c : HepTestData.chunks(v3)) {
            log.add(c.type() == HepDecoder.CHUNK_PROTOCOL_TYPE ? Chunk.uint(c.type(), 100, 1) : c);
        }
        send(client, "127.0.0.1", port, HepTestData.hep3(log));
        send(client, "127.0.0.1", port, hep3("after-the-bad-ones", 5061, null));
        assertTrue(text(next()).contains("Call-ID: after-the-bad-ones\r\n"));
        assertEquals(1, drops.get(DropReason.HEP_UNKNOWN_VERSION));
        assertEquals(1, drops.get(DropReason.HEP_TRUNCATED));
        assertEquals(1, drops.get(DropReason.SIP_TOO_LARGE));
        assertEquals(1, drops.get(DropReason.HEP_NOT_SIP));
        assertEquals(4, drops.total());
        assertNull(received.poll());
    }

    @Test
    void authKeyMustMatch() throws Exception {
        HepListener listener = start(loopback().withAuthKey("s3cret"));
        DatagramSocket client = udpClient("127.0.0.1");
        int port = listener.udpPort();
        send(client, "127.0.0.1", port, hep3("wrong-key", 1, "s3cre"));
        send(client, "127.0.0.1", port, hep3("no-key", 2, null));
        send(client, "127.0.0.1", port, HepTestData.fixture(HepTestData.V2_IPV4));
        send(client, "127.0.0.1", port, hep3("right-key", 3, "s3cret"));
        assertTrue(text(next()).contains("Call-ID: right-key\r\n"));
        assertEquals(3, drops.get(DropReason.HEP_AUTH_FAILED));

        Socket tcp = tcpClient("127.0.0.1", listener.tcpPort());
        OutputStream out = tcp.getOutputStream();
        out.write(hep3("tcp-wrong-key", 4, "other"));
        out.write(hep3("tcp-right-key", 5, "s3cret"));
        out.flush();
        assertTrue(text(next()).contains("Call-ID: tcp-right-key\r\n"));
        assertEquals(4, drops.get(DropReason.HEP_AUTH_FAILED));
        assertNull(received.poll());
        assertEquals(1, listener.sipOverUdp(), "SIP delivered from HEP over UDP; refused ones are not counted");
        assertEquals(1, listener.sipOverTcp(), "SIP delivered from HEP over TCP");
    }

    @Test
    void allowListRejectsSendersOutsideIt() throws Exception {
        HepListener listener = start(loopback().withAllowList(List.of("192.0.2.0/24", "2001:db8::/32")));
        send(udpClient("127.0.0.1"), "127.0.0.1", listener.udpPort(), hep3("rejected", 1, null));
        awaitDrops(DropReason.SENDER_NOT_ALLOWED, 1);
        Socket tcp = tcpClient("127.0.0.1", listener.tcpPort());
        assertClosedByServer(tcp);
        awaitDrops(DropReason.SENDER_NOT_ALLOWED, 2);
        assertNull(received.poll());
    }

    @Test
    void allowListAdmitsLoopback() throws Exception {
        HepListener listener = start(loopback().withAllowList(List.of("192.0.2.1", "127.0.0.0/8")));
        send(udpClient("127.0.0.1"), "127.0.0.1", listener.udpPort(), hep3("admitted", 1, null));
        assertTrue(text(next()).contains("Call-ID: admitted\r\n"));
        assertEquals(0, drops.total());
    }

    @Test
    void listenerExceptionDoesNotStopTheReader() throws Exception {
        PacketListener failsOnFirst = packet -> {
            if (text(packet).contains("Call-ID: boom\r\n")) {
                throw new IllegalStateException("listener bug");
            }
            received.add(packet);
        };
        HepListener listener = start(loopback(), failsOnFirst);
        DatagramSocket client = udpClient("127.0.0.1");
        send(client, "127.0.0.1", listener.udpPort(), hep3("boom", 1, null));
        send(client, "127.0.0.1", listener.udpPort(), hep3("still-alive", 2, null));
        assertTrue(text(next()).contains("Call-ID: still-alive\r\n"));
        assertEquals(1, listener.listenerFailures());

        Socket tcp = tcpClient("127.0.0.1", listener.tcpPort());
        tcp.getOutputStream().write(hep3("boom", 3, null));
        tcp.getOutputStream().write(hep3("tcp-still-alive", 4, null));
        assertTrue(text(next()).contains("Call-ID: tcp-still-alive\r\n"));
        assertEquals(2, listener.listenerFailures());
    }

    // ---- TCP ----

    @Test
    void tcpFramesInOneWriteAndInPieces() throws Exception {
        HepListener listener = start(loopback().withUdp(false));
        assertEquals(-1, listener.udpPort());
        Socket tcp = tcpClient("127.0.0.1", listener.tcpPort());
        OutputStream out = tcp.getOutputStream();
        byte[] a = hep3("a", 1, null);
        byte[] b = hep3("b", 2, null);
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        out.write(both);
        out.flush();
        assertTrue(text(next()).contains("Call-ID: a\r\n"));
        assertTrue(text(next()).contains("Call-ID: b\r\n"));

        // a frame in pieces: 1 byte, 4 bytes (header complete but for the length), 20 bytes, the rest together
        // with the start of the next frame; the first frame cannot be delivered before its last piece
        byte[] c = hep3("c", 3, null);
        byte[] d = hep3("d", 4, null);
        out.write(c, 0, 1);
        out.flush();
        out.write(c, 1, 4);
        out.flush();
        out.write(c, 5, 20);
        out.flush();
        assertNull(received.poll(), "nothing before the frame is complete");
        byte[] rest = Arrays.copyOfRange(c, 25, c.length + 10);
        System.arraycopy(d, 0, rest, c.length - 25, 10);
        out.write(rest);
        out.flush();
        SipPacket third = next();
        assertEquals(sip("c"), text(third));
        assertEquals(3, third.sourcePort());
        out.write(d, 10, d.length - 10);
        out.flush();
        assertEquals(sip("d"), text(next()));
        assertEquals(0, drops.total(), drops.snapshot().toString());
    }

    @Test
    void tcpStreamFromKamailioInSevenBytePieces() throws Exception {
        HepListener listener = start(loopback().withUdp(false));
        byte[] stream = HepTestData.fixture(HepTestData.V3_TCP_STREAM);
        Socket tcp = tcpClient("127.0.0.1", listener.tcpPort());
        tcp.setTcpNoDelay(true);
        OutputStream out = tcp.getOutputStream();
        for (int at = 0; at < stream.length; at += 7) {
            out.write(stream, at, Math.min(7, stream.length - at));
            out.flush();
        }
        for (int i = 0; i < 4; i++) {
            SipPacket p = next();
            assertTrue(text(p).startsWith(i % 2 == 0 ? "OPTIONS sip:probe@127.0.0.1:25060 " : "SIP/2.0 200 OK\r\n"),
                    text(p));
            assertEquals(i % 2 == 0 ? 25060 : 25070, p.destinationPort());
        }
        assertEquals(0, drops.total(), drops.snapshot().toString());
    }

    @Test
    void tcpFrameLargerThanTheInitialBuffer() throws Exception {
        HepListener listener = start(loopback().withUdp(false));
        String big = "x".repeat(20_000);
        byte[] frame = hep3(big, 7, null);
        Socket tcp = tcpClient("127.0.0.1", listener.tcpPort());
        OutputStream out = tcp.getOutputStream();
        for (int at = 0; at < frame.length; at += 3000) {
            out.write(frame, at, Math.min(3000, frame.length - at));
            out.flush();
        }
        out.write(hep3("small", 8, null));
        assertEquals(sip(big), text(next()));
        assertEquals(sip("small"), text(next()));
    }

    @Test
    void severalTcpConnectionsAtOnceKeepTheirOrder() throws Exception {
        HepListener listener = start(loopback().withUdp(false));
        int connections = 8;
        int perConnection = 50;
        ExecutorService senders = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int connection = c;
                done.add(senders.submit(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.tcpPort())) {
                        OutputStream out = s.getOutputStream();
                        for (int i = 0; i < perConnection; i++) {
                            out.write(hep3("conn" + connection + "-" + i, 1000 + connection, null));
                        }
                        out.flush();
                        // keep the connection open until everything has arrived, so all are open together
                        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                        return s.getInputStream().read();
                    }
                }));
            }
            Map<Integer, Integer> nextSequence = new HashMap<>();
            for (int n = 0; n < connections * perConnection; n++) {
                SipPacket p = next();
                int connection = p.sourcePort() - 1000;
                int expected = nextSequence.merge(connection, 1, Integer::sum) - 1;
                assertTrue(text(p).contains("Call-ID: conn" + connection + "-" + expected + "\r\n"),
                        "in order per connection");
            }
            for (int c = 0; c < connections; c++) {
                assertEquals(perConnection, nextSequence.get(c));
            }
            listener.close(); // ends the senders' reads
            for (Future<?> f : done) {
                f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
            assertTrue(senders.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(0, drops.total(), drops.snapshot().toString());
    }

    @Test
    void tcpGarbageClosesOnlyThatConnection() throws Exception {
        HepListener listener = start(loopback());
        Socket good = tcpClient("127.0.0.1", listener.tcpPort());
        good.getOutputStream().write(hep3("before", 1, null));
        assertEquals(sip("before"), text(next()));

        Socket bad = tcpClient("127.0.0.1", listener.tcpPort());
        bad.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertClosedByServer(bad);
        assertEquals(1, drops.get(DropReason.HEP_STREAM_BROKEN));

        good.getOutputStream().write(hep3("after", 2, null));
        assertEquals(sip("after"), text(next()));
    }

    @Test
    void hepV2OverTcpIsRefused() throws Exception {
        HepListener listener = start(loopback());
        Socket s = tcpClient("127.0.0.1", listener.tcpPort());
        s.getOutputStream().write(HepTestData.fixture(HepTestData.V2_IPV4));
        assertClosedByServer(s);
        assertEquals(1, drops.get(DropReason.HEP_STREAM_BROKEN));
        assertNull(received.poll());
    }

    @Test
    void tcpFrameOverTheLimitOrWithABadLengthClosesTheConnection() throws Exception {
        HepListener listener = start(loopback().withMaxFrameSize(1024));
        Socket tooBig = tcpClient("127.0.0.1", listener.tcpPort());
        tooBig.getOutputStream().write(new byte[] {'H', 'E', 'P', '3', 0x07, (byte) 0xD0, 0, 0});
        assertClosedByServer(tooBig);
        Socket tooSmall = tcpClient("127.0.0.1", listener.tcpPort());
        tooSmall.getOutputStream().write(new byte[] {'H', 'E', 'P', '3', 0, 5, 0, 0});
        assertClosedByServer(tooSmall);
        assertEquals(2, drops.get(DropReason.HEP_STREAM_BROKEN));
    }

    @Test
    void badFrameWithAGoodLengthIsCountedAndTheConnectionLives() throws Exception {
        HepListener listener = start(loopback());
        Socket s = tcpClient("127.0.0.1", listener.tcpPort());
        OutputStream out = s.getOutputStream();
        // a well-framed HEP3 packet whose only chunk runs past its end
        out.write(new byte[] {'H', 'E', 'P', '3', 0, 12, 0, 0, 0, 15, 0, 50});
        out.write(hep3("next", 1, null));
        assertEquals(sip("next"), text(next()));
        assertEquals(1, drops.get(DropReason.HEP_BAD_CHUNK));
    }

    @Test
    void connectionEndingInsideAFrameIsCountedAsTruncated() throws Exception {
        HepListener listener = start(loopback());
        Socket s = tcpClient("127.0.0.1", listener.tcpPort());
        byte[] frame = hep3("cut", 1, null);
        s.getOutputStream().write(frame, 0, frame.length / 2);
        s.getOutputStream().flush();
        s.close();
        awaitDrops(DropReason.HEP_TRUNCATED, 1);
        assertNull(received.poll());
    }

    @Test
    void connectionsOverTheLimitAreRefused() throws Exception {
        HepListener listener = start(loopback().withMaxTcpConnections(1));
        Socket first = tcpClient("127.0.0.1", listener.tcpPort());
        first.getOutputStream().write(hep3("first", 1, null));
        assertEquals(sip("first"), text(next()));
        Socket second = tcpClient("127.0.0.1", listener.tcpPort());
        assertClosedByServer(second);
        assertEquals(1, drops.get(DropReason.HEP_STREAM_BROKEN));
        assertEquals(1, listener.tcpConnections());
        first.close();
        await(() -> listener.tcpConnections() == 0, "the server to see the first connection end");
        tcpClient("127.0.0.1", listener.tcpPort()).getOutputStream().write(hep3("third", 3, null));
        assertEquals(sip("third"), text(next()));
    }

    // ---- IPv6, lifecycle ----

    @Test
    void listensOnIpv6Loopback() throws Exception {
        HepListener listener = start(loopback().withBindAddress("::1"));
        send(udpClient("::1"), "::1", listener.udpPort(), hep3("over-udp6", 1, null));
        assertEquals(sip("over-udp6"), text(next()));
        tcpClient("::1", listener.tcpPort()).getOutputStream().write(hep3("over-tcp6", 2, null));
        assertEquals(sip("over-tcp6"), text(next()));
    }

    @Test
    void startIsIdempotentAndCloseLeavesNoThreadBehind() throws Exception {
        HepListener listener = start(loopback());
        int udpPort = listener.udpPort();
        int tcpPort = listener.tcpPort();
        listener.start();
        assertEquals(udpPort, listener.udpPort());
        Socket open = tcpClient("127.0.0.1", tcpPort);
        open.getOutputStream().write(hep3("x", 1, null));
        assertEquals(sip("x"), text(next()));
        String name = "hep-listener 127.0.0.1 udp:" + udpPort + " tcp:" + tcpPort;
        assertTrue(threadAlive(name), "reader thread " + name + " runs");

        listener.close();
        assertTrue(!threadAlive(name), "reader thread gone after close()");
        assertClosedByServer(open);
        listener.close();
        assertThrows(IllegalStateException.class, listener::start);
        // the ports are free again
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", udpPort))) {
            assertEquals(udpPort, again.getLocalPort());
        }
    }

    @Test
    void closeWithoutStartAndFailedStartAreHarmless() throws Exception {
        new HepListener(loopback(), received::add, drops).close();
        HepListener first = start(loopback().withTcp(false));
        HepListener second = new HepListener(loopback().withTcp(false).withPort(first.udpPort()), received::add,
                drops);
        toClose.add(second);
        assertThrows(IOException.class, second::start);
        second.close();
        send(udpClient("127.0.0.1"), "127.0.0.1", first.udpPort(), hep3("first-still-works", 1, null));
        assertEquals(sip("first-still-works"), text(next()));
    }

    private static boolean threadAlive(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name) && t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void packetAddressesComeFromHepNotFromTheSocket() throws Exception {
        HepListener listener = start(loopback());
        byte[] data = sip("addresses").getBytes(StandardCharsets.UTF_8);
        SipPacket original = new SipPacket(5, Transport.TCP, new byte[] {(byte) 192, 0, 2, 10}, 5070,
                new byte[] {(byte) 198, 51, 100, 7}, 5060, data, 0, data.length);
        send(udpClient("127.0.0.1"), "127.0.0.1", listener.udpPort(), HepEncoder.encodeV3(original, 1, null));
        SipPacket p = next();
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 10}, p.sourceAddress().getAddress());
        assertEquals(5070, p.sourcePort());
        assertEquals(Transport.TCP, p.transport());
        assertEquals(5, p.timeMicros());
    }
}
