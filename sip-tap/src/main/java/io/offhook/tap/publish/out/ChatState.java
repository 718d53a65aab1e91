package io.offhook.tap.publish.out;

import java.util.Objects;

/**
 * What is published for one person: the availability and the status text. The text is made safe on construction
 * (characters XML 1.0 does not allow are removed) and cut to {@link #MAX_NOTE} characters, ending in an ellipsis,
 * never inside a surrogate pair: a chat status can be long, and a phone's display is small.
 *
 * @param status the availability
 * @param note the status text, empty for none (and always empty when offline)
 */
public record ChatState(ChatStatus status, String note) {
    /** The longest note published, in UTF-16 units. */
    public static final int MAX_NOTE = 200;

    /** Offline, no note. */
    public static final ChatState OFFLINE = new ChatState(ChatStatus.OFFLINE, "");

    /** Cleans and bounds the note. */
    public ChatState {
        Objects.requireNonNull(status, "status");
        note = status == ChatStatus.OFFLINE || note == null ? "" : bound(clean(note.strip()));
    }

    private static String clean(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF
                    || cp >= 0xE000 && cp <= 0xFFFD || cp >= 0x10000 && cp <= 0x10FFFF;
            if (allowed) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static String bound(String text) {
        if (text.length() <= MAX_NOTE) {
            return text;
        }
        int end = MAX_NOTE - 1;
        if (Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "\u2026";
    }
}
