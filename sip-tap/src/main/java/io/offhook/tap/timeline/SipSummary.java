package io.offhook.tap.timeline;

import io.offhook.tap.packet.SipPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The part of a SIP message (RFC 3261 section 7) an operator looks at to see why a state changed: the start line,
 * the headers that name the parties, the dialog and the registration (long and compact forms, RFC 3261 section
 * 7.3.3), and the SDP lines that say hold or not (RFC 4566 {@code c=}, {@code m=} and the direction attributes of
 * RFC 3264). Kept as the text seen on the wire, bounded in length, with control characters replaced.
 */
final class SipSummary {
    /** Longer header lines are cut here: one long header must not take the whole budget. */
    static final int MAX_LINE_CHARS = 240;
    private static final Set<String> HEADERS = Set.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq",
            "contact", "m", "expires", "session-expires", "x", "reason", "p-asserted-identity", "user-agent",
            "server", "content-type", "c");
    private static final Set<String> SDP_ATTRIBUTES = Set.of("a=sendrecv", "a=sendonly", "a=recvonly",
            "a=inactive");

    private SipSummary() {
    }

    /** {@code UDP 10.0.0.1:5060 -> 10.0.0.2:5060}; {@code ?} for an address the source did not know. */
    static String wire(SipPacket p) {
        return p.transport() + " " + address(p.sourceAddress(), p.sourcePort()) + " -> "
                + address(p.destinationAddress(), p.destinationPort());
    }

    private static String address(InetAddress a, int port) {
        if (a == null) {
            return "?";
        }
        String host = a.getHostAddress();
        return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The start line, the key headers in their order (only the first Via), and for an SDP body its connection,
     * media and direction lines after a blank line; at most {@code maxChars} characters.
     */
    static String summarize(SipPacket p, int maxChars) {
        String[] lines = new String(p.data(), p.offset(), p.length(), StandardCharsets.UTF_8).split("\r?\n", -1);
        List<String> kept = new ArrayList<>();
        kept.add(lines[0]);
        boolean keep = false;
        boolean sawVia = false;
        int i = 1;
        for (; i < lines.length && !lines[i].isEmpty(); i++) {
            String line = lines[i];
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (keep) { // a folded continuation of a kept header (RFC 3261 section 7.3.1)
                    kept.add(line);
                }
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            keep = HEADERS.contains(name) && !(isVia(name) && sawVia);
            sawVia |= isVia(name);
            if (keep) {
                kept.add(line);
            }
        }
        if (i + 1 < lines.length && lines[i + 1].startsWith("v=0")) {
            List<String> sdp = new ArrayList<>();
            for (int j = i + 1; j < lines.length; j++) {
                String line = lines[j];
                if (line.startsWith("c=") || line.startsWith("m=") || SDP_ATTRIBUTES.contains(line.strip())) {
                    sdp.add(line);
                }
            }
            if (!sdp.isEmpty()) {
                kept.add("");
                kept.addAll(sdp);
            }
        }
        return join(kept, maxChars);
    }

    private static boolean isVia(String name) {
        return name.equals("via") || name.equals("v");
    }

    /** The lines, each cut at {@link #MAX_LINE_CHARS}, control characters replaced; cut with a note at the end. */
    private static String join(List<String> lines, int maxChars) {
        String note = "\n... (cut at " + maxChars + " characters)";
        StringBuilder out = new StringBuilder(Math.min(maxChars, 1024));
        for (String line : lines) {
            if (out.length() > 0) {
                out.append('\n');
            }
            int n = Math.min(line.length(), MAX_LINE_CHARS);
            for (int k = 0; k < n; k++) {
                char c = line.charAt(k);
                out.append(c < 0x20 && c != '\t' || c == 0x7f ? '\uFFFD' : c);
            }
            if (line.length() > MAX_LINE_CHARS) {
                out.append("...");
            }
            if (out.length() > maxChars) {
                int end = maxChars - note.length();
                out.setLength(Character.isHighSurrogate(out.charAt(end - 1)) ? end - 1 : end);
                return out.append(note).toString();
            }
        }
        return out.toString();
    }
}
