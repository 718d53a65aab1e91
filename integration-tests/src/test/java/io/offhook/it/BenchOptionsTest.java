package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.it.BenchOptions.JidPattern;
import io.offhook.it.BenchOptions.Shown;
import io.offhook.it.BenchOptions.StateMatcher;
import io.offhook.it.BenchOptions.Target;
import io.offhook.it.BenchOptions.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchOptionsTest {
    /** What Offhook writes on the component stream for "On the phone" (resource mode, the shipped texts). */
    static final String OFFHOOK_ON_THE_PHONE = "<presence from='callee7@offhook.test/phone' to='bob@offhook.test' "
            + "id='offhook-42'><show>dnd</show><status>On the phone</status><priority>50</priority></presence>";
    /** The same as Smack serializes what the watcher received. */
    static final String SMACK_ON_THE_PHONE = "<presence xmlns=\"jabber:client\" to=\"bob@offhook.test/desk\" "
            + "from=\"callee7@offhook.test/phone\" id=\"offhook-42\"><status>On the phone</status>"
            + "<priority>50</priority><show>dnd</show></presence>";
    /** What pua_xmpp builds from a PIDF whose note is "On the phone" (show away plus the note as status). */
    static final String PUA_XMPP_ON_THE_PHONE = "<presence to=\"bob@offhook.test\" "
            + "from=\"callee7*example.com@sip.offhook.test\"><show>away</show><status>On the phone</status>"
            + "</presence>";
    static final String PUA_XMPP_CLOSED = "<presence to=\"bob@offhook.test\" "
            + "from=\"callee7*example.com@sip.offhook.test\" type=\"unavailable\"/>";

    @TempDir
    Path dir;

    private static IllegalArgumentException bad(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(List.of(args)));
    }

    private static void assertMentions(IllegalArgumentException e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
    }

    @Test
    void theDefaultsAreIssueThreesOffhookRun() {
        BenchOptions o = BenchOptions.defaults();
        assertEquals(Target.OFFHOOK, o.target());
        assertEquals("callee7@offhook.test/phone", o.watch().jid("callee7"));
        assertTrue(o.hep().offhook());
        assertTrue(o.roster());
        assertFalse(o.subscribe());
        assertEquals(BenchPresenceLatency.COMPONENT, o.component());
        assertNull(o.kamailioConfig());
        assertEquals(List.of(200, 50, 60, 100), List.of(o.callees(), o.rate(), o.seconds(), o.sequential()));
        assertEquals(List.of(), o.ramp());
        assertEquals(List.of(
                new BenchPresenceLatency.Phase("warm-up", 200, 50, 500, 1000),
                new BenchPresenceLatency.Phase("sequential", 100, 10, 1, 100),
                new BenchPresenceLatency.Phase("50 calls/s", 3000, 50, 500, 1000),
                new BenchPresenceLatency.Phase("sequential, warm", 100, 10, 1, 100)), BenchPresenceLatency.phases(o));
        assertEquals(Shown.ON_THE_PHONE, o.classify(OFFHOOK_ON_THE_PHONE));
        assertEquals(Shown.ON_THE_PHONE, o.classify(SMACK_ON_THE_PHONE));
        assertEquals(Shown.RINGING, o.classify(OFFHOOK_ON_THE_PHONE.replace("On the phone", "Phone ringing")));
        assertEquals(Shown.AVAILABLE, o.classify(OFFHOOK_ON_THE_PHONE.replace("On the phone", "Phone available")));
        assertNull(o.classify(OFFHOOK_ON_THE_PHONE.replace("On the phone", "Calling")));
        assertNull(o.classify(OFFHOOK_ON_THE_PHONE.replace("from=", "type='unavailable' from=")));
    }

    @Test
    void positionalNumbersStayAndOptionsNameTheirKey() {
        BenchOptions o = BenchOptions.parse(List.of("20", "15", "50", "--callees=300", "--subscribe", "true"));
        assertEquals(List.of(20, 15, 50, 300), List.of(o.rate(), o.seconds(), o.sequential(), o.callees()));
        assertTrue(o.subscribe());
        assertMentions(bad("20", "--rate", "30"), "rate given twice", "option --rate");
        assertMentions(bad("--rate", "fast"), "option --rate", "'fast' is not a whole number");
        assertMentions(bad("--seconds=0"), "option --seconds", "out of range 1..600");
        assertMentions(bad("--rat", "20"), "unknown option --rat");
        assertMentions(bad("--rate"), "--rate needs a value");
        assertMentions(bad("--subscribe", "yes"), "option --subscribe", "neither true nor false");
        assertMentions(bad("1", "2", "3", "4"), "at most three numbers");
        assertMentions(bad("--target", "pua"), "option --target", "'pua'");
    }

    @Test
    void aRateTheCalleesCannotCarryWithoutOverlapIsRefused() {
        // 200 callees, ring 100 ms + talk 1 s, twice over: 90 calls/s fit, 100 do not.
        assertEquals(90, BenchOptions.parse(List.of("90")).rate());
        assertMentions(bad("100"), "100 calls/s is too fast for 200 callees", "--callees 220");
        assertEquals(100, BenchOptions.parse(List.of("100", "--callees", "220")).rate());
    }

    @Test
    void aRampGetsEnoughCalleesAndMustAscend() {
        BenchOptions o = BenchOptions.parse(List.of("--ramp", "50, 100,150,200,300"));
        assertEquals(List.of(50, 100, 150, 200, 300), o.ramp());
        // 300 calls/s x (100 + 500 ms) x 2 = 360 callees, rounded up to a hundred.
        assertEquals(400, o.callees());
        List<BenchPresenceLatency.Phase> phases = BenchPresenceLatency.phases(o);
        assertEquals(6, phases.size());
        assertEquals(new BenchPresenceLatency.Phase("warm-up", 200, 50, 1000, 500), phases.get(0));
        assertEquals(new BenchPresenceLatency.Phase("ramp 300 calls/s", 2000, 300, 1000, 500), phases.get(5));
        assertEquals(2400, BenchPresenceLatency.phases(BenchOptions.parse(List.of("--ramp", "1000,2000"))).get(2)
                .limit(), "sipp's -l never throttles a fast step");
        assertMentions(bad("--ramp", "100,50"), "option --ramp", "ascending");
        assertMentions(bad("--ramp", "50,,100"), "option --ramp");
        assertMentions(bad("--ramp", "50,300", "--callees", "200"), "300 calls/s is too fast for 200 callees");
    }

    @Test
    void aPropertiesFileSetsAnExternalTargetAndTheCommandLineWins() throws IOException {
        Path file = dir.resolve("pua-xmpp.properties");
        Files.writeString(file, String.join("\n",
                "# Kamailio's own path: pua_dialoginfo + presence + pua_xmpp",
                "target = external",
                "watch = {user}*example.com@sip.offhook.test",
                "ringing = status:Ringing",
                "on-the-phone = show:away;status:On the phone",
                "available = type:available;show:",
                "component = sip.offhook.test",
                "subscribe = true",
                "rate = 20",
                ""), StandardCharsets.UTF_8);
        BenchOptions o = BenchOptions.parse(List.of("--config", file.toString(), "--rate=10"));
        assertEquals(Target.EXTERNAL, o.target());
        assertTrue(o.hep().none(), "no HEP by default for an external path");
        assertFalse(o.roster());
        assertTrue(o.subscribe());
        assertEquals("sip.offhook.test", o.component());
        assertEquals(10, o.rate(), "the command line wins over the file");
        assertEquals("callee7*example.com@sip.offhook.test", o.watch().bare("callee7"));
        assertEquals(Shown.ON_THE_PHONE, o.classify(PUA_XMPP_ON_THE_PHONE));
        assertNull(o.classify(PUA_XMPP_CLOSED), "closed is none of the three");
        assertEquals(Shown.AVAILABLE, o.classify(PUA_XMPP_CLOSED.replace(" type=\"unavailable\"/>",
                "><status>Idle</status></presence>")));

        Files.writeString(file, "target = external\nwatch = {user}@pua.example.com\nring = status:x\n",
                StandardCharsets.UTF_8);
        assertMentions(bad("--config", file.toString()), file + ": unknown key 'ring'");
        Files.writeString(file, "target = external\nwatch = {user}@pua.example.com\n", StandardCharsets.UTF_8);
        assertMentions(bad("--config", file.toString()), "--ringing is required with --target external");
        Files.writeString(file, "rate = x\n", StandardCharsets.UTF_8);
        assertMentions(bad("--config", file.toString()), file + ": key rate", "'x' is not a whole number");
        assertMentions(bad("--config", dir.resolve("missing.properties").toString()), "cannot read");
    }

    @Test
    void hepAndTargetMustAgree() {
        String[] external = {"--target", "external", "--watch", "{user}@pua.example.com", "--ringing", "status:R",
            "--on-the-phone", "status:P", "--available", "status:A"};
        assertMentions(bad("--hep", "none"), "hep: Offhook gets the calls only as HEP");
        assertMentions(bad(concat(external, "--hep", "offhook")), "offhook needs target offhook");
        assertEquals(9061, BenchOptions.parse(List.of(concat(external, "--hep", "9061"))).hep().port());
        assertMentions(bad(concat(external, "--hep", "70000")), "option --hep", "not a port");
        assertMentions(bad("--kamailio-config", dir.resolve("nope.cfg").toString()), "option --kamailio-config",
                "no such file");
        assertMentions(bad("--component", "Phone Offhook"), "option --component", "not a domain name");
        assertMentions(bad("--kamailio-files", dir.resolve("nope").toString()), "option --kamailio-files",
                "no such directory");
    }

    @Test
    void theCallerIsWatchedOnlyInADomainTheRunNames() {
        assertFalse(BenchOptions.parse(List.of()).watchesCaller());
        BenchOptions o = BenchOptions.parse(List.of("--caller-domain", "example.com"));
        assertTrue(o.watchesCaller());
        assertTrue(o.describe().contains("caller-domain example.com"));
        assertMentions(bad("--caller-domain", "Example com"), "option --caller-domain", "not a domain name");
        assertEquals(BenchPresenceLatency.KAMAILIO_MB, BenchOptions.parse(List.of()).kamailioMegabytes());
        assertEquals(512, BenchOptions.parse(List.of("--kamailio-mb", "512")).kamailioMegabytes());
        assertMentions(bad("--kamailio-mb", "8"), "option --kamailio-mb");
    }

    @Test
    void kamailioFilesNameADirectory() {
        assertNull(BenchOptions.parse(List.of()).kamailioFiles());
        assertEquals(dir, BenchOptions.parse(List.of("--kamailio-files", dir.toString())).kamailioFiles());
        assertTrue(BenchOptions.parse(List.of("--kamailio-files", dir.toString())).describe()
                .contains("kamailio files " + dir));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aJidPatternFindsTheCalleeOfAFullOrBareJid() {
        JidPattern resource = JidPattern.parse("watch", "{user}@offhook.test/phone");
        assertEquals("callee1", resource.user("callee1@offhook.test/phone"));
        assertNull(resource.user("callee1@offhook.test/desk"), "that resource only");
        assertNull(resource.user("callee1@offhook.test"));
        assertNull(resource.user("callee1@offhook.test/phone/x"));
        assertNull(resource.user(null));
        assertEquals("callee1@offhook.test", resource.bare("callee1"));

        JidPattern gateway = JidPattern.parse("watch", "{user}*example.com@sip.offhook.test");
        assertEquals("callee12", gateway.user("callee12*example.com@sip.offhook.test"));
        assertEquals("callee12", gateway.user("callee12*example.com@sip.offhook.test/kamailio"));
        assertNull(gateway.user("callee12@sip.offhook.test"));
        assertNull(gateway.user("callee12*example.org@sip.offhook.test"));
        assertNull(gateway.user("callee12*example.com@sip.offhook.test.evil"), "the domain is matched whole");
        assertEquals("callee12*example.com@sip.offhook.test", gateway.jid("callee12"));

        assertMentions(assertThrows(IllegalArgumentException.class, () -> JidPattern.parse("option --watch",
                "callee@offhook.test")), "option --watch", "{user} exactly once");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> JidPattern.parse("w",
                "{user}{user}@x")), "{user} exactly once");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> JidPattern.parse("w",
                "alice@{user}.test")), "{user} in the local part");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> JidPattern.parse("w",
                "{user}@off hook.test")), "not a JID pattern");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> JidPattern.parse("w",
                "{user}/x@offhook.test")), "not a JID pattern");
    }

    @Test
    void stateMatchersTestStatusShowTypeAndRegex() {
        StateMatcher phone = StateMatcher.parse("on-the-phone", "show:away;status:On the phone");
        assertTrue(phone.matches(PUA_XMPP_ON_THE_PHONE));
        assertFalse(phone.matches(OFFHOOK_ON_THE_PHONE), "show dnd is not away");
        assertFalse(phone.matches(PUA_XMPP_CLOSED));

        StateMatcher plain = StateMatcher.parse("available", "type:available;show:");
        assertTrue(plain.matches("<presence from='a@b'><status>Idle</status></presence>"));
        assertTrue(plain.matches("<presence type='available' from='a@b'/>"));
        assertFalse(plain.matches(PUA_XMPP_ON_THE_PHONE), "it has a show");
        assertFalse(plain.matches(PUA_XMPP_CLOSED), "unavailable");
        assertTrue(StateMatcher.parse("a", "type:unavailable").matches(PUA_XMPP_CLOSED));

        // Entities are decoded, attributes on <status> are allowed, an empty status is "".
        assertTrue(StateMatcher.parse("s", "status:Tom & Jerry's <call>").matches(
                "<presence><status xml:lang='en'>Tom &amp; Jerry&apos;s &lt;call&#62;</status></presence>"));
        assertTrue(StateMatcher.parse("s", "status:").matches("<presence><status/></presence>"));
        assertFalse(StateMatcher.parse("s", "status:").matches("<presence/>"), "no status at all");
        assertFalse(StateMatcher.parse("s", "status:On the phone").matches(
                "<presence><statusx>On the phone</statusx></presence>"));

        // A regex takes the rest of the spec, semicolons and all.
        StateMatcher re = StateMatcher.parse("r", "type:available;regex:<status>On the (phone|line);?</status>");
        assertEquals(2, re.conditions().size());
        assertTrue(re.matches(OFFHOOK_ON_THE_PHONE));
        assertTrue(re.matches("<presence><status>On the line;</status></presence>"));
        assertFalse(re.matches("<presence type='unavailable'><status>On the phone</status></presence>"));
    }

    @Test
    void aBadSpecNamesItsKey() {
        for (String[] bad : new String[][] {{"", "empty"}, {"On the phone", "is not name:value"},
            {"stat:On the phone", "unknown condition 'stat:'"}, {"show:busy", "not a show value"},
            {"type:online", "not a presence type"}, {"regex:(", "not a regular expression"},
            {"status:x;", "is not name:value"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StateMatcher.parse("option --on-the-phone", bad[0]), bad[0]);
            assertMentions(e, "option --on-the-phone", bad[1]);
        }
    }

    @Test
    void aCallIsCompleteOnlyWithRingingOnThePhoneAvailableInOrder() {
        Shown r = Shown.RINGING;
        Shown p = Shown.ON_THE_PHONE;
        Shown a = Shown.AVAILABLE;
        assertEquals(new Verdict(true, false, Set.of()), Verdict.of(List.of(r, p, a)));
        assertEquals(new Verdict(true, false, Set.of()), Verdict.of(List.of(r, r, p, p, a, a)), "repeats count once");
        assertEquals(new Verdict(false, false, Set.of(r)), Verdict.of(List.of(p, a)), "the ringing lost");
        assertEquals(new Verdict(false, false, Set.of(r, p, a)), Verdict.of(List.of()));
        assertEquals(new Verdict(false, true, Set.of()), Verdict.of(List.of(p, r, a)), "the older one last");
        assertEquals(new Verdict(false, true, Set.of()), Verdict.of(List.of(r, p, r, a)));
        assertEquals(new Verdict(false, true, Set.of()), Verdict.of(List.of(r, p, a, p)), "stuck on the phone");
        assertEquals("RPRA", Verdict.letters(List.of(r, p, r, a)));
        assertEquals("nothing", Verdict.letters(List.of()));
    }

    private static BenchPresenceLatency.Result step(int complete, int outOfOrder, int missingRinging,
                                                    BenchPresenceLatency.SipSide sip) {
        return step(complete, outOfOrder, missingRinging, sip, 0);
    }

    private static BenchPresenceLatency.Result step(int complete, int outOfOrder, int missingRinging,
                                                    BenchPresenceLatency.SipSide sip, long hepDrops) {
        BenchStats.Summary none = BenchStats.Summary.of(new long[0]);
        java.util.Map<Shown, Integer> missing = new java.util.EnumMap<>(Shown.class);
        missing.put(Shown.RINGING, missingRinging);
        missing.put(Shown.ON_THE_PHONE, 0);
        missing.put(Shown.AVAILABLE, 0);
        java.util.Map<Shown, BenchStats.Summary> latency = new java.util.EnumMap<>(Shown.class);
        for (Shown s : Shown.values()) {
            latency.put(s, none);
        }
        return new BenchPresenceLatency.Result(new BenchPresenceLatency.Phase("ramp 200 calls/s", 1000, 200, 1000,
                500), 1000, 1000, 1000, none, none, none, none, none, none, java.util.Map.of(), null, null,
                new BenchPresenceLatency.Cpu(-1, 0, 0, 0, 0),
                new BenchPresenceLatency.AtWatcher(1000, complete, outOfOrder, missing, latency), sip,
                new BenchPresenceLatency.Drops(2, hepDrops), 5, "", 0,
                List.of(), new long[0], new long[0]);
    }

    @Test
    void udpDropsAreSummedPerLocalPort() {
        List<String> lines = List.of(
                "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
                        + "pointer drops",
                "  101: 0100007F:C3D9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81214 2 "
                        + "0000000000000000 17",
                "  102: 0100007F:C3D9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81215 2 "
                        + "0000000000000000 3",
                "  103: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81216 2 "
                        + "0000000000000000 9");
        assertEquals(20, BenchStats.udpDrops(lines, 0xC3D9));
        assertEquals(9, BenchStats.udpDrops(lines, 5060));
        assertEquals(0, BenchStats.udpDrops(lines, 9060));
    }

    @Test
    void aRampStepIsLimitedByTheSipSideFirstThenByThePresencePath() {
        BenchStats.Summary okAfter = BenchStats.Summary.of(new long[] {101_000, 104_000, 120_000});
        BenchStats.Summary late = BenchStats.Summary.of(new long[] {101_000, 104_000, 900_000});
        BenchPresenceLatency.SipSide onTime = new BenchPresenceLatency.SipSide(199.0, okAfter, 0, false, true);
        BenchPresenceLatency.SipSide behind = new BenchPresenceLatency.SipSide(150.0, late, 3, true, false);
        assertNull(BenchPresenceLatency.limit(step(1000, 0, 0, onTime)), "kept up");
        String path = BenchPresenceLatency.limit(step(990, 4, 6, onTime));
        assertTrue(path.startsWith("the presence path was the limit, with the SIP side on time"), path);
        assertTrue(path.contains("10 of 1000 calls' states did not (missing ringing 6, on the phone 0, available 0; "
                + "out of order 4)"), path);
        String sip = BenchPresenceLatency.limit(step(990, 4, 6, behind));
        assertTrue(sip.startsWith("the SIP side (sipp and Kamailio on this machine) was the limit: INVITEs left at "
                + "150.0 calls/s of 200 asked, INVITE -> 200 OK p99 900.00 ms"), sip);
        assertTrue(sip.contains("3 calls without a 200 OK, sipp reported failed calls, 2 datagrams dropped at "
                + "Kamailio's socket; meanwhile 10 of 1000"), sip);
        String intake = BenchPresenceLatency.limit(step(990, 4, 6, behind, 120));
        assertTrue(intake.startsWith("Offhook's HEP intake was the limit: the kernel dropped 120 HEP datagrams"),
                intake);
        assertTrue(intake.contains("the SIP side was late too (INVITE -> 200 OK p99 900.00 ms, 2 datagrams"), intake);
        assertNull(BenchPresenceLatency.limit(step(1000, 0, 0, onTime, 120)), "drops that lost no state change");
        assertTrue(BenchPresenceLatency.limit(step(1000, 0, 0, behind)).contains("meanwhile every call's three "
                + "states reached the watcher in order"));
    }
}
