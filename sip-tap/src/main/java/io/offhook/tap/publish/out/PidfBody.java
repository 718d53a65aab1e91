package io.offhook.tap.publish.out;

/**
 * Writes the PIDF document (RFC 3863) with RPID (RFC 4480) that is published for a {@link ChatState}. Stateless.
 *
 * <table>
 * <caption>What each state becomes</caption>
 * <tr><th>chat state</th><th>basic</th><th>RPID activities</th></tr>
 * <tr><td>available, chat</td><td>open</td><td>none</td></tr>
 * <tr><td>away, xa</td><td>open</td><td>{@code <rpid:away/>}</td></tr>
 * <tr><td>dnd</td><td>open</td><td>{@code <rpid:busy/>}</td></tr>
 * <tr><td>offline</td><td>closed</td><td>none</td></tr>
 * </table>
 *
 * <p>The status text goes into a {@code <note>} of the tuple and of the person (phones show either), escaped.
 * One tuple, {@value #TUPLE_ID}, and one person element: a modify replaces the document whole.
 */
public final class PidfBody {
    /** The content type of the body. */
    public static final String CONTENT_TYPE = "application/pidf+xml";
    /** The id of the one tuple (and, with {@code -person}, of the person element). */
    public static final String TUPLE_ID = "offhook-chat";

    private PidfBody() {
    }

    /**
     * The document for {@code entity} (the presentity's SIP URI, e.g. {@code sip:alice@example.com}).
     *
     * @throws IllegalArgumentException when the entity is empty
     */
    public static String render(String entity, ChatState state) {
        if (entity == null || entity.isBlank()) {
            throw new IllegalArgumentException("a PIDF document needs an entity");
        }
        String activity = switch (state.status()) {
            case AWAY, XA -> "away";
            case DND -> "busy";
            case CHAT, AVAILABLE, OFFLINE -> null;
        };
        String basic = state.status() == ChatStatus.OFFLINE ? "closed" : "open";
        StringBuilder x = new StringBuilder(512);
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"")
                .append(" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"")
                .append(" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"")
                .append(" entity=\"").append(escape(entity)).append("\">\n")
                .append("  <tuple id=\"").append(TUPLE_ID).append("\">\n")
                .append("    <status><basic>").append(basic).append("</basic></status>\n");
        if (!state.note().isEmpty()) {
            x.append("    <note>").append(escape(state.note())).append("</note>\n");
        }
        x.append("  </tuple>\n")
                .append("  <dm:person id=\"").append(TUPLE_ID).append("-person\">\n");
        if (activity != null) {
            x.append("    <rpid:activities><rpid:").append(activity).append("/></rpid:activities>\n");
        }
        if (!state.note().isEmpty()) {
            x.append("    <dm:note>").append(escape(state.note())).append("</dm:note>\n");
        }
        x.append("  </dm:person>\n")
                .append("</presence>\n");
        return x.toString();
    }

    /** Escapes the five characters XML gives meaning to, for text and attribute values alike. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
