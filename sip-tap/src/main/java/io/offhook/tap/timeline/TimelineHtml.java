package io.offhook.tap.timeline;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Timeline} as one self-contained HTML page: a swim lane per user coloured by phone state, a mark
 * per event (calls above the lane, registrations below), a UTC time axis and a legend, all as inline SVG made here
 * so the picture is there even without scripts. A small inline script adds what needs one: hovering a state or a
 * mark shows the event and the SIP message behind it, and the time axis zooms (buttons, wheel) and pans (drag).
 * {@code #e=N} in the address shows event N on load.
 *
 * <p>The page loads nothing: no fonts, scripts or images from anywhere, and its Content-Security-Policy allows only
 * its own script and style (by hash), so a display name such as {@code </script><script>...} in a capture is shown,
 * never run.
 */
public final class TimelineHtml {
    /** Width of the column of user names, px. */
    static final int LEFT = 280;
    /** Width of the plot, px. */
    static final int WIDTH = 1000;
    static final int RIGHT = 24;
    /** Height of the time axis above the lanes, px. */
    static final int TOP = 36;
    /** Height of one lane, px. */
    static final int LANE = 36;
    /** User names longer than this are cut in the lane label (the full name is its tooltip). */
    static final int MAX_LABEL_CHARS = 40;
    /** One colour per state, Okabe and Ito's palette (told apart with every common colour-vision deficiency). */
    static final Map<PhoneState, String> COLORS = colors();
    private static final Set<PhoneEventType> REGISTRATION_EVENTS = Set.of(PhoneEventType.ONLINE,
            PhoneEventType.STILL_ONLINE, PhoneEventType.OFFLINE);
    private static final String SCRIPT = resource("timeline.js");
    private static final String STYLE = resource("timeline.css");
    private static final String CSP = "default-src 'none'; script-src '" + sha256(SCRIPT) + "'; style-src '"
            + sha256(STYLE) + "'; img-src 'none'; base-uri 'none'; form-action 'none'";
    private static final String CALL_MARK = "M0,2 L3.5,5.5 L0,9 L-3.5,5.5 Z M0,9 V28";
    private static final String REGISTRATION_MARK = "M0,27 L4,34 L-4,34 Z";
    private static final int FLUSH_CHARS = 1 << 16;

    private TimelineHtml() {
    }

    private static Map<PhoneState, String> colors() {
        Map<PhoneState, String> m = new EnumMap<>(PhoneState.class);
        m.put(PhoneState.OFFLINE, "#bbbbbb");
        m.put(PhoneState.AVAILABLE, "#009e73");
        m.put(PhoneState.DIALING, "#56b4e9");
        m.put(PhoneState.RINGING, "#e69f00");
        m.put(PhoneState.ON_HOLD, "#cc79a7");
        m.put(PhoneState.ON_THE_PHONE, "#d55e00");
        return Map.copyOf(m);
    }

    /**
     * Writes the page.
     *
     * @param sources what was replayed (file names), shown in the title
     */
    public static void write(Timeline t, List<String> sources, Writer w) throws IOException {
        StringBuilder b = new StringBuilder(FLUSH_CHARS + 4096);
        String title = "Phone states: " + String.join(", ", sources);
        long span = Math.max(1, t.endMicros() - t.startMicros());
        int height = TOP + t.lanes().size() * LANE + 12;
        b.append("<!DOCTYPE html>\n<html lang=\"en\" class=\"nojs\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width\">\n")
                .append("<title>").append(Escape.html(title)).append("</title>\n<style>").append(STYLE)
                .append("</style>\n</head>\n<body>\n<header>\n<h1>Phone states over time</h1>\n");
        header(t, sources, b);
        b.append("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(LEFT + WIDTH + RIGHT)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"")
                .append("phone state of each user over time\">\n");
        List<List<Integer>> byLane = new ArrayList<>();
        for (int i = 0; i < t.lanes().size(); i++) {
            byLane.add(new ArrayList<>());
        }
        for (int i = 0; i < t.marks().size(); i++) {
            byLane.get(t.marks().get(i).lane()).add(i);
        }
        for (int lane = 0; lane < t.lanes().size(); lane++) {
            lane(t, lane, byLane.get(lane), span, b);
            flushIfFull(b, w);
        }
        axis(t.startMicros(), span, height, b);
        b.append("</svg>\n</main>\n<div id=\"tip\" hidden><pre></pre></div>\n")
                .append("<script type=\"application/json\" id=\"timeline-data\">");
        data(t, span, height, b, w);
        b.append("</script>\n<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        w.write(b.toString());
        w.flush();
    }

    private static void header(Timeline t, List<String> sources, StringBuilder b) {
        b.append("<p class=\"meta\">Replayed: ");
        for (int i = 0; i < sources.size(); i++) {
            b.append(i == 0 ? "" : ", ").append("<span class=\"source\">").append(Escape.html(sources.get(i)))
                    .append("</span>");
        }
        b.append("<br>From <time>").append(TimeAxis.iso(t.startMicros())).append("</time> to <time>")
                .append(TimeAxis.iso(t.endMicros())).append("</time> UTC (")
                .append(TimeAxis.duration(t.endMicros() - t.startMicros())).append("): <span id=\"users\">")
                .append(t.lanes().size()).append("</span> users, <span id=\"events\">").append(t.marks().size())
                .append("</span> events.</p>\n");
        if (!t.notes().isEmpty()) {
            b.append("<ul class=\"notes\">\n");
            for (String n : t.notes()) {
                b.append("<li>").append(Escape.html(n)).append("</li>\n");
            }
            b.append("</ul>\n");
        }
        b.append("<ul id=\"legend\">\n");
        for (PhoneState s : PhoneState.values()) {
            b.append("<li class=\"state\" data-state=\"").append(s.name()).append("\"><svg width=\"14\" height=\"14\"")
                    .append(" aria-hidden=\"true\"><rect width=\"14\" height=\"14\" fill=\"").append(COLORS.get(s))
                    .append("\"/></svg>").append(s.name()).append("</li>\n");
        }
        b.append("<li class=\"key\"><svg width=\"10\" height=\"36\" aria-hidden=\"true\"><path class=\"mark-call\" ")
                .append("transform=\"translate(5,0)\" d=\"").append(CALL_MARK)
                .append("\"/></svg>call event</li>\n<li class=\"key\"><svg width=\"10\" height=\"36\" ")
                .append("aria-hidden=\"true\"><path class=\"mark-reg\" transform=\"translate(5,0)\" d=\"")
                .append(REGISTRATION_MARK).append("\"/></svg>registration event</li>\n</ul>\n")
                .append("<div id=\"controls\"><button type=\"button\" id=\"zoom-in\" title=\"zoom in\">+</button>")
                .append(" <button type=\"button\" id=\"zoom-out\" title=\"zoom out\">&minus;</button>")
                .append(" <button type=\"button\" id=\"zoom-reset\">whole capture</button>")
                .append(" <span id=\"window\"></span><br><span class=\"hint\">Hover a state or a mark for the SIP ")
                .append("message behind it. Zoom: the buttons, or the mouse wheel over the time axis (Alt + wheel")
                .append(" anywhere). Drag to move along the time axis.</span></div>\n</header>\n<main>\n");
        if (t.marks().isEmpty()) {
            b.append("<p class=\"empty\">No phone-state events in what was replayed.</p>\n");
        }
    }

    /** One lane: its label, the state segments, then the marks on top. */
    private static void lane(Timeline t, int lane, List<Integer> marks, long span, StringBuilder b) {
        String aor = t.lanes().get(lane);
        b.append("<g class=\"lane\" data-lane=\"").append(lane).append("\" data-aor=\"").append(Escape.html(aor))
                .append("\" transform=\"translate(0,").append(TOP + lane * LANE).append(")\">\n");
        if (lane % 2 == 1) {
            b.append("<rect class=\"band\" width=\"").append(LEFT + WIDTH + RIGHT).append("\" height=\"")
                    .append(LANE).append("\"/>\n");
        }
        String label = aor.length() > MAX_LABEL_CHARS ? aor.substring(0, MAX_LABEL_CHARS - 1) + "\u2026" : aor;
        b.append("<text class=\"aor\" x=\"8\" y=\"22\">").append(Escape.html(label)).append("<title>")
                .append(Escape.html(aor)).append("</title></text>\n");
        PhoneState state = marks.isEmpty() ? PhoneState.OFFLINE : t.marks().get(marks.get(0)).event().previous();
        long from = 0;
        int cause = -1;
        for (int i : marks) {
            PhoneEvent e = t.marks().get(i).event();
            if (e.state() != state) {
                long at = e.timeMicros() - t.startMicros();
                segment(state, from, at, cause, span, b);
                state = e.state();
                from = at;
                cause = i;
            }
        }
        segment(state, from, t.endMicros() - t.startMicros(), cause, span, b);
        for (int i : marks) {
            PhoneEvent e = t.marks().get(i).event();
            boolean registration = REGISTRATION_EVENTS.contains(e.type());
            b.append("<g class=\"mark ").append(registration ? "reg" : "call").append("\" data-e=\"").append(i)
                    .append("\" data-event=\"").append(e.type().name()).append("\" data-t=\"")
                    .append(e.timeMicros() - t.startMicros()).append("\" transform=\"translate(")
                    .append(px(x(e.timeMicros() - t.startMicros(), span))).append(",0)\"><path d=\"")
                    .append(registration ? REGISTRATION_MARK : CALL_MARK).append("\"/><rect class=\"hit\" x=\"-4\"")
                    .append(" width=\"8\" height=\"").append(LANE).append("\"/><title>").append(e.type().name())
                    .append(' ').append(TimeAxis.iso(e.timeMicros())).append("</title></g>\n");
        }
        b.append("</g>\n");
    }

    private static void segment(PhoneState s, long from, long to, int cause, long span, StringBuilder b) {
        double x0 = x(from, span);
        double x1 = x(to, span);
        b.append("<rect class=\"seg\" data-state=\"").append(s.name()).append("\" data-a=\"").append(from)
                .append("\" data-b=\"").append(to).append("\" data-e=\"").append(cause).append("\" x=\"")
                .append(px(x0)).append("\" y=\"10\" width=\"").append(px(x1 - x0)).append("\" height=\"16\" fill=\"")
                .append(COLORS.get(s)).append("\"><title>").append(s.name()).append(", ")
                .append(TimeAxis.duration(to - from)).append("</title></rect>\n");
    }

    /** Grid lines and UTC labels for the whole span (the script redraws them when zooming). */
    private static void axis(long start, long span, int height, StringBuilder b) {
        long step = TimeAxis.step(span);
        b.append("<text class=\"utc\" x=\"").append(LEFT - 8).append("\" y=\"").append(TOP - 14)
                .append("\" text-anchor=\"end\">UTC ").append(TimeAxis.iso(start), 0, 10).append("</text>\n")
                .append("<rect id=\"axis-band\" x=\"").append(LEFT).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(TOP).append("\"/>\n<g id=\"axis\">\n");
        for (long tick : TimeAxis.ticks(start, start + span)) {
            String x = px(x(tick - start, span));
            b.append("<line class=\"grid\" x1=\"").append(x).append("\" x2=\"").append(x).append("\" y1=\"")
                    .append(TOP - 8).append("\" y2=\"").append(height).append("\"/><text class=\"tick\" x=\"")
                    .append(x).append("\" y=\"").append(TOP - 14).append("\" text-anchor=\"middle\">")
                    .append(TimeAxis.label(tick, step)).append("</text>\n");
        }
        b.append("</g>\n");
    }

    /** The events and messages for the script, as JSON with times relative to the start. */
    private static void data(Timeline t, long span, int height, StringBuilder b, Writer w) throws IOException {
        b.append("{\"start\":").append(t.startMicros()).append(",\"end\":").append(span).append(",\"left\":")
                .append(LEFT).append(",\"width\":").append(WIDTH).append(",\"top\":").append(TOP)
                .append(",\"height\":").append(height).append(",\"maxTicks\":").append(TimeAxis.MAX_TICKS)
                .append(",\"steps\":[");
        for (int i = 0; i < TimeAxis.STEPS_MICROS.length; i++) {
            b.append(i == 0 ? "" : ",").append(TimeAxis.STEPS_MICROS[i]);
        }
        b.append("],\n\"lanes\":[");
        for (int i = 0; i < t.lanes().size(); i++) {
            b.append(i == 0 ? "" : ",");
            Escape.json(b, t.lanes().get(i));
        }
        b.append("],\n\"events\":[\n");
        for (int i = 0; i < t.marks().size(); i++) {
            Timeline.Mark m = t.marks().get(i);
            PhoneEvent e = m.event();
            b.append(i == 0 ? "" : ",\n").append("{\"t\":").append(e.timeMicros() - t.startMicros())
                    .append(",\"l\":").append(m.lane()).append(",\"e\":\"").append(e.type().name())
                    .append("\",\"s\":\"").append(e.state().name()).append("\",\"p\":\"").append(e.previous().name())
                    .append("\",\"c\":");
            Escape.json(b, e.callId());
            b.append(",\"r\":");
            Escape.json(b, e.remote());
            b.append(",\"d\":");
            Escape.json(b, e.detail());
            b.append(",\"m\":").append(m.message());
            if (m.message() < 0) {
                b.append(",\"n\":\"").append(TimelineRecorder.isTimer(e) ? "No SIP message caused this: time passed."
                        : "The SIP message behind this was not kept.").append('"');
            }
            b.append('}');
            flushIfFull(b, w);
        }
        b.append("],\n\"messages\":[\n");
        for (int i = 0; i < t.messages().size(); i++) {
            Timeline.Message m = t.messages().get(i);
            b.append(i == 0 ? "" : ",\n").append("{\"w\":");
            Escape.json(b, m.wire());
            b.append(",\"x\":");
            Escape.json(b, m.text());
            b.append('}');
            flushIfFull(b, w);
        }
        b.append("]}");
    }

    private static void flushIfFull(StringBuilder b, Writer w) throws IOException {
        if (b.length() >= FLUSH_CHARS) {
            w.write(b.toString());
            b.setLength(0);
        }
    }

    /** The x coordinate of a time relative to the start. */
    static double x(long offsetMicros, long span) {
        return LEFT + (double) offsetMicros * WIDTH / span;
    }

    private static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String resource(String name) {
        try (InputStream in = TimelineHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing next to " + TimelineHtml.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }

    /** A CSP hash source for an inline element's text (CSP Level 3, section 8.4). */
    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
