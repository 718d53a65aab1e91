package io.offhook.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.Aor;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xmpp.packet.JID;

/** Lookups: every entry kind, their precedence, options, case and scheme rules (fixture mapping/all-kinds.map). */
class IdentityMapTest {
    private static final NumberPlan GERMANY = NumberPlan.of("49", "0", "00");
    private static IdentityMap map;

    @BeforeAll
    static void load() throws Exception {
        try (Reader in = new InputStreamReader(
                IdentityMapTest.class.getResourceAsStream("/mapping/all-kinds.map"), StandardCharsets.UTF_8)) {
            map = MappingFile.parse(in, "all-kinds.map", GERMANY);
        }
    }

    static IdentityMap parse(String text, NumberPlan plan) throws MappingException {
        return MappingFile.parse(new StringReader(text), "test.map", plan);
    }

    private static String jidOf(String aor) {
        return map.find(aor).map(u -> u.jid().toBareJID()).orElse("-");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // explicit pairs; sips is sip, host case, port and parameters do not count
        "sip:alice@pbx.example.net                             | alice@example.com",
        "sips:alice@PBX.Example.NET:5061;transport=tls         | alice@example.com",
        "sip:Bob@pbx.example.net                               | bob@example.com",
        // rules
        "sip:zoe@pbx.example.net                               | zoe@example.com",
        "sip:zoe@branch.example.net                            | branch.zoe@example.com",
        "sip:zoe@other.example.net                             | -",
        "sip:pbx.example.net                                   | -",
        // numbers: tel, SIP user parts that are numbers on any host, every way of writing them
        "tel:+4930-1234567                                     | carol@example.com",
        "tel:030 1234567                                       | carol@example.com",
        "sip:+49301234567@gw.example.org                       | carol@example.com",
        "sip:030-1234567@gw.example.org;user=phone             | carol@example.com",
        "sip:0049301234567@gw.example.org                      | carol@example.com",
        "sip:+49(0)301234567@gw.example.org                    | carol@example.com",
        "tel:+49307654321                                      | dave@example.com",
        "sip:+49305555555@gw.example.org                       | eve@example.com",
        "sip:+49306666666@gw.example.org                       | frank@example.com",
        "sip:1001@pbx.example.net                              | grace@example.com",
        "sip:1001@elsewhere.example.org                        | grace@example.com",
        "tel:1001                                              | grace@example.com",
        "tel:+491001                                           | -",
        "sip:1002@pbx.example.net                              | 1002@example.com",
        "tel:+49309999999                                      | -",
        // precedence: explicit pair > number entry > rule
        "sip:+49301112222@pbx.example.net                      | pair@example.com",
        "sip:+49301112222@other.example.net                    | number@example.com",
        "sip:030-1112222@pbx.example.net                       | number@example.com",
        "tel:+49301112222                                      | number@example.com",
        // not addresses of record at all
        "mailto:alice@example.com                              | -",
        "alice                                                 | -",
    })
    void findsByPrecedence(String aor, String jid) {
        assertEquals(jid, jidOf(aor));
    }

    @Test
    void findTakesAddressesAsTheTapNormalisesThem() {
        for (String uri : new String[] {"sips:bob@PBX.example.net:5061", "tel:+49-30-123-4567;phone-context=+49",
            "sip:+49-30-1234567@gw.example.org;user=phone"}) {
            assertEquals(map.find(uri), map.find(Aor.of(uri)), uri);
        }
    }

    @Test
    void optionsComeWithTheUser() {
        MappedUser bob = map.find("sip:bob@pbx.example.net").orElseThrow();
        assertEquals(Optional.of(PresentationMode.OVERLAY), bob.mode());
        assertTrue(bob.showRemoteParty());
        MappedUser alice = map.find("sip:alice@pbx.example.net").orElseThrow();
        assertEquals(Optional.empty(), alice.mode());
        assertFalse(alice.showRemoteParty(), "the remote party is hidden unless the user opted in");
        MappedUser branch = map.find("sip:zoe@branch.example.net").orElseThrow();
        assertEquals(Optional.of(PresentationMode.GATEWAY), branch.mode());
        assertFalse(branch.showRemoteParty());
        assertTrue(map.find("tel:+49305555555").orElseThrow().showRemoteParty());
    }

    @Test
    void sipUserPartsAreCaseSensitiveButJidsAreNot() {
        // sip:bob and sip:Bob are two explicit pairs (RFC 3261 19.1.4) with different options.
        assertEquals(Optional.of(PresentationMode.OVERLAY), map.find("sip:bob@pbx.example.net").orElseThrow().mode());
        MappedUser upper = map.find("sip:Bob@pbx.example.net").orElseThrow();
        assertEquals(Optional.empty(), upper.mode());
        // sip:BOB has no pair: the rule maps it, and nodeprep folds the JID's case (RFC 7622 3.3).
        MappedUser ruled = map.find("sip:BOB@pbx.example.net").orElseThrow();
        assertEquals(new JID("bob@example.com"), ruled.jid());
        assertEquals(Optional.empty(), ruled.mode());
        assertEquals("-", jidOf("sip:ALICE@other.example.net"));
    }

    @Test
    void caseLowerMakesADomainsUserPartsCaseInsensitiveForPairsToo() throws MappingException {
        String pairs = "sip:Alice@pbx.example.net = alice@example.com mode=overlay\n";
        IdentityMap exact = parse(pairs + "sip:*@pbx.example.net = *@example.com\n", NumberPlan.NONE);
        assertEquals(Optional.empty(), exact.find("sip:ALICE@pbx.example.net").orElseThrow().mode());
        assertEquals(Optional.empty(), exact.find("sip:alice@pbx.example.net").orElseThrow().mode());
        IdentityMap lower = parse(pairs + "sip:*@pbx.example.net = *@example.com case=lower\n", NumberPlan.NONE);
        for (String aor : new String[] {"sip:ALICE@pbx.example.net", "sip:alice@pbx.example.net",
            "sip:Alice@pbx.example.net"}) {
            assertEquals(Optional.of(PresentationMode.OVERLAY), lower.find(aor).orElseThrow().mode(), aor);
        }
        // Only that domain: elsewhere the case of the user part still counts.
        IdentityMap other = parse("sip:Alice@other.example.net = alice@example.com\n"
                + "sip:*@pbx.example.net = *@example.com case=lower\n", NumberPlan.NONE);
        assertEquals(Optional.empty(), other.find("sip:alice@other.example.net"));
    }

    @Test
    void twoSipUsersMayBeOnePerson() throws MappingException {
        IdentityMap two = parse("sip:alice@pbx.example.net = alice@example.com\n"
                + "sip:alice-soft@voip.example.org = Alice@Example.com\n", NumberPlan.NONE);
        assertEquals(two.find("sip:alice@pbx.example.net").orElseThrow().jid(),
                two.find("sip:alice-soft@voip.example.org").orElseThrow().jid());
        assertEquals(Set.of(new JID("alice@example.com")), two.users());
        assertEquals(2, two.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sip:o'brien@pbx.example.net", "sip:a/b@pbx.example.net", "sip:a:b@pbx.example.net",
        "sip:a&b@pbx.example.net", "sip:a<b>@pbx.example.net", "sip:a\"b@pbx.example.net",
        "sip:a@b@pbx.example.net"})
    void userPartsThatCannotBeJidNodesAreRejectedAndCounted(String aor) throws MappingException {
        IdentityMap rule = parse("sip:*@pbx.example.net = *@example.com\n", NumberPlan.NONE);
        assertEquals(Optional.empty(), rule.find(aor));
        assertEquals(1, rule.rejectedUserParts());
        assertTrue(rule.find("sip:obrien@pbx.example.net").isPresent());
        assertEquals(1, rule.rejectedUserParts());
    }

    @Test
    void usersListsExplicitAndNumberEntriesNotRules() {
        Set<String> users = map.users().stream().map(JID::toBareJID).collect(Collectors.toSet());
        assertEquals(Set.of("alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com",
                "eve@example.com", "frank@example.com", "grace@example.com", "pair@example.com",
                "number@example.com"), users);
        assertEquals(12, map.size(), "4 pairs, 6 numbers, 2 rules");
    }

    @Test
    void theSameMappedUserIsReturnedForAnEntry() {
        assertSame(map.find("sip:alice@pbx.example.net").orElseThrow(),
                map.find("sips:alice@pbx.example.net").orElseThrow());
    }

    @Test
    void emptyMapsNoOne() {
        assertEquals(Optional.empty(), IdentityMap.empty().find("sip:alice@pbx.example.net"));
        assertEquals(Optional.empty(), IdentityMap.empty().find("tel:+4930123"));
        assertEquals(Optional.empty(), IdentityMap.empty().find(null));
        assertEquals(0, IdentityMap.empty().size());
        assertTrue(IdentityMap.empty().users().isEmpty());
    }

    @Test
    void namedListsPairsAndNumbersByAddress() {
        assertEquals(10, map.named().size(), "4 pairs and 6 numbers, rules are open-ended");
        assertEquals("alice@example.com", map.named().get("sip:alice@pbx.example.net").jid().toBareJID());
        assertEquals("carol@example.com", map.named().get("tel:+49301234567").jid().toBareJID());
        assertEquals("sip:+49301112222@pbx.example.net", map.named().firstKey());
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @CsvSource(delimiter = '|', value = {
        "alice@example.com       | sip:alice@pbx.example.net",
        "bob@example.com         | sip:Bob@pbx.example.net sip:bob@pbx.example.net",
        "zoe@example.com         | sip:zoe@pbx.example.net",
        "branch.zoe@example.com  | sip:branch.zoe@pbx.example.net sip:zoe@branch.example.net",
        "carol@example.com       | sip:carol@pbx.example.net tel:+49301234567",
        "pair@example.com        | sip:+49301112222@pbx.example.net sip:pair@pbx.example.net",
        "nobody@other.example    | ''",
    })
    void addressesOfAUserComeFromEntriesAndRules(String jid, String addresses) {
        assertEquals(addresses.isEmpty() ? List.of() : List.of(addresses.split(" ")),
                map.addressesOf(new JID(jid)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "a.b_c-d", "2001", "x"})
    void plainNodesSkipNodeprepAndGiveTheSameJid(String node) {
        assertTrue(IdentityMap.Rule.plainNode(node));
        JID fast = new JID(node, "example.com", null, true);
        assertEquals(new JID(node, "example.com", null), fast);
        assertEquals(new JID(node, "example.com", null).toString(), fast.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alice", "jos\u00e9", "a b", "a@b", "a/b", "a'b", "", "\u00df"})
    void anythingElseGoesThroughNodeprep(String node) {
        assertFalse(IdentityMap.Rule.plainNode(node));
    }

    @Test
    void aRuleStillPreparesNodesThatNeedIt() throws Exception {
        IdentityMap map = MappingFile.parse(new StringReader("sip:*@pbx.example.net = *@example.com\n"), "t.map",
                NumberPlan.NONE);
        assertEquals("alice@example.com", map.find("sip:alice@pbx.example.net").orElseThrow().jid().toString());
        // Not plain: nodeprep lower-cases it, as before.
        assertEquals("alice@example.com", map.find("sip:ALICE@pbx.example.net").orElseThrow().jid().toString());
    }
}
