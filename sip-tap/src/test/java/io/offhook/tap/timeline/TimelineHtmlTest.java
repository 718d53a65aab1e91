package io.offhook.tap.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TimelineHtmlTest {
    static final Pattern STATE = Pattern.compile("<rect class=\"seg\" data-state=\"([A-Z_]+)\"[^>]* x=\"([0-9.]+)\""
            + "[^>]* width=\"([0-9.]+)\"");
    static final String PAYLOAD = "</script><script>document.documentElement.setAttribute('data-pwned','1')"
            + "</script>";

    static String html(Timeline t, List<String> sources) {
        StringWriter w = new StringWriter();
        try {
            TimelineHtml.write(t, sources, w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** The states of each lane's segments, in order, by lane. */
    static List<String> lanes(String html) {
        List<String> out = new ArrayList<>();
        String[] parts = html.split("<g class=\"lane\"");
        for (int i = 1; i < parts.length; i++) {
            Matcher m = STATE.matcher(parts[i]);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                b.append(b.length() == 0 ? "" : " ").append(m.group(1));
            }
            out.add(b.toString());
        }
        return out;
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void eachUserIsALaneOfStatesInOrder() {
        String html = html(Replays.timeline("hold-resume-hep.pcap", TimelineLimits.DEFAULTS),
                List.of("hold-resume-hep.pcap"));
        assertEquals(List.of("OFFLINE AVAILABLE DIALING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE",
                "OFFLINE AVAILABLE RINGING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE"), lanes(html));
        assertTrue(html.contains("data-aor=\"sip:alice@example.com\""));
        assertTrue(html.contains("<text class=\"aor\" x=\"8\" y=\"22\">sip:bob@example.com<title>"));
        assertEquals(16, count(html, "<g class=\"mark "));
        assertEquals(2, count(html, "<g class=\"mark reg\""), "each user came ONLINE once");
        // The segments tile the plot from the left edge to the right one.
        Matcher m = STATE.matcher(html);
        double end = TimelineHtml.LEFT;
        while (m.find()) {
            double x = Double.parseDouble(m.group(2));
            if (x < end - 0.5) {
                end = TimelineHtml.LEFT; // the next lane
                assertEquals(TimelineHtml.LEFT, x, 0.01);
            }
            assertEquals(end, x, 0.11);
            end = x + Double.parseDouble(m.group(3));
        }
        assertEquals(TimelineHtml.LEFT + TimelineHtml.WIDTH, end, 0.2);
    }

    @Test
    void theLegendNamesEveryStateInItsColour() {
        String html = html(Replays.timeline("basic-call.pcap", TimelineLimits.DEFAULTS), List.of("basic-call.pcap"));
        for (PhoneState s : PhoneState.values()) {
            assertTrue(html.contains("<li class=\"state\" data-state=\"" + s.name() + "\"><svg width=\"14\" "
                    + "height=\"14\" aria-hidden=\"true\"><rect width=\"14\" height=\"14\" fill=\""
                    + TimelineHtml.COLORS.get(s) + "\"/></svg>" + s.name() + "</li>"), s.name());
        }
        assertEquals(PhoneState.values().length, TimelineHtml.COLORS.values().stream().distinct().count());
    }

    @Test
    void thePageLoadsNothingAndOnlyItsOwnScriptMayRun() {
        String html = html(Replays.timeline("hold-resume-hep.pcap", TimelineLimits.DEFAULTS), List.of("x.pcap"));
        assertEquals(2, count(html, "<script"));
        assertEquals(2, count(html, "</script>"));
        int open = html.lastIndexOf("<script>") + "<script>".length();
        String script = html.substring(open, html.indexOf("</script>", open));
        int styleOpen = html.indexOf("<style>") + "<style>".length();
        String style = html.substring(styleOpen, html.indexOf("</style>", styleOpen));
        assertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                + "script-src '" + TimelineHtml.sha256(script) + "'; style-src '" + TimelineHtml.sha256(style)
                + "'; img-src 'none'"), html.substring(0, 400));
        String withoutSvgNamespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
                .replace("'http://www.w3.org/2000/svg'", "");
        for (String reference : List.of("http:", "https:", "src=", "href=", "url(", "@import", "//")) {
            assertFalse(withoutSvgNamespace.replace("// ", "").contains(reference), reference);
        }
    }

    @Test
    void textFromSipCannotBreakOutOfItsContext() {
        String aor = "sip:x\"'><svg onload=alert(1)>&@evil.example";
        PhoneEvent e = new PhoneEvent(1_000_000, aor, PhoneEventType.DIALING, PhoneState.DIALING,
                PhoneState.AVAILABLE, "<img src=x onerror=alert(2)>", "sip:" + PAYLOAD + "@b", PAYLOAD);
        Timeline t = new Timeline(0, 2_000_000, List.of(aor), List.of(new Timeline.Mark(e, 0, 0)),
                List.of(new Timeline.Message("UDP <b> -> ?", "INVITE sip:b SIP/2.0\nFrom: \"" + PAYLOAD
                        + "\" <sip:x@evil>\n<!-- \u2028")), List.of("note " + PAYLOAD));
        String html = html(t, List.of(PAYLOAD + ".pcap"));
        assertEquals(2, count(html, "<script"), "only the data block and the page's script");
        assertEquals(2, count(html, "</script>"));
        assertFalse(html.contains("<svg onload") || html.contains("<img") || html.contains("<!--")
                || html.contains("<b>"));
        assertTrue(html.contains("data-aor=\"sip:x&quot;&#39;&gt;&lt;svg onload=alert(1)&gt;&amp;@evil.example\""));
        assertTrue(html.contains("\"c\":\"\\u003cimg src=x onerror=alert(2)\\u003e\""));
        assertTrue(html.contains("\\u003c/script\\u003e\\u003cscript\\u003edocument.documentElement"));
        assertTrue(html.contains("\\u003c!-- \\u2028"));
        assertTrue(html.contains("<li>note &lt;/script&gt;&lt;script&gt;"));
    }

    @Test
    void nothingToDrawIsSaid() {
        String html = html(new TimelineRecorder(TimelineLimits.DEFAULTS).timeline(), List.of("empty.pcap"));
        assertTrue(html.contains("No phone-state events in what was replayed."));
        assertEquals(List.of(), lanes(html));
        assertTrue(html.endsWith("</html>\n"));
    }

    @Test
    void notesSayWhatWasLeftOut() {
        String html = html(Replays.timeline("hold-resume-hep.pcap", new TimelineLimits(1, 100, 2048, 100_000)),
                List.of("hold-resume-hep.pcap"));
        assertTrue(html.contains("<ul class=\"notes\">\n<li>Only the first 1 users are drawn: 8 events of further "
                + "users are left out.</li>"));
    }
}
