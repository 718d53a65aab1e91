package io.offhook.tap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real VXLAN capture (integration-tests/lab/tunnel-capture.sh: the Linux kernel's vxlan driver tunnelling the basic
 * call's SIP messages, as a cloud traffic mirror sends them to a collector): the same messages come out as from the
 * plain capture, with the inner addresses, and nothing is dropped.
 */
class TunnelCaptureTest {

    private static List<SipPacket> read(String file, DropCounters drops) throws IOException {
        List<SipPacket> packets = new ArrayList<>();
        try (InputStream in = TunnelCaptureTest.class.getResourceAsStream("/captures/" + file)) {
            assertNotNull(in, file + " is on the test class path");
            new CaptureReader().read(in, file, packets::add, drops);
        }
        return packets;
    }

    @Test
    void theTunnelledCallIsTheCall() throws IOException {
        DropCounters drops = new DropCounters();
        List<SipPacket> tunnelled = read("vxlan-basic-call.pcap", drops);

        assertEquals(Map.of(), drops.snapshot());
        assertEquals(SipText.texts(read("basic-call.pcap", new DropCounters())), SipText.texts(tunnelled));
        for (SipPacket p : tunnelled) {
            assertEquals(InetAddress.getByName("10.9.0.1"), p.sourceAddress());
            assertEquals(InetAddress.getByName("10.9.0.2"), p.destinationAddress());
            assertEquals(5060, p.destinationPort());
        }
    }
}
