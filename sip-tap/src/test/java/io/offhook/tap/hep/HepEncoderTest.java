package io.offhook.tap.hep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.packet.Transport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encode-then-decode round trips, and the encoder against real Kamailio bytes. */
class HepEncoderTest {
    private static final long TIME = 1_795_631_044_136_281L;

    private static SipPacket packet(Transport transport, String source, int sourcePort, String destination,
                                    int destinationPort) throws Exception {
        byte[] data = ("garbage-before" + HepTestData.INVITE + "garbage-after").getBytes(StandardCharsets.UTF_8);
        return new SipPacket(TIME, transport, InetAddress.getByName(source).getAddress(), sourcePort,
                InetAddress.getByName(destination).getAddress(), destinationPort, data, 14,
                HepTestData.INVITE.length());
    }

    private static void assertRoundTrip(SipPacket in, HepPacket out) {
        SipPacket back = out.toSipPacket();
        assertEquals(in.timeMicros(), back.timeMicros());
        assertEquals(in.transport(), back.transport());
        assertEquals(in.sourceAddress(), back.sourceAddress());
        assertEquals(in.sourcePort(), back.sourcePort());
        assertEquals(in.destinationAddress(), back.destinationAddress());
        assertEquals(in.destinationPort(), back.destinationPort());
        assertEquals(HepTestData.INVITE,
                new String(back.data(), back.offset(), back.length(), StandardCharsets.UTF_8));
    }

    @Test
    void v3RoundTrips() throws Exception {
        for (Transport t : List.of(Transport.UDP, Transport.TCP, Transport.SCTP, Transport.TLS)) {
            for (String[] pair : List.of(new String[] {"192.0.2.10", "198.51.100.7"},
                    new String[] {"2001:db8::10", "2001:db8::7"})) {
                SipPacket in = packet(t, pair[0], 5060, pair[1], 65535);
                byte[] hep = HepEncoder.encodeV3(in, 0xFFFF_FFF0, "key");
                HepPacket out = HepDecoder.decode(hep, 0, hep.length);
                assertEquals(3, out.version());
                assertEquals(pair[0].contains(":") ? 10 : 2, out.ipFamily());
                assertEquals(0xFFFF_FFF0L, out.captureId());
                assertEquals("key", out.authKey());
                assertNull(out.correlationId());
                assertRoundTrip(in, out);
            }
        }
    }

    @Test
    void v2RoundTrips() throws Exception {
        for (String[] pair : List.of(new String[] {"192.0.2.10", "198.51.100.7"},
                new String[] {"2001:db8::10", "2001:db8::7"})) {
            SipPacket in = packet(Transport.TCP, pair[0], 5060, pair[1], 5061);
            byte[] hep = HepEncoder.encodeV2(in, 2001);
            HepPacket out = HepDecoder.decode(hep, 0, hep.length);
            assertEquals(2, out.version());
            assertEquals(2001, out.captureId());
            assertRoundTrip(in, out);
        }
    }

    @Test
    void packetsWithoutAddressesStillEncode() throws Exception {
        SipPacket in = SipPacket.of(TIME, HepTestData.INVITE.getBytes(StandardCharsets.UTF_8));
        byte[] v3 = HepEncoder.encodeV3(in, 1, null);
        HepPacket out3 = HepDecoder.decode(v3, 0, v3.length);
        assertEquals(0, out3.sourceAddress().length);
        assertNull(out3.authKey());
        byte[] v2 = HepEncoder.encodeV2(in, 1);
        assertArrayEquals(new byte[4], HepDecoder.decode(v2, 0, v2.length).sourceAddress());
    }

    /** The encoder writes exactly what Kamailio 5.6 wrote, byte for byte (same chunk order, same byte orders). */
    @Test
    void matchesKamailioByteForByte() throws Exception {
        for (String name : List.of(HepTestData.V3_IPV4, HepTestData.V3_IPV6, HepTestData.V2_IPV4,
                HepTestData.V2_IPV6)) {
            byte[] kamailio = HepTestData.fixture(name);
            HepPacket decoded = HepDecoder.decode(kamailio, 0, kamailio.length);
            byte[] ours = decoded.version() == 3
                    ? HepEncoder.encodeV3(decoded.toSipPacket(), (int) decoded.captureId(), null)
                    : HepEncoder.encodeV2(decoded.toSipPacket(), (int) decoded.captureId());
            assertArrayEquals(kamailio, ours, name);
        }
    }

    @Test
    void rejectsWhatHepCannotCarry() throws Exception {
        byte[] big = new byte[70_000];
        Arrays.fill(big, (byte) 'a');
        assertThrows(IllegalArgumentException.class, () -> HepEncoder.encodeV3(SipPacket.of(0, big), 1, null));
        SipPacket mixed = new SipPacket(0, Transport.UDP, new byte[4], 1, new byte[16], 2, big, 0, 10);
        assertThrows(IllegalArgumentException.class, () -> HepEncoder.encodeV2(mixed, 1));
    }
}
