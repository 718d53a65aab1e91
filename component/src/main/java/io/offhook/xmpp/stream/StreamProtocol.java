package io.offhook.xmpp.stream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The fixed texts of XEP-0114 (sections 2 and 3): the stream header, the handshake, the stream end. */
final class StreamProtocol {

    /** The namespace of the stream element and of stream errors' wrapper. */
    static final String STREAMS_NS = "http://etherx.jabber.org/streams";
    /** The namespace of stream error conditions (RFC 6120 section 4.9.3). */
    static final String STREAM_ERRORS_NS = "urn:ietf:params:xml:ns:xmpp-streams";
    /** The content namespace of a component stream. */
    static final String COMPONENT_NS = "jabber:component:accept";
    /** XEP-0199. */
    static final String PING_NS = "urn:xmpp:ping";
    static final String STREAM_END = "</stream:stream>";

    private StreamProtocol() {
    }

    /** The opening tag the component sends, addressed to its own domain (XEP-0114 example 1). */
    static String streamHeader(String componentDomain) {
        return "<stream:stream xmlns='" + COMPONENT_NS + "' xmlns:stream='" + STREAMS_NS + "' to='"
                + escapeAttribute(componentDomain) + "'>";
    }

    /** The handshake element that proves we know the secret (XEP-0114 example 3). */
    static String handshake(String streamId, String secret) {
        return "<handshake>" + digest(streamId, secret) + "</handshake>";
    }

    /** Lowercase hex SHA-1 of the stream id followed by the secret, both UTF-8 (XEP-0114 section 3). */
    static String digest(String streamId, String secret) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest((streamId + secret).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }

    /**
     * The resource our pings are addressed to on the server's domain. Not the bare domain (XEP-0199's example):
     * ejabberd 24.10 and 24.12, with the mod_privilege a trusted component needs, silently drop every IQ a privileged
     * component sends to a bare address unless it is a roster query or a XEP-0356 privileged IQ (fixed in 25.03),
     * so a ping to the bare domain is never answered there and the connection would be thought dead every ping
     * interval. Addressed to a resource of the server, the ping is answered by every server: Prosody handles it as a
     * ping to the host, ejabberd, Openfire and others with an error, which proves as well that the server is alive.
     */
    static final String PING_RESOURCE = "offhook-keepalive";

    /** A ping to the server; the reply is an IQ result, or an error which still proves the server is alive. */
    static String ping(String from, String serverDomain, String id) {
        return "<iq type='get' from='" + escapeAttribute(from) + "' to='" + escapeAttribute(serverDomain) + "/"
                + PING_RESOURCE + "' id='" + escapeAttribute(id) + "'><ping xmlns='" + PING_NS + "'/></iq>";
    }

    static String escapeAttribute(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
