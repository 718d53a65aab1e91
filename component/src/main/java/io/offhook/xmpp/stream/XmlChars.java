package io.offhook.xmpp.stream;

/**
 * The characters XML 1.0 allows (section 2.2). A stanza with any other character (a control character from a SIP
 * display name, a lone surrogate) makes the server close the whole stream, so it must never be written.
 */
public final class XmlChars {

    private XmlChars() {
    }

    /** The index of the first character XML does not allow, or -1 if there is none. */
    public static int firstInvalid(CharSequence text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (plain(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }

    /**
     * The index of the first character in serialised XML that XML does not allow, raw or written as a character
     * reference (dom4j writes U+0001 as {@code &#1;}, which is just as illegal); -1 if there is none.
     */
    public static int firstInvalidInMarkup(String xml) {
        int raw = firstInvalid(xml);
        int reference = xml.indexOf("&#");
        while (reference >= 0 && (raw < 0 || reference < raw)) {
            int end = xml.indexOf(';', reference);
            if (end < 0) {
                return reference;
            }
            boolean hex = end > reference + 2 && (xml.charAt(reference + 2) == 'x' || xml.charAt(reference + 2) == 'X');
            try {
                int codePoint = Integer.parseInt(xml.substring(reference + (hex ? 3 : 2), end), hex ? 16 : 10);
                if (!allowed(codePoint)) {
                    return reference;
                }
            } catch (NumberFormatException e) {
                return reference;
            }
            reference = xml.indexOf("&#", end);
        }
        return raw;
    }

    /** The text with every character XML does not allow replaced by U+FFFD; the same instance if all are allowed. */
    public static String clean(String text) {
        int bad = firstInvalid(text);
        if (bad < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        out.append(text, 0, bad);
        for (int i = bad; i < text.length(); i++) {
            char c = text.charAt(i);
            if (plain(c)) {
                out.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append('\uFFFD');
            }
        }
        return out.toString();
    }

    private static boolean allowed(int codePoint) {
        return codePoint == '\t' || codePoint == '\n' || codePoint == '\r' || codePoint >= 0x20 && codePoint <= 0xD7FF
                || codePoint >= 0xE000 && codePoint <= 0xFFFD || codePoint >= 0x10000 && codePoint <= 0x10FFFF;
    }

    /** An allowed character that is not part of a surrogate pair. */
    private static boolean plain(char c) {
        return c >= 0x20 && c < 0xD800 || c == '\n' || c == '\r' || c == '\t' || c >= 0xE000 && c <= 0xFFFD;
    }
}
