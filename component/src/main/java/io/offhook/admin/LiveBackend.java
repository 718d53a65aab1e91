package io.offhook.admin;

import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappedUser;
import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingReloader;
import io.offhook.mapping.ReloadStats;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PresentationMode;
import io.offhook.publish.EngineStats;
import io.offhook.publish.PresenceEngine;
import io.offhook.publish.UserView;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.track.Aor;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.TrackedUser;
import io.offhook.xmpp.stream.ConnectionStats;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.xmpp.packet.JID;

/**
 * The admin commands carried out on the running Offhook: the engine read on its own thread ({@link EngineAccess}),
 * the tap read and cleared under its lock ({@link TapPipeline}), the mapping file reloaded
 * ({@link MappingReloader#reloadNow()}). Only mapped users are shown (opt-in holds for admins too), and a call's
 * remote party only for users who opted in to showing it. Runs on the admin thread; waits for the engine at most
 * {@link #ENGINE_TIMEOUT}.
 */
public final class LiveBackend implements AdminBackend {
    /** How long a command waits for the engine before it says the engine is busy. */
    static final Duration ENGINE_TIMEOUT = Duration.ofSeconds(5);
    /** The detail of the events a clear causes, so logs and consumers can tell them from a real hang-up. */
    public static final String CLEARED = "cleared by admin";
    /** What is shown instead of the remote party of a user who did not opt in. */
    static final String HIDDEN = "(hidden)";
    /** Longer input is no JID nor SIP address anyone types. */
    static final int MAX_INPUT_CHARS = 512;

    /**
     * Counters of the engine's loop, which the engine itself does not keep.
     *
     * @param droppedEvents phone events dropped because the engine's queue was full
     * @param latencyCount events whose latency was measured
     * @param p50Micros median from a phone event's packet to its stanzas written
     * @param p99Micros 99th percentile of the same
     */
    public record LoopCounters(long droppedEvents, long latencyCount, long p50Micros, long p99Micros) {
    }

    private record Target(JID jid, List<String> addresses, boolean byAddress) {
    }

    private final EngineAccess engine;
    private final TapPipeline tap;
    private final DropCounters drops;
    private final MappingReloader mapping;
    private final PresentationMode defaultMode;
    private final Supplier<ConnectionStats> connection;
    private final Supplier<LoopCounters> loop;
    private final Publications publications;

    /**
     * @param defaultMode the mode of users whose mapping names none ({@code presence.mode})
     * @param connection the XMPP connection's counters
     * @param loop the engine loop's counters
     * @param publications the SIP publications ({@link Publications#none()} without {@code publish.listen})
     */
    public LiveBackend(EngineAccess engine, TapPipeline tap, DropCounters drops, MappingReloader mapping,
                       PresentationMode defaultMode, Supplier<ConnectionStats> connection,
                       Supplier<LoopCounters> loop, Publications publications) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tap = Objects.requireNonNull(tap, "tap");
        this.drops = Objects.requireNonNull(drops, "drops");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.defaultMode = Objects.requireNonNull(defaultMode, "defaultMode");
        this.connection = Objects.requireNonNull(connection, "connection");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.publications = Objects.requireNonNull(publications, "publications");
    }

    @Override
    public UserList users(int limit) throws AdminException {
        IdentityMap map = mapping.current();
        Map<JID, UserRow> rows = new LinkedHashMap<>();
        for (UserView v : onEngine(PresenceEngine::userViews)) {
            rows.put(v.status().user(), row(v, v.addresses()));
        }
        Map<JID, List<String>> idle = new LinkedHashMap<>();
        Map<JID, MappedUser> idleUsers = new LinkedHashMap<>();
        map.named().forEach((address, user) -> {
            UserRow held = rows.get(user.jid());
            if (held == null) {
                idle.computeIfAbsent(user.jid(), j -> new ArrayList<>()).add(address);
                idleUsers.putIfAbsent(user.jid(), user);
            } else if (!held.addresses().contains(address)) {
                List<String> more = new ArrayList<>(held.addresses());
                more.add(address);
                rows.put(user.jid(), new UserRow(held.jid(), more, held.mode(), held.state(), held.shown()));
            }
        });
        idle.forEach((jid, addresses) -> rows.put(jid, new UserRow(jid, addresses,
                idleUsers.get(jid).mode().orElse(defaultMode), PhoneState.OFFLINE, "")));
        List<UserRow> sorted = new ArrayList<>(rows.values());
        sorted.sort(Comparator.comparing((UserRow r) -> r.state().ordinal()).reversed()
                .thenComparing(r -> r.jid().toBareJID()));
        return new UserList(sorted.size(), sorted.subList(0, Math.min(Math.max(0, limit), sorted.size())));
    }

    @Override
    public UserReport user(String jidOrAddress) throws AdminException {
        Target target = resolve(jidOrAddress);
        Optional<UserView> view = onEngine(e -> e.userView(target.jid()));
        List<String> addresses = addresses(target, view);
        if (view.isEmpty() && addresses.isEmpty()) {
            throw new AdminException(target.jid().toBareJID() + " is not mapped: Offhook shows only users the "
                    + "mapping file names");
        }
        IdentityMap map = mapping.current();
        boolean showRemote = false;
        List<TrackedUser> tapped = new ArrayList<>();
        List<Published> published = new ArrayList<>();
        for (String address : addresses) {
            String aor = Aor.of(address);
            if (aor != null) {
                publications.of(aor).forEach(p -> published.add(new Published(aor, p)));
            }
            boolean optedIn = map.find(address).filter(u -> u.jid().equals(target.jid()))
                    .map(MappedUser::showRemoteParty).orElse(false);
            showRemote |= optedIn;
            tap.snapshot(address).ifPresent(t -> tapped.add(optedIn ? t : withoutRemote(t)));
        }
        UserRow row = view.map(v -> row(v, addresses)).orElseGet(() -> new UserRow(target.jid(), addresses,
                mode(map, addresses), PhoneState.OFFLINE, ""));
        return new UserReport(row, showRemote, view.map(UserView::recipients).orElse(0), tapped, published);
    }

    @Override
    public ClearReport clear(String jidOrAddress) throws AdminException {
        Target target = resolve(jidOrAddress);
        Optional<UserView> view = onEngine(e -> e.userView(target.jid()));
        List<String> addresses = addresses(target, view);
        if (addresses.isEmpty()) {
            throw new AdminException(target.jid().toBareJID() + " is not mapped: no SIP address to clear");
        }
        int ended = 0;
        int removed = 0;
        PhoneState after = PhoneState.OFFLINE;
        for (String address : addresses) {
            try {
                ended += tap.clear(address, CLEARED);
            } catch (IllegalArgumentException e) {
                throw new AdminException(e.getMessage());
            }
            after = after.max(tap.snapshot(address).map(TrackedUser::state).orElse(PhoneState.OFFLINE));
            String aor = Aor.of(address);
            if (aor != null) {
                removed += publications.clear(aor, CLEARED);
                after = after.max(publications.stateOf(aor));
            }
        }
        return new ClearReport(target.jid(), addresses, ended, removed, after);
    }

    @Override
    public String reloadMapping() throws AdminException {
        try {
            IdentityMap map = mapping.reloadNow();
            return "Reloaded the mapping file: " + map + ", naming " + map.users().size() + " users (rules add "
                    + "more).";
        } catch (MappingException | IOException | IllegalStateException e) {
            throw new AdminException("The mapping file was not reloaded, the last good mapping stays:\n"
                    + e.getMessage());
        }
    }

    @Override
    public List<Counter> counters() throws AdminException {
        EngineStats s = onEngine(PresenceEngine::stats);
        LoopCounters l = loop.get();
        ConnectionStats c = connection.get();
        ReloadStats r = mapping.stats();
        List<Counter> out = new ArrayList<>();
        count(out, "engine.events", "Phone events", s.events());
        count(out, "engine.unmapped", "Phone events of unmapped SIP users", s.unmapped());
        count(out, "engine.dropped", "Phone events dropped (engine.queue full)", l.droppedEvents());
        count(out, "engine.users", "Users held", s.users());
        count(out, "engine.shown", "Presences shown", s.shown());
        count(out, "engine.stanzas-sent", "Stanzas sent", s.stanzasSent());
        count(out, "engine.roster-requests", "Roster reads", s.rosterRequests());
        count(out, "engine.roster-errors", "Roster reads failed", s.rosterErrors());
        count(out, "engine.echoes-ignored", "Echoes ignored", s.echoesIgnored());
        count(out, "engine.subscriptions-denied", "Gateway subscriptions refused", s.subscriptionsDenied());
        count(out, "engine.mapping-failures", "Presence mapping failures", s.mappingFailures());
        count(out, "latency.count", "Latency samples", l.latencyCount());
        count(out, "latency.p50-us", "HEP in to stanza out, p50 (microseconds)", l.p50Micros());
        count(out, "latency.p99-us", "HEP in to stanza out, p99 (microseconds)", l.p99Micros());
        count(out, "tap.messages", "SIP messages scanned", tap.messages());
        count(out, "tap.drops", "Input dropped, all reasons", drops.total());
        for (Map.Entry<DropReason, Long> d : drops.snapshot().entrySet()) {
            count(out, "tap.drops." + d.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    "Input dropped: " + d.getKey(), d.getValue());
        }
        count(out, "xmpp.connects", "XMPP connects", c.connects());
        count(out, "xmpp.disconnects", "XMPP disconnects", c.disconnects());
        count(out, "xmpp.stanzas-in", "Stanzas received", c.stanzasIn());
        count(out, "xmpp.stanzas-out", "Stanzas written", c.stanzasOut());
        count(out, "xmpp.pings-failed", "Pings unanswered", c.pingsFailed());
        count(out, "xmpp.auth-failures", "Handshakes refused", c.authFailures());
        out.add(new Counter("xmpp.last-error", "Last connection error", c.lastError().isEmpty() ? "none"
                : c.lastError()));
        count(out, "mapping.loads", "Mapping loads", r.loads());
        count(out, "mapping.failures", "Mapping reloads failed", r.failures());
        out.add(new Counter("mapping.failing", "Mapping file unusable now", Boolean.toString(r.failing())));
        out.add(new Counter("mapping.last-error", "Last mapping error", r.lastError().orElse("none")));
        return out;
    }

    private static void count(List<Counter> out, String var, String label, long value) {
        out.add(new Counter(var, label, Long.toString(value)));
    }

    // ---------------------------------------------------------------- helpers

    private <T> T onEngine(Function<PresenceEngine, T> read) throws AdminException {
        try {
            return engine.call(read, ENGINE_TIMEOUT);
        } catch (TimeoutException e) {
            throw new AdminException("The engine did not answer within " + ENGINE_TIMEOUT.toSeconds()
                    + " s (overloaded?); try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("Offhook is stopping");
        }
    }

    /** Who the admin means: a SIP address (that address of its mapped user) or a bare JID (all of the user's). */
    private Target resolve(String text) throws AdminException {
        String t = text.strip();
        if (t.length() > MAX_INPUT_CHARS) {
            throw new AdminException("That is too long for a JID or a SIP address (" + t.length() + " characters)");
        }
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sip:") || lower.startsWith("sips:") || lower.startsWith("tel:")) {
            String aor = Aor.of(t);
            if (aor == null) {
                throw new AdminException("'" + t + "' is not a usable SIP or tel address");
            }
            MappedUser user = mapping.current().find(aor).orElseThrow(() -> new AdminException(aor
                    + " is not in the mapping file: Offhook shows only users it names"));
            return new Target(user.jid(), List.of(aor), true);
        }
        JID jid;
        try {
            jid = new JID(t).asBareJID();
        } catch (IllegalArgumentException e) {
            throw new AdminException("'" + t + "' is neither a JID (alice@example.com) nor a SIP address "
                    + "(sip:alice@pbx.example.com)");
        }
        if (jid.getNode() == null) {
            throw new AdminException("'" + t + "' names a server, not a user (alice@example.com)");
        }
        return new Target(jid, mapping.current().addressesOf(jid), false);
    }

    /** The addresses to read or clear: the one named, or every address held or mapped for the user. */
    private static List<String> addresses(Target target, Optional<UserView> view) {
        if (target.byAddress()) {
            return target.addresses();
        }
        Set<String> all = new LinkedHashSet<>();
        view.ifPresent(v -> all.addAll(v.addresses()));
        all.addAll(target.addresses());
        return List.copyOf(all);
    }

    private static UserRow row(UserView v, List<String> addresses) {
        return new UserRow(v.status().user(), addresses, v.mode(), v.status().state(), shown(v.shown()));
    }

    private PresentationMode mode(IdentityMap map, List<String> addresses) {
        for (String address : addresses) {
            Optional<PresentationMode> mode = map.find(address).flatMap(MappedUser::mode);
            if (mode.isPresent()) {
                return mode.get();
            }
        }
        return defaultMode;
    }

    private static String shown(PhonePresence p) {
        if (!p.shown()) {
            return "";
        }
        String show = p.show().name().toLowerCase(Locale.ROOT);
        return p.status().isEmpty() ? show : show + ": " + p.status();
    }

    private static TrackedUser withoutRemote(TrackedUser t) {
        List<TrackedUser.ActiveCall> calls = new ArrayList<>(t.calls().size());
        for (TrackedUser.ActiveCall c : t.calls()) {
            calls.add(new TrackedUser.ActiveCall(c.callId(), c.state(), HIDDEN, c.outgoing(),
                    c.lastActivityMicros()));
        }
        return new TrackedUser(t.aor(), t.state(), t.devices(), calls);
    }
}
