package io.offhook.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.mapping.MappingException.Problem;
import io.offhook.presence.PresentationMode;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The file's syntax and its errors: every problem named by file and line. */
class MappingFileTest {
    private static final NumberPlan GERMANY = NumberPlan.of("49", "0", "00");

    private static IdentityMap parse(String text) throws MappingException {
        return MappingFile.parse(new StringReader(text), "users.map", GERMANY);
    }

    private static MappingException failure(String text) {
        return assertThrows(MappingException.class, () -> parse(text));
    }

    @Test
    void reportsEveryProblemWithItsLine() throws IOException {
        MappingException e;
        try (Reader in = new InputStreamReader(
                MappingFileTest.class.getResourceAsStream("/mapping/broken.map"), StandardCharsets.UTF_8)) {
            e = assertThrows(MappingException.class, () -> MappingFile.parse(in, "broken.map", GERMANY));
        }
        assertEquals(List.of(3, 4, 5, 6, 7, 8), e.lines());
        assertEquals(3, e.line());
        String[] lines = e.getMessage().split("\n");
        assertEquals(6, lines.length, e.getMessage());
        assertTrue(lines[0].startsWith("broken.map:3: 'bob@exa_mple.com' is not a valid JID"), lines[0]);
        assertTrue(lines[0].endsWith(": sip:bob@pbx.example.net = bob@exa_mple.com"), lines[0]);
        assertTrue(lines[1].startsWith("broken.map:4: 'carol@example.com/phone' has a resource: name the bare JID "
                + "carol@example.com"), lines[1]);
        assertTrue(lines[2].startsWith("broken.map:5: unknown option 'colour=red'"), lines[2]);
        assertTrue(lines[3].startsWith("broken.map:6: unknown presentation mode 'loud'"), lines[3]);
        assertTrue(lines[4].startsWith("broken.map:7: missing '='"), lines[4]);
        assertEquals("broken.map:8: sip:alice@pbx.example.net is already mapped on line 2 to alice@example.com, "
                + "here to alice2@example.com: sip:alice@pbx.example.net = alice2@example.com", lines[5]);
        Problem duplicate = e.problems().get(5);
        assertEquals(8, duplicate.line());
        assertEquals(2, duplicate.otherLine());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "sip:a@pbx.example.net = a@                              | 'a@' is not a valid JID",
        "sip:a@pbx.example.net = @example.com                    | '@example.com' is not a valid JID",
        "sip:a@pbx.example.net = a b@example.com                 | unknown option 'b@example.com'",
        "sip:a@pbx.example.net = example.com                     | 'example.com' is a domain, not a user's JID",
        "sip:a@pbx.example.net = a@example.com/                  | 'a@example.com/' is not a valid JID",
        "sip:a@pbx.example.net =                                 | no JID after '='",
        "= a@example.com                                         | no SIP address or number before '='",
        "sip:a@pbx.example.net = a@example.com mode              | unknown presentation mode ''",
        "sip:a@pbx.example.net = a@example.com mode=x mode=y     | unknown presentation mode 'x'",
        "sip:a@pbx.example.net = a@example.com remote=maybe      | unknown remote 'maybe': use remote=show or remote=hide",
        "sip:a@pbx.example.net = a@example.com remote=show remote=hide | option remote= given twice",
        "sip:a@pbx.example.net = a@example.com activity=yes      | unknown activity 'yes': use activity=on or",
        "sip:a@pbx.example.net = a@example.com activity=on activity=off | activity= given twice",
        "sip:a@pbx.example.net = a@example.com mode=remote_control | use one of resource, overlay, gateway, remote-",
        "sip:a@pbx.example.net = a@example.com case=lower        | option case= applies only to rules",
        "tel:+4930123 = a@example.com case=lower                 | option case= applies only to rules",
        "sip:*@pbx.example.net = *@example.com case=upper        | unknown case 'upper'",
        "sip:*@pbx.example.net = a@example.com                   | a rule's JID has one * in its user part",
        "sip:*@pbx.example.net = *.*@example.com                 | a rule's JID has one * in its user part",
        "sip:*@pbx.example.net = a@*.example.com                 | a rule's JID has one * in its user part",
        "sip:*@pbx.example.net = *@example.com/phone             | has a resource",
        "sip:*@pbx.example.net = *@exa mple.com                  | unknown option 'mple.com'",
        "sip:@pbx.example.net = a@example.com                    | is no SIP address of a user",
        "sip:pbx.example.net = a@example.com                     | is no SIP address of a user",
        "sip:a @pbx.example.net = a@example.com                  | a SIP address has no spaces",
        "mailto:a@example.com = a@example.com                    | is neither a sip:, sips: or tel: address nor",
        "alice = alice@example.com                               | is neither a sip:, sips: or tel: address nor",
        "tel:+49 30 12x = a@example.com                          | '+49 30 12x' is not a telephone number",
        "+49 30 1234567890123456 = a@example.com                 | is not a telephone number",
        "sip:alice@pbx.example.net alice@example.com             | missing '='",
    })
    void namesWhatIsWrong(String line, String expected) {
        MappingException e = failure("# first line\n" + line + "\n");
        assertEquals(1, e.problems().size(), e.getMessage());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith("users.map:2: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().endsWith(": " + line.strip()), e.getMessage());
    }

    @Test
    void duplicatesAreComparedAfterNormalisation() {
        MappingException numbers = failure("tel:+49 30 1234567 = carol@example.com\n\n"
                + "030-1234567 = carl@example.com\n");
        assertEquals("users.map:3: number +49301234567 is already mapped on line 1 to carol@example.com, here to "
                + "carl@example.com: 030-1234567 = carl@example.com", numbers.getMessage());
        MappingException sips = failure("sip:a@PBX.example.net = a@example.com\nsips:a@pbx.example.net = b@example.com\n");
        assertEquals(List.of(2), sips.lines());
        assertEquals(1, sips.problems().get(0).otherLine());
        MappingException rules = failure("sip:*@pbx.example.net = *@example.com\nsip:*@pbx.example.net = *@example.org\n");
        assertTrue(rules.getMessage().startsWith("users.map:2: sip:*@pbx.example.net is already mapped on line 1 to "
                + "*@example.com, here to *@example.org"), rules.getMessage());
        MappingException options = failure("sip:a@pbx.example.net = a@example.com\n"
                + "sip:a@pbx.example.net = A@example.com mode=gateway\n");
        assertTrue(options.getMessage().startsWith("users.map:2: sip:a@pbx.example.net is already mapped on line 1 to "
                + "a@example.com with other options"), options.getMessage());
        MappingException folded = failure("sip:*@pbx.example.net = *@example.com case=lower\n"
                + "sip:Alice@pbx.example.net = alice@example.com\nsip:alice@pbx.example.net = alice2@example.com\n");
        assertEquals(List.of(3), folded.lines());
    }

    @Test
    void theSameEntryTwiceIsNoConflict() throws MappingException {
        IdentityMap map = parse("sip:a@pbx.example.net = a@example.com mode=overlay\n"
                + "sips:a@pbx.example.net:5061 = A@Example.com   mode=OVERLAY remote=hide\n"
                + "+49 30 1234567 = c@example.com\ntel:030 1234567 = c@example.com\n");
        assertEquals(2, map.size());
    }

    @Test
    void remoteControlAndActivityOnPairsAndRules() throws MappingException {
        IdentityMap map = parse("sip:a@pbx.example.net = a@example.com mode=Remote-Control activity=off\n"
                + "sip:*@pbx.example.net = *@example.com activity=on\n");
        MappedUser a = map.find("sip:a@pbx.example.net").orElseThrow();
        assertEquals(Optional.of(PresentationMode.REMOTE_CONTROL), a.mode());
        assertEquals(Optional.of(false), a.activity());
        MappedUser b = map.find("sip:b@pbx.example.net").orElseThrow();
        assertEquals(Optional.empty(), b.mode());
        assertEquals(Optional.of(true), b.activity());
    }

    @Test
    void commentsBlankLinesAndLineEnds() throws MappingException {
        IdentityMap map = parse("\uFEFF# comment\r\n\r\n   \t\r\n  # indented comment\r"
                + "sip:a#1@pbx.example.net = a#1@example.com # a trailing comment\n"
                + "sip:b@pbx.example.net=b#2@example.com\n"
                + "sip:c@pbx.example.net\t=\tc@example.com\tmode=gateway");
        assertEquals("a#1@example.com", map.find("sip:a#1@pbx.example.net").orElseThrow().jid().toBareJID());
        assertEquals("b#2@example.com", map.find("sip:b@pbx.example.net").orElseThrow().jid().toBareJID());
        assertEquals(Optional.of(PresentationMode.GATEWAY), map.find("sip:c@pbx.example.net").orElseThrow().mode());
        assertEquals(3, map.size());
        MappingException e = failure("# 1\r\n# 2\r\nbroken\r\n");
        assertEquals(3, e.line());
    }

    @Test
    void uriParametersMayHoldAnEqualsSign() throws MappingException {
        IdentityMap map = parse("sip:+4930123@gw.example.org;user=phone = a@example.com\n"
                + "tel:+49-30-555;phone-context=+49 = b@example.com\n"
                + "sip:x@gw.example.org;transport=tcp=x@example.com\n");
        assertEquals("a@example.com", map.find("sip:+4930123@gw.example.org").orElseThrow().jid().toBareJID());
        assertEquals("b@example.com", map.find("tel:+4930555").orElseThrow().jid().toBareJID());
        assertEquals("x@example.com", map.find("sip:x@gw.example.org").orElseThrow().jid().toBareJID());
    }

    @Test
    void aRuleMayKeepTextAroundTheUserPart() throws MappingException {
        IdentityMap map = parse("sip:*@pbx.example.net = phone-*.desk@Example.COM remote=show\n");
        MappedUser user = map.find("sip:Alice@pbx.example.net").orElseThrow();
        assertEquals("phone-alice.desk@example.com", user.jid().toBareJID());
        assertTrue(user.showRemoteParty());
    }

    @Test
    void aLongLineIsAnErrorNotAnOutOfMemory() {
        String longLine = "sip:a@pbx.example.net = a@example.com " + "x".repeat(MappingFile.MAX_LINE);
        MappingException e = failure("# 1\n" + longLine + "\nsip:b@pbx.example.net b@example.com\n");
        assertEquals(List.of(2, 3), e.lines());
        assertTrue(e.getMessage().startsWith("users.map:2: line is longer than 4096 characters: sip:a@"),
                e.getMessage());
        assertTrue(e.problems().get(0).text().length() <= Problem.MAX_TEXT + 3);
    }

    @Test
    void problemsBeyondTheLimitAreCounted() {
        String text = "nonsense\n".repeat(MappingFile.MAX_PROBLEMS + 5);
        MappingException e = failure(text);
        assertEquals(MappingFile.MAX_PROBLEMS, e.problems().size());
        assertEquals(5, e.notShown());
        assertTrue(e.getMessage().endsWith("\n(and 5 more problems)"));
    }

    @Test
    void bytesMustBeUtf8AndTheBadLineIsNamed() throws MappingException {
        byte[] good = "\uFEFFsip:jörg@pbx.example.net = jörg@example.com\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("jörg@example.com",
                MappingFile.parse(good, "users.map", GERMANY).find("sip:jörg@pbx.example.net").orElseThrow().jid()
                        .toBareJID());
        byte[] latin1 = "# 1\n# 2\nsip:jörg@pbx.example.net = jörg@example.com\n".getBytes(StandardCharsets.ISO_8859_1);
        MappingException e = assertThrows(MappingException.class, () -> MappingFile.parse(latin1, "users.map", GERMANY));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("users.map:3: not UTF-8"), e.getMessage());
    }

    @Test
    void aReadErrorIsAMappingErrorWithItsCause() {
        IOException broken = new IOException("disk on fire");
        Reader failing = new Reader() {
            @Override
            public int read(char[] buffer, int offset, int length) throws IOException {
                throw broken;
            }

            @Override
            public void close() {
            }
        };
        MappingException e = assertThrows(MappingException.class,
                () -> MappingFile.parse(failing, "users.map", GERMANY));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void theExampleInEtcParsesAndMeansWhatItsCommentsSay() throws IOException, MappingException {
        Path example = Path.of("..", "etc", "users.map");
        IdentityMap map = MappingFile.parse(Files.readAllBytes(example), example.toString(), GERMANY);
        assertEquals(9, map.size(), "5 pairs, 1 rule, 3 numbers");
        assertEquals("alice@example.com", jid(map, "sip:alice@pbx.example.net"));
        assertEquals("alice@example.com", jid(map, "sip:alice.soft@voip.example.org"));
        MappedUser bob = map.find("sip:bob@pbx.example.net").orElseThrow();
        assertEquals(Optional.of(PresentationMode.OVERLAY), bob.mode());
        assertTrue(bob.showRemoteParty());
        assertEquals(Optional.empty(), bob.activity(), "the deployment's activity.default");
        MappedUser frank = map.find("sip:frank@pbx.example.net").orElseThrow();
        assertEquals(Optional.of(PresentationMode.REMOTE_CONTROL), frank.mode());
        assertEquals(Optional.of(true), frank.activity());
        assertEquals("bob@example.com", jid(map, "sip:Bob@pbx.example.net"), "case=lower on the domain's rule");
        assertEquals("zoe@example.com", jid(map, "sip:zoe@pbx.example.net"));
        assertEquals(Optional.of(PresentationMode.LOGIN), map.find("sip:grace@pbx.example.net").orElseThrow().mode());
        for (String carol : new String[] {"tel:+49-30-1234567", "tel:+49 30 1234567", "tel:+49 (0)30 1234567",
            "tel:0049 30 1234567", "tel:030 1234567", "sip:030-1234567@gw.example.org;user=phone"}) {
            assertEquals("carol@example.com", jid(map, carol), carol);
        }
        assertEquals("dave@example.com", jid(map, "sip:+49307654321@gw.example.org"));
        assertEquals("erin@example.com", jid(map, "sip:2001@pbx.example.net"));
        assertEquals("-", jid(map, "sip:o'brien@pbx.example.net"));
    }

    private static String jid(IdentityMap map, String aor) {
        return map.find(aor).map(u -> u.jid().toBareJID()).orElse("-");
    }
}
