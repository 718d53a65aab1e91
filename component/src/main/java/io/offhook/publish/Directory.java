package io.offhook.publish;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xmpp.packet.JID;
import org.xmpp.packet.Presence;

/**
 * Who is online, from the presence the server forwards (XEP-0356 presence permission): the latest available
 * presence of each full JID. A bare JID is "known offline" once its last resource went unavailable; one never seen
 * is unknown, and the engine treats unknown as possibly online (ejabberd sends no current presence at connect).
 */
final class Directory {
    /** What an update changed. */
    enum Change {
        /** A resource that was not online is now. */
        CAME_ONLINE,
        /** An online resource changed its show, status or priority. */
        CHANGED,
        /** A resource went offline. */
        WENT_OFFLINE,
        /** Nothing (unavailable from a resource not known online). */
        NONE
    }

    private final Map<JID, Map<String, Presence>> online = new HashMap<>();
    private final Set<JID> knownOffline = new HashSet<>();
    /** The XML of each online full JID's latest presence, to recognise a copy of it. */
    private final Map<JID, String> latestXml = new HashMap<>();

    /**
     * Whether this is the same presence as the latest one from that full JID: ejabberd forwards one copy per
     * session that received it, so a user with 500 contacts online arrives 500 times for one change.
     */
    boolean repeats(JID from, Presence presence) {
        String latest = latestXml.get(from);
        return latest != null && presence.isAvailable() && latest.equals(presence.toXML());
    }

    /** Records an available or unavailable presence from a full JID. */
    Change update(JID from, Presence presence) {
        JID bare = from.asBareJID();
        String resource = from.getResource() == null ? "" : from.getResource();
        if (presence.isAvailable()) {
            latestXml.put(from, presence.toXML());
            knownOffline.remove(bare);
            Presence before = online.computeIfAbsent(bare, b -> new HashMap<>(4)).put(resource, presence);
            return before == null ? Change.CAME_ONLINE : Change.CHANGED;
        }
        latestXml.remove(from);
        Map<String, Presence> resources = online.get(bare);
        if (resources == null || resources.remove(resource) == null) {
            if (resources == null) {
                knownOffline.add(bare);
            }
            return Change.NONE;
        }
        if (resources.isEmpty()) {
            online.remove(bare);
            knownOffline.add(bare);
        }
        return Change.WENT_OFFLINE;
    }

    /** The online resources of a bare JID with their latest presence; empty when none is known. */
    Map<String, Presence> resources(JID bare) {
        Map<String, Presence> resources = online.get(bare);
        return resources == null ? Map.of() : resources;
    }

    /** Whether the bare JID is known to have no online resource. */
    boolean knownOffline(JID bare) {
        return knownOffline.contains(bare);
    }

    /** The presence of the highest priority among {@code resources}, skipping {@code except}; null if none. */
    static Presence best(Map<String, Presence> resources, String except) {
        Presence best = null;
        for (Map.Entry<String, Presence> e : resources.entrySet()) {
            if (e.getKey().equals(except)) {
                continue;
            }
            if (best == null || e.getValue().getPriority() > best.getPriority()) {
                best = e.getValue();
            }
        }
        return best;
    }

    /** Every bare JID with an online resource. */
    Collection<JID> onlineUsers() {
        return List.copyOf(online.keySet());
    }

    /** Forgets everything: after a reconnect the server's sessions may all be new. */
    void clear() {
        online.clear();
        knownOffline.clear();
        latestXml.clear();
    }

    int size() {
        return online.size();
    }
}
