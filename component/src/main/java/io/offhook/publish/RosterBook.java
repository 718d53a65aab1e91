package io.offhook.publish;

import io.offhook.xmpp.privilege.RosterQuery.Subscription;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.xmpp.packet.JID;

/**
 * The rosters of the users the engine publishes for, with a reverse index from contact to users so a contact who
 * comes online is served at once, and the bookkeeping of the privileged roster gets (due times, requests in flight).
 */
final class RosterBook {
    /** One user's roster and its fetch state. */
    static final class Entry {
        final JID user;
        Map<JID, Subscription> items = Map.of();
        boolean loaded;
        Instant due;
        String requestId;
        Instant sentAt;

        Entry(JID user, Instant due) {
            this.user = user;
            this.due = due;
        }
    }

    private final Map<JID, Entry> entries = new HashMap<>();
    private final Map<JID, Set<JID>> watchers = new HashMap<>();
    private final Map<String, Entry> inFlight = new HashMap<>();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();

    /** The entry of a user, created due now if it is new. */
    Entry entry(JID user, Instant now) {
        return entries.computeIfAbsent(user, u -> {
            Entry e = new Entry(u, now);
            queue.add(e);
            return e;
        });
    }

    Entry get(JID user) {
        return entries.get(user);
    }

    /** Whether {@code contact} may see {@code user}'s presence: the user themself, or a from/both contact. */
    boolean allowed(JID user, JID contact) {
        if (user.equals(contact)) {
            return true;
        }
        Entry e = entries.get(user);
        if (e == null) {
            return false;
        }
        Subscription s = e.items.get(contact);
        return s != null && s.contactSeesUser();
    }

    /** Whether the user's roster has been read at least once. */
    boolean loaded(JID user) {
        Entry e = entries.get(user);
        return e != null && e.loaded;
    }

    /** The contacts that may see the user. */
    Collection<JID> audience(JID user) {
        Entry e = entries.get(user);
        if (e == null) {
            return Set.of();
        }
        Set<JID> out = new HashSet<>();
        for (Map.Entry<JID, Subscription> item : e.items.entrySet()) {
            if (item.getValue().contactSeesUser()) {
                out.add(item.getKey());
            }
        }
        return out;
    }

    /** The users whose audience includes {@code contact}. */
    Set<JID> usersSeenBy(JID contact) {
        Set<JID> users = watchers.get(contact);
        return users == null ? Set.of() : users;
    }

    /** Replaces a user's roster with a fresh result. */
    void replace(Entry e, Map<JID, Subscription> items, Instant nextDue) {
        for (Map.Entry<JID, Subscription> old : e.items.entrySet()) {
            if (old.getValue().contactSeesUser()) {
                Set<JID> users = watchers.get(old.getKey());
                if (users != null) {
                    users.remove(e.user);
                    if (users.isEmpty()) {
                        watchers.remove(old.getKey());
                    }
                }
            }
        }
        e.items = Map.copyOf(items);
        e.loaded = true;
        for (Map.Entry<JID, Subscription> item : e.items.entrySet()) {
            if (item.getValue().contactSeesUser()) {
                watchers.computeIfAbsent(item.getKey(), c -> new HashSet<>(4)).add(e.user);
            }
        }
        schedule(e, nextDue);
    }

    /** Sets when the user's roster is fetched next; an earlier time wins over a later one already set. */
    void schedule(Entry e, Instant due) {
        if (e.requestId == null && (e.due == null || due.isBefore(e.due))) {
            queue.remove(e);
            e.due = due;
            queue.add(e);
        }
    }

    /** Entries due at {@code now} with no request in flight, at most {@code max}; they are taken off the queue. */
    Collection<Entry> takeDue(Instant now, int max) {
        Collection<Entry> out = new java.util.ArrayList<>();
        int budget = max - inFlight.size();
        int scanned = queue.size();
        for (int i = 0; i < scanned && out.size() < budget; i++) {
            Entry e = queue.poll();
            if (e == null) {
                break;
            }
            if (e.due != null && !e.due.isAfter(now) && e.requestId == null) {
                e.due = null;
                out.add(e);
            } else {
                queue.add(e);
            }
        }
        return out;
    }

    void sent(Entry e, String id, Instant now) {
        e.requestId = id;
        e.sentAt = now;
        inFlight.put(id, e);
    }

    /** The entry a roster result or error answers, removed from the requests in flight; null if none. */
    Entry answered(String id) {
        Entry e = id == null ? null : inFlight.remove(id);
        if (e != null) {
            e.requestId = null;
        }
        return e;
    }

    /** Requests older than {@code deadline}: given up and due again at {@code now}. */
    int expire(Instant deadline, Instant now) {
        int expired = 0;
        for (var it = inFlight.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            if (e.sentAt.isBefore(deadline)) {
                it.remove();
                e.requestId = null;
                schedule(e, now);
                expired++;
            }
        }
        return expired;
    }

    /** Forgets requests in flight (the connection that carried them is gone) and makes every roster due. */
    void reset(Instant now) {
        for (Entry e : inFlight.values()) {
            e.requestId = null;
        }
        inFlight.clear();
        for (Entry e : entries.values()) {
            schedule(e, now);
        }
    }

    /** Forgets a user no longer mapped. */
    void remove(JID user) {
        Entry e = entries.remove(user);
        if (e != null) {
            replace(e, Map.of(), Instant.MAX);
            e.loaded = false;
            queue.remove(e);
            if (e.requestId != null) {
                inFlight.remove(e.requestId);
            }
        }
    }

    Collection<JID> users() {
        return entries.keySet();
    }
}
