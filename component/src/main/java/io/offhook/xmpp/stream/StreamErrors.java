package io.offhook.xmpp.stream;

import org.dom4j.Element;

/**
 * Turns a {@code <stream:error/>} (RFC 6120 section 4.9) into a {@link Failure} that tells the operator what to
 * fix. The conditions that mean "the server refused our configuration" back off slowly and name the config key;
 * Prosody and ejabberd use them as verified in {@code shared/notes/xmpp-servers.md}.
 */
final class StreamErrors {

    private static final int MAX_TEXT = 200;

    private StreamErrors() {
    }

    /**
     * @param error            the stream error element
     * @param settings         for the server address, the component domain and the keys to name
     * @param handshakeDone    whether the server had accepted the handshake (addressing errors before it concern
     *                         our domain, after it a stanza we sent)
     */
    static Failure describe(Element error, ComponentSettings settings, boolean handshakeDone) {
        String condition = condition(error);
        String text = text(error);
        String server = "XMPP server " + settings.address();
        String domain = settings.componentDomain();
        String said = " (stream error " + condition + (text.isEmpty() ? "" : ": " + text) + ")";
        return switch (condition) {
            case "not-authorized" -> Failure.config(server + " refused the handshake of " + domain + said
                    + ": check " + ComponentSettings.KEY_SECRET + ", it must equal the server's secret for this "
                    + "component (Prosody component_secret, ejabberd ejabberd_service hosts/password)");
            case "host-unknown" -> Failure.config(unknownDomain(server, domain, said));
            case "improper-addressing" -> handshakeDone
                    ? Failure.config(server + " refused a stanza from " + domain + " without 'to' or 'from'" + said)
                    : Failure.config(unknownDomain(server, domain, said));
            case "invalid-from" -> Failure.config(server + " does not let " + domain + " send for other domains" + said
                    + ": the server must trust the component (Prosody: validate_from_addresses = false in the "
                    + "Component block; ejabberd: check_from: false on the ejabberd_service listener)");
            case "conflict" -> Failure.config(server + ": another connection for " + domain + " replaced this one"
                    + said + ": is a second instance running with the same " + ComponentSettings.KEY_DOMAIN + "?");
            default -> Failure.transientFailure(server + " ended the stream" + said);
        };
    }

    private static String unknownDomain(String server, String domain, String said) {
        return server + " does not know the component " + domain + said + ": check " + ComponentSettings.KEY_DOMAIN
                + " against the server's configuration (Prosody: Component \"" + domain + "\"; ejabberd: "
                + "ejabberd_service hosts)";
    }

    /** The defined condition's element name, {@code undefined-condition} if there is none. */
    static String condition(Element error) {
        for (Element child : error.elements()) {
            if (!"text".equals(child.getName()) && (child.getNamespaceURI().isEmpty()
                    || StreamProtocol.STREAM_ERRORS_NS.equals(child.getNamespaceURI()))) {
                return printable(child.getName());
            }
        }
        return "undefined-condition";
    }

    /** The server's descriptive text, shortened and made safe for one log line; empty if none. */
    static String text(Element error) {
        for (Element child : error.elements()) {
            if ("text".equals(child.getName())) {
                return printable(child.getTextTrim());
            }
        }
        return "";
    }

    /** At most {@value #MAX_TEXT} characters of the peer's text, with control characters (line breaks) replaced. */
    static String printable(String text) {
        String cut = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }
}
