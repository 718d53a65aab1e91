package io.offhook.publish;

import io.offhook.mapping.MappedUser;
import io.offhook.presence.CallView;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PhoneStatus;
import io.offhook.presence.PresentationMode;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xmpp.packet.JID;
import org.xmpp.packet.Presence;

/**
 * One mapped user: the phone state of every SIP address that maps to them, and what the engine currently shows to
 * whom. The calls are rebuilt from the tap's events; an event whose aggregate state says "no call" clears them,
 * so a lost event cannot leave a call behind.
 */
final class UserState {
    /** At most this many calls are remembered per address; the oldest goes first. */
    static final int MAX_CALLS = 32;

    /** A call of one address. */
    record Call(PhoneState state, Instant since, Instant started, String remote) {
    }

    /** What was last sent from one JID to another, and in which mode, so it can be retracted. */
    record Shown(Presence presence, String content, PresentationMode mode) {
    }

    /** The key of a shown presence: from and to, as full JID strings. */
    record Target(JID from, JID to) {
    }

    private static final class Address {
        PhoneState state = PhoneState.OFFLINE;
        final LinkedHashMap<String, Call> calls = new LinkedHashMap<>();
    }

    final JID jid;
    MappedUser mapped;
    PresentationMode mode;
    PhoneState state = PhoneState.OFFLINE;
    Instant since = Instant.EPOCH;
    PhonePresence phone = PhonePresence.NONE;
    /** Whether the login fallback was last told to keep a session for this user. */
    boolean loginShown;
    final Map<Target, Shown> shown = new HashMap<>();
    /** What the previous process put up (restored from a snapshot) and this one has not yet replaced or taken down. */
    final Map<Target, Publication> inherited = new HashMap<>();
    private final Map<String, Address> addresses = new HashMap<>(2);

    UserState(JID jid, MappedUser mapped, PresentationMode mode) {
        this.jid = jid;
        this.mapped = mapped;
        this.mode = mode;
    }

    /** Applies one event of one of the user's addresses; returns whether the phone situation changed. */
    boolean apply(PhoneEvent event, Instant at) {
        Address address = addresses.computeIfAbsent(event.aor(), a -> new Address());
        PhoneState before = state;
        int callsBefore = address.calls.size();
        Call changedCall = null;
        address.state = event.state();
        if (event.callId() != null) {
            Call previous = address.calls.get(event.callId());
            Instant started = previous == null ? at : previous.started();
            PhoneState callState = switch (event.type()) {
                case DIALING -> PhoneState.DIALING;
                case RINGING -> PhoneState.RINGING;
                case ON_THE_PHONE, STILL_ON_THE_PHONE, RESUMED -> PhoneState.ON_THE_PHONE;
                case HELD -> PhoneState.ON_HOLD;
                default -> null;
            };
            if (callState == null) {
                address.calls.remove(event.callId());
            } else {
                Instant callSince = previous != null && previous.state() == callState ? previous.since() : at;
                changedCall = new Call(callState, callSince, started, event.remote());
                address.calls.put(event.callId(), changedCall);
                while (address.calls.size() > MAX_CALLS) {
                    address.calls.remove(address.calls.keySet().iterator().next());
                }
            }
        }
        if (event.state() == PhoneState.OFFLINE || event.state() == PhoneState.AVAILABLE) {
            address.calls.clear();
        }
        if (address.state == PhoneState.OFFLINE && address.calls.isEmpty()) {
            addresses.remove(event.aor());
        }
        PhoneState now = PhoneState.OFFLINE;
        for (Address a : addresses.values()) {
            now = now.max(a.state);
        }
        state = now;
        if (state != before) {
            since = at;
            return true;
        }
        return changedCall != null || address.calls.size() != callsBefore;
    }

    /** Moves one address's state away (its mapping changed); returns whether anything changed. */
    boolean forget(String aor) {
        if (addresses.remove(aor) == null) {
            return false;
        }
        PhoneState now = PhoneState.OFFLINE;
        for (Address a : addresses.values()) {
            now = now.max(a.state);
        }
        state = now;
        return true;
    }

    /** The addresses this user has state for. */
    List<String> aors() {
        return List.copyOf(addresses.keySet());
    }

    /** The input of the presence mapping; the remote party only if the user opted in. */
    PhoneStatus status() {
        List<CallView> calls = new ArrayList<>();
        boolean showRemote = mapped != null && mapped.showRemoteParty();
        for (Address a : addresses.values()) {
            for (Call c : a.calls.values()) {
                calls.add(new CallView(c.state(), c.since(), c.started(),
                        showRemote ? Optional.ofNullable(c.remote()) : Optional.empty()));
            }
        }
        calls.sort(Comparator.comparing(CallView::started));
        return new PhoneStatus(jid, state, since, calls);
    }

    /** Adds this user's calls, by state, to {@code counts} (for metrics). */
    void countCalls(Map<PhoneState, Integer> counts) {
        for (Address a : addresses.values()) {
            for (Call c : a.calls.values()) {
                counts.merge(c.state(), 1, Integer::sum);
            }
        }
    }

    /** Whether the user can be forgotten: nothing known, nothing shown, nothing inherited. */
    boolean idle() {
        return addresses.isEmpty() && shown.isEmpty() && !loginShown && inherited.isEmpty();
    }
}
