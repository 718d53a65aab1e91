package io.offhook.publish;

import io.offhook.fallback.Logins;
import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappedUser;
import io.offhook.presence.DefaultPresenceMapping;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PresenceMapping;
import io.offhook.presence.PresentationMode;
import io.offhook.presence.Show;
import io.offhook.publish.UserState.Shown;
import io.offhook.publish.UserState.Target;
import io.offhook.remote.Fallback;
import io.offhook.remote.RemoteControl;
import io.offhook.remote.RemoteSettings;
import io.offhook.remote.RemoteStats;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneState;
import io.offhook.xmpp.privilege.Permissions;
import io.offhook.xmpp.privilege.RosterQuery;
import io.offhook.xmpp.stream.XmlChars;
import java.io.StringReader;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.dom4j.DocumentException;
import org.dom4j.Element;
import org.dom4j.io.SAXReader;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;
import org.xmpp.packet.Presence;

/**
 * Turns phone events and what the server tells the component into presence stanzas (see the package description).
 *
 * <p>Not thread-safe by design: every method runs on one thread, so the stanzas for one user leave in the order
 * their causes happened. The caller feeds it phone events, stanzas, connection changes and a periodic
 * {@link #tick()}, and writes what it puts in the {@link Outbox}.
 */
public final class PresenceEngine {
    /** Every stanza the engine sends has an id with this prefix, so its echo can be recognised. */
    public static final String ID_PREFIX = "offhook-";
    private static final String NS_PING = "urn:xmpp:ping";
    private static final int MAX_PENDING_GATEWAY = 64;
    /** The longest phone status text sent, in UTF-16 units; longer ones are cut ({@link #phoneText}). */
    static final int MAX_PHONE_STATUS = 200;
    private static final Logger LOG = LogManager.getLogger(PresenceEngine.class);

    private final EngineSettings settings;
    private final RemoteSettings remoteSettings;
    /** Remote control and user activity (io.offhook.remote): told about users in {@link #publish}. */
    private final RemoteControl remote;
    private final PresenceMapping mapping;
    private final PresenceMapping fallback = new DefaultPresenceMapping();
    private final Outbox outbox;
    private final Clock clock;
    private final Logins logins;
    private final String userDomain;
    private IdentityMap identities;

    private final Map<JID, UserState> users = new HashMap<>();
    private final Map<String, JID> aorOwner = new HashMap<>();
    private final Directory directory = new Directory();
    private final RosterBook rosters = new RosterBook();
    private final Map<String, Permissions> permissions = new HashMap<>();
    /**
     * Per user, the bare JIDs subscribed to the user's phone contact, as far as this process has seen: a subscribe,
     * a probe (a subscriber's server sends one at each login) or directed presence. Kept across reconnects; across
     * restarts only when the caller saves and restores them ({@link #gatewaySubscribers()}).
     */
    private final Map<JID, Set<JID>> gatewaySubscribers = new HashMap<>();
    /** Counts changes of {@link #gatewaySubscribers}, so the caller saves them only when they changed. */
    private long gatewayVersion;
    private final Map<JID, List<Presence>> pendingGateway = new HashMap<>();
    /** Domains already warned about for granting no permissions, so the log says it once. */
    private final Set<String> warnedDomains = new HashSet<>();
    private boolean connected;
    private long nextId;
    /** Where mapped users' own chat presence goes (sip-publish), and what it was last told per user. */
    private ChatPresenceListener chat = ChatPresenceListener.NONE;
    private final Map<JID, ChatPresence> chatTold = new HashMap<>();

    private long events;
    private long unmapped;
    private long stanzasSent;
    private long rosterRequests;
    private long rosterErrors;
    private long echoesIgnored;
    private long subscriptionsDenied;
    private long mappingFailures;
    private final long[] presenceByMode = new long[PresentationMode.values().length];

    /**
     * An engine without the login fallback: users in login mode are shown nowhere.
     *
     * @param mapping the presence mapping the config chose (the default one when it throws)
     * @param identities the SIP-to-XMPP mapping at start; {@link #mappingChanged} replaces it
     * @param clock the time for roster refreshes and timeouts
     */
    public PresenceEngine(EngineSettings settings, PresenceMapping mapping, IdentityMap identities, Outbox outbox,
                          Clock clock) {
        this(settings, mapping, identities, outbox, clock, RemoteSettings.DEFAULTS);
    }

    /**
     * @param remoteSettings how remote control and user activity behave
     * @see #PresenceEngine(EngineSettings, PresenceMapping, IdentityMap, Outbox, Clock)
     */
    public PresenceEngine(EngineSettings settings, PresenceMapping mapping, IdentityMap identities, Outbox outbox,
                          Clock clock, RemoteSettings remoteSettings) {
        this(settings, mapping, identities, outbox, clock, remoteSettings, Logins.NONE);
    }

    /**
     * @param logins the login fallback: it may take users over ({@link Logins#mode}), and shows the phone of users
     *     in {@link PresentationMode#LOGIN} mode, which the engine sends nothing for
     * @see #PresenceEngine(EngineSettings, PresenceMapping, IdentityMap, Outbox, Clock, RemoteSettings)
     */
    public PresenceEngine(EngineSettings settings, PresenceMapping mapping, IdentityMap identities, Outbox outbox,
                          Clock clock, RemoteSettings remoteSettings, Logins logins) {
        this.logins = Objects.requireNonNull(logins, "logins");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.remoteSettings = Objects.requireNonNull(remoteSettings, "remoteSettings");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.identities = Objects.requireNonNull(identities, "identities");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.remote = new RemoteControl(settings.component(), remoteSettings, settings.combineFormat(), packet -> {
            stanzasSent++;
            outbox.send(packet);
        }, clock);
        String domain = settings.component().getDomain();
        int dot = domain.indexOf('.');
        this.userDomain = dot > 0 ? domain.substring(dot + 1) : domain;
        for (JID user : identities.users()) {
            rosters.entry(user, clock.instant());
        }
    }

    /**
     * Where each mapped user's own chat presence goes from now on: told on this engine's thread whenever it changes
     * (see {@link ChatPresence}). Offhook's own presence (the phone resource, overlays and other stanzas it sent,
     * gateway contacts) is never told.
     */
    public void chatPresenceListener(ChatPresenceListener listener) {
        this.chat = Objects.requireNonNull(listener, "listener");
    }

    // ---------------------------------------------------------------- inputs

    /** A phone event from the tap. Events of SIP users the mapping does not name are counted and ignored. */
    public void phoneEvent(PhoneEvent event) {
        events++;
        Optional<MappedUser> found = identities.find(event.aor());
        if (found.isEmpty()) {
            unmapped++;
            if (LOG.isTraceEnabled()) {
                LOG.trace("user=- call={} aor={} {} {}: not in the mapping, ignored", event.callId(), event.aor(),
                        event.type(), event.state());
            }
            return;
        }
        MappedUser mapped = found.get();
        JID jid = mapped.jid().asBareJID();
        if (LOG.isDebugEnabled()) {
            LOG.debug("user={} call={} aor={} {} {}", jid, event.callId(), event.aor(), event.type(), event.state());
        }
        JID previous = aorOwner.put(event.aor(), jid);
        if (previous != null && !previous.equals(jid)) {
            UserState old = users.get(previous);
            if (old != null && old.forget(event.aor())) {
                refresh(old);
            }
        }
        UserState user = user(jid, mapped);
        if (user.apply(event, Instant.ofEpochSecond(0, event.timeMicros() * 1000))) {
            refresh(user);
        }
    }

    /** A stanza the server sent the component. */
    public void stanza(Packet packet) {
        try {
            if (packet instanceof Presence presence) {
                presence(presence);
            } else if (packet instanceof IQ iq) {
                iq(iq);
            } else if (packet instanceof Message message) {
                message(message);
            }
        } catch (IllegalArgumentException badAddress) {
            // Tinder throws this for a JID that fails stringprep; the server should never send one.
            LOG.warn("Ignored a stanza with a bad address ({}): {}", badAddress.getMessage(), packet.toXML());
        }
    }

    /** The component connection is (again) established: forget what sessions may have gone, show everything again. */
    public void connected() {
        connected = true;
        directory.clear();
        permissions.clear();
        remote.connected();
        rosters.reset(clock.instant());
        int resent = 0;
        for (UserState user : users.values()) {
            for (Map.Entry<Target, Shown> e : user.shown.entrySet()) {
                send(addressed(e.getValue().presence(), e.getKey().to()), e.getValue().mode());
                resent++;
            }
        }
        if (resent > 0) {
            LOG.info("Connected: showing {} presences again", resent);
        }
        settleInheritedAtConnect();
    }

    /** The connection is lost; what is shown stays recorded and is sent again on {@link #connected()}. */
    public void disconnected() {
        connected = false;
        remote.disconnected();
    }

    /** Periodic work: roster gets due or timed out. Call it every few hundred milliseconds. */
    public void tick() {
        Instant now = clock.instant();
        int expired = rosters.expire(now.minus(settings.rosterTimeout()), now);
        if (expired > 0) {
            rosterErrors += expired;
            LOG.warn("{} roster requests got no answer within {} (roster.timeout); asking again", expired,
                    settings.rosterTimeout());
        }
        pumpRosters(now);
        remote.tick();
        showRemoteChanges();
    }

    /** The mapping file changed: users no longer mapped are taken down, changed options take effect. */
    public void mappingChanged(IdentityMap map) {
        this.identities = Objects.requireNonNull(map, "map");
        Instant now = clock.instant();
        Set<UserState> touched = new HashSet<>();
        for (Iterator<Map.Entry<String, JID>> it = aorOwner.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, JID> e = it.next();
            UserState owner = users.get(e.getValue());
            Optional<MappedUser> mapped = map.find(e.getKey());
            if (mapped.isEmpty() || !mapped.get().jid().asBareJID().equals(e.getValue())) {
                it.remove();
                if (owner != null) {
                    owner.forget(e.getKey());
                    touched.add(owner);
                }
            } else if (owner != null) {
                owner.mapped = mapped.get();
                owner.mode = modeOf(mapped.get());
                touched.add(owner);
            }
        }
        for (UserState user : touched) {
            refresh(user);
        }
        for (JID user : new ArrayList<>(rosters.users())) {
            if (!users.containsKey(user) && !map.users().contains(user)) {
                rosters.remove(user);
            }
        }
        for (JID user : map.users()) {
            rosters.entry(user, now);
        }
        pumpRosters(now);
        if (chat != ChatPresenceListener.NONE) {
            Set<JID> check = new HashSet<>(chatTold.keySet());
            check.addAll(directory.onlineUsers());
            check.forEach(this::chatChanged);
        }
    }

    /** Takes down everything shown (unavailable, or the user's real presence in overlay mode). */
    public void shutdown() {
        remote.shutdown();
        for (UserState user : users.values()) {
            for (Map.Entry<Target, Shown> e : user.shown.entrySet()) {
                retract(user, e.getKey(), e.getValue());
            }
            user.shown.clear();
        }
    }

    /**
     * Puts back gateway subscribers saved before a restart. Whom they receive presence from is still decided by the
     * user's roster at the time of sending, so a stale entry shows nothing to anyone who may not see it.
     */
    public void restoreGatewaySubscribers(Map<JID, Set<JID>> saved) {
        for (Map.Entry<JID, Set<JID>> e : saved.entrySet()) {
            gatewaySubscribers.computeIfAbsent(e.getKey().asBareJID(), u -> new HashSet<>()).addAll(e.getValue());
            rosters.entry(e.getKey().asBareJID(), clock.instant());
        }
    }

    /** A copy of the gateway subscribers, per user, to save. */
    public Map<JID, Set<JID>> gatewaySubscribers() {
        Map<JID, Set<JID>> copy = new HashMap<>();
        gatewaySubscribers.forEach((user, subscribers) -> {
            if (!subscribers.isEmpty()) {
                copy.put(user, Set.copyOf(subscribers));
            }
        });
        return copy;
    }

    /** Grows whenever the gateway subscribers change. */
    public long gatewayVersion() {
        return gatewayVersion;
    }

    /**
     * What the engine has put up at contacts, to save across a restart: what it shows now and what it inherited
     * from the previous process and has not settled yet; overlays with the user's own presence before the call.
     */
    public List<Publication> publications() {
        List<Publication> out = new ArrayList<>();
        for (UserState user : users.values()) {
            out.addAll(user.inherited.values());
            for (Map.Entry<Target, Shown> e : user.shown.entrySet()) {
                Target t = e.getKey();
                if (user.inherited.containsKey(t)) {
                    continue;
                }
                String real = null;
                if (e.getValue().mode() == PresentationMode.OVERLAY) {
                    Presence own = directory.resources(user.jid).get(t.from().getResource());
                    real = own == null ? null : own.toXML();
                }
                out.add(new Publication(user.jid, t.from(), t.to(), e.getValue().mode(), real));
            }
        }
        return out;
    }

    /**
     * Takes over what the previous process put up ({@link #publications()} saved before a restart); call it before
     * the first input. Each stays up until this process replaces it with what it shows itself, or takes it down:
     * once the user's roster is read and the contact is not in the audience any more, or as soon as the user's
     * phone shows nothing (a call that ended, a registration that expired while Offhook was down). It is never taken
     * down merely because the roster is still being read, so a user still on the phone does not flash "offline".
     */
    public void restorePublications(List<Publication> saved) {
        Instant now = clock.instant();
        for (Publication p : saved) {
            JID jid = p.user().asBareJID();
            UserState user = users.computeIfAbsent(jid, j -> new UserState(j, null, p.mode()));
            user.inherited.put(new Target(p.from(), p.to().asBareJID()), p);
            rosters.entry(jid, now);
        }
    }

    /**
     * Grows whenever what {@link #publications()} returns may have changed: it counts the stanzas sent, and what
     * is shown changes only by sending.
     */
    public long publicationsVersion() {
        return stanzasSent;
    }

    /** The counters so far. */
    public EngineStats stats() {
        int shown = 0;
        Map<PhoneState, Integer> byState = new EnumMap<>(PhoneState.class);
        Map<PhoneState, Integer> calls = new EnumMap<>(PhoneState.class);
        for (UserState user : users.values()) {
            shown += user.shown.size();
            byState.merge(user.state, 1, Integer::sum);
            user.countCalls(calls);
        }
        Map<PresentationMode, Long> byMode = new EnumMap<>(PresentationMode.class);
        for (PresentationMode mode : PresentationMode.values()) {
            if (presenceByMode[mode.ordinal()] > 0) {
                byMode.put(mode, presenceByMode[mode.ordinal()]);
            }
        }
        return new EngineStats(events, unmapped, stanzasSent, rosterRequests, rosterErrors, echoesIgnored,
                subscriptionsDenied, mappingFailures, users.size(), shown, byMode, byState, calls);
    }

    /** What the engine holds for one user (a bare JID); empty when it holds nothing: no phone state, nothing shown. */
    public Optional<UserView> userView(JID user) {
        UserState u = users.get(user.asBareJID());
        return u == null ? Optional.empty() : Optional.of(view(u));
    }

    /** What the engine holds for every user it holds anything for, in no particular order. */
    public List<UserView> userViews() {
        List<UserView> out = new ArrayList<>(users.size());
        for (UserState u : users.values()) {
            out.add(view(u));
        }
        return out;
    }

    private static UserView view(UserState u) {
        List<String> aors = new ArrayList<>(u.aors());
        aors.sort(null);
        return new UserView(u.status(), u.mode, aors, u.phone, u.shown.size());
    }

    /** What remote control and user activity did so far. */
    public RemoteStats remoteStats() {
        return remote.stats();
    }

    // ---------------------------------------------------------------- users and publishing

    private UserState user(JID jid, MappedUser mapped) {
        PresentationMode mode = modeOf(mapped);
        UserState user = users.get(jid);
        if (user == null) {
            user = new UserState(jid, mapped, mode);
            users.put(jid, user);
            RosterBook.Entry entry = rosters.entry(jid, clock.instant());
            if (!entry.loaded) {
                pumpRosters(clock.instant());
            }
        } else {
            user.mapped = mapped;
            user.mode = mode;
        }
        return user;
    }

    /** The mode the user chose, or the deployment's; the login fallback may take the user over. */
    private PresentationMode modeOf(MappedUser mapped) {
        return logins.mode(mapped.jid().asBareJID(), mapped.mode().orElse(settings.defaultMode()));
    }

    private void refresh(UserState user) {
        PhonePresence phone;
        try {
            phone = Objects.requireNonNull(mapping.map(user.status()), "mapping returned null");
        } catch (RuntimeException e) {
            mappingFailures++;
            LOG.warn("Presence mapping '{}' failed for user={} ({}); showing the default", mapping.name(), user.jid,
                    e.toString());
            phone = fallback.map(user.status());
        }
        user.phone = phone;
        publish(user);
    }

    /** Sends what differs between what the user should show and what is shown. */
    private void publish(UserState user) {
        syncRemote(user);
        Map<Target, Presence> desired = desired(user);
        if (!user.inherited.isEmpty()) {
            settleInherited(user, desired);
        }
        for (Iterator<Map.Entry<Target, Shown>> it = user.shown.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Target, Shown> e = it.next();
            if (!desired.containsKey(e.getKey())) {
                retract(user, e.getKey(), e.getValue());
                it.remove();
            }
        }
        // Every recipient of one sender shares one template: serialise it once, not once per contact.
        Map<Presence, String> contents = new IdentityHashMap<>();
        for (Map.Entry<Target, Presence> e : desired.entrySet()) {
            Presence template = e.getValue();
            String content = contents.computeIfAbsent(template, Presence::toXML);
            Shown before = user.shown.get(e.getKey());
            if (before == null || !before.content().equals(content)) {
                send(addressed(template, e.getKey().to()), shownMode(user));
                user.shown.put(e.getKey(), new Shown(template, content, shownMode(user)));
            }
        }
        // Login mode: the fallback's session shows the phone while it is registered, and logs off otherwise
        // (also when the user leaves login mode or the mapping).
        boolean login = user.mode == PresentationMode.LOGIN && user.state != PhoneState.OFFLINE;
        if (login || user.loginShown) {
            logins.show(user.jid, login, login ? new PhonePresence(user.phone.activity(), user.phone.show(),
                    phoneText(user.phone), user.phone.priority()) : PhonePresence.NONE);
            user.loginShown = login;
        }
        if (user.idle() && !remote.tracks(user.jid)) {
            users.remove(user.jid);
        }
    }

    /** Tells remote control and user activity how the user stands now (before {@link #desired} asks it). */
    private void syncRemote(UserState user) {
        boolean rc = user.mode == PresentationMode.REMOTE_CONTROL;
        boolean activity = user.mapped != null
                && user.mapped.activity().orElse(remoteSettings.activityDefault());
        if (!rc && !activity && !remote.tracks(user.jid)) {
            return;
        }
        Map<String, Presence> resources = new HashMap<>(directory.resources(user.jid));
        resources.remove("");
        resources.remove(settings.phoneResource());
        remote.sync(new RemoteControl.UserView(user.jid, rc, activity, user.state, user.phone, resources));
    }

    /** Shows again the users whose remote-controlled clients changed (a client turned out not to be reachable). */
    private void showRemoteChanges() {
        for (JID jid : remote.takeChanged()) {
            UserState user = users.get(jid);
            if (user != null) {
                publish(user);
            }
            chatChanged(jid);
        }
    }

    /** After a (re)connect: users whose inherited presences may be settled now, those showing nothing first of all. */
    private void settleInheritedAtConnect() {
        for (UserState user : List.copyOf(users.values())) {
            if (!user.inherited.isEmpty()) {
                publish(user);
            }
        }
    }

    /** How a user's shown presence was made, so it is taken down the same way. */
    private PresentationMode shownMode(UserState user) {
        if (user.mode != PresentationMode.REMOTE_CONTROL) {
            return user.mode;
        }
        return remoteSettings.fallback() == Fallback.RESOURCE ? PresentationMode.RESOURCE : PresentationMode.OVERLAY;
    }

    /**
     * Replaces or takes down what the previous process put up ({@link #restorePublications}): a target this process
     * shows is simply sent again by it; any other is taken down once the audience is known (the roster was read, or
     * the phone shows nothing in the user's mode). An overlay stays while the call goes on and the resource's
     * presence is unknown, so the user's own presence can be put back when it ends.
     */
    private void settleInherited(UserState user, Map<Target, Presence> desired) {
        boolean showsNothing = user.mode == PresentationMode.OVERLAY
                ? user.phone.activity() != PhonePresence.Activity.BUSY : !user.phone.shown();
        boolean audienceKnown = showsNothing || rosters.loaded(user.jid);
        for (Iterator<Map.Entry<Target, Publication>> it = user.inherited.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Target, Publication> e = it.next();
            Target target = e.getKey();
            if (desired.containsKey(target)) {
                it.remove();
                continue;
            }
            boolean realKnown = directory.resources(user.jid).containsKey(target.from().getResource());
            if (!audienceKnown || e.getValue().mode() == PresentationMode.OVERLAY && !showsNothing && !realKnown) {
                continue;
            }
            it.remove();
            Publication p = e.getValue();
            if (p.mode() == PresentationMode.OVERLAY && !realKnown) {
                Presence saved = p.realPresence() == null || directory.knownOffline(user.jid) ? null
                        : savedPresence(p.realPresence());
                if (saved != null) {
                    send(addressed(restored(saved, target.from()), target.to()), p.mode());
                }
            } else {
                Presence placeholder = new Presence();
                placeholder.setFrom(target.from());
                retract(user, target, new Shown(placeholder, "", p.mode()));
            }
        }
    }

    /** A presence saved as XML by the previous process; {@code null} (and a warning) when it does not parse. */
    private static Presence savedPresence(String xml) {
        try {
            return new Presence(SAXReader.createDefault().read(new StringReader(xml)).getRootElement(), true);
        } catch (DocumentException | RuntimeException e) {
            LOG.warn("A saved presence could not be read back ({}); the user's own presence is not put back",
                    e.getMessage());
            return null;
        }
    }

    /** What the user should show to whom now: sender and recipient to a presence without {@code to} and id. */
    private Map<Target, Presence> desired(UserState user) {
        Map<Target, Presence> out = new LinkedHashMap<>();
        PhonePresence phone = user.phone;
        switch (user.mode) {
            case RESOURCE -> {
                if (phone.shown()) {
                    phoneResource(user, phone, out);
                }
            }
            case OVERLAY -> {
                if (phone.activity() == PhonePresence.Activity.BUSY) {
                    overlays(user, phone, Set.of(), out);
                }
            }
            case REMOTE_CONTROL -> {
                // The clients remote control reached show the call themselves; the fallback shows it on the others.
                if (phone.activity() != PhonePresence.Activity.BUSY) {
                    break;
                }
                Set<String> covered = remote.covered(user.jid);
                if (remoteSettings.fallback() == Fallback.OVERLAY) {
                    overlays(user, phone, covered, out);
                } else if (remoteSettings.fallback() == Fallback.RESOURCE && !coversAll(user, covered)) {
                    phoneResource(user, phone, out);
                }
            }
            case LOGIN -> {
                // Shown by the login fallback's own session (see publish), not through the component.
            }
            case GATEWAY -> {
                if (!phone.shown()) {
                    break;
                }
                JID from = gatewayJid(user.jid);
                Presence p = phonePresence(user, phone, from, false);
                for (JID subscriber : gatewaySubscribers.getOrDefault(user.jid, Set.of())) {
                    if (!directory.knownOffline(subscriber)
                            && gatewayAllowed(user.jid, subscriber) == Boolean.TRUE) {
                        out.put(new Target(from, subscriber), p);
                    }
                }
            }
        }
        return out;
    }

    /** The phone as a resource of its own, to the user and their contacts (resource mode). */
    private void phoneResource(UserState user, PhonePresence phone, Map<Target, Presence> out) {
        JID from = new JID(user.jid.getNode(), user.jid.getDomain(), settings.phoneResource(), true);
        Presence p = phonePresence(user, phone, from, true);
        out.put(new Target(from, user.jid), p);
        for (JID contact : audience(user)) {
            out.put(new Target(from, contact), p);
        }
    }

    /** The user's resources, but those in {@code skip}, with the phone overlaid (overlay mode). */
    private void overlays(UserState user, PhonePresence phone, Set<String> skip, Map<Target, Presence> out) {
        for (Map.Entry<String, Presence> r : directory.resources(user.jid).entrySet()) {
            if (r.getKey().isEmpty() || r.getKey().equals(settings.phoneResource()) || skip.contains(r.getKey())) {
                continue;
            }
            JID from = new JID(user.jid.getNode(), user.jid.getDomain(), r.getKey(), true);
            Presence p = overlay(r.getValue(), phone, from);
            for (JID contact : audience(user)) {
                out.put(new Target(from, contact), p);
            }
        }
    }

    /** Whether remote control covers every online client of the user (and there is at least one). */
    private boolean coversAll(UserState user, Set<String> covered) {
        boolean any = false;
        for (String resource : directory.resources(user.jid).keySet()) {
            if (resource.isEmpty() || resource.equals(settings.phoneResource())) {
                continue;
            }
            if (!covered.contains(resource)) {
                return false;
            }
            any = true;
        }
        return any;
    }

    /** The contacts a user's presence may go to and that are not known to be offline. */
    private List<JID> audience(UserState user) {
        List<JID> out = new ArrayList<>();
        for (JID contact : rosters.audience(user.jid)) {
            if (!contact.equals(user.jid) && !directory.knownOffline(contact)) {
                out.add(contact);
            }
        }
        return out;
    }

    /** The phone's own presence, with the user's own dnd/xa first (resource and gateway modes). */
    private Presence phonePresence(UserState user, PhonePresence phone, JID from, boolean withPriority) {
        Show show = phone.show();
        String status = phoneText(phone);
        Map<String, Presence> resources = directory.resources(user.jid);
        if (user.mode == PresentationMode.REMOTE_CONTROL) {
            // Clients remote control reached show Offhook's status, not their user's: theirs is not "own".
            resources = new HashMap<>(resources);
            resources.keySet().removeAll(remote.covered(user.jid));
        }
        Presence own = Directory.best(resources, settings.phoneResource());
        if (own != null) {
            Show ownShow = Show.of(own);
            if (ownShow.outranksPhone()) {
                show = ownShow;
                status = combine(own.getStatus(), phoneText(phone));
            }
        }
        Presence p = new Presence();
        p.setFrom(from);
        if (show.toTinder() != null) {
            p.setShow(show.toTinder());
        }
        if (!status.isEmpty()) {
            p.setStatus(status);
        }
        if (withPriority) {
            p.setPriority(phone.priority());
        }
        return p;
    }

    /** A user resource's real presence with the phone's show and text added (overlay mode). */
    private Presence overlay(Presence real, PhonePresence phone, JID from) {
        Presence p = restored(real, from);
        Show own = Show.of(real);
        Show show = own.outranksPhone() ? own : phone.show();
        p.setShow(show.toTinder());
        String status = combine(real.getStatus(), phoneText(phone));
        p.setStatus(status.isEmpty() ? null : status);
        return p;
    }

    /** A copy of a real presence to be sent again from its resource: no to, id, delay or error. */
    private static Presence restored(Presence real, JID from) {
        Presence p = real.createCopy();
        p.setTo((JID) null);
        p.setID(null);
        p.setFrom(from);
        Element el = p.getElement();
        for (Element child : new ArrayList<>(el.elements())) {
            String ns = child.getNamespaceURI();
            if ("urn:xmpp:delay".equals(ns) || "jabber:x:delay".equals(ns) || "error".equals(child.getName())) {
                el.remove(child);
            }
        }
        return p;
    }

    /**
     * The phone's status text as it may go on the wire: characters XML does not allow removed, and cut to
     * {@link #MAX_PHONE_STATUS} characters (a SIP display name or a presence mapping of an operator's own can be
     * far longer than any client shows), ending in an ellipsis when cut, never inside a surrogate pair. The user's
     * own words are not ours to cut: their server accepted them.
     */
    static String phoneText(PhonePresence phone) {
        String text = XmlChars.clean(phone.status());
        if (text.length() <= MAX_PHONE_STATUS) {
            return text;
        }
        int end = MAX_PHONE_STATUS - 1;
        if (Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "\u2026";
    }

    private String combine(String own, String phone) {
        String o = own == null ? "" : own.trim();
        if (o.isEmpty()) {
            return phone;
        }
        if (phone.isEmpty()) {
            return o;
        }
        return settings.combineFormat().replace("{own}", o).replace("{phone}", phone);
    }

    private void retract(UserState user, Target target, Shown shown) {
        if (shown.mode() == PresentationMode.OVERLAY) {
            Presence real = directory.resources(user.jid).get(target.from().getResource());
            if (real != null) {
                send(addressed(restored(real, target.from()), target.to()), shown.mode());
            }
            return;
        }
        Presence gone = new Presence(Presence.Type.unavailable);
        gone.setFrom(target.from());
        gone.setTo(target.to());
        send(gone, shown.mode());
    }

    /** Sends the current state of every user who shows something to {@code contact}'s bare JID, to that resource. */
    private void deliverTo(UserState user, JID contactFull) {
        JID bare = contactFull.asBareJID();
        for (Map.Entry<Target, Shown> e : user.shown.entrySet()) {
            if (e.getKey().to().equals(bare)) {
                send(addressed(e.getValue().presence(), contactFull), e.getValue().mode());
            }
        }
    }

    private static Presence addressed(Presence template, JID to) {
        Presence p = template.createCopy();
        p.setTo(to);
        return p;
    }

    private void send(Presence packet, PresentationMode mode) {
        packet.setID(ID_PREFIX + Long.toString(++nextId, 36));
        stanzasSent++;
        presenceByMode[mode.ordinal()]++;
        outbox.send(packet);
    }

    // ---------------------------------------------------------------- presence from the server

    private void presence(Presence presence) {
        JID from = presence.getFrom();
        JID to = presence.getTo();
        if (from == null) {
            return;
        }
        if (to != null && to.getNode() != null && to.getDomain().equals(settings.component().getDomain())) {
            gateway(presence, from, to);
            return;
        }
        Presence.Type type = presence.getType();
        if (type == Presence.Type.error || type == Presence.Type.probe) {
            return;
        }
        if (type == Presence.Type.subscribe || type == Presence.Type.subscribed
                || type == Presence.Type.unsubscribe || type == Presence.Type.unsubscribed) {
            // The server pushes no roster changes to a component: a subscription stanza is the hint to look again.
            Instant soon = clock.instant().plusMillis(500);
            for (JID party : new JID[] {from.asBareJID(), to == null ? null : to.asBareJID()}) {
                RosterBook.Entry entry = party == null ? null : rosters.get(party);
                if (entry != null) {
                    rosters.schedule(entry, soon);
                }
            }
            return;
        }
        if (from.getResource() == null || directory.repeats(from, presence) || isEcho(presence, from)) {
            return;
        }
        Directory.Change change = directory.update(from, presence);
        if (change == Directory.Change.NONE) {
            return;
        }
        chatChanged(from.asBareJID());
        JID bare = from.asBareJID();
        UserState user = users.get(bare);
        if (user != null) {
            publish(user);
            if (change == Directory.Change.CAME_ONLINE) {
                deliverTo(user, from);
            }
        }
        if (change == Directory.Change.CAME_ONLINE) {
            for (JID watched : rosters.usersSeenBy(bare)) {
                UserState w = users.get(watched);
                if (w != null && w.mode != PresentationMode.GATEWAY) {
                    if (!w.shown.isEmpty() && !hasTarget(w, bare)) {
                        // Was known offline, so not a target: it is one now.
                        publish(w);
                    }
                    deliverTo(w, from);
                }
            }
        }
    }

    /**
     * Tells the chat listener when the user's own chat presence changed: the best of the user's real clients
     * (the {@link Directory} holds no echo of Offhook's stanzas, {@link #isEcho}), without Offhook's phone resource
     * and not while remote control holds a client (its status is then Offhook's, not the user's: the user's last
     * own presence stays published until remote control lets go).
     */
    private void chatChanged(JID bare) {
        if (chat == ChatPresenceListener.NONE) {
            return;
        }
        ChatPresence before = chatTold.get(bare);
        String entity = bare.getDomain().equals(settings.component().getDomain()) ? null : chatEntity(bare);
        if (entity == null) {
            if (before != null) {
                chatTold.remove(bare);
                chat.gone(bare, before.entity());
            }
            return;
        }
        if (!remote.covered(bare).isEmpty()) {
            return;
        }
        Presence best = Directory.best(directory.resources(bare), settings.phoneResource());
        ChatPresence now = best == null ? new ChatPresence(bare, entity, false, Show.AVAILABLE, "")
                : new ChatPresence(bare, entity, true, Show.of(best), best.getStatus());
        if (now.equals(before)) {
            return;
        }
        if (before != null && !before.entity().equals(entity)) {
            chat.gone(bare, before.entity());
        }
        chatTold.put(bare, now);
        chat.changed(now);
    }

    /** The SIP address a mapped user's chat presence is published as: the mapping's, else one the tap saw; or null. */
    private String chatEntity(JID bare) {
        Optional<String> mapped = identities.sipAddressOf(bare);
        if (mapped.isPresent()) {
            return mapped.get();
        }
        UserState user = users.get(bare);
        if (user == null) {
            return null;
        }
        String seen = null;
        for (String aor : user.aors()) {
            if (aor.startsWith("sip:") && (seen == null || aor.compareTo(seen) < 0)) {
                seen = aor;
            }
        }
        return seen;
    }

    private static boolean hasTarget(UserState user, JID bare) {
        for (Target t : user.shown.keySet()) {
            if (t.to().equals(bare)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a forwarded presence is the component's own, come back: ejabberd forwards what users receive,
     * including what the component sent them.
     */
    private boolean isEcho(Presence presence, JID from) {
        String id = presence.getID();
        boolean echo = id != null && id.startsWith(ID_PREFIX);
        UserState user = users.get(from.asBareJID());
        if (!echo && user != null) {
            if (settings.phoneResource().equals(from.getResource())) {
                echo = true;
            } else if (presence.isAvailable()) {
                for (Map.Entry<Target, Shown> e : user.shown.entrySet()) {
                    Presence ours = e.getValue().presence();
                    if (e.getKey().from().equals(from) && Show.of(ours) == Show.of(presence)
                            && Objects.equals(ours.getStatus(), presence.getStatus())) {
                        echo = true;
                        break;
                    }
                }
            }
        }
        if (echo) {
            echoesIgnored++;
        }
        return echo;
    }

    // ---------------------------------------------------------------- gateway mode

    /** The phone's own contact JID: {@code node@component}, or the XEP-0106-escaped bare JID for other domains. */
    JID gatewayJid(JID user) {
        return gatewayContact(user, settings.component());
    }

    /**
     * The contact that shows {@code user}'s phone in gateway mode: {@code user@<component domain>} for users of the
     * component's parent domain, the whole JID escaped (XEP-0106) as the localpart for users of other domains.
     */
    public static JID gatewayContact(JID user, JID component) {
        String domain = component.getDomain();
        int dot = domain.indexOf('.');
        String userDomain = dot > 0 ? domain.substring(dot + 1) : domain;
        String node = user.getDomain().equals(userDomain) ? user.getNode()
                : JID.escapeNode(user.getNode() + "@" + user.getDomain());
        return new JID(node, domain, null);
    }

    private JID userOfGateway(JID to) {
        String node = JID.unescapeNode(to.getNode());
        int at = node.indexOf('@');
        try {
            return at > 0 ? new JID(node) : new JID(node, userDomain, null);
        } catch (IllegalArgumentException bad) {
            return null;
        }
    }

    /** TRUE, FALSE, or null while the user's roster is still being read. */
    private Boolean gatewayAllowed(JID user, JID subscriber) {
        if (user.equals(subscriber)) {
            return Boolean.TRUE;
        }
        if (rosters.loaded(user)) {
            return rosters.allowed(user, subscriber);
        }
        Permissions granted = permissions.get(user.getDomain());
        if (granted != null && granted.rosterGet()) {
            return null;
        }
        return switch (settings.gatewayPolicy()) {
            case ANYONE -> Boolean.TRUE;
            case DOMAIN -> subscriber.getDomain().equals(user.getDomain());
            case CONTACTS -> Boolean.FALSE;
        };
    }

    private void gateway(Presence presence, JID from, JID to) {
        JID user = userOfGateway(to);
        Presence.Type type = presence.getType();
        if (user == null || !users.containsKey(user) && !identities.users().contains(user)) {
            // Not a phone Offhook knows: refuse without remembering anything (a flood of made-up names costs
            // nothing but the answer).
            if (type == Presence.Type.subscribe || type == Presence.Type.probe) {
                subscriptionsDenied++;
                reply(to.asBareJID(), from.asBareJID(), Presence.Type.unsubscribed);
            }
            return;
        }
        if (type == Presence.Type.error || type == Presence.Type.subscribed || type == Presence.Type.unsubscribed) {
            return;
        }
        JID gatewayJid = to.asBareJID();
        JID subscriber = from.asBareJID();
        if (type == Presence.Type.unavailable) {
            // One resource of a subscriber left; the server drops what is sent to a bare JID with none online.
            return;
        }
        if (type == Presence.Type.unsubscribe) {
            Set<JID> subscribers = gatewaySubscribers.get(user);
            if (subscribers != null && subscribers.remove(subscriber)) {
                gatewayVersion++;
            }
            UserState u = users.get(user);
            if (u != null) {
                u.shown.keySet().removeIf(t -> t.from().equals(gatewayJid) && t.to().equals(subscriber));
            }
            reply(gatewayJid, subscriber, Presence.Type.unsubscribed);
            return;
        }
        Boolean allowed = gatewayAllowed(user, from.asBareJID());
        if (allowed == null) {
            List<Presence> pending = pendingGateway.computeIfAbsent(user, u -> new ArrayList<>());
            if (pending.size() < MAX_PENDING_GATEWAY) {
                pending.add(presence);
            }
            rosters.entry(user, clock.instant());
            pumpRosters(clock.instant());
            return;
        }
        if (!allowed) {
            subscriptionsDenied++;
            if (type == Presence.Type.subscribe || type == Presence.Type.probe) {
                reply(gatewayJid, from.asBareJID(), Presence.Type.unsubscribed);
            }
            return;
        }
        rosters.entry(user, clock.instant());
        UserState u = users.get(user);
        boolean added = gatewaySubscribers.computeIfAbsent(user, x -> new HashSet<>()).add(subscriber);
        if (type == Presence.Type.subscribe) {
            reply(gatewayJid, subscriber, Presence.Type.subscribed);
        }
        // A subscribe, a probe (the subscriber logged in) or directed presence: send the current state to the
        // asker, and record it as shown so later changes follow.
        sendCurrent(u, gatewayJid, type == Presence.Type.subscribe ? subscriber : from);
        if (u != null && u.mode == PresentationMode.GATEWAY && u.phone.shown()) {
            Presence template = phonePresence(u, u.phone, gatewayJid, false);
            u.shown.put(new Target(gatewayJid, subscriber), new Shown(template, template.toXML(), u.mode));
        }
        if (added) {
            gatewayVersion++;
        }
    }

    private void sendCurrent(UserState user, JID gatewayJid, JID to) {
        Presence p;
        if (user != null && user.mode == PresentationMode.GATEWAY && user.phone.shown()) {
            p = phonePresence(user, user.phone, gatewayJid, false);
        } else {
            p = new Presence(Presence.Type.unavailable);
            p.setFrom(gatewayJid);
        }
        send(addressed(p, to), PresentationMode.GATEWAY);
    }

    private void reply(JID from, JID to, Presence.Type type) {
        Presence p = new Presence(type);
        p.setFrom(from);
        p.setTo(to);
        send(p, PresentationMode.GATEWAY);
    }

    private void replayPendingGateway(JID user) {
        List<Presence> pending = pendingGateway.remove(user);
        if (pending != null) {
            for (Presence p : pending) {
                presence(p);
            }
        }
    }

    // ---------------------------------------------------------------- messages, IQs and rosters

    private void message(Message message) {
        Optional<Permissions> granted = Permissions.from(message);
        if (granted.isPresent() && !granted.get().access().isEmpty()) {
            Permissions p = granted.get();
            permissions.put(p.server(), p);
            remote.permissions(message);
            LOG.info("Server {} granted {} ({})", p.server(), p.access(), p.namespace());
            if (!p.rosterGet()) {
                LOG.warn("Server {} does not let Offhook read rosters: nobody but the user will see the phone "
                        + "(grant roster 'get' to the component: Prosody privileged_entities, ejabberd "
                        + "mod_privilege)", p.server());
            }
            if (!p.presence()) {
                LOG.warn("Server {} does not forward presence to Offhook: contacts logging in later and the users' "
                        + "own status are unknown (grant presence 'roster')", p.server());
            }
            Instant now = clock.instant();
            for (JID user : rosters.users()) {
                if (user.getDomain().equals(p.server())) {
                    rosters.schedule(rosters.get(user), now);
                }
            }
            pumpRosters(now);
            for (JID user : new ArrayList<>(pendingGateway.keySet())) {
                if (user.getDomain().equals(p.server()) && !p.rosterGet()) {
                    replayPendingGateway(user);
                }
            }
            return;
        }
        Element forwarded = forwardedStanza(message.getElement());
        if (forwarded != null && "presence".equals(forwarded.getName())) {
            presence(new Presence(forwarded.createCopy(), true));
        }
    }

    /** The stanza inside {@code <privilege><forwarded>}, as XEP-0356 wraps what it forwards; null if none. */
    private static Element forwardedStanza(Element message) {
        for (Element privilege : message.elements("privilege")) {
            String ns = privilege.getNamespaceURI();
            if (!Permissions.NS_V1.equals(ns) && !Permissions.NS_V2.equals(ns)) {
                continue;
            }
            Element forwarded = privilege.element("forwarded");
            if (forwarded != null) {
                for (Element inner : forwarded.elements()) {
                    if (!"delay".equals(inner.getName())) {
                        return inner;
                    }
                }
            }
        }
        return null;
    }

    private void iq(IQ iq) {
        if (iq.isResponse() && remote.response(iq)) {
            showRemoteChanges();
            return;
        }
        if (iq.isResponse()) {
            RosterBook.Entry entry = rosters.answered(iq.getID());
            if (entry == null) {
                return;
            }
            Instant now = clock.instant();
            if (iq.getType() == IQ.Type.result) {
                rosters.replace(entry, RosterQuery.items(iq), now.plus(settings.rosterRefresh()));
                UserState user = users.get(entry.user);
                if (user != null) {
                    publish(user);
                }
                replayPendingGateway(entry.user);
            } else {
                rosterErrors++;
                PacketError error = iq.getError();
                LOG.warn("Roster of user={} could not be read ({}); nobody but the user sees the phone until it can",
                        entry.user, error == null ? "no reason given" : error.getCondition());
                rosters.schedule(entry, now.plus(settings.rosterRefresh()));
                List<Presence> pending = pendingGateway.remove(entry.user);
                if (pending != null) {
                    subscriptionsDenied += pending.size();
                }
            }
            pumpRosters(now);
            return;
        }
        if (iq.getType() != IQ.Type.get && iq.getType() != IQ.Type.set) {
            return;
        }
        IQ reply = IQ.createResultIQ(iq);
        Element query = iq.getChildElement();
        // Discovery, version and ad-hoc commands of the component's own address are answered before the engine
        // (io.offhook.admin); what reaches here is addressed elsewhere (a phone contact in gateway mode) or unknown.
        if (iq.getType() == IQ.Type.get && query != null && NS_PING.equals(query.getNamespaceURI())) {
            // An empty result answers a ping (XEP-0199).
            reply.getElement().clearContent();
        } else {
            if (query != null) {
                reply.setChildElement(query.createCopy());
            }
            reply.setError(PacketError.Condition.service_unavailable);
        }
        outbox.send(reply);
        stanzasSent++;
    }

    private void pumpRosters(Instant now) {
        if (!connected) {
            return;
        }
        for (RosterBook.Entry entry : rosters.takeDue(now, settings.rosterRequestsInFlight())) {
            Permissions granted = permissions.get(entry.user.getDomain());
            if (granted == null || !granted.rosterGet()) {
                if (granted == null && !logins.otherServer(entry.user.getDomain())
                        && warnedDomains.add(entry.user.getDomain())) {
                    LOG.warn("No XEP-0356 permissions from {} (yet): its users' phones are shown to nobody but "
                            + "themselves until the server grants roster 'get' to {}", entry.user.getDomain(),
                            settings.component());
                }
                continue;
            }
            String id = ID_PREFIX + "roster-" + Long.toString(++nextId, 36);
            IQ get = RosterQuery.get(settings.component(), entry.user, id);
            rosters.sent(entry, id, now);
            rosterRequests++;
            stanzasSent++;
            outbox.send(get);
        }
    }
}
