package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offhook-tap replay --timeline} (issue 7, "Pictures") as an operator sees it: the shipped jar replays a
 * capture, and headless Chromium opens the page it wrote. The test reads back the DOM after the page's own script
 * ran (and a screenshot): one lane per user with the states of the JSON lines in their order, the legend, the SIP
 * message behind a change in the hover box ({@code #e=N} opens it), and a Content-Security-Policy that let the
 * page's script run and reported nothing blocked. A capture whose display name and Call-ID are script injections
 * shows them as text: nothing runs, and no extra script element exists.
 *
 * <p>Chromium runs with a fresh {@code --user-data-dir} and {@code TMPDIR} in the test's temporary directory, is
 * bounded by {@value #TIMEOUT_SECONDS} s and is stopped by its PID (with its children) whatever happens.
 */
class TimelineChromiumIT {
    static final long TIMEOUT_SECONDS = 60;
    static final String A = "sip:alice@example.com";
    static final String B = "sip:bob@example.com";
    static final String FROM_PAYLOAD = "</script><script>document.documentElement.setAttribute('data-pwned','from')"
            + "</script>";
    static final String CALL_ID_PAYLOAD = "<img/src=x/onerror=document.documentElement.setAttribute('data-pwned',"
            + "'callid')>";
    /** Okabe-Ito colours of the page's states (TimelineHtml.COLORS). */
    static final Map<String, Integer> COLORS = Map.of("AVAILABLE", 0x009e73, "DIALING", 0x56b4e9, "RINGING",
            0xe69f00, "ON_HOLD", 0xcc79a7, "ON_THE_PHONE", 0xd55e00);
    private static final Pattern LANE = Pattern.compile("<g class=\"lane\" data-lane=\"\\d+\" data-aor=\"([^\"]*)\"");
    private static final Pattern SEGMENT = Pattern.compile("<rect class=\"seg\" data-state=\"([A-Z_]+)\"");
    private static final Pattern JSON_LINE = Pattern.compile("\"aor\":\"([^\"]*)\",\"state\":\"([A-Z_]+)\","
            + "\"event\":\"([A-Z_]+)\",\"previous\":\"([A-Z_]+)\"");

    @TempDir
    Path dir;
    private int runs;

    /** What Chromium printed on stdout (the DOM with {@code --dump-dom}) and its log (console messages). */
    record Browser(String stdout, String log) {
    }

    @Test
    void aRealCaptureShowsEachUsersStatesInOrderTheLegendAndTheSipMessageBehindAChange() throws Exception {
        Path capture = root().resolve("sip-tap/src/test/resources/captures/hold-resume-hep.pcap");
        Path html = dir.resolve("hold-resume.html");
        List<String> lines = replay(capture, html);
        Map<String, List<String>> expected = changes(lines);
        assertEquals(Map.of(A, List.of("OFFLINE", "AVAILABLE", "DIALING", "ON_THE_PHONE", "ON_HOLD", "ON_THE_PHONE",
                "AVAILABLE"), B, List.of("OFFLINE", "AVAILABLE", "RINGING", "ON_THE_PHONE", "ON_HOLD", "ON_THE_PHONE",
                "AVAILABLE")), expected, "the JSON lines of the lab's hold-resume capture");
        int held = indexOf(lines, "\"event\":\"HELD\"");

        Browser page = chromium("--dump-dom", html.toUri() + "#e=" + held);
        String dom = page.stdout();
        assertTrue(dom.contains("data-ready=\"true\""), "the page's script ran to the end:\n" + head(dom));
        assertClean(page);
        assertEquals(expected, lanes(dom));
        for (String state : List.of("OFFLINE", "AVAILABLE", "DIALING", "RINGING", "ON_HOLD", "ON_THE_PHONE")) {
            assertTrue(Pattern.compile("<li class=\"state\" data-state=\"" + state + "\">.*?" + state + "</li>")
                    .matcher(dom).find(), "legend entry " + state);
        }
        assertTrue(count(dom, "<text class=\"tick\"") >= 3, "the script drew the UTC axis");
        assertTrue(dom.contains("<span id=\"window\">showing 2026-11-25T18:33:54."), "the zoom window is shown");
        String tip = tip(dom);
        assertTrue(tip.contains(A + "\nHELD: ON_THE_PHONE -&gt; ON_HOLD\ncall "), tip);
        // The hold takes effect with the 200 that accepts the re-INVITE's sendonly offer (RFC 3261 14.1).
        assertTrue(tip.contains("\nSIP/2.0 200 OK"), "the 200 behind the hold: " + tip);
        assertTrue(tip.contains("\na=recvonly"), tip);

        Path png = dir.resolve("hold-resume.png");
        chromium("--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1400,500",
                "--screenshot=" + png, html.toUri().toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a PNG screenshot");
        Map<Integer, Integer> pixels = new LinkedHashMap<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                pixels.merge(image.getRGB(x, y) & 0xffffff, 1, Integer::sum);
            }
        }
        // A legend swatch is 14 x 14 px; a lane's state is 16 px high and tens to hundreds of px long.
        COLORS.forEach((state, rgb) -> assertTrue(pixels.getOrDefault(rgb, 0) > 3 * 14 * 14,
                state + " painted in its colour: " + pixels.getOrDefault(rgb, 0) + " px"));
    }

    @Test
    void hostileSipTextIsShownAsTextAndNeverRuns() throws Exception {
        Path capture = dir.resolve("hostile.pcap");
        Files.write(capture, hostileCapture());
        Path html = dir.resolve("hostile.html");
        List<String> lines = replay(capture, html);
        int dialing = indexOf(lines, "\"event\":\"DIALING\"");

        Browser page = chromium("--dump-dom", html.toUri() + "#e=" + dialing);
        String dom = page.stdout();
        assertTrue(dom.contains("data-ready=\"true\""), head(dom));
        assertFalse(dom.contains("data-pwned=\""), "an injected script ran: " + head(dom));
        assertEquals(2, count(dom, "<script"), "only the data block and the page's own script");
        assertEquals(0, count(dom, "<img"));
        assertClean(page);
        String tip = tip(dom);
        assertTrue(tip.contains("From: \"&lt;/script&gt;&lt;script&gt;document.documentElement.setAttribute("
                + "'data-pwned','from')&lt;/script&gt;\" &lt;sip:mallory@evil.example&gt;"), tip);
        assertTrue(tip.contains("call &lt;img/src=x/onerror="), tip);
        assertEquals(Map.of("sip:mallory@evil.example", List.of("OFFLINE", "AVAILABLE", "DIALING")), lanes(dom));
    }

    /** A CSP violation would mean the page's own script was refused, or something else tried to run. */
    private static void assertClean(Browser page) {
        for (String line : page.log().lines().toList()) {
            if (line.contains("CONSOLE")) {
                assertFalse(line.contains("Content Security Policy") || line.contains("Uncaught"), line);
            }
        }
    }

    private static Path root() {
        return Lab.dir().getParent().getParent();
    }

    /** Runs the shipped jar: {@code replay --all-events --timeline HTML CAPTURE}; returns its JSON lines. */
    private List<String> replay(Path capture, Path html) throws IOException, InterruptedException {
        Path jar = root().resolve("sip-tap/target/offhook-tap.jar");
        if (!Files.isRegularFile(jar)) {
            fail("no " + jar + ": build it first (mvn package)");
        }
        Path out = dir.resolve("replay-" + (++runs) + ".out");
        Path err = dir.resolve("replay-" + runs + ".err");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "replay", "--all-events", "--timeline", html.toString(), capture.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Processes.started(p);
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("replay did not finish within " + TIMEOUT_SECONDS + " s: " + Processes.tail(err, 20));
            }
            assertEquals(0, p.exitValue(), Processes.tail(err, 20));
        } finally {
            Processes.stop(p.toHandle());
        }
        assertTrue(Files.isRegularFile(html), Processes.tail(err, 20));
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    /** Runs headless Chromium with a fresh profile; fails unless it exits 0 within the timeout. */
    private Browser chromium(String... args) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(dir.resolve("chromium-profile-" + (++runs)));
        Path out = dir.resolve("chromium-" + runs + ".out");
        Path log = dir.resolve("chromium-" + runs + ".log");
        List<String> command = new ArrayList<>(List.of(Lab.program("chromium", "chromium").toString(),
                "--headless=new", "--disable-gpu", "--no-sandbox", "--user-data-dir=" + profile,
                "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage", "--enable-logging=stderr",
                "--v=0"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile());
        // Its own temporary files (a singleton socket directory, left behind when it is killed) stay in ours.
        builder.environment().put("TMPDIR", Files.createDirectories(dir.resolve("chromium-tmp-" + runs)).toString());
        Process p = Processes.started(builder.start());
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + Processes.tail(log, 20));
            }
            assertEquals(0, p.exitValue(), Processes.tail(log, 20));
        } finally {
            Processes.stop(p.toHandle());
        }
        return new Browser(Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(log, StandardCharsets.ISO_8859_1));
    }

    /** Per user, OFFLINE and then the state after each change, from {@code --all-events} JSON lines. */
    private static Map<String, List<String>> changes(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = JSON_LINE.matcher(line);
            assertTrue(m.find(), line);
            List<String> states = out.computeIfAbsent(m.group(1), aor -> new ArrayList<>(List.of("OFFLINE")));
            if (!m.group(2).equals(m.group(4))) {
                states.add(m.group(2));
            }
        }
        return out;
    }

    /** Per lane (by its user), the states of its segments from left to right, as the DOM has them. */
    private static Map<String, List<String>> lanes(String dom) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String[] parts = dom.split("(?=<g class=\"lane\")");
        for (String part : parts) {
            Matcher lane = LANE.matcher(part);
            if (!lane.lookingAt()) {
                continue;
            }
            List<String> states = new ArrayList<>();
            Matcher s = SEGMENT.matcher(part);
            while (s.find()) {
                states.add(s.group(1));
            }
            out.put(lane.group(1), states);
        }
        return out;
    }

    /** The hover box's text as serialised (so {@code <} shows as {@code &lt;}); fails when it is hidden. */
    private static String tip(String dom) {
        Matcher m = Pattern.compile("<div id=\"tip\"([^>]*)><pre>(.*?)</pre></div>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "no hover box in the DOM");
        assertFalse(m.group(1).contains("hidden"), "the hover box is hidden: " + m.group(1));
        return m.group(2);
    }

    private static int indexOf(List<String> lines, String what) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(what)) {
                return i;
            }
        }
        return fail("no line with " + what + " in " + lines);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String head(String s) {
        return s.substring(0, Math.min(s.length(), 2000));
    }

    /**
     * A classic pcap (raw IPv4, link type 101) of mallory registering and calling bob, with a script injection as
     * display name and as Call-ID (RFC 3261's word allows {@code <}, {@code >}, {@code /} and quotes there).
     */
    static byte[] hostileCapture() {
        String from = "From: \"" + FROM_PAYLOAD + "\" <sip:mallory@evil.example>";
        String register = "REGISTER sip:evil.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-r\r\n"
                + from + ";tag=r1\r\nTo: <sip:mallory@evil.example>\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:mallory@10.0.0.1:5060>\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n";
        String ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-r\r\n" + from
                + ";tag=r1\r\nTo: <sip:mallory@evil.example>;tag=r2\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:mallory@10.0.0.1:5060>;expires=3600\r\nContent-Length: 0\r\n\r\n";
        String invite = "INVITE sip:bob@evil.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-i\r\n"
                + from + ";tag=i1\r\nTo: <sip:bob@evil.example>\r\nCall-ID: " + CALL_ID_PAYLOAD
                + "\r\nCSeq: 1 INVITE\r\nContact: <sip:mallory@10.0.0.1:5060>\r\nContent-Length: 0\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                .putInt(101);
        out.writeBytes(header.array());
        List<String> messages = List.of(register, ok, invite);
        for (int i = 0; i < messages.size(); i++) {
            byte[] sip = messages.get(i).getBytes(StandardCharsets.UTF_8);
            ByteBuffer ip = ByteBuffer.allocate(28 + sip.length).order(ByteOrder.BIG_ENDIAN);
            ip.put((byte) 0x45).put((byte) 0).putShort((short) (28 + sip.length)).putShort((short) 1)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0)
                    .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
            ip.putShort((short) 5060).putShort((short) 5060).putShort((short) (8 + sip.length)).putShort((short) 0)
                    .put(sip);
            ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(1_795_631_634).putInt(i * 100_000).putInt(ip.capacity()).putInt(ip.capacity());
            out.writeBytes(record.array());
            out.writeBytes(ip.array());
        }
        return out.toByteArray();
    }
}
