package io.offhook.tap.publish;

import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneEventListener;
import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Puts the tap's tracker and the publications together: one phone state per address of record, the higher of what
 * the tracker says and what the publications say (ON_THE_PHONE &gt; ON_HOLD &gt; RINGING &gt; DIALING &gt;
 * AVAILABLE &gt; OFFLINE, the order the tracker already uses across devices and calls), reported as the same
 * {@link PhoneEvent}s the tracker sends.
 *
 * <p>It sits between the tracker and the tracker's listener, and leaves both unchanged: each event of either source
 * goes on with its own type, call, remote party and detail, and with {@code state} and {@code previous} replaced by
 * the combined state after and before it. So a consumer still sees, per address, {@code previous} equal to the
 * {@code state} of the address's last event, and a state that says "no call" only when neither source has one: a
 * call the tap saw end while a publication still says "on the phone" leaves the user on the phone until the
 * publication ends or expires, and the other way round. Each source keeps its own time limits (the tracker's
 * timeouts, the publications' expiry), so neither can hold the other up for ever.
 *
 * <p>Memory: an address is remembered only while a source says more than OFFLINE or the last reported state was
 * more than OFFLINE. Thread-safe: both sources call in on their own threads; events leave one at a time, under this
 * object's lock, so each address's events stay in order. Neither source may be called back from the listener.
 */
public final class StateCombiner implements PhoneEventListener, PublishedStateListener {
    private final PhoneEventListener downstream;
    private final Map<String, PhoneState> tracked = new HashMap<>();
    private final Map<String, PhoneState> published = new HashMap<>();
    private final Map<String, PhoneState> reported = new HashMap<>();
    /** Further sources of published state ({@link #newSource()}), each with its own states. */
    private final List<Map<String, PhoneState>> others = new ArrayList<>();

    public StateCombiner(PhoneEventListener downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }

    /** An event of the tracker. */
    @Override
    public synchronized void onEvent(PhoneEvent event) {
        remember(tracked, event.aor(), event.state());
        emit(event.timeMicros(), event.aor(), event.type(), event.callId(), event.remote(), event.detail());
    }

    /** A change of the publications. */
    @Override
    public synchronized void onPublished(PublishedChange change) {
        remember(published, change.aor(), change.published());
        emit(change.timeMicros(), change.aor(), change.type(), change.callId(), change.remote(), change.detail());
    }

    /**
     * A further source combined exactly like the publications (the higher state wins), with a state of its own per
     * address: the dialog-event subscriber's NOTIFYs, so that a subscription and a publication for the same address
     * cannot overwrite each other's state.
     */
    public synchronized PublishedStateListener newSource() {
        Map<String, PhoneState> mine = new HashMap<>();
        others.add(mine);
        return change -> {
            synchronized (this) {
                remember(mine, change.aor(), change.published());
                emit(change.timeMicros(), change.aor(), change.type(), change.callId(), change.remote(),
                        change.detail());
            }
        };
    }

    /** The combined state last reported for {@code aor} (a normalised address of record). */
    public synchronized PhoneState stateOf(String aor) {
        return reported.getOrDefault(aor, PhoneState.OFFLINE);
    }

    /** Addresses remembered (for tests: it must go back to zero when everything is over). */
    synchronized int size() {
        Set<String> all = new HashSet<>(tracked.keySet());
        all.addAll(published.keySet());
        all.addAll(reported.keySet());
        others.forEach(o -> all.addAll(o.keySet()));
        return all.size();
    }

    private void emit(long time, String aor, PhoneEventType type, String callId, String remote, String detail) {
        PhoneState state = tracked.getOrDefault(aor, PhoneState.OFFLINE)
                .max(published.getOrDefault(aor, PhoneState.OFFLINE));
        for (Map<String, PhoneState> other : others) {
            state = state.max(other.getOrDefault(aor, PhoneState.OFFLINE));
        }
        PhoneState previous = reported.getOrDefault(aor, PhoneState.OFFLINE);
        remember(reported, aor, state);
        downstream.onEvent(new PhoneEvent(time, aor, type, state, previous, callId, remote, detail));
    }

    private static void remember(Map<String, PhoneState> map, String aor, PhoneState state) {
        if (state == PhoneState.OFFLINE) {
            map.remove(aor);
        } else {
            map.put(aor, state);
        }
    }
}
