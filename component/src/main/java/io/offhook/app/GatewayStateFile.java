package io.offhook.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.xmpp.packet.JID;

/**
 * Who subscribed to which user's phone contact in gateway mode, kept in a file ({@code gateway.state-file}) so that
 * a restart of Offhook does not leave subscribers without updates until their next login. One line per
 * subscription, {@code user-jid subscriber-jid}; written whole to a temporary file and renamed over the old one, so
 * a crash never leaves half a file. A line that does not parse is skipped and logged: losing one subscriber until
 * their next login is better than refusing to start.
 */
final class GatewayStateFile {
    private static final Logger LOG = LogManager.getLogger(GatewayStateFile.class);

    private GatewayStateFile() {
    }

    /** The saved subscriptions; empty when the file does not exist yet. */
    static Map<JID, Set<JID>> load(Path file) throws IOException {
        Map<JID, Set<JID>> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        int number = 0;
        for (String line : lines) {
            number++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split("\\s+");
            try {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("expected two JIDs");
                }
                JID user = new JID(parts[0]).asBareJID();
                JID subscriber = new JID(parts[1]).asBareJID();
                out.computeIfAbsent(user, u -> new HashSet<>()).add(subscriber);
            } catch (IllegalArgumentException e) {
                LOG.warn("{}:{}: skipped ({}): {}", file, number, e.getMessage(), t);
            }
        }
        return out;
    }

    /** Replaces the file with {@code subscriptions}, atomically where the file system allows. */
    static void save(Path file, Map<JID, Set<JID>> subscriptions) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# Offhook gateway subscriptions (user subscriber), rewritten whenever they change");
        Set<String> sorted = new TreeSet<>();
        subscriptions.forEach((user, subscribers) -> subscribers.forEach(s -> sorted.add(user + " " + s)));
        lines.addAll(sorted);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
