package io.offhook.tap.publish;

import io.offhook.tap.track.PhoneEventType;
import io.offhook.tap.track.PhoneState;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The event state compositor of RFC 3903 (section 6) for the packages Offhook reads: it answers each PUBLISH,
 * keeps the publications with their entity tags and lifetimes, and reports every change of what they say as a
 * {@link PublishedChange} in the tracker's words, so the rest of Offhook sees publications as it sees the tap.
 *
 * <p>The rules, in the order the RFC checks them:
 * <ol>
 *   <li>a body over the size limit: 413;</li>
 *   <li>no Event header, or a package other than {@code presence} and {@code dialog}: 489 with Allow-Events;</li>
 *   <li>a SIP-If-Match naming no live publication of this resource and package (unknown, expired, superseded by a
 *       later tag, or another resource's): 412, and the publisher starts over with an initial PUBLISH;</li>
 *   <li>Expires 0 with SIP-If-Match removes the publication at once (200, Expires 0); a lifetime below the minimum
 *       is refused with 423 and Min-Expires; one above the maximum is cut to it; none means an hour, within the
 *       limits;</li>
 *   <li>an initial PUBLISH (no SIP-If-Match) must have a body (else 400); a body must have the package's type
 *       (else 415 with Accept) and be readable (else 400 whose reason phrase names the problem);</li>
 *   <li>then: initial creates a publication (503 when {@link PublishConfig#maxPublications()} are kept, or
 *       {@value #MAX_PER_AOR} for this resource), a body with SIP-If-Match replaces its state (modify), no body
 *       only extends its lifetime (refresh). Every success gets a new entity tag: the old one is dead at once.</li>
 * </ol>
 *
 * <p>Any address of record is accepted: the identity mapping decides later whether anybody is shown. A publication
 * that is not refreshed in time expires at the clock's time on {@link #tick()}, as if removed. Entity tags are 128
 * random bits, so that nobody can take over another publisher's publication by guessing.
 *
 * <p>Dialog state: a full dialog-info document replaces the publication's dialogs; a partial one changes only the
 * dialogs it lists. Versions are kept but not used to order documents: entity tags already do (a publisher that
 * raced itself gets 412 for the older request). Changes are reported dialog by dialog, new and changed dialogs
 * before ended ones, so that a document that swaps one call for another never shows the user idle in between.
 *
 * <p>Thread-safe: every method holds the store's lock, and the listener is called under it (so changes arrive in
 * order); the listener must not call back into the store.
 */
public final class PublicationStore {
    private static final Logger LOG = LogManager.getLogger(PublicationStore.class);
    /** Publications one address of record may have at once (one per dialog for Kamailio's pua_dialoginfo). */
    public static final int MAX_PER_AOR = 256;
    private static final int ETAG_BYTES = 16;

    private record Expiry(long at, Publication publication, long generation) {
    }

    private final PublishConfig config;
    private final PublishedStateListener listener;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Publication> byEtag = new HashMap<>();
    private final Map<String, List<Publication>> byAor = new HashMap<>();
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private long now = Long.MIN_VALUE;

    public PublicationStore(PublishConfig config, PublishedStateListener listener, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Decides on one PUBLISH and applies it; the answer says what to send back. */
    public synchronized PublishAnswer publish(PublishRequest request) {
        advance();
        if (request.body().length > config.maxBodyBytes()) {
            return PublishAnswer.error(413, "Body larger than " + config.maxBodyBytes() + " bytes");
        }
        EventPackage pkg = EventPackage.of(request.eventType());
        if (pkg == null) {
            return PublishAnswer.badEvent();
        }
        Publication existing = null;
        if (request.ifMatch() != null) {
            existing = byEtag.get(request.ifMatch());
            if (existing == null || !existing.aor.equals(request.aor()) || existing.event != pkg) {
                return PublishAnswer.error(412, "Conditional Request Failed");
            }
        }
        if (request.expires() == 0) {
            if (existing != null) {
                remove(existing, "publication removed");
                LOG.debug("{} {} removed by {}", request.aor(), pkg.eventName(), request.publisher());
            }
            // A fresh tag that names nothing: some publishers (Kamailio's pua) want one in every 2xx.
            return PublishAnswer.ok(newEtag(), 0);
        }
        long min = config.minExpires().toSeconds();
        if (request.expires() != PublishRequest.NO_EXPIRES && request.expires() < min) {
            return PublishAnswer.intervalTooBrief(min);
        }
        long seconds = request.expires() == PublishRequest.NO_EXPIRES ? EventPackage.DEFAULT_EXPIRES_SECONDS
                : request.expires();
        seconds = Math.max(min, Math.min(seconds, config.maxExpires().toSeconds()));
        if (existing == null && !request.hasBody()) {
            return PublishAnswer.error(400, "Initial PUBLISH without a body");
        }
        Object state = null;
        if (request.hasBody()) {
            if (!pkg.contentType().equals(request.contentType())) {
                return PublishAnswer.unsupportedMediaType(pkg.contentType());
            }
            try {
                state = pkg == EventPackage.PRESENCE ? PidfDocument.parse(request.body())
                        : DialogInfo.parse(request.body());
            } catch (BodyException e) {
                return PublishAnswer.error(400, "Bad " + pkg.contentType() + ": " + e.getMessage());
            }
        }
        Publication p = existing;
        if (p == null) {
            if (byEtag.size() >= config.maxPublications()) {
                return PublishAnswer.unavailable("Too many publications (" + config.maxPublications() + ")", 60);
            }
            List<Publication> ofAor = byAor.get(request.aor());
            if (ofAor != null && ofAor.size() >= MAX_PER_AOR) {
                return PublishAnswer.unavailable("Too many publications for " + request.aor() + " ("
                        + MAX_PER_AOR + ")", 60);
            }
            p = new Publication(request.aor(), pkg, request.publisher());
            byAor.computeIfAbsent(p.aor, a -> new ArrayList<>(1)).add(p);
        } else {
            byEtag.remove(p.etag);
        }
        p.etag = newEtag();
        byEtag.put(p.etag, p);
        p.expiresAt = now + seconds * 1_000_000L;
        p.generation++;
        expiries.add(new Expiry(p.expiresAt, p, p.generation));
        trimExpiries();
        if (state instanceof PidfDocument pidf) {
            applyPresence(p, pidf.phoneState(config.busyIsOnThePhone()), "published");
        } else if (state instanceof DialogInfo info) {
            applyDialogs(p, info);
        }
        LOG.debug("{} {} {} by {} for {} s", request.aor(), pkg.eventName(),
                existing == null ? "published" : state == null ? "refreshed" : "modified", request.publisher(),
                seconds);
        return PublishAnswer.ok(p.etag, seconds);
    }

    /** Expires the publications whose time has come at the clock's current time. */
    public synchronized void tick() {
        advance();
        Expiry head;
        while ((head = expiries.peek()) != null && head.at <= now) {
            expiries.poll();
            Publication p = head.publication;
            if (!p.removed && head.generation == p.generation) {
                LOG.debug("{} {} from {} expired", p.aor, p.event.eventName(), p.publisher);
                remove(p, "publication expired");
            }
        }
    }

    /** Publications kept. */
    public synchronized int size() {
        return byEtag.size();
    }

    /**
     * One publication as an admin sees it (no entity tag: whoever holds it may change the publication).
     *
     * @param event the event package ({@code presence} or {@code dialog})
     * @param publisher who published it (the sender's address, or the digest user)
     * @param state what it says about the phone
     * @param dialogs for {@code dialog}: the dialogs going on
     * @param expires when it expires unless refreshed
     */
    public record PublishedSource(String event, String publisher, PhoneState state, int dialogs, Instant expires) {
        public PublishedSource {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(publisher, "publisher");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(expires, "expires");
        }
    }

    /** The live publications of {@code aor} (an address of record as {@link io.offhook.tap.track.Aor#of} makes). */
    public synchronized List<PublishedSource> publications(String aor) {
        advance();
        List<Publication> ofAor = byAor.get(aor);
        if (ofAor == null) {
            return List.of();
        }
        List<PublishedSource> out = new ArrayList<>(ofAor.size());
        for (Publication p : ofAor) {
            out.add(new PublishedSource(p.event.eventName(), p.publisher, p.state(), p.dialogs.size(),
                    Instant.ofEpochSecond(p.expiresAt / 1_000_000L, p.expiresAt % 1_000_000L * 1000)));
        }
        return out;
    }

    /**
     * Removes every publication of {@code aor} as if it had expired (an admin's clear: a publisher that went away
     * for good). The publisher's next refresh gets 412 and starts over. Returns how many were removed.
     */
    public synchronized int clear(String aor, String detail) {
        advance();
        List<Publication> ofAor = byAor.get(aor);
        if (ofAor == null) {
            return 0;
        }
        List<Publication> gone = List.copyOf(ofAor);
        for (Publication p : gone) {
            remove(p, detail);
        }
        return gone.size();
    }

    /** Entries in the expiry queue, superseded ones included (for tests: it must stay bounded). */
    synchronized int pendingExpiries() {
        return expiries.size();
    }

    /** What the live publications of {@code aor} say together ({@link PhoneState#OFFLINE} when none). */
    public synchronized PhoneState stateOf(String aor) {
        return aggregate(aor);
    }

    // ---------------------------------------------------------------- state changes

    private void applyPresence(Publication p, PhoneState next, String detail) {
        PhoneState before = p.presence;
        if (next == before) {
            return;
        }
        p.presence = next;
        PhoneEventType type = switch (next) {
            case ON_THE_PHONE -> PhoneEventType.ON_THE_PHONE;
            case AVAILABLE -> before == PhoneState.OFFLINE ? PhoneEventType.ONLINE : PhoneEventType.CALL_ENDED;
            default -> before == PhoneState.AVAILABLE ? PhoneEventType.OFFLINE : PhoneEventType.CALL_ENDED;
        };
        emit(p, type, null, null, detail);
    }

    private void applyDialogs(Publication p, DialogInfo info) {
        p.version = info.version();
        Map<String, DialogInfo.Dialog> next = info.full() ? new LinkedHashMap<>() : new LinkedHashMap<>(p.dialogs);
        Map<String, String> endings = new HashMap<>();
        for (DialogInfo.Dialog d : info.dialogs()) {
            if (d.active()) {
                next.put(d.id(), d);
            } else {
                next.remove(d.id());
                endings.put(d.id(), d.event() != null ? "terminated: " + d.event()
                        : d.code() != 0 ? "terminated: " + d.code() : "terminated");
            }
        }
        for (DialogInfo.Dialog d : next.values()) {
            DialogInfo.Dialog before = p.dialogs.put(d.id(), d);
            PhoneState was = before == null ? PhoneState.OFFLINE : before.phoneState();
            PhoneState is = d.phoneState();
            if (was != is) {
                PhoneEventType type = switch (is) {
                    case DIALING -> PhoneEventType.DIALING;
                    case RINGING -> PhoneEventType.RINGING;
                    case ON_HOLD -> PhoneEventType.HELD;
                    default -> was == PhoneState.ON_HOLD ? PhoneEventType.RESUMED : PhoneEventType.ON_THE_PHONE;
                };
                emit(p, type, d.callKey(), d.remote(), "published");
            }
        }
        for (DialogInfo.Dialog gone : List.copyOf(p.dialogs.values())) {
            if (!next.containsKey(gone.id())) {
                p.dialogs.remove(gone.id());
                emit(p, PhoneEventType.CALL_ENDED, gone.callKey(), gone.remote(),
                        endings.getOrDefault(gone.id(), "gone from the publication"));
            }
        }
    }

    /** Takes a publication away (removed or expired): its dialogs end, its presence goes. */
    private void remove(Publication p, String detail) {
        p.removed = true;
        byEtag.remove(p.etag);
        for (DialogInfo.Dialog d : List.copyOf(p.dialogs.values())) {
            p.dialogs.remove(d.id());
            emit(p, PhoneEventType.CALL_ENDED, d.callKey(), d.remote(), detail);
        }
        applyPresence(p, PhoneState.OFFLINE, detail);
        List<Publication> ofAor = byAor.get(p.aor);
        if (ofAor != null) {
            ofAor.remove(p);
            if (ofAor.isEmpty()) {
                byAor.remove(p.aor);
            }
        }
    }

    private void emit(Publication p, PhoneEventType type, String callId, String remote, String detail) {
        listener.onPublished(new PublishedChange(now, p.aor, aggregate(p.aor), type, callId, remote, detail));
    }

    private PhoneState aggregate(String aor) {
        PhoneState s = PhoneState.OFFLINE;
        List<Publication> ofAor = byAor.get(aor);
        if (ofAor != null) {
            for (Publication p : ofAor) {
                s = s.max(p.state());
            }
        }
        return s;
    }

    // ---------------------------------------------------------------- time and tags

    private void advance() {
        Instant i = clock.instant();
        long t = i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
        if (t > now) {
            now = t;
        }
    }

    /** Drops superseded expiry entries once they outnumber the live ones (many refreshes of long lifetimes). */
    private void trimExpiries() {
        if (expiries.size() > 2 * byEtag.size() + 1024) {
            expiries.removeIf(e -> e.publication.removed || e.generation != e.publication.generation);
        }
    }

    private String newEtag() {
        byte[] bytes = new byte[ETAG_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
