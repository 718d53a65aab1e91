package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xmpp.packet.JID;

class GatewayStateFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripAndAMissingFileIsEmpty() throws IOException {
        Path file = dir.resolve("state/gateway-subscribers");
        assertEquals(Map.of(), GatewayStateFile.load(file));
        Map<JID, Set<JID>> saved = Map.of(new JID("gina@localhost"), Set.of(new JID("bob@localhost"),
                new JID("erin@localhost")), new JID("alice@example.com"), Set.of(new JID("bob@localhost")));
        GatewayStateFile.save(file, saved);
        assertEquals(saved, GatewayStateFile.load(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void aBadLineIsSkippedNotFatal() throws IOException {
        Path file = dir.resolve("gw");
        Files.writeString(file, "# comment\ngina@localhost bob@localhost\nnonsense\na@b c@d e@f\n"
                + "gina@localhost <bad>@x\n");
        Map<JID, Set<JID>> loaded = GatewayStateFile.load(file);
        assertEquals(Map.of(new JID("gina@localhost"), Set.of(new JID("bob@localhost"))), loaded);
        assertTrue(Files.readString(file).contains("nonsense"), "the file itself is left alone");
    }
}
