package io.offhook.tap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TapCliTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/captures/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void replayPrintsOneJsonLinePerStateChange() throws IOException {
        int status = TapCli.run(new String[] {"replay", fixture("basic-call-hep.pcap").toString()}, out, err);
        assertEquals(0, status, err());
        List<String> lines = out.toString().lines().toList();
        assertEquals(8, lines.size(), out.toString());
        assertTrue(lines.get(0).matches("\\{\"time\":\"2\\d{3}-\\d\\d-\\d\\dT[0-9:.]+Z\",\"aor\":\"sip:alice@example\\.com\","
                + "\"state\":\"AVAILABLE\",\"event\":\"ONLINE\",\"previous\":\"OFFLINE\"}"), lines.get(0));
        assertTrue(lines.get(4).contains("\"state\":\"ON_THE_PHONE\""), lines.get(4));
        assertTrue(err().contains("17 SIP messages"), err());
    }

    @Test
    void allEventsIncludesRefreshes() throws IOException {
        Path refresh = fixture("refresh.pcap");
        TapCli.run(new String[] {"replay", refresh.toString()}, out, err);
        long changes = out.toString().lines().count();
        StringWriter all = new StringWriter();
        TapCli.run(new String[] {"replay", "--all-events", refresh.toString()}, all, err);
        assertEquals(1, changes);
        assertEquals(3, all.toString().lines().filter(l -> l.contains("ONLINE")).count(), all.toString());
        assertTrue(all.toString().contains("\"event\":\"STILL_ONLINE\""));
    }

    @Test
    void notACaptureIsAClearErrorAndTheOthersStillReplay() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "INVITE sip:bob@example.com SIP/2.0\r\n");
        int status = TapCli.run(new String[] {"replay", text.toString(), fixture("busy.pcap").toString(),
            dir.resolve("missing.pcap").toString()}, out, err);
        assertEquals(1, status);
        assertTrue(err().contains("notes.txt is not a pcap or pcapng capture file"), err());
        assertTrue(err().contains("missing.pcap: no such file"), err());
        assertTrue(out.toString().contains("\"event\":\"DIALING\""), "busy.pcap still replayed");
    }

    /** A gzip-compressed capture, as tcpdump -z gzip leaves them, replays as the plain one does. */
    @Test
    void aGzipCompressedCaptureReplaysAsThePlainOne() throws IOException {
        Path plain = fixture("basic-call-hep.pcap");
        Path gz = dir.resolve("basic-call-hep.pcap.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(plain, o);
        }
        assertEquals(0, TapCli.run(new String[] {"replay", plain.toString()}, out, err), err());
        StringWriter fromGzip = new StringWriter();
        assertEquals(0, TapCli.run(new String[] {"replay", gz.toString()}, fromGzip, err), err());
        assertEquals(8, fromGzip.toString().lines().count(), fromGzip.toString());
        assertEquals(out.toString(), fromGzip.toString());
    }

    @Test
    void damagedPacketsAreCountedNotFatal() throws IOException {
        byte[] good = Files.readAllBytes(fixture("basic-call.pcap"));
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(good, good.length - 100));
        int status = TapCli.run(new String[] {"replay", cut.toString()}, out, err);
        assertEquals(0, status, err());
        assertTrue(err().contains("dropped CAPTURE_TRUNCATED=1"), err());
    }

    @Test
    void aClosedOutputIsAnErrorNotADropCount() throws IOException {
        java.io.Writer broken = new java.io.Writer() {
            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        int status = TapCli.run(new String[] {"replay", fixture("basic-call.pcap").toString()}, broken, err);
        assertEquals(1, status);
        assertTrue(err().contains("cannot write output: Broken pipe"), err());
        assertTrue(!err().contains("TRACKER_FAILED"), err());
    }

    @Test
    void usageErrors() {
        assertEquals(2, TapCli.run(new String[] {}, out, err));
        assertEquals(2, TapCli.run(new String[] {"replay"}, out, err));
        assertEquals(2, TapCli.run(new String[] {"replay", "--bogus", "x"}, out, err));
        assertEquals(2, TapCli.run(new String[] {"frobnicate"}, out, err));
        assertTrue(err().contains("unknown command 'frobnicate'"));
        assertEquals("", out.toString(), "stdout carries only JSON lines");
    }

    @Test
    void timelineIsWrittenBesideUnchangedJsonLines() throws IOException {
        Path capture = fixture("hold-resume-hep.pcap");
        assertEquals(0, TapCli.run(new String[] {"replay", "--all-events", capture.toString()}, out, err));
        StringWriter withTimeline = new StringWriter();
        Path html = dir.resolve("hold.html");
        int status = TapCli.run(new String[] {"replay", "--all-events", "--timeline", html.toString(),
            capture.toString()}, withTimeline, err);
        assertEquals(0, status, err());
        assertEquals(out.toString(), withTimeline.toString(), "stdout is the same with and without --timeline");
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("data-aor=\"sip:bob@example.com\""));
        assertTrue(page.contains("<span class=\"source\">hold-resume-hep.pcap</span>"));
        assertTrue(err().contains("replay: timeline of 2 users and 16 events written to " + html), err());
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void timelineProblemsAreUsageErrorsBeforeAnythingIsReplayed() throws IOException {
        Path capture = fixture("basic-call.pcap");
        byte[] before = Files.readAllBytes(capture);
        assertEquals(2, TapCli.run(new String[] {"replay", capture.toString(), "--timeline"}, out, err));
        assertTrue(err().contains("--timeline needs the HTML file to write"), err());
        assertEquals(2, TapCli.run(new String[] {"replay", "--timeline", "--all-events", capture.toString()}, out,
                err));
        assertTrue(err().contains("--timeline needs the HTML file to write, got '--all-events'"), err());
        assertEquals(2, TapCli.run(new String[] {"replay", "--timeline", dir.resolve("no/such/dir/t.html").toString(),
            capture.toString()}, out, err));
        assertTrue(err().contains("t.html: directory " + dir.resolve("no/such/dir") + " does not exist"), err());
        assertEquals(2, TapCli.run(new String[] {"replay", "--timeline", capture.toString(), capture.toString()},
                out, err));
        assertTrue(err().contains("is one of the captures to replay; it would be overwritten"), err());
        assertEquals(2, TapCli.run(new String[] {"replay", "--timeline", dir.toString(), capture.toString()}, out,
                err));
        assertTrue(err().contains(": is a directory"), err());
        assertEquals("", out.toString(), "nothing replayed");
        assertArrayEquals(before, Files.readAllBytes(capture));
    }

    @Test
    void jsonEscapesEverythingItMust() {
        StringBuilder b = new StringBuilder();
        EventJson.escape(b, "a\"b\\c\nd\u0001e\u2028");
        assertEquals("a\\\"b\\\\c\\nd\\u0001e\\u2028", b.toString());
    }
}
