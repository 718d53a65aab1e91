package io.offhook.tap.bench;

import io.offhook.tap.capture.CaptureReader;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark input made from the real Kamailio captures: every SIP message of the HEP fixtures (both legs, as the
 * proxy mirrored them), repeated as many times as asked with each copy's Call-IDs and user names made unique, so
 * the tracker sees distinct users and calls rather than duplicates of one.
 */
final class Corpus {
    private static final Pattern USER = Pattern.compile("(sips?:)([A-Za-z]+)@");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(call-id|i)([ \\t]*:[ \\t]*)(\\S+)");

    private Corpus() {
    }

    /** The SIP messages of all HEP fixture captures, one capture after the other on one time line. */
    static List<SipPacket> fixtureMessages() {
        Path dir = capturesDir();
        List<SipPacket> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            // fragmented-call (the basic call with large SDP bodies, for IP reassembly) came after the figures in
            // BENCHMARKS.md and is left out, so that the corpus stays the one they were measured on
            List<Path> hep = files.filter(p -> p.getFileName().toString().endsWith("-hep.pcap")
                    && !p.getFileName().toString().startsWith("fragmented-call")).sorted().toList();
            long offset = 0;
            for (Path p : hep) {
                List<SipPacket> one = new ArrayList<>();
                new CaptureReader().read(p, one::add, new DropCounters());
                long start = one.isEmpty() ? 0 : one.get(0).timeMicros();
                for (SipPacket s : one) {
                    all.add(retime(s, offset + Math.max(0, s.timeMicros() - start)));
                }
                offset += one.isEmpty() ? 0 : one.get(one.size() - 1).timeMicros() - start + 1_000_000L;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (all.isEmpty()) {
            throw new IllegalStateException("no HEP fixtures under " + dir);
        }
        return all;
    }

    /**
     * {@code copies} copies of {@code base}, one after the other in time (base time {@code startMicros}), each
     * with Call-IDs and user parts suffixed by its number. Only the header section is rewritten, so bodies and
     * their Content-Length stay valid.
     */
    static List<SipPacket> copies(List<SipPacket> base, int copies, long startMicros) {
        long span = base.get(base.size() - 1).timeMicros() + 1_000_000L;
        List<SipPacket> out = new ArrayList<>(base.size() * copies);
        for (int k = 0; k < copies; k++) {
            for (SipPacket p : base) {
                out.add(rewrite(p, k, startMicros + k * span + p.timeMicros()));
            }
        }
        return out;
    }

    private static SipPacket rewrite(SipPacket p, int k, long time) {
        String text = new String(p.data(), p.offset(), p.length(), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end);
        head = USER.matcher(head).replaceAll("$1$2x" + k + "@");
        Matcher m = CALL_ID.matcher(head);
        head = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2) + r.group(3) + "-" + k));
        byte[] bytes = (head + body).getBytes(StandardCharsets.ISO_8859_1);
        return new SipPacket(time, p.transport(), raw(p.sourceAddress()), p.sourcePort(),
                raw(p.destinationAddress()), p.destinationPort(), bytes, 0, bytes.length);
    }

    private static SipPacket retime(SipPacket p, long time) {
        return new SipPacket(time, p.transport(), raw(p.sourceAddress()), p.sourcePort(),
                raw(p.destinationAddress()), p.destinationPort(), p.data(), p.offset(), p.length());
    }

    private static byte[] raw(java.net.InetAddress a) {
        return a == null ? new byte[0] : a.getAddress();
    }

    private static Path capturesDir() {
        URL url = Corpus.class.getResource("/captures");
        if (url == null) {
            throw new IllegalStateException("captures not on the class path: run from sip-tap's test classes");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
