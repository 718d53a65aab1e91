package io.offhook.tap.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Rewrites a SIP message into variants that RFC 3261 says mean the same thing, so that the scanner and JAIN-SIP
 * can be compared on many spellings of each fixture: header-name case, compact forms (7.3.3), spacing around
 * colons, commas and semicolons, folded lines (7.3.1), header order, display names with commas, quotes and
 * non-ASCII text, one Contact line with several values versus several lines, addr-spec versus name-addr.
 *
 * <p>Only the header section changes; the start line and the body (so Content-Length) stay as they are. A fold
 * is always written as CRLF plus one SP or HTAB inserted before the existing whitespace that follows a word, or
 * right after the colon: JAIN-SIP joins a continuation line by dropping its first character instead of replacing the
 * line break by a space, and it trims a blank-only line to an empty one, which ends its header section. A fold placed
 * elsewhere would change what JAIN-SIP reads (its defects are listed in {@code SipScannerDifferentialTest}).
 *
 * <p>Deterministic: the same message, seed and count give the same variants.
 */
final class SipVariants {

    private static final Map<String, String> COMPACT = Map.of(
            "call-id", "i", "from", "f", "to", "t", "contact", "m", "content-length", "l",
            "content-type", "c", "session-expires", "x", "via", "v", "subject", "s", "supported", "k");
    private static final Map<String, String> LONG = Map.of(
            "i", "Call-ID", "f", "From", "t", "To", "m", "Contact", "l", "Content-Length",
            "c", "Content-Type", "x", "Session-Expires", "v", "Via", "s", "Subject", "k", "Supported");

    private static final String[] COLONS = {":", " :", ":  ", "\t:\t", " : ", ":\r\n ", ":\r\n\t"};
    private static final String[] COMMAS = {",", " , ", ",\t", ",\r\n ", "  ,  ", ",\r\n\t "};
    private static final String[] SEMICOLONS = {";", " ; ", " ;", "; ", "\t;\t"};
    private static final String[] DISPLAY_NAMES = {
        "\"Doe, John\"",
        "\"O\\\"Brien \\\\ Pat, Jr.\"",
        "Pat Smith",
        "\"\"",
        "\"<sip:decoy@example.org>;tag=no, m: *\"",
        "\"\u00dcn\u00efc\u00f6de, N\u00e4me \u2603\"",
        "Token~Name.With!Chars",
        "",
    };

    private SipVariants() {
    }

    /** {@code count} variants of {@code message}, each with one to four rewrites. */
    static List<byte[]> generate(byte[] message, long seed, int count) {
        Random random = new Random(seed);
        Parsed parsed = Parsed.of(message);
        List<byte[]> variants = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<Field> fields = new ArrayList<>();
            for (Field f : parsed.fields) {
                fields.add(f.copy());
            }
            int rewrites = 1 + random.nextInt(4);
            for (int r = 0; r < rewrites; r++) {
                rewrite(fields, random);
            }
            variants.add(parsed.build(fields));
        }
        return variants;
    }

    private static void rewrite(List<Field> fields, Random random) {
        Field f = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(10)) {
            case 0 -> f.name = randomCase(f.name, random);
            case 1 -> {
                String lower = f.name.toLowerCase(Locale.ROOT);
                if (COMPACT.containsKey(lower)) {
                    f.name = COMPACT.get(lower);
                } else if (LONG.containsKey(lower)) {
                    f.name = LONG.get(lower);
                }
            }
            case 2 -> {
                String sep = COLONS[random.nextInt(COLONS.length)];
                if (!sep.contains("\r") || !f.value.startsWith("\r")) {
                    f.separator = sep;
                }
            }
            case 3 -> f.value = fold(f.value, random);
            case 4 -> {
                if (f.isAddressList()) {
                    f.value = respaceCommas(f.value, random);
                }
            }
            case 5 -> {
                if (f.isAddress()) {
                    f.value = respaceParams(f.value, random);
                }
            }
            case 6 -> Collections.shuffle(fields, random);
            case 7 -> {
                if (f.isAddress()) {
                    f.value = renameDisplay(f.value, random);
                }
            }
            case 8 -> joinContacts(fields);
            default -> splitContacts(fields, random);
        }
    }

    private static String randomCase(String name, Random random) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            b.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b.toString();
    }

    /** Inserts CRLF + SP/HTAB before one existing blank of the value (see the class comment). */
    private static String fold(String value, Random random) {
        List<Integer> blanks = new ArrayList<>();
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c == ' ' || c == '\t') && !isBlank(value.charAt(i - 1)) && textFollows(value, i)) {
                blanks.add(i);
            }
        }
        if (blanks.isEmpty()) {
            return value;
        }
        int at = blanks.get(random.nextInt(blanks.size()));
        return value.substring(0, at) + "\r\n" + (random.nextBoolean() ? " " : "\t") + value.substring(at);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** Something other than blanks follows position {@code i} on its line (a fold must not leave a blank line). */
    private static boolean textFollows(String value, int i) {
        for (int k = i; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c == '\r') {
                return false;
            }
            if (c != ' ' && c != '\t') {
                return true;
            }
        }
        return false;
    }

    private static String respaceCommas(String value, Random random) {
        List<String> elements = splitTopLevel(value, ',');
        if (elements.size() < 2) {
            return value;
        }
        StringBuilder b = new StringBuilder(elements.get(0).strip());
        for (int i = 1; i < elements.size(); i++) {
            b.append(COMMAS[random.nextInt(COMMAS.length)]).append(elements.get(i).strip());
        }
        return b.toString();
    }

    /** Re-spaces the {@code ;} and {@code =} of header parameters (outside quotes and angle brackets). */
    private static String respaceParams(String value, Random random) {
        List<String> elements = splitTopLevel(value, ',');
        List<String> out = new ArrayList<>();
        for (String element : elements) {
            String e = element.strip();
            int lt = indexOfTopLevel(e, '<');
            int uriEnd = lt < 0 ? -1 : e.indexOf('>', lt);
            if (uriEnd < 0) {
                out.add(e);
                continue;
            }
            List<String> params = splitTopLevel(e.substring(uriEnd + 1), ';');
            StringBuilder b = new StringBuilder(e.substring(0, uriEnd + 1));
            for (int i = 1; i < params.size(); i++) {
                String p = params.get(i).strip();
                int eq = p.indexOf('=');
                if (eq > 0 && random.nextBoolean()) {
                    p = p.substring(0, eq).strip() + " = " + p.substring(eq + 1).strip();
                }
                b.append(SEMICOLONS[random.nextInt(SEMICOLONS.length)]).append(p);
            }
            out.add(b.toString());
        }
        return String.join(", ", out);
    }

    /** Gives every value of an address header a new display name, turning an addr-spec into a name-addr. */
    private static String renameDisplay(String value, Random random) {
        List<String> out = new ArrayList<>();
        for (String element : splitTopLevel(value, ',')) {
            String e = element.strip();
            if (e.equals("*")) {
                out.add(e);
                continue;
            }
            String rest;
            int lt = indexOfTopLevel(e, '<');
            if (lt >= 0) {
                rest = e.substring(lt);
            } else {
                int semi = e.indexOf(';');
                rest = semi < 0 ? "<" + e + ">" : "<" + e.substring(0, semi).strip() + ">" + e.substring(semi);
            }
            String name = utf8AsLatin1(DISPLAY_NAMES[random.nextInt(DISPLAY_NAMES.length)]);
            out.add(name.isEmpty() ? rest : name + (random.nextInt(4) == 0 ? "" : " ") + rest);
        }
        return String.join(", ", out);
    }

    /** All Contact lines become one comma-separated line where the first one was. */
    private static void joinContacts(List<Field> fields) {
        Field first = null;
        List<Field> remove = new ArrayList<>();
        for (Field f : fields) {
            if (f.isContact()) {
                if (f.value.strip().equals("*")) {
                    return;
                }
                if (first == null) {
                    first = f;
                } else {
                    first.value = first.value.strip() + ", " + f.value.strip();
                    remove.add(f);
                }
            }
        }
        fields.removeAll(remove);
    }

    /** One multi-value Contact line becomes one line per value, in place. */
    private static void splitContacts(List<Field> fields, Random random) {
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (!f.isContact()) {
                continue;
            }
            List<String> elements = splitTopLevel(f.value, ',');
            if (elements.size() < 2) {
                continue;
            }
            fields.remove(i);
            for (int k = 0; k < elements.size(); k++) {
                Field g = new Field(random.nextBoolean() ? "m" : "Contact", ": ", elements.get(k).strip());
                fields.add(i + k, g);
            }
            return;
        }
    }

    /** Splits at {@code sep} outside double quotes (with backslash escapes) and angle brackets. */
    static List<String> splitTopLevel(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        boolean bracket = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                bracket = true;
            } else if (c == '>') {
                bracket = false;
            } else if (c == sep && !bracket) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static int indexOfTopLevel(String s, char wanted) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The header section is handled as ISO-8859-1 text (one char per byte); UTF-8 text is put in as its bytes. */
    private static String utf8AsLatin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static final class Field {
        String name;
        String separator;
        String value;

        Field(String name, String separator, String value) {
            this.name = name;
            this.separator = separator;
            this.value = value;
        }

        Field copy() {
            return new Field(name, separator, value);
        }

        boolean isContact() {
            String n = name.toLowerCase(Locale.ROOT);
            return n.equals("contact") || n.equals("m");
        }

        boolean isAddressList() {
            return isContact() || name.equalsIgnoreCase("p-asserted-identity");
        }

        boolean isAddress() {
            String n = name.toLowerCase(Locale.ROOT);
            return isAddressList() || n.equals("from") || n.equals("f") || n.equals("to") || n.equals("t");
        }
    }

    private record Parsed(byte[] startLine, List<Field> fields, byte[] body) {
        static Parsed of(byte[] message) {
            String text = new String(message, StandardCharsets.ISO_8859_1);
            int headersEnd = text.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                throw new IllegalArgumentException("fixture without CRLF CRLF after its headers");
            }
            int firstEol = text.indexOf("\r\n");
            byte[] startLine = text.substring(0, firstEol + 2).getBytes(StandardCharsets.ISO_8859_1);
            List<Field> fields = new ArrayList<>();
            String section = text.substring(firstEol + 2, headersEnd + 2);
            int p = 0;
            while (p < section.length()) {
                int eol = section.indexOf("\r\n", p);
                while (eol + 2 < section.length()
                        && (section.charAt(eol + 2) == ' ' || section.charAt(eol + 2) == '\t')) {
                    eol = section.indexOf("\r\n", eol + 2);
                }
                String line = section.substring(p, eol);
                int colon = line.indexOf(':');
                int nameEnd = colon;
                while (nameEnd > 0 && (line.charAt(nameEnd - 1) == ' ' || line.charAt(nameEnd - 1) == '\t')) {
                    nameEnd--;
                }
                int valueStart = colon + 1;
                while (valueStart < line.length()
                        && (line.charAt(valueStart) == ' ' || line.charAt(valueStart) == '\t')) {
                    valueStart++;
                }
                fields.add(new Field(line.substring(0, nameEnd), line.substring(nameEnd, valueStart),
                        line.substring(valueStart)));
                p = eol + 2;
            }
            byte[] body = text.substring(headersEnd + 4).getBytes(StandardCharsets.ISO_8859_1);
            return new Parsed(startLine, fields, body);
        }

        byte[] build(List<Field> variantFields) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 1024);
            out.writeBytes(startLine);
            for (Field f : variantFields) {
                out.writeBytes((f.name + f.separator + f.value + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
            return out.toByteArray();
        }
    }
}
