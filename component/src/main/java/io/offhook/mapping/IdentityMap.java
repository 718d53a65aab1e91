package io.offhook.mapping;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.Aor;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import org.xmpp.packet.JID;

/**
 * Which SIP users are shown in XMPP, and as whom: the mapping file ({@link MappingFile}) in the form the component
 * looks users up in. Only users it finds are published (opt-in); the caller counts the rest.
 *
 * <p>Three kinds of entries, tried in this order, the first that matches wins:
 * <ol>
 * <li>explicit pairs, {@code sip:alice@pbx.example.net = alice@example.com}: the exact address of record (so a
 *     {@code sip:+4930123@pbx.example.net} pair outranks a number entry for the same number);</li>
 * <li>number entries, {@code tel:+49 30 1234567 = carol@example.com}: a {@code tel:} AOR, or a SIP AOR on any host
 *     whose user part is a telephone number, compared after {@link NumberPlan#normalise(String) E.164
 *     normalisation};</li>
 * <li>rules, {@code sip:*@pbx.example.net = *@example.com}: every user of one SIP domain, the JID's node taken from
 *     the SIP user part. A user part that cannot be a JID node (RFC 7622 section 3.3: no {@code " & ' / : < > @},
 *     spaces or controls) is not mapped: it is counted in {@link #rejectedUserParts()}, not escaped per XEP-0106,
 *     because an account named with such escapes is not what the operator's users have.</li>
 * </ol>
 * SIP user parts are compared case-sensitively (RFC 3261 section 19.1.4), except in a domain whose rule says
 * {@code case=lower}: there they are lower-cased before every lookup. JIDs compare case-insensitively anyway (Tinder
 * applies nodeprep, which folds case).
 *
 * <p>Immutable and safe to share between threads; {@link #find(String)} costs one AOR normalisation and at most
 * three hash lookups (and a JID preparation, cached by Tinder, for a rule).
 */
public final class IdentityMap {
    private static final IdentityMap EMPTY =
            new IdentityMap(Map.of(), Map.of(), Map.of(), Set.of(), NumberPlan.NONE);

    private final Map<String, MappedUser> explicit;
    private final Map<String, MappedUser> numbers;
    private final Map<String, Rule> rules;
    private final Set<String> caseInsensitiveHosts;
    private final NumberPlan plan;
    private final Set<JID> users;
    /** Per user of an explicit pair, the least of its SIP addresses (what {@link #sipAddressOf} gives). */
    private final Map<JID, String> sipOf;
    private final LongAdder rejected = new LongAdder();

    /**
     * A user of a SIP domain mapped by rule: the JID is {@code nodePrefix + user part + nodeSuffix @ domain}.
     *
     * @param domain the JID domain, already prepared
     */
    record Rule(String nodePrefix, String nodeSuffix, String domain, Optional<PresentationMode> mode,
            boolean showRemoteParty, Optional<Boolean> activity) {
        Rule {
            Objects.requireNonNull(nodePrefix, "nodePrefix");
            Objects.requireNonNull(nodeSuffix, "nodeSuffix");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(activity, "activity");
        }

        /** The user this rule makes of a SIP user part, or {@code null} when the result is no valid JID node. */
        MappedUser derive(String userPart) {
            String node = nodePrefix + userPart + nodeSuffix;
            JID jid;
            try {
                // Nodeprep (RFC 3920 appendix A) leaves lower-case ASCII letters, digits and . _ - as they are, and
                // libidn takes most of a millisecond per new name: skip it for those, as a restart that restores a
                // million rule-mapped users, or the first call of each, would otherwise spend minutes on it.
                jid = plainNode(node) ? new JID(node, domain, null, true) : new JID(node, domain, null);
            } catch (IllegalArgumentException e) {
                return null;
            }
            return new MappedUser(jid, mode, showRemoteParty, activity);
        }

        /** Whether nodeprep would return {@code node} unchanged and valid: 1 to 1023 of a-z 0-9 . _ - (RFC 6122). */
        static boolean plainNode(String node) {
            int n = node.length();
            if (n == 0 || n > 1023) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                char c = node.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param explicit SIP AOR (in {@link Aor#of(String)} form, user part lower-cased in case-insensitive hosts)
     * @param numbers key from {@link NumberPlan#normalise(String)}
     * @param rules by SIP host
     */
    IdentityMap(Map<String, MappedUser> explicit, Map<String, MappedUser> numbers, Map<String, Rule> rules,
            Set<String> caseInsensitiveHosts, NumberPlan plan) {
        this.explicit = Map.copyOf(explicit);
        this.numbers = Map.copyOf(numbers);
        this.rules = Map.copyOf(rules);
        this.caseInsensitiveHosts = Set.copyOf(caseInsensitiveHosts);
        this.plan = Objects.requireNonNull(plan, "plan");
        Set<JID> named = new HashSet<>();
        this.explicit.values().forEach(u -> named.add(u.jid()));
        this.numbers.values().forEach(u -> named.add(u.jid()));
        this.users = Set.copyOf(named);
        Map<JID, String> sip = new java.util.HashMap<>();
        this.explicit.forEach((aor, user) -> {
            if (aor.startsWith("sip:")) {
                sip.merge(user.jid(), aor, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        });
        this.sipOf = Map.copyOf(sip);
    }

    /** A map that maps no one: what the component has before a mapping file is loaded. */
    public static IdentityMap empty() {
        return EMPTY;
    }

    /**
     * The XMPP user a SIP user is, by the precedence in the class comment.
     *
     * @param aor an address of record as {@link Aor#of(String)} gives it ({@code sip:alice@pbx.example.net},
     *            {@code tel:+4930123}); other URIs are normalised the same way first
     * @return empty when no entry maps it, or the text is not a sip, sips or tel URI
     */
    public Optional<MappedUser> find(String aor) {
        String key = Aor.of(aor);
        if (key == null) {
            return Optional.empty();
        }
        if (key.startsWith("tel:")) {
            return Optional.ofNullable(byNumber(key.substring(4)));
        }
        int at = key.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        String user = key.substring(4, at);
        String host = key.substring(at + 1);
        if (!caseInsensitiveHosts.isEmpty() && caseInsensitiveHosts.contains(host)) {
            String lower = user.toLowerCase(Locale.ROOT);
            if (!lower.equals(user)) {
                user = lower;
                key = "sip:" + lower + "@" + host;
            }
        }
        MappedUser found = explicit.get(key);
        if (found == null) {
            found = byNumber(user);
        }
        if (found == null) {
            Rule rule = rules.get(host);
            if (rule != null) {
                found = rule.derive(user);
                if (found == null) {
                    rejected.increment();
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private MappedUser byNumber(String text) {
        if (numbers.isEmpty()) {
            return null;
        }
        String number = plan.key(text);
        return number == null ? null : numbers.get(number);
    }

    /** The number of entries: explicit pairs, number entries and rules. */
    public int size() {
        return explicit.size() + numbers.size() + rules.size();
    }

    /**
     * Every JID an explicit pair or a number entry names; users a rule derives are open-ended and not listed.
     * The component fetches these users' rosters up front.
     */
    public Set<JID> users() {
        return users;
    }

    /**
     * Every explicit pair and number entry, as address ({@code sip:...}, or {@code tel:} and the normalised number)
     * to user, sorted by address: what an admin lists. Users a rule derives are open-ended and not listed.
     */
    public SortedMap<String, MappedUser> named() {
        SortedMap<String, MappedUser> out = new TreeMap<>(explicit);
        numbers.forEach((number, user) -> out.put("tel:" + number, user));
        return out;
    }

    /**
     * The addresses that map to {@code user}, sorted: from explicit pairs and number entries, and the address a
     * domain rule would derive the user from (only if it maps back to the user, and in the lower case JIDs have,
     * so a phone that registers a user part in upper case in a case-sensitive domain is not found this way). A scan
     * of every entry: for admins, not for the path of every event.
     */
    public List<String> addressesOf(JID user) {
        JID bare = user.asBareJID();
        Set<String> out = new TreeSet<>();
        named().forEach((address, mapped) -> {
            if (mapped.jid().equals(bare)) {
                out.add(address);
            }
        });
        String node = bare.getNode();
        if (node != null) {
            rules.forEach((host, rule) -> {
                if (rule.domain().equals(bare.getDomain()) && node.startsWith(rule.nodePrefix())
                        && node.endsWith(rule.nodeSuffix())
                        && node.length() > rule.nodePrefix().length() + rule.nodeSuffix().length()) {
                    String userPart = node.substring(rule.nodePrefix().length(),
                            node.length() - rule.nodeSuffix().length());
                    String address = "sip:" + userPart + "@" + host;
                    Optional<MappedUser> back = find(address);
                    if (back.isPresent() && back.get().jid().equals(bare)) {
                        out.add(address);
                    }
                }
            });
        }
        return List.copyOf(out);
    }

    /**
     * The SIP address that stands for {@code user} when Offhook speaks SIP for them (publishing their chat
     * presence): the least {@code sip:} address of their explicit pairs, else the address a domain rule derives the
     * user from (if it maps back to the user; the least host when several rules do). Empty for users known only by
     * number entries, or not mapped at all. Cheap: one hash lookup and a pass over the rules.
     */
    public Optional<String> sipAddressOf(JID user) {
        JID bare = user.asBareJID();
        String explicitAddress = sipOf.get(bare);
        if (explicitAddress != null) {
            return Optional.of(explicitAddress);
        }
        String node = bare.getNode();
        String best = null;
        if (node != null) {
            for (Map.Entry<String, Rule> e : rules.entrySet()) {
                Rule rule = e.getValue();
                if (rule.domain().equals(bare.getDomain()) && node.startsWith(rule.nodePrefix())
                        && node.endsWith(rule.nodeSuffix())
                        && node.length() > rule.nodePrefix().length() + rule.nodeSuffix().length()) {
                    String address = "sip:" + node.substring(rule.nodePrefix().length(),
                            node.length() - rule.nodeSuffix().length()) + "@" + e.getKey();
                    Optional<MappedUser> back = find(address);
                    if (back.isPresent() && back.get().jid().equals(bare)
                            && (best == null || address.compareTo(best) < 0)) {
                        best = address;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * How many lookups a rule matched but could not map because the SIP user part is no valid JID node, since this
     * map was made. Such users are not published; an explicit pair maps them.
     */
    public long rejectedUserParts() {
        return rejected.sum();
    }

    @Override
    public String toString() {
        return "IdentityMap[" + explicit.size() + " pairs, " + numbers.size() + " numbers, " + rules.size()
                + " rules]";
    }
}
