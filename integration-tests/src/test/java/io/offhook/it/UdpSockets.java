package io.offhook.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether some process has bound a UDP port, read from the kernel's table ({@code /proc/net/udp}, as {@code ss -lun}
 * does): a bind attempt of our own would race with the process being awaited and could make its bind fail.
 */
final class UdpSockets {
    private static final Path TABLE = Path.of("/proc/net/udp");

    private UdpSockets() {
    }

    static boolean bound(int port) {
        List<String> lines;
        try {
            lines = Files.readAllLines(TABLE, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TABLE, e);
        }
        // "  sl  local_address rem_address   st ...": local_address is HEXIP:HEXPORT
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length > 1) {
                int colon = f[1].indexOf(':');
                if (colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == port) {
                    return true;
                }
            }
        }
        return false;
    }
}
