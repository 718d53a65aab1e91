package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * HEPv3 over TCP: Kamailio 5.6's siptrace sends the mirror over TCP when its {@code duplicate_uri} says
 * {@code ;transport=tcp} (checked by hand first: one connection, HEP3 frames back to back). The tap listens on TCP
 * only, so every state it reports came through the HEP3 stream framing; the lab README's basic-call scenario must
 * give the same whole sequences as over UDP.
 */
class HepOverTcpIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void basicCallMirroredOverTcp() throws IOException {
        try (LiveTap tap = LiveTap.tcp(TrackerConfig.DEFAULTS);
             Kamailio kamailio = Kamailio.start(work.resolve("kamailio"), tap.port(), Kamailio.HepTransport.TCP,
                     64);
             CallLab lab = new CallLab(work, kamailio, tap)) {
            UserAgent alice = UserAgent.of("alice");
            UserAgent bob = UserAgent.of("bob");
            lab.register(alice);
            lab.register(bob);
            lab.call(alice, "uac-call.xml", "uas-answer.xml", bob);
            lab.assertStates(alice.aor(), "AVAILABLE DIALING ON_THE_PHONE AVAILABLE",
                    bob.aor(), "AVAILABLE RINGING ON_THE_PHONE AVAILABLE");
            assertEquals(-1, tap.listener().udpPort(), "the tap listens on TCP only");
            assertTrue(tap.listener().tcpConnections() >= 1, "Kamailio's HEP connection is open");
            assertEquals(0, tap.unexpectedDrops(), () -> "tap drops: " + tap.drops().snapshot());
            assertEquals(List.of(), kamailio.errors(), "Kamailio logged errors");
        }
    }
}
