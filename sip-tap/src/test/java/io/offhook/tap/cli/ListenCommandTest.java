package io.offhook.tap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.hep.HepEncoder;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live tap on loopback: HEP in, JSON lines out as it happens. */
class ListenCommandTest {
    @TempDir
    Path dir;

    /** Hands each flushed line to the test, so it can await output instead of sleeping. */
    static final class LineQueue extends Writer {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder pending = new StringBuilder();

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            pending.append(buf, off, len);
        }

        @Override
        public synchronized void flush() {
            int nl;
            while ((nl = pending.indexOf("\n")) >= 0) {
                lines.add(pending.substring(0, nl));
                pending.delete(0, nl + 1);
            }
        }

        @Override
        public void close() {
        }
    }

    static final String REGISTERED = "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1\r\n"
            + "From: <sip:alice@example.com>;tag=r1\r\n"
            + "To: <sip:alice@example.com>;tag=k1\r\n"
            + "Call-ID: reg-1@127.0.0.1\r\n"
            + "CSeq: 1 REGISTER\r\n"
            + "Contact: <sip:alice@127.0.0.1:5071>;expires=3600\r\n"
            + "Content-Length: 0\r\n\r\n";

    @Test
    void hepInJsonLinesOut() throws IOException, InterruptedException {
        LineQueue out = new LineQueue();
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ListenCommand command = ListenCommand.parse(List.of("--hep", "127.0.0.1:0", "--hep-udp-only",
                "--allow", "127.0.0.0/8"));
        try (ListenCommand.Running running = command.start(out, err, Clock.systemUTC())) {
            byte[] sip = REGISTERED.getBytes(StandardCharsets.US_ASCII);
            SipPacket packet = new SipPacket(System.currentTimeMillis() * 1000, Transport.UDP,
                    new byte[] {127, 0, 0, 1}, 5060, new byte[] {127, 0, 0, 1}, 5071, sip, 0, sip.length);
            byte[] hep = HepEncoder.encodeV3(packet, 2001, null);
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                socket.send(new DatagramPacket(hep, hep.length, InetAddress.getLoopbackAddress(),
                        running.hepListener.udpPort()));
            }
            String line = out.lines.poll(10, TimeUnit.SECONDS);
            assertNotNull(line, "no event within 10 s");
            assertTrue(line.contains("\"aor\":\"sip:alice@example.com\",\"state\":\"AVAILABLE\",\"event\":\"ONLINE\""),
                    line);
        }
    }

    @Test
    void authKeyFileReadableByOthersIsRefused() throws IOException {
        Path key = dir.resolve("hep.key");
        Files.writeString(key, "s3cret\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ListenCommand.parse(List.of("--hep-auth-key-file", key.toString())));
        assertTrue(e.getMessage().contains("readable by others"), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cret"), "the secret never appears in an error");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertEquals("s3cret", ListenCommand.readSecret(key, "--hep-auth-key-file"));
    }

    @Test
    void badOptionsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ListenCommand.parse(List.of("--hep", "127.0.0.1"))).getMessage().contains("--hep"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ListenCommand.parse(List.of("--no-hep"))).getMessage().contains("--capture"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ListenCommand.parse(List.of("--allow", "not-an-address"))).getMessage()
                .contains("not-an-address"));
    }
}
