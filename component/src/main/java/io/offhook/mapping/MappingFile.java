package io.offhook.mapping;

import io.offhook.mapping.IdentityMap.Rule;
import io.offhook.mapping.MappingException.Problem;
import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.Aor;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.xmpp.packet.JID;

/**
 * Reads the mapping file: which SIP users are shown in XMPP and as whom (see {@code etc/users.map} for a commented
 * example, and {@link IdentityMap} for how entries are matched).
 *
 * <p>UTF-8 text, one entry a line: {@code ADDRESS = JID [OPTION...]}. {@code #} at the start of a line or after a
 * blank starts a comment; blank lines are ignored. The address is one of
 * <ul>
 * <li>{@code sip:user@host} (or {@code sips:}): an explicit pair for that address of record;</li>
 * <li>{@code sip:*@host}: a rule for every user of that SIP domain; the JID has one {@code *} in its node, which
 *     stands for the SIP user part ({@code *@example.com}, {@code phone-*@example.com});</li>
 * <li>{@code tel:NUMBER} or a bare number ({@code +49 30 1234567}, {@code 0049 30 1234567}, {@code 030 1234567},
 *     {@code +49 (0)30 1234567}, {@code 1001}): a number entry, compared after {@link NumberPlan#normalise}.</li>
 * </ul>
 * Options are {@code name=value}: {@code mode=resource|overlay|gateway|remote-control|login} (default: the
 * deployment's mode), {@code remote=show|hide} (whether the remote party may be shown; default hide),
 * {@code activity=on|off} (whether XEP-0108 user activity is published during calls; default: the deployment's
 * {@code activity.default}), and on rules only
 * {@code case=lower|exact} (lower: SIP user parts of that domain are compared without case; default exact).
 *
 * <p>An address given twice must name the same JID with the same options, else both lines are reported. Several
 * addresses may name one JID (a desk phone and a softphone of one person). The whole file is checked and every
 * problem reported (up to {@link #MAX_PROBLEMS}); a file with any problem gives no map at all.
 */
public final class MappingFile {
    /** Longer lines are an error (and memory stays bounded whatever the input). */
    static final int MAX_LINE = 4096;
    /** Problems beyond this many are counted, not kept. */
    static final int MAX_PROBLEMS = 100;

    private static final String OPTIONS = "options are mode=, remote=, activity= and, on rules, case=";

    private MappingFile() {
    }

    /**
     * Reads a whole mapping file.
     *
     * @param in the file's text; read to its end, not closed
     * @param sourceName the name problems are reported under, usually the file's path
     * @param plan how the deployment's telephone numbers are written
     * @throws MappingException naming every problem as {@code FILE:LINE: what is wrong: the bad text}, or the
     *         read error
     */
    public static IdentityMap parse(Reader in, String sourceName, NumberPlan plan) throws MappingException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(plan, "plan");
        return new Parser(sourceName, plan).parse(in);
    }

    /**
     * Reads a mapping file from its bytes, which must be UTF-8 (a leading byte order mark is allowed).
     *
     * @throws MappingException as {@link #parse(Reader, String, NumberPlan)}, or naming the line with bytes that
     *         are not UTF-8
     */
    static IdentityMap parse(byte[] content, String sourceName, NumberPlan plan) throws MappingException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.wrap(content);
        CharBuffer chars = CharBuffer.allocate(content.length + 1);
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < bytes.position(); i++) {
                if (content[i] == '\n') {
                    line++;
                }
            }
            throw new MappingException(List.of(new Problem(sourceName, line, 0,
                    "not UTF-8 (byte " + bytes.position() + " of the file)", "")), 0);
        }
        chars.flip();
        return parse(new StringReader(chars.toString()), sourceName, plan);
    }

    private enum Kind { PAIR, NUMBER, RULE }

    /** One good line: its key is the SIP AOR, the number or the SIP host, by kind. */
    private record Entry(Kind kind, String key, MappedUser user, Rule rule, boolean caseInsensitive, int line,
            String text) {
    }

    /** Options of one line. */
    private record Options(Optional<PresentationMode> mode, boolean showRemoteParty, Optional<Boolean> lowerCase,
                           Optional<Boolean> activity) {
    }

    /** Thrown for the first problem of a line; the parser goes on with the next line. */
    private static final class LineError extends Exception {
        private static final long serialVersionUID = 1L;

        LineError(String what) {
            super(what, null, false, false);
        }
    }

    private static final class Parser {
        private final String source;
        private final NumberPlan plan;
        private final List<Problem> problems = new ArrayList<>();
        private int notShown;
        private final List<Entry> entries = new ArrayList<>();

        Parser(String source, NumberPlan plan) {
            this.source = source;
            this.plan = plan;
        }

        IdentityMap parse(Reader in) throws MappingException {
            Lines lines = new Lines(in);
            try {
                for (String raw = lines.next(); raw != null; raw = lines.next()) {
                    int number = lines.number();
                    if (number == 1 && raw.startsWith("\uFEFF")) {
                        raw = raw.substring(1);
                    }
                    String text = withoutComment(raw).strip();
                    if (lines.tooLong()) {
                        problem(number, 0, "line is longer than " + MAX_LINE + " characters", text);
                    } else if (!text.isEmpty()) {
                        try {
                            entries.add(entry(text, number));
                        } catch (LineError e) {
                            problem(number, 0, e.getMessage(), text);
                        }
                    }
                }
            } catch (IOException e) {
                throw new MappingException(new Problem(source, lines.number() + 1, 0, "cannot read: " + e, ""), e);
            }
            IdentityMap map = build();
            if (!problems.isEmpty()) {
                throw new MappingException(problems, notShown);
            }
            return map;
        }

        private void problem(int line, int otherLine, String what, String text) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(new Problem(source, line, otherLine, what, text));
            } else {
                notShown++;
            }
        }

        private Entry entry(String text, int line) throws LineError {
            int eq = separator(text);
            if (eq < 0) {
                throw new LineError("missing '=' between the SIP address or number and the JID");
            }
            String address = text.substring(0, eq).strip();
            String[] target = text.substring(eq + 1).strip().split("\\s+");
            if (address.isEmpty()) {
                throw new LineError("no SIP address or number before '='");
            }
            if (target[0].isEmpty()) {
                throw new LineError("no JID after '='");
            }
            Options options = options(target);
            String lower = address.toLowerCase(Locale.ROOT);
            if (lower.startsWith("sip:") || lower.startsWith("sips:")) {
                return sipEntry(address, target[0], options, line, text);
            }
            String number;
            if (lower.startsWith("tel:")) {
                number = address.substring(4);
                int params = number.indexOf(';');
                if (params >= 0) {
                    number = number.substring(0, params);
                }
            } else if (address.charAt(0) == '+' || address.charAt(0) == '(' || Character.isDigit(address.charAt(0))) {
                number = address;
            } else {
                throw new LineError("'" + address + "' is neither a sip:, sips: or tel: address nor a telephone "
                        + "number");
            }
            String key = plan.key(number);
            if (key == null) {
                throw new LineError("'" + number + "' is not a telephone number (+, digits, spaces, - . ( ) "
                        + "and at most " + NumberPlan.MAX_DIGITS + " digits)");
            }
            noCaseOption(options);
            return new Entry(Kind.NUMBER, key, user(target[0], options), null, false, line, text);
        }

        private Entry sipEntry(String address, String target, Options options, int line, String text)
                throws LineError {
            for (int i = 0; i < address.length(); i++) {
                if (Character.isWhitespace(address.charAt(i))) {
                    throw new LineError("a SIP address has no spaces: '" + address + "'");
                }
            }
            String aor = Aor.of(address);
            int at = aor == null ? -1 : aor.lastIndexOf('@');
            if (at < 0 || at == 4) {
                throw new LineError("'" + address + "' is no SIP address of a user (sip:user@host)");
            }
            String user = aor.substring(4, at);
            String host = aor.substring(at + 1);
            if (!user.equals("*")) {
                noCaseOption(options);
                return new Entry(Kind.PAIR, aor, user(target, options), null, false, line, text);
            }
            int targetAt = target.indexOf('@');
            int star = target.indexOf('*');
            if (targetAt < 0 || star < 0 || star > targetAt || target.indexOf('*', star + 1) >= 0) {
                throw new LineError("a rule's JID has one * in its user part, for the SIP user part "
                        + "(*@example.com): '" + target + "'");
            }
            JID sample = jid(target.substring(0, star) + "x" + target.substring(star + 1));
            Rule rule = new Rule(target.substring(0, star), target.substring(star + 1, targetAt), sample.getDomain(),
                    options.mode(), options.showRemoteParty(), options.activity());
            return new Entry(Kind.RULE, host, null, rule, options.lowerCase().orElse(false), line, text);
        }

        private static MappedUser user(String target, Options options) throws LineError {
            return new MappedUser(jid(target), options.mode(), options.showRemoteParty(), options.activity());
        }

        private static JID jid(String text) throws LineError {
            JID jid;
            try {
                jid = new JID(text);
            } catch (IllegalArgumentException e) {
                String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
                throw new LineError("'" + text + "' is not a valid JID (" + why + ")");
            }
            if (jid.getResource() != null) {
                throw new LineError("'" + text + "' has a resource: name the bare JID " + jid.toBareJID());
            }
            if (jid.getNode() == null) {
                throw new LineError("'" + text + "' is a domain, not a user's JID (user@domain)");
            }
            return jid;
        }

        private static Options options(String[] target) throws LineError {
            Optional<PresentationMode> mode = Optional.empty();
            Optional<Boolean> remote = Optional.empty();
            Optional<Boolean> lowerCase = Optional.empty();
            Optional<Boolean> activity = Optional.empty();
            for (int i = 1; i < target.length; i++) {
                String option = target[i];
                int eq = option.indexOf('=');
                String name = eq < 0 ? option : option.substring(0, eq);
                String value = eq < 0 ? "" : option.substring(eq + 1);
                switch (name) {
                    case "mode":
                        once(mode.isPresent(), name);
                        try {
                            mode = Optional.of(PresentationMode.parse(value));
                        } catch (IllegalArgumentException e) {
                            throw new LineError(e.getMessage());
                        }
                        break;
                    case "remote":
                        once(remote.isPresent(), name);
                        remote = Optional.of(choice(name, value, "show", "hide"));
                        break;
                    case "case":
                        once(lowerCase.isPresent(), name);
                        lowerCase = Optional.of(choice(name, value, "lower", "exact"));
                        break;
                    case "activity":
                        once(activity.isPresent(), name);
                        activity = Optional.of(choice(name, value, "on", "off"));
                        break;
                    default:
                        throw new LineError("unknown option '" + option + "' (" + OPTIONS + ")");
                }
            }
            return new Options(mode, remote.orElse(false), lowerCase, activity);
        }

        private static void once(boolean seen, String name) throws LineError {
            if (seen) {
                throw new LineError("option " + name + "= given twice");
            }
        }

        /** True for {@code yes}, false for {@code no}, ignoring case. */
        private static boolean choice(String name, String value, String yes, String no) throws LineError {
            if (value.equalsIgnoreCase(yes)) {
                return true;
            }
            if (value.equalsIgnoreCase(no)) {
                return false;
            }
            throw new LineError("unknown " + name + " '" + value + "': use " + name + "=" + yes + " or " + name + "="
                    + no);
        }

        private static void noCaseOption(Options options) throws LineError {
            if (options.lowerCase().isPresent()) {
                throw new LineError("option case= applies only to rules (sip:*@host)");
            }
        }

        /** Checks for duplicates and conflicts across lines, and makes the map. */
        private IdentityMap build() {
            Set<String> caseInsensitiveHosts = new HashSet<>();
            for (Entry e : entries) {
                if (e.kind() == Kind.RULE && e.caseInsensitive()) {
                    caseInsensitiveHosts.add(e.key());
                }
            }
            Map<String, Entry> pairs = new LinkedHashMap<>();
            Map<String, Entry> numbers = new LinkedHashMap<>();
            Map<String, Entry> rules = new LinkedHashMap<>();
            for (Entry e : entries) {
                switch (e.kind()) {
                    case PAIR:
                        add(pairs, folded(e, caseInsensitiveHosts), e);
                        break;
                    case NUMBER:
                        add(numbers, e.key(), e);
                        break;
                    default:
                        add(rules, e.key(), e);
                        break;
                }
            }
            Map<String, MappedUser> pairUsers = new HashMap<>();
            pairs.forEach((k, e) -> pairUsers.put(k, e.user()));
            Map<String, MappedUser> numberUsers = new HashMap<>();
            numbers.forEach((k, e) -> numberUsers.put(k, e.user()));
            Map<String, Rule> hostRules = new HashMap<>();
            rules.forEach((k, e) -> hostRules.put(k, e.rule()));
            return new IdentityMap(pairUsers, numberUsers, hostRules, caseInsensitiveHosts, plan);
        }

        /** The pair's AOR with the user part lower-cased when its host's rule says {@code case=lower}. */
        private static String folded(Entry pair, Set<String> caseInsensitiveHosts) {
            String aor = pair.key();
            int at = aor.lastIndexOf('@');
            if (!caseInsensitiveHosts.contains(aor.substring(at + 1))) {
                return aor;
            }
            return "sip:" + aor.substring(4, at).toLowerCase(Locale.ROOT) + aor.substring(at);
        }

        private void add(Map<String, Entry> seen, String key, Entry entry) {
            Entry earlier = seen.putIfAbsent(key, entry);
            if (earlier == null || Objects.equals(earlier.user(), entry.user())
                    && Objects.equals(earlier.rule(), entry.rule())
                    && earlier.caseInsensitive() == entry.caseInsensitive()) {
                return;
            }
            String what = switch (entry.kind()) {
                case PAIR -> key;
                case NUMBER -> "number " + key;
                case RULE -> "sip:*@" + key;
            };
            String earlierJid = jidOf(earlier);
            String jid = jidOf(entry);
            problem(entry.line(), earlier.line(), earlierJid.equals(jid)
                    ? what + " is already mapped on line " + earlier.line() + " to " + earlierJid
                            + " with other options"
                    : what + " is already mapped on line " + earlier.line() + " to " + earlierJid + ", here to " + jid,
                    entry.text());
        }

        private static String jidOf(Entry e) {
            return e.user() != null ? e.user().jid().toBareJID()
                    : e.rule().nodePrefix() + "*" + e.rule().nodeSuffix() + "@" + e.rule().domain();
        }

        /** Where the address ends: the first '=' that is not the one of a URI parameter ({@code ;user=phone}). */
        private static int separator(String text) {
            boolean inParameter = false;
            boolean parameterHasValue = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == ';') {
                    inParameter = true;
                    parameterHasValue = false;
                } else if (Character.isWhitespace(c)) {
                    inParameter = false;
                } else if (c == '=') {
                    if (!inParameter || parameterHasValue) {
                        return i;
                    }
                    parameterHasValue = true;
                }
            }
            return -1;
        }

        /** The line up to a '#' that starts it or follows a blank. */
        private static String withoutComment(String line) {
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                    return line.substring(0, i);
                }
            }
            return line;
        }
    }

    /** Splits text into lines (LF, CRLF or CR), keeping at most {@link #MAX_LINE} characters of each. */
    private static final class Lines {
        private final Reader in;
        private final char[] buffer = new char[8192];
        private int position;
        private int limit;
        private int number;
        private boolean tooLong;
        private boolean pendingCr;

        Lines(Reader in) {
            this.in = in;
        }

        /** The number of the line {@link #next()} returned last. */
        int number() {
            return number;
        }

        /** Whether the line {@link #next()} returned last was cut at {@link #MAX_LINE} characters. */
        boolean tooLong() {
            return tooLong;
        }

        /** The next line without its end, or {@code null} at the end of the text. */
        String next() throws IOException {
            StringBuilder line = new StringBuilder();
            tooLong = false;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        if (!any) {
                            return null;
                        }
                        break;
                    }
                }
                char c = buffer[position++];
                if (pendingCr) {
                    pendingCr = false;
                    if (c == '\n') {
                        continue;
                    }
                }
                any = true;
                if (c == '\n') {
                    break;
                }
                if (c == '\r') {
                    pendingCr = true;
                    break;
                }
                if (line.length() < MAX_LINE) {
                    line.append(c);
                } else {
                    tooLong = true;
                }
            }
            number++;
            return line.toString();
        }
    }
}
