package io.offhook.tap.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may publish when digest authentication is on: user names and passwords of the publishers (a presence server,
 * a proxy), not of the SIP users whose state they publish. Read from a file of {@code user = password} lines
 * ({@code #} starts a comment line; the password is the rest of the line after the first {@code =}, stripped),
 * which must not be readable by group or others. The passwords never leave this class but as digest hashes, and
 * {@link #toString()} names only how many users there are.
 */
public final class PublisherCredentials {
    private static final PublisherCredentials NONE = new PublisherCredentials(Map.of());

    private final Map<String, String> passwords;

    private PublisherCredentials(Map<String, String> passwords) {
        this.passwords = Map.copyOf(passwords);
    }

    /** No users: digest authentication is off. */
    public static PublisherCredentials none() {
        return NONE;
    }

    /**
     * Reads a credentials file.
     *
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException when it is readable by group or others, or a line is not
     *     {@code user = password} (the message names the file and line, never a password)
     */
    public static PublisherCredentials load(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IllegalArgumentException(file + " is readable by group or others (chmod 600 " + file + ")");
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses {@code user = password} lines; {@code source} names them in errors. */
    public static PublisherCredentials parse(List<String> lines, String source) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = source + ":" + (i + 1) + ": ";
            if (eq <= 0) {
                throw new IllegalArgumentException(where + "not 'user = password'");
            }
            String user = line.substring(0, eq).strip();
            String password = line.substring(eq + 1).strip();
            if (user.isEmpty() || !user.chars().allMatch(c -> c > ' ' && c < 127 && c != '"' && c != '\\')) {
                throw new IllegalArgumentException(where + "the user name must be printable ASCII without spaces "
                        + "or quotes");
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException(where + "user " + user + " has an empty password");
            }
            if (out.put(user, password) != null) {
                throw new IllegalArgumentException(where + "user " + user + " is listed twice");
            }
        }
        return new PublisherCredentials(out);
    }

    /** Whether there are no users (authentication off). */
    public boolean isEmpty() {
        return passwords.isEmpty();
    }

    public int size() {
        return passwords.size();
    }

    /**
     * RFC 2617's H(A1) for MD5, {@code MD5(user ":" realm ":" password)} in lower-case hex, or {@code null} for an
     * unknown user.
     */
    String ha1(String user, String realm) {
        String password = passwords.get(user);
        return password == null ? null : md5Hex(user + ":" + realm + ":" + password);
    }

    static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    @Override
    public String toString() {
        return "PublisherCredentials[" + passwords.size() + " users]";
    }
}
