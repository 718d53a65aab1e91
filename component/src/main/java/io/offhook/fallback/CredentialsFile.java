package io.offhook.fallback;

import io.offhook.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.xmpp.packet.JID;

/**
 * Reads the credentials file ({@code fallback.credentials-file}): the users Offhook may log in as, and how.
 *
 * <p>UTF-8 text, one account a line:
 * <pre>
 * # comment (only at the start of a line: a password may contain #)
 * alice@example.org = s3cret
 * bob@example.org   = "a password with blanks"   host=xmpp.example.org port=5222 tls=required
 * carol@example.net = s3cret   bosh=https://xmpp.example.net:5281/http-bind
 * </pre>
 * The JID is a bare {@code user@domain}. The password is one word, or a double-quoted string in which {@code \"}
 * and {@code \\} stand for a quote and a backslash (for passwords with blanks, or that start with a quote).
 * Options after it: {@code host=} (connect there instead of looking up the domain's DNS SRV record; needed where
 * the domain has no SRV or A record), {@code port=} (default 5222; without {@code host=}, the JID's domain is
 * connected to on that port), {@code tls=required|disabled} (STARTTLS required by default; {@code disabled} is for
 * tests on loopback), {@code bosh=URL} (log in over BOSH, XEP-0124/XEP-0206, through that endpoint instead of TCP:
 * an {@code https} URL, {@code http} only with {@code tls=disabled}; not with {@code host=} or {@code port=}, which
 * the URL names).
 *
 * <p>The file holds passwords, so it must not be readable by group or others ({@link #load} refuses it otherwise,
 * naming the file), and no problem message repeats any part of a line that might be a password: a bad JID or option
 * is reported by its position, not its text. Every problem in the file is reported (up to {@value #MAX_PROBLEMS}),
 * each as {@code FILE:LINE: what}; a file with any problem gives no accounts at all.
 */
public final class CredentialsFile {
    /** Longer lines are an error. */
    static final int MAX_LINE = 4096;
    /** A larger file is refused before it is read (memory stays bounded). */
    static final long MAX_BYTES = 16L << 20;
    /** Problems beyond this many are counted, not listed. */
    static final int MAX_PROBLEMS = 100;
    private static final String OPTIONS = "options are host=, port=, tls= and bosh=";

    private CredentialsFile() {
    }

    /**
     * Reads the file, which must be private to its owner (no read permission for group or others).
     *
     * @throws CredentialsException naming the file when it is missing, readable by others, unreadable or too large,
     *     or every bad line
     */
    public static Credentials load(Path file) throws CredentialsException {
        byte[] content;
        try {
            if (Settings.readableByOthers(file)) {
                throw new CredentialsException(List.of(file + " is readable by group or others; chmod 600 it "
                        + "(it holds passwords)"));
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new CredentialsException(List.of(file + " is larger than " + (MAX_BYTES >> 20) + " MiB"));
            }
            try (InputStream in = Files.newInputStream(file)) {
                content = in.readNBytes((int) MAX_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw new CredentialsException(List.of(file + " does not exist (create it with one 'user@domain = "
                    + "password' line per user, chmod 600)"));
        } catch (UnsupportedOperationException e) {
            throw new CredentialsException(List.of("cannot check the permissions of " + file + " (a file system "
                    + "without POSIX permissions)"));
        } catch (IOException e) {
            throw new CredentialsException(List.of("cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")"));
        }
        if (content.length > MAX_BYTES) {
            throw new CredentialsException(List.of(file + " is larger than " + (MAX_BYTES >> 20) + " MiB"));
        }
        return parse(content, file.toString(), Optional.of(file));
    }

    /**
     * Parses the file's bytes, which must be UTF-8 (a leading byte order mark is allowed).
     *
     * @param source the name problems are reported under, usually the path
     * @param file where the credentials came from, kept for later messages
     */
    static Credentials parse(byte[] content, String source, Optional<Path> file) throws CredentialsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new CredentialsException(List.of(source + ":" + firstBadLine(content) + ": not UTF-8"));
        }
        return parse(text, source, file);
    }

    /** Parses the file's text; see the class description. */
    static Credentials parse(String text, String source, Optional<Path> file) throws CredentialsException {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        Map<JID, Account> accounts = new LinkedHashMap<>();
        Map<JID, Integer> lines = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int notShown = 0;
        String[] all = text.split("\r?\n|\r", -1);
        for (int i = 0; i < all.length; i++) {
            int number = i + 1;
            String line = all[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                if (all[i].length() > MAX_LINE) {
                    throw new LineError("line is longer than " + MAX_LINE + " characters");
                }
                Account account = account(line);
                Integer earlier = lines.putIfAbsent(account.jid(), number);
                if (earlier != null) {
                    throw new LineError(account.jid().toBareJID() + " is already on line " + earlier);
                }
                accounts.put(account.jid(), account);
            } catch (LineError e) {
                if (problems.size() < MAX_PROBLEMS) {
                    problems.add(source + ":" + number + ": " + e.getMessage());
                } else {
                    notShown++;
                }
            }
        }
        if (notShown > 0) {
            problems.add(source + ": and " + notShown + " more problems");
        }
        if (!problems.isEmpty()) {
            throw new CredentialsException(problems);
        }
        return new Credentials(file, accounts);
    }

    /** Thrown for the first problem of a line; its message never holds text of the line but a JID. */
    private static final class LineError extends Exception {
        private static final long serialVersionUID = 1L;

        LineError(String what) {
            super(what, null, false, false);
        }
    }

    private static Account account(String line) throws LineError {
        int eq = line.indexOf('=');
        if (eq < 0) {
            throw new LineError("no '=' between the JID and the password (user@domain = password)");
        }
        JID jid = jid(line.substring(0, eq).strip());
        Cursor rest = new Cursor(line, eq + 1);
        rest.skipBlanks();
        if (rest.atEnd()) {
            throw new LineError("no password after '=' for " + jid.toBareJID());
        }
        String password = rest.peek() == '"' ? rest.quoted(jid) : rest.word();
        Optional<String> host = Optional.empty();
        OptionalInt port = OptionalInt.empty();
        Optional<TlsMode> tls = Optional.empty();
        Optional<URI> bosh = Optional.empty();
        int position = 0;
        for (rest.skipBlanks(); !rest.atEnd(); rest.skipBlanks()) {
            String option = rest.word();
            position++;
            int oeq = option.indexOf('=');
            String name = oeq < 0 ? "" : option.substring(0, oeq).toLowerCase(Locale.ROOT);
            String value = oeq < 0 ? "" : option.substring(oeq + 1);
            switch (name) {
                case "host" -> {
                    once(host.isPresent(), name, jid);
                    if (value.isEmpty()) {
                        throw new LineError("host= of " + jid.toBareJID() + " is empty");
                    }
                    host = Optional.of(value);
                }
                case "port" -> {
                    once(port.isPresent(), name, jid);
                    port = OptionalInt.of(port(value, jid));
                }
                case "tls" -> {
                    once(tls.isPresent(), name, jid);
                    try {
                        tls = Optional.of(TlsMode.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new LineError(e.getMessage() + " (" + jid.toBareJID() + ")");
                    }
                }
                case "bosh" -> {
                    once(bosh.isPresent(), name, jid);
                    bosh = Optional.of(boshUrl(value, jid));
                }
                default -> throw new LineError("word " + position + " after the password of " + jid.toBareJID()
                        + " is no option (" + OPTIONS + "; a password with blanks goes in double quotes)");
            }
        }
        TlsMode mode = tls.orElse(TlsMode.REQUIRED);
        if (bosh.isPresent()) {
            if (host.isPresent() || port.isPresent()) {
                throw new LineError("host= and port= of " + jid.toBareJID() + " are for TCP; with bosh= the URL "
                        + "names the host and port");
            }
            boolean https = bosh.get().getScheme().equals("https");
            if (!https && mode == TlsMode.REQUIRED) {
                throw new LineError("bosh= of " + jid.toBareJID() + " is an http:// URL, which would send the "
                        + "password unencrypted; use https:// (tls=disabled allows http:// for tests on loopback)");
            }
            if (https && mode == TlsMode.DISABLED) {
                throw new LineError("bosh= of " + jid.toBareJID() + " is an https:// URL, but the line says "
                        + "tls=disabled; leave tls= out");
            }
        }
        return new Account(jid, password, host, port, mode, bosh);
    }

    /**
     * The BOSH endpoint of {@code bosh=}: an absolute http or https URL with a host, without user information,
     * query or fragment; the scheme is lower-cased and an empty path becomes {@code /}. Its problems never quote
     * the value (a misplaced password could be in it).
     */
    private static URI boshUrl(String value, JID jid) throws LineError {
        String what = "bosh= of " + jid.toBareJID();
        if (value.isEmpty()) {
            throw new LineError(what + " is empty (the BOSH endpoint, e.g. https://xmpp.example.org:5281/http-bind)");
        }
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw new LineError(what + " is not a URL (e.g. https://xmpp.example.org:5281/http-bind)");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || u.isOpaque()) {
            throw new LineError(what + " is not an https:// URL (e.g. https://xmpp.example.org:5281/http-bind)");
        }
        if (u.getRawUserInfo() != null) {
            throw new LineError(what + " holds a user name or password before '@'; the password goes after '=' "
                    + "only");
        }
        if (u.getHost() == null) {
            throw new LineError(what + " names no host (or not a valid one)");
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            throw new LineError(what + " names a port that is not 1 to 65535");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new LineError(what + " has a query (?) or fragment (#); a BOSH endpoint is a plain path");
        }
        String rest = u.toString().substring(u.getScheme().length());
        URI normal = URI.create(scheme + rest);
        return normal.getRawPath().isEmpty() ? normal.resolve("/") : normal;
    }

    private static JID jid(String text) throws LineError {
        JID jid;
        try {
            jid = new JID(text);
        } catch (IllegalArgumentException e) {
            throw new LineError("the text before '=' is not a valid JID (user@domain)");
        }
        if (jid.getNode() == null || jid.getResource() != null || text.isEmpty()) {
            throw new LineError("the text before '=' is not a bare JID user@domain");
        }
        return jid;
    }

    private static int port(String value, JID jid) throws LineError {
        try {
            int p = Integer.parseInt(value);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new LineError("port= of " + jid.toBareJID() + " is not a port from 1 to 65535");
    }

    private static void once(boolean seen, String name, JID jid) throws LineError {
        if (seen) {
            throw new LineError("option " + name + "= given twice for " + jid.toBareJID());
        }
    }

    /** The part of a line after '='. */
    private static final class Cursor {
        private final String line;
        private int at;

        Cursor(String line, int at) {
            this.line = line;
            this.at = at;
        }

        boolean atEnd() {
            return at >= line.length();
        }

        char peek() {
            return line.charAt(at);
        }

        void skipBlanks() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                at++;
            }
        }

        /** Up to the next blank. */
        String word() {
            int start = at;
            while (!atEnd() && !Character.isWhitespace(peek())) {
                at++;
            }
            return line.substring(start, at);
        }

        /** A double-quoted string with \" and \\; a blank or the end must follow the closing quote. */
        String quoted(JID jid) throws LineError {
            StringBuilder b = new StringBuilder();
            at++;
            while (!atEnd()) {
                char c = line.charAt(at++);
                if (c == '"') {
                    if (!atEnd() && !Character.isWhitespace(peek())) {
                        throw new LineError("the quoted password of " + jid.toBareJID() + " is followed by more "
                                + "text without a blank");
                    }
                    if (b.length() == 0) {
                        throw new LineError("the password of " + jid.toBareJID() + " is empty");
                    }
                    return b.toString();
                }
                if (c == '\\') {
                    if (atEnd() || peek() != '"' && peek() != '\\') {
                        throw new LineError("in the quoted password of " + jid.toBareJID() + ", a backslash "
                                + "must be followed by \" or \\");
                    }
                    c = line.charAt(at++);
                }
                b.append(c);
            }
            throw new LineError("the quoted password of " + jid.toBareJID() + " has no closing quote");
        }
    }

    private static int firstBadLine(byte[] content) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length + 1);
        decoder.decode(in, out, true);
        int line = 1;
        for (int i = 0; i < in.position(); i++) {
            if (content[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
