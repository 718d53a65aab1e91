package io.offhook.it;

import io.offhook.tap.hep.HepEncoder;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of issue 6 ("Floods and limits"): {@code scripts/bench flood [invites [rate]]}. One million INVITEs
 * (by default) with unique Call-IDs that are never answered, sent as HEPv3 over UDP straight to Offhook's HEP port
 * as fast as this machine can (or at {@code rate} per second), while a real call goes through a real Kamailio to a
 * mapped user whose contact watches over XMPP. Reported: the rate sent, what Offhook received and held (its own
 * {@code /metrics}), the heap of this JVM (Offhook runs in it, {@link OffhookUnderTest}) sampled every 50 ms and
 * after a full GC, and whether the real call's presence came out exactly right. Bounded: the flood stops after
 * {@link #MAX_FLOOD} whatever it reached. Never part of the tests.
 */
final class BenchFlood {
    private static final String DOMAIN = "offhook.test";
    private static final String COMPONENT = "phone.offhook.test";
    private static final String SECRET = "bench-component-secret-0123456789";
    private static final String PASSWORD = "bench-password-1";
    private static final String ALICE_PHONE = "alice@" + DOMAIN + "/phone";
    private static final Duration MAX_FLOOD = Duration.ofMinutes(3);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern SAMPLE = Pattern.compile("(?m)^(offhook_[a-z_]+)(\\{[^}]*\\})? (\\S+)$");

    private BenchFlood() {
    }

    public static void main(String[] args) throws Exception {
        int invites = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        Path work = Files.createTempDirectory("offhook-bench-flood");
        System.out.printf(Locale.ROOT, "INVITE flood: %,d INVITEs, %s, work %s%n", invites,
                rate > 0 ? rate + "/s" : "as fast as possible", work);
        Prosody prosody = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        OffhookUnderTest offhook = null;
        Kamailio kamailio = null;
        Watcher bob = null;
        try {
            prosody.registerAll(List.of("alice", "bob"), PASSWORD);
            prosody.addRosterItem("alice", "bob@" + DOMAIN, "both");
            prosody.addRosterItem("bob", "alice@" + DOMAIN, "both");
            offhook = OffhookUnderTest.start(work.resolve("offhook"), prosody, SECRET,
                    "sip:alice@example.com = alice@offhook.test\n", Map.of("metrics.listen", "127.0.0.1:0"));
            Lab.sipp();
            kamailio = Kamailio.start(work.resolve("kamailio"), offhook.hepPort(), Kamailio.HepTransport.UDP, 64);
            bob = Watcher.login(prosody, "bob", PASSWORD, "desk");
            UserAgent alice = UserAgent.of("alice");
            UserAgent xavier = UserAgent.of("xavier");
            CallLab lab = new CallLab(work, kamailio);
            lab.register(alice);
            lab.register(xavier);
            bob.awaitPresence(ALICE_PHONE, p -> "Phone available".equals(p.getStatus()), WAIT);
            run(invites, rate, offhook, lab, alice, xavier, bob);
        } finally {
            if (bob != null) {
                bob.close();
            }
            if (kamailio != null) {
                kamailio.close();
            }
            if (offhook != null) {
                offhook.close();
            }
            prosody.stop();
        }
        BenchStats.cleanUp(work);
    }

    private static void run(int invites, int rate, OffhookUnderTest offhook, CallLab lab, UserAgent alice,
                            UserAgent xavier, Watcher bob) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        Flood flood = new Flood(offhook.hepPort(), invites, rate);
        Thread flooder = new Thread(flood, "flooder");
        flooder.start();
        Await.until(WAIT, () -> flood.sent.get() >= invites / 10 || !flooder.isAlive(),
                () -> "the flood did not get going");
        bob.mark();
        boolean realCallDuringFlood = flooder.isAlive();
        lab.call(xavier, "uac-call.xml", "uas-answer.xml", alice);
        BenchStats.awaitQuietly(Duration.ofSeconds(10), () -> bob.statusesSinceMark(ALICE_PHONE)
                .contains("Phone available"));
        List<String> seen = bob.statusesSinceMark(ALICE_PHONE);
        boolean realCallEndedDuringFlood = flooder.isAlive();
        flooder.join(MAX_FLOOD.toMillis() + 10_000);
        // After the flood: the next call must show right whatever the flood did (nothing stuck, nothing broken).
        bob.mark();
        lab.call(xavier, "uac-call.xml", "uas-answer.xml", alice);
        BenchStats.awaitQuietly(WAIT, () -> bob.statusesSinceMark(ALICE_PHONE).contains("Phone available"));
        List<String> after = bob.statusesSinceMark(ALICE_PHONE);
        sampler.interrupt();
        memory.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();
        Map<String, Double> metrics = scrape(offhook.services().metricsPort());

        System.out.printf(Locale.ROOT, "sent: %,d INVITEs in %.1f s = %,.0f/s%n", flood.sent.get(),
                flood.nanos / 1e9, flood.sent.get() / (flood.nanos / 1e9));
        System.out.printf(Locale.ROOT, "received by Offhook: %,.0f SIP messages over HEP/UDP (the rest was lost in "
                + "the kernel's socket buffer)%n", metrics.getOrDefault("offhook_sip_messages_total{source=\"hep_udp\"}",
                -1.0));
        System.out.printf(Locale.ROOT, "dialogs held at the end: %,.0f; early dialogs evicted: %,.0f%n",
                metrics.getOrDefault("offhook_sip_dialogs", -1.0),
                metrics.getOrDefault("offhook_sip_dropped_total{reason=\"early_dialog_evicted\"}", -1.0));
        System.out.printf(Locale.ROOT, "heap (this JVM, Offhook and the watcher): before %,d MiB, peak %,d MiB, "
                + "after the flood and a full GC %,d MiB; max heap %,d MiB%n", heapBefore >> 20, peak.get() >> 20,
                heapAfter >> 20, Runtime.getRuntime().maxMemory() >> 20);
        List<String> right = List.of("Phone ringing", "On the phone", "Phone available");
        System.out.printf(Locale.ROOT, "real call during the flood (%s): bob saw %s -> %s%n",
                realCallDuringFlood && realCallEndedDuringFlood ? "flood running from its start to its end"
                        : "the flood ended before the call did", seen, seen.equals(right) ? "right" : "WRONG");
        System.out.printf(Locale.ROOT, "real call after the flood: bob saw %s -> %s%n", after,
                after.equals(right) ? "right" : "WRONG");
    }

    /** The flood: {@code count} INVITEs from one SIP user to another, each its own dialog, as HEPv3 over UDP. */
    private static final class Flood implements Runnable {
        final AtomicLong sent = new AtomicLong();
        final int port;
        final int count;
        final int rate;
        volatile long nanos;

        Flood(int port, int count, int rate) {
            this.port = port;
            this.count = count;
            this.rate = rate;
        }

        @Override
        public void run() {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            byte[] address = loopback.getAddress();
            long start = System.nanoTime();
            long deadline = start + MAX_FLOOD.toNanos();
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                InetSocketAddress target = new InetSocketAddress(loopback, port);
                for (int i = 0; i < count; i++) {
                    long now = System.nanoTime();
                    if (now - deadline > 0) {
                        break;
                    }
                    if (rate > 0) {
                        long due = start + (long) i * 1_000_000_000L / rate;
                        while (System.nanoTime() - due < 0) {
                            Thread.onSpinWait();
                        }
                    }
                    byte[] sip = invite(i).getBytes(StandardCharsets.US_ASCII);
                    SipPacket packet = new SipPacket(System.currentTimeMillis() * 1000, Transport.UDP, address, 5070,
                            address, 5060, sip, 0, sip.length);
                    byte[] hep = HepEncoder.encodeV3(packet, 2001, null);
                    socket.send(new DatagramPacket(hep, hep.length, target));
                    sent.incrementAndGet();
                }
            } catch (IOException e) {
                System.out.println("the flood stopped: " + e);
            }
            nanos = System.nanoTime() - start;
        }

        private static String invite(int i) {
            return "INVITE sip:victim@example.com SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-flood-" + i + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:mallory@example.com>;tag=f" + i + "\r\n"
                    + "To: <sip:victim@example.com>\r\n"
                    + "Call-ID: flood-" + i + "@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:mallory@127.0.0.1:5070>\r\n"
                    + "Content-Length: 0\r\n\r\n";
        }
    }

    /** Offhook's own metrics: each sample's name and labels, as written, to its value. */
    private static Map<String, Double> scrape(int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        String text = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new HashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            values.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return values;
    }
}
