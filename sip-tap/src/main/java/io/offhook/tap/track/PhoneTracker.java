package io.offhook.tap.track;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.sip.Contact;
import io.offhook.tap.sip.MediaDirection;
import io.offhook.tap.sip.SipMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps every user's registrations and calls from the SIP messages it is fed, and reports each change as a
 * {@link PhoneEvent}.
 *
 * <p>Time is whatever the caller says it is ({@link #onMessage} and {@link #advanceTo} take microseconds): packet
 * timestamps when replaying a capture, an injected clock when live. It never goes backwards; a re-ordered packet
 * with an older timestamp is processed at the current time.
 *
 * <p>Not thread-safe: one thread feeds it (the pipeline serialises its sources), which also keeps each user's
 * events in order; {@link #snapshot} and {@link #clear} must be serialised with the feeding too.
 */
public final class PhoneTracker {
    /** The detail of the events {@link #restore} reports. */
    public static final String RESTORED = "restored";
    private static final int MAX_PENDING_REGISTERS = 65_536;
    private static final int MIN_TIMERS_COMPACTED = 4096;

    private final TrackerConfig config;
    private final PhoneEventListener listener;
    private final DropCounters drops;

    private final Map<String, User> users = new HashMap<>();
    private final Map<String, Call> calls = new HashMap<>();
    private final DeviceIndex devices = new DeviceIndex();
    /** {@link Aor#of} of the URIs of recent messages (users' URIs come back in every message of theirs). */
    private final UriMemo<String> aors = new UriMemo<>(Aor::of);
    private final TimerQueue timers = new TimerQueue(1024);
    /** Timer entries beyond this are compacted: evicted calls must not stay referenced until their old deadline. */
    private int compactTimersAt = MIN_TIMERS_COMPACTED;
    private boolean shedUnknown;
    /** Unanswered calls in creation order, for eviction under the cap: unknown parties first. */
    private final ArrayDeque<Call> unknownEarly = new ArrayDeque<>();
    private final ArrayDeque<Call> knownEarly = new ArrayDeque<>();
    /** The last REGISTER request per Call-ID, used when a registrar's 2xx omits the Contact list. */
    private final Map<String, SipMessage> pendingRegisters = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SipMessage> eldest) {
            return size() > MAX_PENDING_REGISTERS;
        }
    };

    private long now = Long.MIN_VALUE;
    /** Grows with every input that may have changed what {@link #export} returns. */
    private long changes;
    /** The time of the message being applied: earlier than {@link #now} when it arrived re-ordered. */
    private long messageTime;
    private int bindingCount;

    public PhoneTracker(TrackerConfig config, PhoneEventListener listener, DropCounters drops) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.drops = Objects.requireNonNull(drops, "drops");
    }

    /** Current tracker time in microseconds since the epoch ({@link Long#MIN_VALUE} before the first input). */
    public long now() {
        return now;
    }

    /** The user's aggregate state; {@link PhoneState#OFFLINE} for a user the tracker does not know. */
    public PhoneState stateOf(String aor) {
        User u = users.get(Aor.of(aor));
        return u == null ? PhoneState.OFFLINE : u.aggregate();
    }

    /** Users with at least one binding or call. */
    public int userCount() {
        return users.size();
    }

    /** Calls held, ended ones still remembered as tombstones included. */
    public int callCount() {
        return calls.size();
    }

    /**
     * While on, an INVITE that would start a call between parties with no registered device (neither the caller
     * nor the callee's address or device) is counted as {@link DropReason#SHED_UNDER_LOAD} and not tracked. A
     * source turns it on while it falls behind (an INVITE flood), so what it can do goes to registered phones.
     */
    public void shedUnknownCalls(boolean on) {
        shedUnknown = on;
    }

    /** Entries in the timer queue (tests check it stays bounded by what is held). */
    int timerCount() {
        return timers.size();
    }

    /** Registered devices over all users. */
    public int bindingCount() {
        return bindingCount;
    }

    /**
     * A copy of one user's registered devices and calls in progress; empty for a user the tracker holds nothing
     * for (a user with neither is forgotten) or a text that is no sip, sips or tel address.
     */
    public Optional<TrackedUser> snapshot(String aor) {
        String key = Aor.of(aor);
        User u = key == null ? null : users.get(key);
        if (u == null) {
            return Optional.empty();
        }
        List<TrackedUser.Device> devices = new ArrayList<>();
        for (Binding b = u.bindings; b != null; b = b.next) {
            devices.add(new TrackedUser.Device(b.deviceKey(), b.expiresAt));
        }
        devices.sort((a, b) -> Long.compare(a.expiresAtMicros(), b.expiresAtMicros()));
        List<TrackedUser.ActiveCall> active = new ArrayList<>();
        if (u.calls != null) {
            for (Call c : u.calls) {
                active.add(new TrackedUser.ActiveCall(c.callId, c.stateOf(u), remoteOf(c, u), c.caller == u,
                        c.lastActivity));
            }
        }
        return Optional.of(new TrackedUser(u.aor, u.aggregate(), devices, active));
    }

    /**
     * Ends every call of the user now, as a BYE would, with {@code detail} in the events: the operator's way out
     * of a state stuck on a lost BYE before the call's timeout ends it. A call ends for all its parties (it is one
     * call); it stays a tombstone, so its late messages revive nothing. When the user has no call, one event
     * restates the user's state instead ({@link PhoneEventType#STILL_ONLINE} while registered,
     * {@link PhoneEventType#OFFLINE} otherwise, with {@code detail}), so a consumer that missed an event catches up.
     * Either way, what follows for the user is what the registrations say.
     *
     * @return how many calls ended
     * @throws IllegalArgumentException when {@code aor} is no sip, sips or tel address
     */
    public int clear(String aor, String detail) {
        String key = Aor.of(aor);
        if (key == null) {
            throw new IllegalArgumentException("not a sip, sips or tel address: " + aor);
        }
        User u = users.get(key);
        changes++;
        if (u == null || u.calls == null || u.calls.isEmpty()) {
            User restated = u == null ? new User(key) : u;
            emit(restated, restated.registered() ? PhoneEventType.STILL_ONLINE : PhoneEventType.OFFLINE, null,
                    null, detail);
            return 0;
        }
        List<Call> ending = List.copyOf(u.calls);
        for (Call c : ending) {
            endCall(c, detail);
        }
        return ending.size();
    }

    /**
     * Grows with every input that may have changed what {@link #export} returns (a message, an expiry, a clear, a
     * restore), so a caller saves a snapshot only when this moved since the last save.
     */
    public long changes() {
        return changes;
    }

    /**
     * A copy of everything needed to go on tracking after a restart ({@link #restore}): every binding and every
     * call, tombstones included. Costs one small object per binding and call; the tracker is unchanged.
     */
    public TrackerSnapshot export() {
        List<TrackerSnapshot.SavedBinding> bindings = new ArrayList<>(bindingCount);
        for (User u : users.values()) {
            for (Binding b = u.bindings; b != null; b = b.next) {
                bindings.add(new TrackerSnapshot.SavedBinding(u.aor, b.deviceKey(), b.expiresAt));
            }
        }
        List<TrackerSnapshot.SavedCall> saved = new ArrayList<>(calls.size());
        for (Call c : calls.values()) {
            List<TrackerSnapshot.SavedLeg> legs = new ArrayList<>(c.legs.size());
            for (Leg l : c.legs) {
                legs.add(new TrackerSnapshot.SavedLeg(l.toTag, l.callee.aor,
                        TrackerSnapshot.LegState.valueOf(l.state.name()), l.held));
            }
            List<String> forwarded = new ArrayList<>(c.forwardedTo.size());
            for (User u : c.forwardedTo) {
                forwarded.add(u.aor);
            }
            saved.add(new TrackerSnapshot.SavedCall(c.callId, c.fromTag, c.inviteCseq, c.caller.aor, c.toAor, c.known,
                    forwarded, legs, c.lastActivity, c.sessionExpiresMicros, c.endedAt, c.challenged,
                    c.everConfirmed));
        }
        // Oldest first, so unanswered calls queue for eviction in the order they came.
        saved.sort(Comparator.comparingLong(TrackerSnapshot.SavedCall::lastActivityMicros));
        return new TrackerSnapshot(now, bindings, saved);
    }

    /**
     * What {@link #restore} put back and what it dropped because it expired while the process was down.
     *
     * @param bindings registered devices restored
     * @param calls calls restored (tombstones included)
     * @param expiredBindings bindings whose expiry passed before the restore
     * @param expiredCalls calls (and tombstones) whose time to live passed before the restore
     * @param users users given their state again through events
     */
    public record Restored(int bindings, int calls, int expiredBindings, int expiredCalls, int users) {
    }

    /**
     * Puts back what {@link #export} saved, at {@code timeMicros} (the clock when the process starts again): what
     * expired meanwhile is dropped without a word (nobody was shown it by this process), timers are armed again,
     * and each user's state is then reported as it is now, with {@link #RESTORED} as the detail: one event per
     * call (DIALING, RINGING, ON_THE_PHONE or HELD) and ONLINE for a registered user without a call. No OFFLINE is
     * ever reported by a restore. Later messages then apply as if the process had never stopped: a BYE ends a
     * restored call, a re-INVITE holds it.
     *
     * @throws IllegalStateException when the tracker already holds anything (restore comes before any input)
     */
    public Restored restore(TrackerSnapshot snapshot, long timeMicros) {
        if (!users.isEmpty() || !calls.isEmpty()) {
            throw new IllegalStateException("a snapshot can only be restored into an empty tracker");
        }
        advanceTo(timeMicros);
        changes++;
        int restoredBindings = 0;
        int expiredBindings = 0;
        for (TrackerSnapshot.SavedBinding saved : snapshot.bindings()) {
            if (saved.expiresAtMicros() <= now || !saved.aor().equals(Aor.of(saved.aor()))) {
                expiredBindings++;
                continue;
            }
            User user = user(saved.aor());
            Binding b = user.binding(saved.deviceKey());
            if (b == null) {
                b = new Binding(user, saved.deviceKey(), saved.expiresAtMicros());
                user.addBinding(b);
                devices.add(b, saved.deviceKey());
                bindingCount++;
                restoredBindings++;
            }
            b.expiresAt = Math.max(b.expiresAt, saved.expiresAtMicros());
            schedule(b, b.expiresAt);
        }
        int restoredCalls = 0;
        int expiredCalls = 0;
        for (TrackerSnapshot.SavedCall saved : snapshot.calls()) {
            if (calls.containsKey(saved.callId())) {
                continue;
            }
            Call call = restoreCall(saved);
            if (call == null) {
                expiredCalls++;
                continue;
            }
            restoredCalls++;
            calls.put(call.callId, call);
            if (!call.answered()) {
                (call.known ? knownEarly : unknownEarly).add(call);
            }
            schedule(call, call.deadline());
        }
        List<User> restored = new ArrayList<>(users.values());
        restored.sort(Comparator.comparing(u -> u.aor));
        for (User u : restored) {
            if (u.calls != null) {
                for (Call c : List.copyOf(u.calls)) {
                    PhoneEventType type = switch (c.stateOf(u)) {
                        case DIALING -> PhoneEventType.DIALING;
                        case RINGING -> PhoneEventType.RINGING;
                        case ON_THE_PHONE -> PhoneEventType.ON_THE_PHONE;
                        case ON_HOLD -> PhoneEventType.HELD;
                        case AVAILABLE, OFFLINE -> null;
                    };
                    if (type != null) {
                        emit(u, type, c, remoteOf(c, u), RESTORED);
                    }
                }
            }
            if (u.reported == PhoneState.OFFLINE && u.registered()) {
                emit(u, PhoneEventType.ONLINE, null, null, RESTORED);
            }
        }
        return new Restored(restoredBindings, restoredCalls, expiredBindings, expiredCalls, restored.size());
    }

    /** The call as saved, attached to its parties; {@code null} when its time ran out meanwhile. */
    private Call restoreCall(TrackerSnapshot.SavedCall saved) {
        // Built on stand-in users first: whether it is still due decides whether real users are touched at all.
        Call call = new Call(saved.callId(), saved.fromTag(), saved.inviteCseq(), new User(saved.callerAor()),
                saved.toAor(), saved.known(), saved.lastActivityMicros(), config);
        for (TrackerSnapshot.SavedLeg l : saved.legs()) {
            Leg leg = new Leg(l.toTag(), new User(l.calleeAor()), Leg.State.valueOf(l.state().name()));
            leg.describe(false, l.held());
            call.legs.add(leg);
        }
        call.sessionExpiresMicros = saved.sessionExpiresMicros();
        call.endedAt = saved.endedAtMicros();
        call.challenged = saved.challenged();
        call.everConfirmed = saved.everConfirmed();
        if (call.deadline() <= now) {
            return null;
        }
        for (String aor : saved.forwardedTo()) {
            // Only users still registered: the INVITE went to their device, which must still be there.
            User u = users.get(aor);
            if (u != null && !call.forwardedTo.contains(u)) {
                call.forwardedTo.add(u);
            }
        }
        if (call.ended()) {
            // A tombstone has no parties; live users are shared where they exist, as they were.
            call.caller = users.getOrDefault(call.caller.aor, call.caller);
            for (Leg l : call.legs) {
                l.callee = users.getOrDefault(l.callee.aor, l.callee);
            }
            return call;
        }
        call.caller = user(call.caller.aor);
        attach(call.caller, call);
        for (Leg l : call.legs) {
            l.callee = user(l.callee.aor);
            attach(l.callee, call);
        }
        return call;
    }

    /**
     * Moves time forward to {@code timeMicros} and expires what is due: bindings past their expiry, calls past
     * their silence timeout, tombstones past their time. Earlier times are ignored.
     */
    public void advanceTo(long timeMicros) {
        if (timeMicros <= now) {
            return;
        }
        now = timeMicros;
        while (timers.hasDue(now)) {
            Timed head = timers.poll();
            Timed t = head instanceof Timed.Reminder r ? r.target : head;
            if (t == head) {
                t.queued = false;
            }
            long due = t.deadline();
            if (due <= now) {
                changes++;
                expire(t);
            } else {
                schedule(t, due);
            }
        }
    }

    /** Applies one SIP message seen at {@code timeMicros}. */
    public void onMessage(SipMessage m, long timeMicros) {
        advanceTo(timeMicros);
        messageTime = timeMicros;
        changes++;
        switch (m.effectiveMethod()) {
            case "REGISTER" -> onRegister(m);
            case "INVITE" -> {
                if (m.isRequest()) {
                    onInvite(m);
                } else {
                    onInviteResponse(m);
                }
            }
            case "CANCEL" -> {
                if (m.isRequest()) {
                    onCancel(m);
                }
            }
            case "BYE" -> {
                if (m.isRequest() || m.statusCode() >= 200) {
                    // Any final response to a BYE is proof of it too, when the BYE itself was lost.
                    onBye(m);
                } else {
                    touch(m.callId());
                }
            }
            case "UPDATE" -> onUpdate(m);
            case "ACK" -> onAck(m);
            default -> touch(m.callId());
        }
    }

    // ---------------------------------------------------------------- registrations (RFC 3261 section 10)

    private void onRegister(SipMessage m) {
        if (m.isRequest()) {
            pendingRegisters.put(m.callId(), m);
            return;
        }
        if (m.statusCode() < 200 || m.statusCode() >= 300) {
            return;
        }
        String aor = aorOf(m.toUri());
        if (aor == null) {
            drops.drop(DropReason.SIP_MALFORMED, "REGISTER response with unusable To URI: " + m.toUri());
            return;
        }
        SipMessage request = pendingRegisters.remove(m.callId());
        if (request != null && request.cseq() != m.cseq()) {
            request = null;
        }
        List<Contact> listed = m.contacts();
        int defaultExpires = m.expires();
        if (listed.isEmpty() && request != null && !request.contactWildcard()) {
            // Non-conforming registrar: the 2xx should list every binding (RFC 3261 10.3 step 8). Use the request.
            listed = request.contacts();
            defaultExpires = request.expires();
        }
        User user = users.get(aor);
        if (user == null) {
            if (listed.isEmpty()) {
                return;
            }
            user = new User(aor);
            users.put(aor, user);
        }
        boolean wasRegistered = user.registered();
        List<Binding> keep = new ArrayList<>(listed.size());
        for (Contact c : listed) {
            int seconds = c.expires() != SipMessage.ABSENT ? c.expires()
                    : defaultExpires != SipMessage.ABSENT ? defaultExpires
                    : (int) config.defaultRegistration().toSeconds();
            String key = devices.deviceKey(c.uri());
            if (seconds <= 0 || key == null) {
                continue;
            }
            // Expiry counts from when the registrar answered, even if the answer reached us late.
            long expiresAt = messageTime + seconds * 1_000_000L;
            if (expiresAt <= now) {
                continue;
            }
            Binding b = user.binding(key);
            if (b == null) {
                b = new Binding(user, key, expiresAt);
                user.addBinding(b);
                devices.add(b, key);
                bindingCount++;
            }
            b.expiresAt = expiresAt;
            schedule(b, expiresAt);
            keep.add(b);
        }
        for (Binding old = user.bindings; old != null; ) {
            Binding next = old.next;
            if (!keep.contains(old)) {
                removeBinding(old);
            }
            old = next;
        }
        if (!wasRegistered && user.registered()) {
            emit(user, PhoneEventType.ONLINE, null, null, null);
        } else if (wasRegistered && user.registered()) {
            emit(user, PhoneEventType.STILL_ONLINE, null, null, null);
        } else if (wasRegistered) {
            emit(user, PhoneEventType.OFFLINE, null, null, "unregistered");
        }
        forgetIfIdle(user);
    }

    private void removeBinding(Binding b) {
        b.removed = true;
        bindingCount--;
        devices.remove(b, b.deviceKey());
        b.owner.removeBinding(b);
    }

    /** {@link Aor#of} of a message's URI, remembered for the URIs seen recently. */
    private String aorOf(String uri) {
        return uri == null ? null : aors.apply(uri);
    }

    /** The user whose registered device a URI (a forwarded Request-URI, a Contact) points at, or {@code null}. */
    private User deviceOwner(String uri) {
        return devices.owner(uri);
    }

    // ---------------------------------------------------------------- calls (RFC 3261 sections 12-17)

    private void onInvite(SipMessage m) {
        Call call = calls.get(m.callId());
        if (m.toTag() != null) {
            onReInvite(m, call);
            return;
        }
        if (call != null && call.ended() && !call.everConfirmed && m.cseq() > call.inviteCseq) {
            // Same Call-ID, higher CSeq after a failure: the caller retries (after a 401/407 most often).
            revive(call, m.cseq());
        }
        if (call == null) {
            call = startCall(m, true);
            if (call == null) {
                return;
            }
        } else if (call.ended()) {
            return;
        }
        if ((call.challenged || !call.answered()) && m.cseq() > call.inviteCseq) {
            // A new attempt of the caller's (after a 401/407 or 3xx, seen or lost): its responses belong to the call.
            call.challenged = false;
            call.inviteCseq = m.cseq();
        }
        call.lastActivity = now;
        readSessionTimer(call, m);
        User target = deviceOwner(m.requestUri());
        if (target != null && !call.forwardedTo.contains(target)) {
            call.forwardedTo.add(target);
        }
    }

    private Call startCall(SipMessage m, boolean announce) {
        String callerAor = callerAor(m);
        String toAor = aorOf(m.toUri());
        if (callerAor == null || toAor == null) {
            drops.drop(DropReason.SIP_MALFORMED, "INVITE with unusable From/To URI, Call-ID " + m.callId());
            return null;
        }
        if (calls.size() >= config.maxCalls()) {
            // First: ending the evicted call may forget its idle users, who must not be the ones used below.
            evictOne();
        }
        User caller = null;
        if (m.isRequest() && !m.contacts().isEmpty()) {
            caller = deviceOwner(m.contacts().get(0).uri());
        }
        if (caller == null) {
            caller = user(callerAor);
        }
        boolean known = caller.registered()
                || deviceOwner(m.requestUri() == null ? m.toUri() : m.requestUri()) != null
                || registered(toAor);
        if (shedUnknown && !known) {
            drops.drop(DropReason.SHED_UNDER_LOAD, "INVITE " + m.callId() + " between unregistered parties, while "
                    + "the source is behind");
            forgetIfIdle(caller);
            return null;
        }
        Call call = new Call(m.callId(), m.fromTag(), m.cseq(), caller, toAor, known, now, config);
        calls.put(call.callId, call);
        (known ? knownEarly : unknownEarly).add(call);
        trimEarlyQueues();
        attach(caller, call);
        schedule(call, call.deadline());
        if (announce) {
            emit(caller, PhoneEventType.DIALING, call, toAor, null);
        }
        return call;
    }

    private String callerAor(SipMessage m) {
        if (config.useAssertedIdentity() && m.assertedIdentity() != null) {
            String pai = aorOf(m.assertedIdentity());
            if (pai != null) {
                return pai;
            }
        }
        return aorOf(m.fromUri());
    }

    private boolean registered(String aor) {
        User u = users.get(aor);
        return u != null && u.registered();
    }

    private void revive(Call call, long cseq) {
        call.endedAt = -1;
        call.inviteCseq = cseq;
        call.challenged = false;
        call.legs.clear();
        call.forwardedTo.clear();
        call.lastActivity = now;
        call.caller = user(call.caller.aor);
        attach(call.caller, call);
        emit(call.caller, PhoneEventType.DIALING, call, call.toAor, null);
        schedule(call, call.deadline());
    }

    private void onInviteResponse(SipMessage m) {
        int status = m.statusCode();
        Call call = calls.get(m.callId());
        if (call != null && call.ended()) {
            return;
        }
        if (call != null && call.fromTag != null && m.fromTag() != null && !call.fromTag.equals(m.fromTag())) {
            // It answers a request of the callee's (a re-INVITE of its own): its CSeq counts apart (RFC 3261 12.2.1.1).
            onReInviteResponse(m, call);
            return;
        }
        if (call != null && call.challenged) {
            if (m.cseq() < call.inviteCseq) {
                return;
            }
            if (m.cseq() > call.inviteCseq) {
                // The retried INVITE itself was not seen, its responses are.
                call.challenged = false;
                call.inviteCseq = m.cseq();
            }
        }
        if (call != null && m.cseq() > call.inviteCseq) {
            onReInviteResponse(m, call);
            return;
        }
        if (status < 200 && m.toTag() == null) {
            // 100 Trying and tagless provisionals create no dialog (RFC 3261 section 12.1).
            if (call != null) {
                call.lastActivity = now;
            }
            return;
        }
        if (call == null) {
            if (status >= 300) {
                return;
            }
            // The INVITE was lost: the response still tells who calls whom.
            call = startCall(m, true);
            if (call == null) {
                return;
            }
        }
        call.lastActivity = now;
        String tag = m.toTag() == null ? "" : m.toTag();
        if (status < 200) {
            Leg leg = call.leg(tag);
            if (leg == null) {
                leg = addLeg(call, tag, m, Leg.Input.PROVISIONAL);
                if (leg.live()) {
                    emit(leg.callee, PhoneEventType.RINGING, call, call.caller.aor, null);
                }
            }
        } else if (status < 300) {
            onAnswer(call, tag, m);
        } else {
            onReject(call, tag, status);
        }
    }

    private void onAnswer(Call call, String tag, SipMessage m) {
        readSessionTimer(call, m);
        Leg leg = call.leg(tag);
        boolean changed;
        if (leg == null) {
            leg = addLeg(call, tag, m, Leg.Input.ANSWER);
            changed = true;
        } else {
            Leg.State before = leg.state;
            leg.state = Leg.next(leg.state, Leg.Input.ANSWER);
            changed = before != leg.state;
        }
        if (!changed || leg.state != Leg.State.CONFIRMED) {
            return;
        }
        call.everConfirmed = true;
        // From now on the call lasts until its silence or session timeout, usually earlier than the ring timeout it
        // is queued for: look at it by then.
        schedule(call, call.deadline());
        List<User> elsewhere = new ArrayList<>(0);
        for (Leg other : call.legs) {
            if (other != leg && other.state == Leg.State.EARLY) {
                other.state = Leg.next(other.state, Leg.Input.ANSWERED_ELSEWHERE);
                if (other.callee != leg.callee && !elsewhere.contains(other.callee)) {
                    elsewhere.add(other.callee);
                }
            }
        }
        emit(leg.callee, PhoneEventType.ON_THE_PHONE, call, call.caller.aor, null);
        if (call.caller != leg.callee) {
            emit(call.caller, PhoneEventType.ON_THE_PHONE, call, leg.callee.aor, null);
        }
        for (User u : elsewhere) {
            emit(u, PhoneEventType.CALL_ENDED, call, call.caller.aor, "answered elsewhere");
        }
    }

    private void onReject(Call call, String tag, int status) {
        if (status == 401 || status == 407 || (status >= 300 && status < 400)) {
            if (!call.answered()) {
                // Digest challenge (RFC 3261 section 22.2): the caller usually retries at once with credentials. A
                // redirect (8.1.3.4): the caller's UA tries the Contacts, same Call-ID, higher CSeq; the request has
                // failed only when they are exhausted. Either way the caller goes on dialing.
                call.challenged = true;
                List<User> stopped = new ArrayList<>(1);
                for (Leg l : call.legs) {
                    boolean wasLive = l.live();
                    l.state = Leg.next(l.state, Leg.Input.REJECT);
                    if (wasLive && !l.live() && !stopped.contains(l.callee)) {
                        stopped.add(l.callee);
                    }
                }
                // A leg that was ringing stops now: its callee's watchers must not keep seeing "ringing".
                for (User u : stopped) {
                    emit(u, PhoneEventType.CALL_ENDED, call, call.caller.aor, String.valueOf(status));
                }
                schedule(call, call.deadline());
            }
            return;
        }
        Leg leg = call.leg(tag);
        List<User> affected = new ArrayList<>(2);
        if (leg != null) {
            if (leg.state == Leg.State.EARLY) {
                leg.state = Leg.next(leg.state, Leg.Input.REJECT);
                affected.add(leg.callee);
            }
        } else if (!call.answered()) {
            // A final response from an unseen leg (often the proxy's own): the INVITE as a whole failed.
            for (Leg l : call.legs) {
                if (l.state == Leg.State.EARLY) {
                    l.state = Leg.next(l.state, Leg.Input.REJECT);
                    affected.add(l.callee);
                }
            }
        }
        String detail = String.valueOf(status);
        if (!call.anyLive()) {
            endCall(call, detail);
        } else {
            for (User u : affected) {
                emit(u, PhoneEventType.CALL_ENDED, call, call.caller.aor, detail);
            }
            reportChanges(call, detail);
        }
    }

    /**
     * Adds the dialog with {@code tag}, attributing it to the user whose registered device is at the callee's end:
     * the Contact of a response, the Request-URI of a request from the caller, the Contact of a request from the
     * callee. Without such a device: the single user the INVITE was forwarded to, else the To user.
     */
    private Leg addLeg(Call call, String tag, SipMessage m, Leg.Input input) {
        String calleeDevice;
        if (m.isRequest() && call.fromTag != null && call.fromTag.equals(m.fromTag())) {
            calleeDevice = m.requestUri();
        } else {
            calleeDevice = m.contacts().isEmpty() ? null : m.contacts().get(0).uri();
        }
        User callee = calleeDevice == null ? null : deviceOwner(calleeDevice);
        if (callee == null && call.forwardedTo.size() == 1) {
            // By address: that user may have been forgotten (idle) since the INVITE was forwarded to his device.
            callee = user(call.forwardedTo.get(0).aor);
        }
        if (callee == null) {
            callee = user(call.toAor);
        }
        Leg leg = new Leg(tag, callee, Leg.initial(input));
        call.legs.add(leg);
        attach(callee, call);
        if (leg.state == Leg.State.CONFIRMED) {
            call.everConfirmed = true;
        }
        schedule(call, call.deadline());
        return leg;
    }

    private void onCancel(SipMessage m) {
        Call call = calls.get(m.callId());
        if (call == null || call.ended()) {
            return;
        }
        call.lastActivity = now;
        for (Leg l : call.legs) {
            l.state = Leg.next(l.state, Leg.Input.CANCEL);
        }
        if (!call.anyLive()) {
            endCall(call, "CANCEL");
        } else {
            reportChanges(call, "CANCEL"); // legs that still rang stop; an answered one goes on
        }
    }

    private void onBye(SipMessage m) {
        Call call = calls.get(m.callId());
        if (call == null || call.ended()) {
            return;
        }
        call.lastActivity = now;
        Leg leg = call.leg(call.legTag(m.fromTag(), m.toTag()));
        if (leg != null) {
            leg.state = Leg.next(leg.state, Leg.Input.BYE);
        } else {
            // The dialog's 1xx/2xx were lost: the BYE is still proof the call is over.
            for (Leg l : call.legs) {
                l.state = Leg.next(l.state, Leg.Input.BYE);
            }
        }
        if (!call.anyLive()) {
            endCall(call, "BYE");
        } else {
            if (leg != null) {
                emit(leg.callee, PhoneEventType.CALL_ENDED, call, call.caller.aor, "BYE");
            }
            reportChanges(call, "BYE");
        }
    }

    /**
     * Reports every party of a call that goes on whose state changed without an event yet: the caller whose
     * answered leg ended while another fork still rings, for one. Watchers must never keep an old state.
     */
    private void reportChanges(Call call, String detail) {
        for (User u : List.copyOf(call.parties)) {
            if (u.aggregate() != u.reported) {
                emit(u, PhoneEventType.CALL_ENDED, call, remoteOf(call, u), detail);
            }
        }
    }

    private void onReInvite(SipMessage m, Call call) {
        boolean joined = call == null;
        if (call == null) {
            // We joined mid-call: the in-dialog INVITE proves an answered call between From and To.
            call = startCall(m, false);
            if (call == null) {
                return;
            }
            call.inviteCseq = m.cseq() - 1;
            addLeg(call, m.toTag(), m, Leg.Input.REINVITE);
            call.everConfirmed = true;
            for (User u : List.copyOf(call.parties)) {
                emit(u, PhoneEventType.ON_THE_PHONE, call, remoteOf(call, u), null);
            }
        }
        if (call.ended()) {
            return;
        }
        call.lastActivity = now;
        readSessionTimer(call, m);
        Leg leg = call.leg(call.legTag(m.fromTag(), m.toTag()));
        if (leg == null) {
            leg = addLeg(call, call.legTag(m.fromTag(), m.toTag()), m, Leg.Input.REINVITE);
        }
        Leg.State before = leg.state;
        leg.state = Leg.next(leg.state, Leg.Input.REINVITE);
        if (leg.state == Leg.State.CONFIRMED) {
            call.everConfirmed = true;
        }
        boolean wasHeld = leg.held;
        if (m.media() != null) {
            if (joined) {
                leg.describe(sentByCallee(call, m), holds(m)); // no session known to keep: the offer is all there is
            } else {
                leg.offer(sentByCallee(call, m), m.cseq(), holds(m));
            }
        }
        PhoneEventType type = leg.held != wasHeld ? (leg.held ? PhoneEventType.HELD : PhoneEventType.RESUMED)
                : before != leg.state ? PhoneEventType.ON_THE_PHONE : PhoneEventType.STILL_ON_THE_PHONE;
        emitBoth(call, leg, type);
    }

    private void onReInviteResponse(SipMessage m, Call call) {
        call.lastActivity = now;
        if (m.statusCode() < 200) {
            return;
        }
        Leg leg = call.leg(call.legTag(m.fromTag(), m.toTag()));
        if (leg == null || !leg.live()) {
            return;
        }
        settle(call, leg, m);
    }

    /** A final response to a re-INVITE or UPDATE: the offer takes effect or not, the 2xx's SDP is its sender's. */
    private void settle(Call call, Leg leg, SipMessage m) {
        boolean wasHeld = leg.held;
        boolean accepted = m.statusCode() < 300;
        boolean byCallee = sentByCallee(call, m);
        leg.settle(!byCallee, m.cseq(), accepted);
        if (accepted) {
            readSessionTimer(call, m);
            if (m.media() != null) {
                leg.describe(byCallee, holds(m));
            }
        }
        reportHold(call, leg, wasHeld);
    }

    private void onUpdate(SipMessage m) {
        Call call = calls.get(m.callId());
        if (call == null || call.ended()) {
            return;
        }
        call.lastActivity = now;
        if (m.isRequest()) {
            readSessionTimer(call, m);
        } else if (m.statusCode() < 200) {
            return;
        }
        Leg leg = call.leg(call.legTag(m.fromTag(), m.toTag()));
        if (leg == null || leg.state != Leg.State.CONFIRMED) {
            return;
        }
        if (m.isResponse()) {
            settle(call, leg, m);
        } else if (m.media() != null) {
            boolean wasHeld = leg.held;
            leg.offer(sentByCallee(call, m), m.cseq(), holds(m)); // in effect at once when its 2xx came first
            reportHold(call, leg, wasHeld);
        }
    }

    /** An ACK with SDP is the answer to the offer its 2xx made (RFC 3261 section 13.2.1 and 14.2: late offer). */
    private void onAck(SipMessage m) {
        Call call = calls.get(m.callId());
        if (call == null || call.ended()) {
            return;
        }
        call.lastActivity = now;
        Leg leg = m.media() == null ? null : call.leg(call.legTag(m.fromTag(), m.toTag()));
        if (leg == null || leg.state != Leg.State.CONFIRMED) {
            return;
        }
        boolean wasHeld = leg.held;
        leg.describe(sentByCallee(call, m), holds(m));
        reportHold(call, leg, wasHeld);
    }

    private void reportHold(Call call, Leg leg, boolean wasHeld) {
        if (leg.held != wasHeld) {
            emitBoth(call, leg, leg.held ? PhoneEventType.HELD : PhoneEventType.RESUMED);
        }
    }

    /** Hold per RFC 3264 section 8.4 (sendonly, recvonly in the answer, inactive) or RFC 2543's 0.0.0.0. */
    private static boolean holds(SipMessage m) {
        return m.media() != MediaDirection.SENDRECV || m.nullConnection();
    }

    /**
     * Whether the callee's side sent {@code m}: its requests carry the caller's tag in To, and the responses it
     * sends answer the caller's requests, whose From carries the caller's tag.
     */
    private static boolean sentByCallee(Call call, SipMessage m) {
        boolean callerTagInFrom = call.fromTag != null && call.fromTag.equals(m.fromTag());
        return m.isRequest() != callerTagInFrom;
    }

    private void readSessionTimer(Call call, SipMessage m) {
        if (m.sessionExpires() > 0) {
            call.sessionExpiresMicros = m.sessionExpires() * 1_000_000L;
            // A shorter session interval brings the deadline forward: make sure the call is looked at by then.
            schedule(call, call.deadline());
        }
    }

    private void touch(String callId) {
        Call call = calls.get(callId);
        if (call != null && !call.ended()) {
            call.lastActivity = now;
        }
    }

    private void endCall(Call call, String detail) {
        for (Leg l : call.legs) {
            l.state = Leg.State.TERMINATED;
        }
        call.endedAt = now;
        call.challenged = false;
        // Every party is detached before the first event, so that each event already sees the call gone from all
        // of them. The list is read in place (nothing reads a call's parties meanwhile) and cleared after, even
        // when a listener throws: a copy of it here cost 2-3% of the tap's whole path.
        List<User> parties = call.parties;
        for (User u : parties) {
            u.detach(call);
        }
        try {
            for (User u : parties) {
                emit(u, PhoneEventType.CALL_ENDED, call, remoteOf(call, u), detail);
                forgetIfIdle(u);
            }
        } finally {
            parties.clear();
        }
        schedule(call, call.deadline());
    }

    // ---------------------------------------------------------------- time and limits

    private void expire(Timed t) {
        if (t instanceof Binding b) {
            if (b.removed) {
                return;
            }
            User u = b.owner;
            removeBinding(b);
            if (!u.registered()) {
                emit(u, PhoneEventType.OFFLINE, null, null, "expired");
            }
            forgetIfIdle(u);
        } else if (t instanceof Call c) {
            if (c.ended()) {
                removeCall(c);
            } else {
                endCall(c, c.challenged ? "unanswered challenge" : "timeout");
            }
        }
    }

    private void removeCall(Call c) {
        c.removed = true;
        calls.remove(c.callId, c);
    }

    /** Evicts the oldest unanswered call, preferring calls between parties with no registered device. */
    private void evictOne() {
        for (ArrayDeque<Call> queue : List.of(unknownEarly, knownEarly)) {
            Call c;
            while ((c = queue.poll()) != null) {
                if (c.removed) {
                    continue;
                }
                if (c.ended()) {
                    removeCall(c);
                    return;
                }
                if (!c.answered()) {
                    drops.drop(DropReason.EARLY_DIALOG_EVICTED, "call cap " + config.maxCalls()
                            + " reached, dropping the oldest unanswered call " + c.callId);
                    endCall(c, "evicted");
                    removeCall(c);
                    return;
                }
            }
        }
        // Every call is answered: keep them all rather than end a real conversation (the cap is soft here).
    }

    private void trimEarlyQueues() {
        for (ArrayDeque<Call> queue : List.of(unknownEarly, knownEarly)) {
            if (queue.size() > 2 * config.maxCalls()) {
                queue.removeIf(c -> c.removed || c.answered());
            }
            Call head;
            while ((head = queue.peek()) != null && (head.removed || head.answered())) {
                queue.poll();
            }
        }
    }

    /** Makes sure {@code t} is looked at no later than {@code at}. */
    private void schedule(Timed t, long at) {
        if (at == Long.MAX_VALUE) {
            return;
        }
        if (!t.queued) {
            t.scheduledAt = at;
            t.queued = true;
            timers.add(t);
        } else if (at < t.scheduledAt) {
            timers.add(new Timed.Reminder(t, at));
        }
        if (timers.size() > compactTimersAt) {
            compactTimers();
        }
    }

    /**
     * Drops the timer entries of calls and bindings that are gone (evicted, expired), which would otherwise stay
     * queued until their old deadline: under an INVITE flood that is every evicted call for the whole ring timeout,
     * memory the call cap would not bound. Doing what the deadline would have done (nothing), in amortised O(1).
     */
    private void compactTimers() {
        timers.removeIf(t -> {
            if (t.deadline() != Long.MAX_VALUE) {
                return false;
            }
            if (!(t instanceof Timed.Reminder)) {
                t.queued = false;
            }
            return true;
        });
        compactTimersAt = Math.max(MIN_TIMERS_COMPACTED, 2 * timers.size());
    }

    // ---------------------------------------------------------------- users and events

    private User user(String aor) {
        return users.computeIfAbsent(aor, User::new);
    }

    private void attach(User u, Call c) {
        if (!c.answered() && !c.parties.contains(u) && u.unanswered() >= config.maxRingingPerUser()) {
            stopCountingOldestUnanswered(u);
        }
        u.attach(c);
        if (!c.parties.contains(u)) {
            c.parties.add(u);
        }
    }

    /**
     * The user has {@link TrackerConfig#maxRingingPerUser()} unanswered calls: the oldest stops counting for this
     * user (it goes on for its other party, whose phone may really ring), so one address flooded with INVITEs, or
     * an anonymous caller's many calls, cost a bounded amount per message.
     */
    private void stopCountingOldestUnanswered(User u) {
        for (Call c : u.calls) {
            if (!c.answered() && !c.ended()) {
                u.detach(c);
                c.parties.remove(u);
                drops.drop(DropReason.EARLY_DIALOG_EVICTED, u.aor + " has " + config.maxRingingPerUser()
                        + " unanswered calls: the oldest, " + c.callId + ", no longer counts for it");
                return;
            }
        }
    }

    private void forgetIfIdle(User u) {
        if (u.idle()) {
            users.remove(u.aor, u);
        }
    }

    private static String remoteOf(Call call, User u) {
        if (u != call.caller) {
            return call.caller.aor;
        }
        for (Leg l : call.legs) {
            if (l.state == Leg.State.CONFIRMED) {
                return l.callee.aor;
            }
        }
        return call.toAor;
    }

    private void emitBoth(Call call, Leg leg, PhoneEventType type) {
        emit(call.caller, type, call, leg.callee.aor, null);
        if (leg.callee != call.caller) {
            emit(leg.callee, type, call, call.caller.aor, null);
        }
    }

    private void emit(User u, PhoneEventType type, Call call, String remote, String detail) {
        PhoneState previous = u.reported;
        PhoneState state = u.aggregate();
        u.reported = state;
        listener.onEvent(new PhoneEvent(now, u.aor, type, state, previous, call == null ? null : call.callId,
                remote, detail));
    }
}
