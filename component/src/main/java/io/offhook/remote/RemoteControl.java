package io.offhook.remote;

import io.offhook.presence.PhonePresence;
import io.offhook.tap.track.PhoneState;
import io.offhook.xmpp.stream.XmlChars;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;
import org.xmpp.packet.Presence;

/**
 * Remote control (XEP-0146 set-status) of users' own clients and their user activity (XEP-0108), driven by the
 * presence engine on its single thread: the engine tells it how each user stands ({@link #sync}), hands it the
 * answers to its privileged IQs ({@link #response}) and calls {@link #tick()}; it asks which clients it covers
 * ({@link #covered}), so that the fallback mode shows the call on the others. It never blocks and holds no I/O:
 * its stanzas go to the consumer it was given.
 *
 * <h2>One client (full JID), in a call</h2>
 * Each step is one privileged IQ; at most {@link RemoteSettings#maxInFlight()} are outstanding in total, each for at
 * most {@link RemoteSettings#timeout()}.
 * <pre>
 * not known      --disco#items of the commands node (once per full JID, as soon as it is online)--&gt; yes | no
 * yes, call      --execute--&gt; form with the CURRENT status: remembered as "previous" on the first step
 *                --submit (phone's show and text, the client's priority kept)--&gt; completed: "holding"
 * holding, the call's state changes  --execute, submit--&gt; updated
 * holding, last call over            --execute--&gt; form shows one of Offhook's values: submit "previous"; done
 *                                                 form shows anything else: the user changed it; done
 * </pre>
 * A client that does not list set-status, refuses (an error, a canceled or multi-stage command, a form Offhook
 * cannot read), or does not answer before anything of Offhook's was applied is left to the fallback for this call
 * (a refusal for as long as it stays online). Once Offhook's status may be on the client (a submission was sent),
 * a failure is retried {@link RemoteSettings#retries()} times with growing pauses, then logged and given up.
 *
 * <h2>The user's own change wins</h2>
 * Offhook remembers every status it submitted during a hold. The server forwards the client's presence (XEP-0356
 * presence permission); when, after a submission completed and while none is in flight, a NEW presence of the client
 * shows a status that is none of Offhook's, the user changed it (a presence with one of Offhook's values is the
 * client announcing what Offhook set: its echo). Then nothing is updated or restored for the rest of the call. The
 * form the client returns before each step is checked the same way, which also catches a change whose presence was
 * ambiguous (it arrived while a submission was in flight). A user who sets by hand exactly what Offhook had set is
 * taken for Offhook's echo; that is the one case it cannot tell apart.
 *
 * <h2>What is kept, for how long</h2>
 * Whether a client advertises set-status is cached per full JID and forgotten when it goes offline or the component
 * reconnects. A client that goes offline while holding keeps its "previous" for {@link #OFFLINE_GRACE}: a client
 * that comes back (same full JID, e.g. after a server restart) still showing Offhook's status is restored.
 */
public final class RemoteControl {
    /** The XEP-0146 set-status command node. */
    public static final String NODE_SET_STATUS = "http://jabber.org/protocol/rc#set-status";
    /** Every privileged IQ of this class has an id with this prefix. */
    public static final String ID_PREFIX = "offhook-rc-";
    /** How long a holding client that went offline is remembered, so it can be restored when it comes back. */
    static final Duration OFFLINE_GRACE = Duration.ofMinutes(10);
    /** The first pause before a failed step is tried again; it doubles with each failure. */
    static final Duration RETRY_PAUSE = Duration.ofSeconds(2);
    private static final Logger LOG = LogManager.getLogger(RemoteControl.class);

    /**
     * One user as the engine sees them at a change.
     *
     * @param user the bare JID
     * @param remoteControl whether the user's mode is remote control
     * @param activity whether the user's activity is published
     * @param state the phone's aggregate state
     * @param phone what the presence mapping made of it
     * @param resources the user's online resources (not Offhook's phone resource) with their latest presence
     */
    public record UserView(JID user, boolean remoteControl, boolean activity, PhoneState state, PhonePresence phone,
                           Map<String, Presence> resources) {
        public UserView {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(phone, "phone");
            resources = Map.copyOf(resources);
        }

        boolean busy() {
            return phone.activity() == PhonePresence.Activity.BUSY;
        }
    }

    private enum Kind { DISCO, EXECUTE, SUBMIT, PUBLISH }

    private enum Support { UNKNOWN, YES, NO }

    /**
     * A request in flight.
     *
     * @param status what a SUBMIT sets (null otherwise)
     * @param activity what a PUBLISH publishes (empty otherwise)
     */
    private record Pending(String id, Kind kind, Task task, Instant sentAt, ClientStatus status,
                           Optional<String> activity) {
    }

    /** Something that sends one request at a time: a client's remote control, or a user's activity. */
    private abstract static class Task {
        final User user;
        Pending pending;
        Instant retryAt;
        int failures;

        Task(User user) {
            this.user = user;
        }
    }

    private static final class User {
        final JID jid;
        UserView view;
        boolean busy;
        final Map<String, Client> clients = new HashMap<>(4);
        ActivityState activity;

        User(JID jid) {
            this.jid = jid;
        }
    }

    /** One client of a user (full JID) and its set-status state. */
    private static final class Client extends Task {
        final JID full;
        Support support = Support.UNKNOWN;
        boolean online = true;
        Instant offlineSince;
        Presence lastSeen;
        /** The status before Offhook's first change of this hold; null when Offhook holds nothing. */
        ClientStatus previous;
        /** Every status Offhook submitted during this hold. */
        final Set<ClientStatus> ours = new HashSet<>(4);
        /** The status Offhook's last completed submission set; null before the first. */
        ClientStatus shown;
        /** The form of the session in progress, and its id. */
        StatusForm form;
        String sessionId;
        /** The user changed the status during this call: leave the client alone until the call ends. */
        boolean userOwned;
        /** Not reachable for this call: the fallback shows it. */
        boolean failedThisCall;

        Client(User user, JID full) {
            super(user);
            this.full = full;
        }
    }

    /** A user's published activity. */
    private static final class ActivityState extends Task {
        /** The text of the on-the-phone item Offhook published; empty when none (or the empty one) is. */
        Optional<String> published = Optional.empty();
        /** A publication given up: not tried again while the wanted activity is {@link #stuckOn}. */
        boolean stuck;
        Optional<String> stuckOn = Optional.empty();

        ActivityState(User user) {
            super(user);
        }
    }

    private final JID component;
    private final RemoteSettings settings;
    private final String combineFormat;
    private final Consumer<Packet> out;
    private final Clock clock;
    private final Map<JID, User> users = new HashMap<>();
    private final Map<String, IqPermission> permissions = new HashMap<>();
    /** Domains whose server refused a privileged IQ Offhook thought allowed: nothing more is sent there. */
    private final Set<String> refusedDomains = new HashSet<>();
    private final Map<String, Pending> inFlight = new HashMap<>();
    private final LinkedHashSet<Task> waiting = new LinkedHashSet<>();
    private final Set<JID> changed = new LinkedHashSet<>();
    /** Clients that went offline while holding, until they come back or {@link #OFFLINE_GRACE} is over. */
    private final Set<Client> offlineHolding = new LinkedHashSet<>();
    private final Set<String> warned = new HashSet<>();
    private boolean connected;
    private long nextId;
    private long requests;
    private long timeouts;
    private long refusals;
    private long holds;
    private long restores;
    private long userChanges;
    private long gaveUp;
    private long activityPublications;

    /**
     * @param component the component's JID, the sender of the privileged IQs
     * @param combineFormat how a user's own text and the phone's are joined when the user's own dnd/xa stays
     *     ({@code presence.combine-format})
     * @param out where the stanzas go (the engine's outbox)
     * @param clock the time for timeouts and retries
     */
    public RemoteControl(JID component, RemoteSettings settings, String combineFormat, Consumer<Packet> out,
                         Clock clock) {
        this.component = Objects.requireNonNull(component, "component");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.combineFormat = Objects.requireNonNull(combineFormat, "combineFormat");
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---------------------------------------------------------------- the engine's inputs

    /** A server's permission message (after every handshake): what privileged IQs it allows. */
    public void permissions(Message message) {
        Optional<IqPermission> granted = IqPermission.from(message);
        if (granted.isEmpty()) {
            return;
        }
        IqPermission p = granted.get();
        permissions.put(p.server(), p);
        refusedDomains.remove(p.server());
        for (User user : users.values()) {
            if (user.jid.getDomain().equals(p.server())) {
                scheduleAll(user);
            }
        }
        pump();
    }

    /**
     * How a user stands now: called by the engine whenever it looks at the user (phone change, presence of one
     * of the user's resources, mapping change), just before it asks {@link #covered}.
     */
    public void sync(UserView view) {
        User user = users.get(view.user());
        if (user == null) {
            if (!(view.remoteControl() && !view.resources().isEmpty()) && !(view.activity() && wantsActivity(view))) {
                return;
            }
            user = new User(view.user());
            users.put(view.user(), user);
        }
        user.view = view;
        boolean wasBusy = user.busy;
        user.busy = view.busy();
        if (wasBusy != user.busy) {
            for (Client c : user.clients.values()) {
                c.userOwned = false;
                c.failedThisCall = false;
                if (user.busy) {
                    c.failures = 0;
                }
            }
        }
        if (view.remoteControl()) {
            usable(user.jid.getDomain(), true);
        }
        Instant now = clock.instant();
        for (Map.Entry<String, Presence> r : view.resources().entrySet()) {
            Client c = user.clients.get(r.getKey());
            if (c == null) {
                if (!view.remoteControl()) {
                    continue;
                }
                c = new Client(user, new JID(user.jid.getNode(), user.jid.getDomain(), r.getKey(), true));
                user.clients.put(r.getKey(), c);
            } else if (!c.online) {
                c.online = true;
                c.offlineSince = null;
                offlineHolding.remove(c);
            }
            seen(c, r.getValue());
        }
        for (Client c : user.clients.values()) {
            if (c.online && !view.resources().containsKey(c.full.getResource())) {
                wentOffline(c, now);
            }
        }
        if (view.activity() && user.activity == null) {
            user.activity = new ActivityState(user);
        }
        scheduleAll(user);
        pump();
        // (The engine asks tracks() right after this: no need to tell it.)
        forgetIfDone(user, false);
    }

    /**
     * The resources of {@code user} that remote control covers, so the fallback must leave them alone: those that
     * advertise set-status or are still being asked, and that did not fail in this call. None when the server
     * grants no privileged IQ for commands.
     */
    public Set<String> covered(JID user) {
        User u = users.get(user);
        if (u == null || !usable(user.getDomain(), false)) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (Client c : u.clients.values()) {
            if (c.online && c.support != Support.NO && !c.failedThisCall) {
                out.add(c.full.getResource());
            }
        }
        return out;
    }

    /**
     * Whether Offhook still keeps state for {@code user}: something to do or undo, or the clients of a
     * remote-control user that are online (their discovery is cached). The engine keeps the user until not; when
     * it stops, the user is in {@link #takeChanged()}.
     */
    public boolean tracks(JID user) {
        return users.containsKey(user);
    }

    /**
     * An IQ answer from the server; returns whether it answered one of this class's requests (then it is
     * consumed). Users whose covered clients changed are then in {@link #takeChanged()}.
     */
    public boolean response(IQ iq) {
        String id = iq.getID();
        if (id == null || !id.startsWith(ID_PREFIX)) {
            return false;
        }
        Pending p = inFlight.remove(id);
        if (p == null) {
            return true; // late: its time is up, and the step was already given up or retried
        }
        p.task.pending = null;
        PrivilegedIq.Outcome outcome = PrivilegedIq.unwrap(iq);
        if (outcome instanceof PrivilegedIq.Failed f && f.wrapper() && refusedByServer(p, f)) {
            pump();
            return true;
        }
        if (p.task instanceof Client c) {
            answered(c, p, outcome);
        } else if (p.task instanceof ActivityState a) {
            published(a, p, outcome);
        }
        schedule(p.task);
        pump();
        forgetIfDone(p.task.user, true);
        return true;
    }

    /** Timeouts, retries that are due, clients gone too long. Call it every few hundred milliseconds. */
    public void tick() {
        Instant now = clock.instant();
        Instant deadline = now.minus(settings.timeout());
        for (Pending p : new ArrayList<>(inFlight.values())) {
            if (p.sentAt().isBefore(deadline)) {
                inFlight.remove(p.id());
                p.task().pending = null;
                timeouts++;
                timedOut(p, "no answer within " + settings.timeout() + " (remote-control.timeout)");
            }
        }
        for (Iterator<Client> it = offlineHolding.iterator(); it.hasNext();) {
            Client c = it.next();
            if (!c.offlineSince.plus(OFFLINE_GRACE).isAfter(now)) {
                LOG.info("{} went offline while showing the phone state and did not come back within {}: it "
                        + "is not restored", c.full, OFFLINE_GRACE);
                it.remove();
                c.user.clients.remove(c.full.getResource(), c);
                forgetIfDone(c.user, true);
            }
        }
        pump();
    }

    /** The component connection is up (again): answers to earlier requests will not come; sessions may be new. */
    public void connected() {
        connected = true;
        permissions.clear();
        for (Pending p : new ArrayList<>(inFlight.values())) {
            inFlight.remove(p.id());
            p.task().pending = null;
            if (p.kind() != Kind.DISCO) {
                timedOut(p, "the connection to the server was lost");
            }
        }
        for (User user : users.values()) {
            for (Client c : user.clients.values()) {
                c.support = Support.UNKNOWN;
            }
        }
    }

    /** The connection is lost: nothing is sent until {@link #connected()}. */
    public void disconnected() {
        connected = false;
    }

    /**
     * The last stanzas before the component goes away: the activity retractions (one publish each, no answer
     * needed). Clients still showing a status Offhook set cannot be restored without a round trip: they are logged.
     */
    public void shutdown() {
        int holding = 0;
        for (User user : users.values()) {
            for (Client c : user.clients.values()) {
                if (c.previous != null && !c.ours.isEmpty()) {
                    holding++;
                }
            }
            ActivityState a = user.activity;
            if (a != null && a.published.isPresent() && connected && usableForActivity(user.jid.getDomain(), false)) {
                out.accept(PrivilegedIq.wrap(component, user.jid, IQ.Type.set, ID_PREFIX + Long.toString(++nextId, 36),
                        user.jid, UserActivity.publish(UserActivity.none())));
            }
        }
        if (holding > 0) {
            LOG.warn("Stopping while {} clients show a phone status Offhook set by remote control; they keep it until "
                    + "their users change it", holding);
        }
    }

    /** Users whose covered clients changed since the last call (the engine shows them again). */
    public Set<JID> takeChanged() {
        if (changed.isEmpty()) {
            return Set.of();
        }
        Set<JID> out = Set.copyOf(changed);
        changed.clear();
        return out;
    }

    /** The counters so far. */
    public RemoteStats stats() {
        return new RemoteStats(requests, timeouts, refusals, holds, restores, userChanges, gaveUp,
                activityPublications, inFlight.size());
    }

    // ---------------------------------------------------------------- clients

    /** A presence of the client as the engine has it now; a new one after a completed submission is checked. */
    private void seen(Client c, Presence presence) {
        if (presence == c.lastSeen) {
            return;
        }
        c.lastSeen = presence;
        if (c.previous == null || c.shown == null || c.ours.isEmpty()
                || c.pending != null && c.pending.kind() == Kind.SUBMIT) {
            return;
        }
        ClientStatus now = ClientStatus.of(presence);
        if (!c.ours.contains(now)) {
            userChanged(c, now);
        }
    }

    private void wentOffline(Client c, Instant now) {
        c.online = false;
        c.support = Support.UNKNOWN;
        c.lastSeen = null;
        c.form = null;
        c.sessionId = null;
        if (c.pending != null) {
            inFlight.remove(c.pending.id());
            c.pending = null;
        }
        waiting.remove(c);
        if (c.previous != null && !c.ours.isEmpty()) {
            c.offlineSince = now;
            offlineHolding.add(c);
        } else {
            c.previous = null;
        }
    }

    private void userChanged(Client c, ClientStatus now) {
        LOG.info("{} changed the status to {} during the call: it stays, and is not restored to {}", c.full, now,
                c.previous);
        userChanges++;
        release(c);
        c.userOwned = c.user.busy;
    }

    /** Offhook holds nothing on the client any more. */
    private void release(Client c) {
        c.previous = null;
        c.shown = null;
        c.ours.clear();
        c.failures = 0;
        c.retryAt = null;
    }

    private boolean holdWanted(Client c) {
        User u = c.user;
        return u.view != null && u.view.remoteControl() && u.busy && c.online && !c.userOwned && !c.failedThisCall
                && c.support != Support.NO;
    }

    /** What the client should show during the call, from what it showed before. */
    private ClientStatus callStatus(ClientStatus previous, PhonePresence phone) {
        String text = XmlChars.clean(phone.status()).strip();
        if (previous.show().outranksPhone()) {
            // The user's own dnd/xa stays, their words first (the rule of every mode).
            String own = previous.message();
            String combined = own.isEmpty() ? text : text.isEmpty() ? own
                    : combineFormat.replace("{own}", own).replace("{phone}", text);
            return new ClientStatus(previous.show(), combined);
        }
        return new ClientStatus(phone.show(), text);
    }

    /** Sends the client's next request, if it needs one; returns whether it sent. */
    private boolean step(Client c) {
        if (!c.online || !usable(c.full.getDomain(), false)) {
            return false;
        }
        if (c.support == Support.UNKNOWN) {
            if (!c.user.view.remoteControl() && c.previous == null) {
                return false;
            }
            send(c, Kind.DISCO, IQ.Type.get, c.full, Discovery.commandsQuery(), null, Optional.empty());
            return true;
        }
        if (c.support != Support.YES) {
            return false;
        }
        boolean needed = holdWanted(c)
                ? c.previous == null || !callStatus(c.previous, c.user.view.phone()).equals(c.shown)
                : c.previous != null;
        if (!needed) {
            return false;
        }
        send(c, Kind.EXECUTE, IQ.Type.set, c.full, AdHocCommands.execute(NODE_SET_STATUS), null,
                Optional.empty());
        return true;
    }

    private void answered(Client c, Pending p, PrivilegedIq.Outcome outcome) {
        switch (p.kind()) {
            case DISCO -> {
                boolean listed = outcome instanceof PrivilegedIq.Answer a
                        && Discovery.lists(a.payload(), NODE_SET_STATUS);
                c.support = listed ? Support.YES : Support.NO;
                LOG.debug("{} {} XEP-0146 set-status", c.full, listed ? "offers" : "does not offer");
                if (!listed && c.user.busy) {
                    changed.add(c.user.jid);
                }
            }
            case EXECUTE -> {
                if (outcome instanceof PrivilegedIq.Answer a) {
                    formReceived(c, a.payload());
                } else {
                    failed(c, p, describe(outcome), true);
                }
            }
            case SUBMIT -> {
                if (outcome instanceof PrivilegedIq.Answer a) {
                    submitted(c, p, a.payload());
                } else {
                    failed(c, p, describe(outcome), true);
                }
            }
            case PUBLISH -> {
                // (a client's task sends no publication)
            }
        }
    }

    private void formReceived(Client c, Element payload) {
        AdHocCommands.Reply reply;
        StatusForm form;
        try {
            reply = AdHocCommands.parse(payload);
            if (reply.status() != AdHocCommands.Status.EXECUTING || reply.sessionId().isEmpty()) {
                throw new IllegalArgumentException("the command is " + reply.status().name().toLowerCase()
                        + reply.errorNote().map(n -> " (" + n + ")").orElse("") + " instead of showing its form");
            }
            form = StatusForm.parse(reply.command());
        } catch (IllegalArgumentException bad) {
            failed(c, null, bad.getMessage(), true);
            cancelIfExecuting(c, payload);
            return;
        }
        String session = reply.sessionId().get();
        Optional<ClientStatus> current = form.shows();
        if (c.previous == null) {
            if (!holdWanted(c) || current.isEmpty()) {
                // The call ended meanwhile, or the client is invisible/offline by the user's choice: leave it.
                c.userOwned = c.user.busy && current.isEmpty();
                cancel(c, session);
                return;
            }
            c.previous = current.get();
            c.failures = 0;
        } else if (current.isEmpty() || !c.ours.contains(current.get()) && !current.get().equals(c.previous)) {
            userChanged(c, current.orElse(null));
            cancel(c, session);
            return;
        }
        ClientStatus now = current.get();
        ClientStatus target = holdWanted(c) ? callStatus(c.previous, c.user.view.phone()) : c.previous;
        if (now.equals(target)) {
            cancel(c, session);
            finished(c, target);
            return;
        }
        if (!form.offers(target.show())) {
            failed(c, null, "its form offers no status '" + RcStatus.of(target.show()).value() + "'", true);
            cancel(c, session);
            return;
        }
        c.ours.add(target);
        c.form = form;
        c.sessionId = session;
        send(c, Kind.SUBMIT, IQ.Type.set, c.full, form.submit(session, target), target, Optional.empty());
    }

    private void submitted(Client c, Pending p, Element payload) {
        ClientStatus target = p.status();
        c.form = null;
        c.sessionId = null;
        try {
            AdHocCommands.Reply reply = AdHocCommands.parse(payload);
            if (reply.status() != AdHocCommands.Status.COMPLETED || reply.errorNote().isPresent()) {
                cancelIfExecuting(c, payload);
                throw new IllegalArgumentException("the command ended " + reply.status().name().toLowerCase()
                        + reply.errorNote().map(n -> " (" + n + ")").orElse(""));
            }
        } catch (IllegalArgumentException bad) {
            failed(c, p, bad.getMessage(), true);
            return;
        }
        finished(c, target);
    }

    /** The client shows {@code target} now. */
    private void finished(Client c, ClientStatus target) {
        if (c.previous == null) {
            return;
        }
        c.shown = target;
        c.failures = 0;
        if (!holdWanted(c) && target.equals(c.previous)) {
            LOG.debug("{} restored to {}", c.full, target);
            if (!c.ours.isEmpty()) {
                restores++;
            }
            release(c);
        } else {
            LOG.debug("{} shows {} (was {})", c.full, target, c.previous);
            holds++;
        }
    }

    /**
     * A step failed. Before anything of Offhook's may be on the client, the client is left to the fallback for this
     * call (for as long as it is online if it refused); after, the step is retried a few times, then given up.
     */
    private void failed(Client c, Pending p, String why, boolean refused) {
        if (refused) {
            refusals++;
        }
        if (c.previous == null || c.ours.isEmpty()) {
            LOG.info("Remote control of {} failed ({}); the fallback '{}' shows its calls {}", c.full, why,
                    settings.fallback().configName(), refused ? "while it stays online" : "this time");
            c.previous = null;
            c.ours.clear();
            if (refused) {
                c.support = Support.NO;
            }
            c.failedThisCall = c.user.busy;
            changed.add(c.user.jid);
            return;
        }
        c.failures++;
        if (c.failures > settings.retries()) {
            gaveUp++;
            LOG.warn("Gave up {} {} after {} attempts ({}): it may still show {} instead of {} "
                    + "(remote-control.retries)", holdWanted(c) ? "updating" : "restoring", c.full, c.failures, why,
                    c.shown == null ? "Offhook's status" : c.shown, c.previous);
            release(c);
            c.failedThisCall = c.user.busy;
            changed.add(c.user.jid);
            return;
        }
        c.retryAt = clock.instant().plus(RETRY_PAUSE.multipliedBy(1L << Math.min(c.failures - 1, 10)));
        LOG.info("{} of {} failed ({}); trying again at {}", p == null ? "A step" : p.kind().name().toLowerCase(),
                c.full, why, c.retryAt);
    }

    private void timedOut(Pending p, String why) {
        if (p.task() instanceof Client c) {
            if (p.kind() == Kind.DISCO) {
                c.support = Support.NO;
                LOG.info("{} did not answer service discovery ({}): the fallback '{}' shows its calls", c.full, why,
                        settings.fallback().configName());
                changed.add(c.user.jid);
            } else if (p.kind() == Kind.EXECUTE || p.kind() == Kind.SUBMIT) {
                failed(c, p, why, false);
            }
        } else if (p.task() instanceof ActivityState a) {
            activityFailed(a, p, why, false);
        }
        schedule(p.task());
    }

    private void cancel(Client c, String session) {
        c.form = null;
        c.sessionId = null;
        if (c.online) {
            sendUnslotted(c, AdHocCommands.cancel(NODE_SET_STATUS, session));
        }
    }

    private void cancelIfExecuting(Client c, Element payload) {
        if (payload != null && "executing".equals(payload.attributeValue("status"))
                && payload.attributeValue("sessionid") != null) {
            cancel(c, payload.attributeValue("sessionid"));
        }
    }

    // ---------------------------------------------------------------- activity

    private static boolean wantsActivity(UserView view) {
        return view.state() == PhoneState.ON_THE_PHONE || view.state() == PhoneState.ON_HOLD;
    }

    /** The text of the activity the user should have now; empty for none. */
    private static Optional<String> wantedActivity(User user) {
        UserView v = user.view;
        if (v == null || !v.activity() || !wantsActivity(v)) {
            return Optional.empty();
        }
        return Optional.of(XmlChars.clean(v.phone().status()).strip());
    }

    private boolean step(ActivityState a) {
        Optional<String> want = wantedActivity(a.user);
        if (a.stuck && !a.stuckOn.equals(want)) {
            a.stuck = false;
        }
        if (want.equals(a.published) || a.stuck
                || !usableForActivity(a.user.jid.getDomain(), a.user.view != null && a.user.view.activity())) {
            return false;
        }
        Element activity = want.isPresent() ? UserActivity.onThePhone(want.get()) : UserActivity.none();
        send(a, Kind.PUBLISH, IQ.Type.set, a.user.jid, UserActivity.publish(activity), null, want);
        return true;
    }

    private void published(ActivityState a, Pending p, PrivilegedIq.Outcome outcome) {
        Optional<String> target = p.activity();
        if (outcome instanceof PrivilegedIq.Answer) {
            a.published = target;
            a.failures = 0;
            activityPublications++;
            return;
        }
        activityFailed(a, p, describe(outcome), true);
    }

    private void activityFailed(ActivityState a, Pending p, String why, boolean refused) {
        Optional<String> target = p.activity();
        if (refused) {
            refusals++;
        }
        if (target.isPresent() && refused) {
            // The user's node is configured otherwise (publish-options), or the server will not: respected.
            if (warned.add("activity " + a.user.jid + " " + why)) {
                LOG.warn("Could not publish {}'s activity 'on the phone' ({}); not tried again until the call ends",
                        a.user.jid, why);
            }
            a.stuck = true;
            a.stuckOn = target;
            return;
        }
        a.failures++;
        if (a.failures > settings.retries()) {
            gaveUp++;
            LOG.warn("Gave up publishing {}'s activity {} after {} attempts ({}) (remote-control.retries)",
                    a.user.jid, target.isPresent() ? "'on the phone'" : "retraction", a.failures, why);
            a.failures = 0;
            a.published = target;
            return;
        }
        a.retryAt = clock.instant().plus(RETRY_PAUSE.multipliedBy(1L << Math.min(a.failures - 1, 10)));
    }

    // ---------------------------------------------------------------- permissions

    /**
     * Whether remote control can be tried on users of {@code domain}; says once per domain why not when
     * {@code warn} (a user in remote-control mode asked).
     */
    private boolean usable(String domain, boolean warn) {
        IqPermission p = permissions.get(domain);
        boolean ok = p != null && !refusedDomains.contains(domain) && p.allows(AdHocCommands.NS, IQ.Type.set)
                && p.allows(Discovery.NS_ITEMS, IQ.Type.get);
        if (!ok && warn && p != null && warned.add("rc " + domain)) {
            LOG.warn("Server {} does not let Offhook send privileged IQs for {} (set) and {} (get) (XEP-0356 'iq' "
                    + "permission, Prosody privileged_entities; ejabberd 23.01 has no such permission): remote "
                    + "control is impossible there, users in remote-control mode are shown with the fallback '{}' "
                    + "(remote-control.fallback)", domain, AdHocCommands.NS, Discovery.NS_ITEMS,
                    settings.fallback().configName());
        }
        return ok;
    }

    private boolean usableForActivity(String domain, boolean warn) {
        IqPermission p = permissions.get(domain);
        boolean ok = p != null && !refusedDomains.contains(domain) && p.allows(UserActivity.NS_PUBSUB, IQ.Type.set);
        if (!ok && warn && p != null && warned.add("activity " + domain)) {
            LOG.warn("Server {} does not let Offhook send privileged IQs for {} (set) (XEP-0356 'iq' permission; "
                    + "ejabberd 23.01 has none): user activity (XEP-0108) is not published there", domain,
                    UserActivity.NS_PUBSUB);
        }
        return ok;
    }

    /**
     * The server itself refused a privileged IQ it was thought to allow: forbidden (the permission is missing or
     * the user does not exist), service-unavailable or feature-not-implemented (no such feature). Returns whether
     * the failure was of that kind (it is then handled: the domain is given up until the next permission message).
     */
    private boolean refusedByServer(Pending p, PrivilegedIq.Failed f) {
        PacketError.Condition c = f.condition();
        if (c != PacketError.Condition.forbidden && c != PacketError.Condition.service_unavailable
                && c != PacketError.Condition.feature_not_implemented) {
            return false;
        }
        String domain = p.task().user.jid.getDomain();
        refusals++;
        if (c == PacketError.Condition.forbidden && f.text().contains("recipient must be a bare JID of a local user")) {
            // Only this user is unknown to the server: nothing to do for them.
            LOG.warn("Server {} says {} is no local user: no remote control or activity for them", domain,
                    p.task().user.jid);
            dropUser(p.task().user);
            return true;
        }
        refusedDomains.add(domain);
        if (warned.add("refused " + domain + " " + f.describe())) {
            LOG.warn("Server {} refused Offhook's privileged IQ ({}); no more remote control or activity there until "
                    + "the component reconnects: check the XEP-0356 'iq' permission (Prosody privileged_entities, "
                    + "etc/prosody-offhook.cfg.lua)", domain, f.describe());
        }
        for (User user : users.values()) {
            if (user.jid.getDomain().equals(domain)) {
                changed.add(user.jid);
            }
        }
        return true;
    }

    private void dropUser(User user) {
        for (Client c : user.clients.values()) {
            if (c.pending != null) {
                inFlight.remove(c.pending.id());
            }
            waiting.remove(c);
        }
        if (user.activity != null) {
            if (user.activity.pending != null) {
                inFlight.remove(user.activity.pending.id());
            }
            waiting.remove(user.activity);
        }
        offlineHolding.removeAll(user.clients.values());
        users.remove(user.jid);
        changed.add(user.jid);
    }

    // ---------------------------------------------------------------- sending

    private void scheduleAll(User user) {
        for (Client c : user.clients.values()) {
            schedule(c);
        }
        if (user.activity != null) {
            schedule(user.activity);
        }
    }

    private void schedule(Task task) {
        if (task.pending == null && users.get(task.user.jid) == task.user) {
            waiting.add(task);
        }
    }

    /** Sends what waiting tasks need, while slots are free; tasks waiting for a retry stay queued. */
    private void pump() {
        if (!connected || waiting.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<Task> due = new ArrayList<>();
        for (Task t : waiting) {
            if (t.retryAt == null || !t.retryAt.isAfter(now)) {
                due.add(t);
            }
        }
        for (Task t : due) {
            if (inFlight.size() >= settings.maxInFlight()) {
                return;
            }
            waiting.remove(t);
            t.retryAt = null;
            if (t.pending == null) {
                if (t instanceof Client c) {
                    step(c);
                } else if (t instanceof ActivityState a) {
                    step(a);
                }
            }
        }
    }

    private void send(Task task, Kind kind, IQ.Type type, JID to, Element payload, ClientStatus status,
                      Optional<String> activity) {
        String id = ID_PREFIX + Long.toString(++nextId, 36);
        Pending p = new Pending(id, kind, task, clock.instant(), status, activity);
        task.pending = p;
        inFlight.put(id, p);
        requests++;
        out.accept(PrivilegedIq.wrap(component, task.user.jid, type, id, to, payload));
    }

    /** A cancel: sent at once, outside the slots, its answer awaited by nobody (a late one is simply dropped). */
    private void sendUnslotted(Client c, Element payload) {
        requests++;
        out.accept(PrivilegedIq.wrap(component, c.user.jid, IQ.Type.set, ID_PREFIX + Long.toString(++nextId, 36),
                c.full, payload));
    }

    /**
     * Forgets clients with nothing to undo that are offline, or all of them outside remote-control mode; then the
     * user, when no client is left to watch and no activity to publish or retract. {@code tell}: put the user in
     * {@link #takeChanged()}, so the engine lets go of it too.
     */
    private void forgetIfDone(User user, boolean tell) {
        if (users.get(user.jid) != user) {
            return;
        }
        boolean rc = user.view != null && user.view.remoteControl();
        for (Iterator<Client> it = user.clients.values().iterator(); it.hasNext();) {
            Client c = it.next();
            if (c.previous == null && c.pending == null && (!c.online || !rc)) {
                it.remove();
                waiting.remove(c);
            }
        }
        if (!user.clients.isEmpty()) {
            return;
        }
        ActivityState a = user.activity;
        if (a != null && (a.pending != null || a.published.isPresent() || wantedActivity(user).isPresent()
                || waiting.contains(a) && !a.stuck)) {
            return;
        }
        if (a != null) {
            waiting.remove(a);
        }
        users.remove(user.jid);
        if (tell) {
            changed.add(user.jid);
        }
    }

    private static String describe(PrivilegedIq.Outcome outcome) {
        if (outcome instanceof PrivilegedIq.Failed f) {
            return (f.wrapper() ? "" : "the client answered ") + f.describe();
        }
        return "unexpected answer";
    }
}
