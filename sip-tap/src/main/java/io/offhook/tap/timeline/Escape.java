package io.offhook.tap.timeline;

/**
 * Escaping for the two contexts the page puts outside text in: HTML text and double- or single-quoted attribute
 * values (HTML Living Standard 13.1.2.6 and 13.1.4: the five significant characters become character references),
 * and JSON string literals inside a {@code <script type="application/json">} data block (RFC 8259 section 7,
 * plus {@code <}, {@code >} and {@code &} as {@code \}{@code u} escapes, so no {@code </script>} or
 * {@code <!--} can appear in the block whatever the text holds).
 *
 * <p>Characters HTML does not allow in text (C0 and C1 controls other than tab, newline, carriage return; lone
 * surrogates) become U+FFFD in HTML; in JSON they are escaped and survive as they were.
 */
final class Escape {
    private Escape() {
    }

    /** {@code s} as HTML text or attribute value. */
    static String html(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> notAllowed(s, i) ? "\uFFFD" : null;
            };
            if (r != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (r != null) {
                    b.append(r);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    private static boolean notAllowed(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20) {
            return c != '\t' && c != '\n' && c != '\r';
        }
        if (c >= 0x7f && c <= 0x9f) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    /** Appends {@code s} as a quoted JSON string, or {@code null}. */
    static void json(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029
                            || Character.isSurrogate(c) && notAllowed(s, i)) {
                        b.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15])
                                .append(HEX[c & 15]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
