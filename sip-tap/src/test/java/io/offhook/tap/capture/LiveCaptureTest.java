package io.offhook.tap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Live capture on the loopback interface. Needs libpcap and the right to capture (root or CAP_NET_RAW); without
 * them the test is skipped, not failed.
 */
class LiveCaptureTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aSipDatagramSentOnLoopbackIsCaptured() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            int port = receiver.getLocalPort();
            BlockingQueue<SipPacket> captured = new LinkedBlockingQueue<>();
            DropCounters drops = new DropCounters();
            LiveCapture capture = new LiveCapture(LiveCaptureConfig.of("lo", "udp and dst port " + port),
                    captured::add, drops);
            startOrSkip(capture);
            try {
                String sip = SipText.options("live-" + port);
                byte[] bytes = Frames.ascii(sip);
                sender.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, port));
                SipPacket p = captured.poll(10, TimeUnit.SECONDS);
                assertNotNull(p, "the datagram was captured");
                assertEquals(sip, SipText.text(p));
                assertEquals(Transport.UDP, p.transport());
                assertEquals(LOOPBACK, p.sourceAddress());
                assertEquals(sender.getLocalPort(), p.sourcePort());
                assertEquals(port, p.destinationPort());
                long nowMicros = System.currentTimeMillis() * 1000;
                assertTrue(Math.abs(nowMicros - p.timeMicros()) < TimeUnit.MINUTES.toMicros(5),
                        "the capture time stamp is the wall clock: " + p.timeMicros());
                assertTrue(capture.framesSeen() >= 1);
            } finally {
                capture.close();
            }
            assertFalse(capture.isRunning(), "close() stops the capture thread");
            capture.close(); // idempotent
        }
    }

    /**
     * The default filter, compiled by libpcap and run over the lab's capture of a call whose INVITE and 200 went in
     * IP fragments: it keeps every frame, where "port 5060" alone loses the fragments after the first.
     */
    @Test
    void theDefaultFilterKeepsEveryFragmentOfALargeMessage() throws Exception {
        String file = Path.of(LiveCaptureTest.class.getResource("/captures/fragmented-call.pcap").toURI()).toString();
        assertEquals(21, framesPassing(file, LiveCaptureConfig.DEFAULT_FILTER));
        assertEquals(17, framesPassing(file, "port 5060"));
    }

    private static int framesPassing(String file, String filter) throws Exception {
        PcapHandle handle;
        try {
            handle = Pcaps.openOffline(file);
        } catch (PcapNativeException | LinkageError e) {
            assumeTrue(false, "libpcap is not available here: " + e);
            return 0;
        }
        try {
            handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            int n = 0;
            while (true) {
                try {
                    handle.getNextRawPacketEx();
                    n++;
                } catch (EOFException e) {
                    return n;
                }
            }
        } finally {
            handle.close();
        }
    }

    @Test
    void aBadFilterFailsAtStart() {
        LiveCapture capture = new LiveCapture(LiveCaptureConfig.of("lo", "udp port banana"), p -> { },
                new DropCounters());
        IOException e = assertThrows(IOException.class, () -> startOrSkipOnlyIfUnavailable(capture));
        assertTrue(e.getMessage().contains("udp port banana"), e.getMessage());
        assertFalse(capture.isRunning());
    }

    private static void startOrSkip(LiveCapture capture) throws IOException {
        try {
            capture.start();
        } catch (IOException e) {
            assumeTrue(!unavailable(e), "live capture is not possible here: " + e.getMessage());
            throw e;
        }
    }

    /** Starts, skipping the test only when capture is impossible on this machine; other failures are thrown. */
    private static void startOrSkipOnlyIfUnavailable(LiveCapture capture) throws IOException {
        try {
            capture.start();
        } catch (IOException e) {
            assumeTrue(!unavailable(e), "live capture is not possible here: " + e.getMessage());
            throw e;
        } finally {
            capture.close();
        }
    }

    private static boolean unavailable(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e.getCause() instanceof LinkageError || m.contains("not permitted") || m.contains("ermission");
    }
}
