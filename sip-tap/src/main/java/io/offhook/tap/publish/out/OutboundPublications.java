package io.offhook.tap.publish.out;

import io.offhook.tap.publish.RetryWait;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The publisher side of RFC 3903 for many presentities, as a state machine without I/O: the caller tells it what
 * each entity should show ({@link #update}), what came back ({@link #answered}) and the time, and sends the
 * {@link Request}s it returns ({@link #due}). Not thread-safe: one thread drives it.
 *
 * <p>Per entity, at most one request is in flight (RFC 3903 section 4.1: a publisher does not send a second request
 * for the same publication before the first is answered):
 * <ul>
 *   <li>no entity tag yet: an initial PUBLISH with the body and no SIP-If-Match;</li>
 *   <li>the state changed: a modify, body and SIP-If-Match;</li>
 *   <li>four fifths of the granted Expires passed: a refresh, SIP-If-Match and no body;</li>
 *   <li>removed: Expires 0 with SIP-If-Match, then forgotten.</li>
 * </ul>
 * A 2xx stores the new SIP-ETag and the granted Expires; 412 forgets the tag and starts over with an initial
 * PUBLISH; 423 takes the Min-Expires (up to a day) and sends again. No answer (a timeout, a transport error), 408 or
 * any 5xx means the presence server is down: nothing is sent until a backoff passes (doubling from the minimum to
 * the maximum, with jitter, or a 503's Retry-After within those bounds), then one request probes it; when it
 * answers, every publication is sent again, with its tag when it has one (the server may have lost it: then 412,
 * and an initial PUBLISH). Any other refusal (403, 404, 489...) is the entity's alone: it is retried after its own
 * backoff, never in a tight loop.
 */
public final class OutboundPublications {
    private static final Logger LOG = LogManager.getLogger(OutboundPublications.class);
    /** The longest Expires a 423 may make us ask for. */
    static final int MAX_EXPIRES = 86_400;

    /**
     * A PUBLISH to send.
     *
     * @param id the request's id, to give back with its {@link Answer}
     * @param entity the presentity (Request-URI, From and To)
     * @param ifMatch the SIP-If-Match entity tag, {@code null} for an initial publication
     * @param expires the Expires to ask for, 0 to remove
     * @param body the PIDF document, {@code null} for a refresh or removal
     */
    public record Request(long id, String entity, String ifMatch, int expires, String body) {
        /** Checks the combination RFC 3903 allows. */
        public Request {
            Objects.requireNonNull(entity, "entity");
            if (ifMatch == null && body == null) {
                throw new IllegalArgumentException("an initial PUBLISH needs a body");
            }
            if (expires < 0) {
                throw new IllegalArgumentException("negative Expires");
            }
        }
    }

    /**
     * What came back for a request.
     *
     * @param status the final status code, 0 for none (timeout, transport error)
     * @param etag the SIP-ETag, or {@code null}
     * @param expires the granted Expires, or -1 when absent
     * @param minExpires a 423's Min-Expires, or -1
     * @param retryAfter a 503's Retry-After in seconds, or -1
     */
    public record Answer(int status, String etag, int expires, int minExpires, int retryAfter) {
        /** No answer at all. */
        public static final Answer NONE = new Answer(0, null, -1, -1, -1);

        /** A 2xx with a tag and a granted Expires. */
        public static Answer ok(String etag, int expires) {
            return new Answer(200, etag, expires, -1, -1);
        }

        /** A failure with only a status. */
        public static Answer status(int status) {
            return new Answer(status, null, -1, -1, -1);
        }
    }

    /** The outcomes counted, one per answer. */
    public enum Outcome {
        /** 2xx. */
        OK,
        /** 412: the server did not know the tag; started over. */
        PRECONDITION_FAILED,
        /** 423: asked again with Min-Expires. */
        INTERVAL_TOO_BRIEF,
        /** No answer, 408 or 5xx. */
        SERVER_DOWN,
        /** Any other refusal. */
        REJECTED
    }

    /**
     * The settings.
     *
     * @param expires the Expires asked for
     * @param backoffMin the first wait after the server went down
     * @param backoffMax the longest wait
     * @param maxInFlight requests in flight at once, over all entities
     * @param maxEntities entities held at most; beyond, new ones are refused ({@link #update} says so)
     */
    public record Settings(Duration expires, Duration backoffMin, Duration backoffMax, int maxInFlight,
                           int maxEntities) {
        /** Checks the bounds. */
        public Settings {
            if (expires.getSeconds() < 1 || expires.getSeconds() > MAX_EXPIRES) {
                throw new IllegalArgumentException("expires must be 1 s to 1 day, not " + expires);
            }
            if (backoffMin.toMillis() < 1 || backoffMax.compareTo(backoffMin) < 0) {
                throw new IllegalArgumentException("backoff must be positive, min <= max");
            }
            if (maxInFlight < 1 || maxEntities < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private static final class Entity {
        final String uri;
        ChatState desired;
        /** What the server holds, as far as known; null when nothing (no tag). */
        ChatState published;
        String etag;
        int expires;
        Instant refreshAt = Instant.MAX;
        Instant retryAt = Instant.MIN;
        int failures;
        int tooBrief;
        boolean removing;
        /** Send the body again even if it did not change (after the server was down). */
        boolean resend;
        long inFlight;
        ChatState sending;

        Entity(String uri, int expires) {
            this.uri = uri;
            this.expires = expires;
        }
    }

    private final Settings settings;
    private final DoubleSupplier jitter;
    private final Map<String, Entity> entities = new LinkedHashMap<>();
    private final Map<Long, Entity> inFlight = new HashMap<>();
    private final long[] outcomes = new long[Outcome.values().length];
    private long nextId;
    private boolean down;
    private Instant downUntil = Instant.MIN;
    private int downFailures;
    private long probe;
    private long timesDown;
    private boolean shuttingDown;

    /**
     * @param jitter numbers in [0, 1): a wait is between half and all of the backoff
     */
    public OutboundPublications(Settings settings, DoubleSupplier jitter) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
    }

    /**
     * What {@code entity} should show from now on.
     *
     * @return false when the entity is new and {@link Settings#maxEntities} are held already (nothing changes)
     */
    public boolean update(String entity, ChatState state) {
        Objects.requireNonNull(state, "state");
        if (shuttingDown) {
            return false;
        }
        Entity e = entities.get(entity);
        if (e == null) {
            if (entities.size() >= settings.maxEntities()) {
                return false;
            }
            e = new Entity(entity, (int) settings.expires().getSeconds());
            entities.put(entity, e);
        }
        e.desired = state;
        e.removing = false;
        return true;
    }

    /** Takes {@code entity}'s publication down (Expires 0) and forgets it. */
    public void remove(String entity) {
        Entity e = entities.get(entity);
        if (e != null) {
            e.removing = true;
        }
    }

    /** The requests to send now. */
    public List<Request> due(Instant now) {
        List<Request> out = new ArrayList<>();
        if (down) {
            if (probe == 0 && !now.isBefore(downUntil)) {
                for (Entity e : entities.values()) {
                    if (e.inFlight == 0) {
                        Request r = next(e, now, true);
                        if (r != null) {
                            probe = r.id();
                            out.add(r);
                            break;
                        }
                    }
                }
                if (probe == 0 && inFlight.isEmpty()) {
                    // Nothing to probe with: the next request finds out.
                    serverUp(now, false);
                }
            }
            return out;
        }
        for (Iterator<Entity> it = entities.values().iterator(); it.hasNext() && inFlight.size() < settings.maxInFlight();) {
            Entity e = it.next();
            if (e.inFlight != 0 || now.isBefore(e.retryAt)) {
                continue;
            }
            if (e.removing && e.etag == null) {
                it.remove();
                continue;
            }
            Request r = next(e, now, false);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The request {@code e} needs now, recorded as in flight; null when none. */
    private Request next(Entity e, Instant now, boolean anything) {
        Request r;
        if (e.removing) {
            if (e.etag == null) {
                return null;
            }
            r = new Request(++nextId, e.uri, e.etag, 0, null);
            e.sending = null;
        } else if (e.desired == null) {
            return null;
        } else if (e.etag == null) {
            r = new Request(++nextId, e.uri, null, e.expires, PidfBody.render(e.uri, e.desired));
            e.sending = e.desired;
        } else if (e.resend || !e.desired.equals(e.published)) {
            r = new Request(++nextId, e.uri, e.etag, e.expires, PidfBody.render(e.uri, e.desired));
            e.sending = e.desired;
        } else if (anything || !now.isBefore(e.refreshAt)) {
            r = new Request(++nextId, e.uri, e.etag, e.expires, null);
            e.sending = e.published;
        } else {
            return null;
        }
        e.inFlight = r.id();
        inFlight.put(r.id(), e);
        return r;
    }

    /** The answer to request {@code id}; an unknown id (answered already) is ignored. */
    public void answered(long id, Answer answer, Instant now) {
        Entity e = inFlight.remove(id);
        if (e == null) {
            return;
        }
        e.inFlight = 0;
        boolean wasProbe = id == probe;
        if (wasProbe) {
            probe = 0;
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            outcomes[Outcome.OK.ordinal()]++;
            serverUp(now, true);
            e.failures = 0;
            e.tooBrief = 0;
            if (e.sending == null) {
                // Removed (Expires 0).
                e.etag = null;
                e.published = null;
                if (e.removing) {
                    entities.remove(e.uri, e);
                }
                return;
            }
            if (answer.etag() == null || answer.etag().isBlank()) {
                LOG.warn("The presence server answered a PUBLISH for {} without SIP-ETag: not RFC 3903; trying again "
                        + "later", e.uri);
                rejected(e, now);
                e.etag = null;
                e.published = null;
                return;
            }
            e.etag = answer.etag();
            e.published = e.sending;
            e.resend = false;
            long granted = answer.expires() > 0 ? answer.expires() : e.expires;
            e.refreshAt = now.plusMillis(granted * 800);
            return;
        }
        if (status == 412) {
            outcomes[Outcome.PRECONDITION_FAILED.ordinal()]++;
            serverUp(now, true);
            boolean hadTag = e.etag != null;
            e.etag = null;
            e.published = null;
            if (e.removing) {
                entities.remove(e.uri, e);
            } else if (!hadTag) {
                rejected(e, now);
            }
            return;
        }
        if (status == 423) {
            outcomes[Outcome.INTERVAL_TOO_BRIEF.ordinal()]++;
            serverUp(now, true);
            if (answer.minExpires() > e.expires && answer.minExpires() <= MAX_EXPIRES && ++e.tooBrief <= 3) {
                e.expires = answer.minExpires();
            } else {
                rejected(e, now);
            }
            return;
        }
        if (status == 0 || status == 408 || status >= 500 && status < 600) {
            outcomes[Outcome.SERVER_DOWN.ordinal()]++;
            e.resend = true;
            if (shuttingDown) {
                entities.remove(e.uri, e);
                return;
            }
            serverDown(now, answer, wasProbe);
            return;
        }
        outcomes[Outcome.REJECTED.ordinal()]++;
        serverUp(now, true);
        if (e.removing || shuttingDown) {
            entities.remove(e.uri, e);
            return;
        }
        LOG.warn("The presence server refused the publication of {} ({}); trying again later", e.uri, status);
        rejected(e, now);
    }

    private void rejected(Entity e, Instant now) {
        e.failures = Math.min(e.failures + 1, 30);
        e.retryAt = now.plus(backoff(e.failures));
    }

    private void serverDown(Instant now, Answer answer, boolean wasProbe) {
        if (down && !wasProbe) {
            return;
        }
        if (!down) {
            timesDown++;
            LOG.warn("The presence server does not answer PUBLISH ({}); backing off", answer.status() == 0
                    ? "no answer" : Integer.toString(answer.status()));
        }
        down = true;
        downFailures = Math.min(downFailures + 1, 30);
        Duration wait = backoff(downFailures);
        if (answer.status() == 503 && answer.retryAfter() > 0) {
            wait = clamp(Duration.ofSeconds(answer.retryAfter()));
        }
        downUntil = now.plus(wait);
    }

    private void serverUp(Instant now, boolean answered) {
        if (!down) {
            return;
        }
        down = false;
        downFailures = 0;
        probe = 0;
        int again = 0;
        for (Entity e : entities.values()) {
            if (e.etag != null && !e.removing) {
                e.resend = true;
                again++;
            }
            e.retryAt = Instant.MIN;
        }
        LOG.info("The presence server {}; publishing {} users again", answered ? "answers again" : "is assumed back",
                again);
    }

    private Duration backoff(int failures) {
        return Duration.ofMillis(RetryWait.millis(settings.backoffMin().toMillis(), settings.backoffMax().toMillis(),
                failures, jitter.getAsDouble()));
    }

    private Duration clamp(Duration d) {
        if (d.compareTo(settings.backoffMin()) < 0) {
            return settings.backoffMin();
        }
        return d.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : d;
    }

    /**
     * Stops taking updates and returns the removals of every publication the server holds (none while it is down).
     * Answers still count; {@link #idle()} says when all are in.
     */
    public List<Request> shutdown() {
        shuttingDown = true;
        List<Request> out = new ArrayList<>();
        for (Iterator<Entity> it = entities.values().iterator(); it.hasNext();) {
            Entity e = it.next();
            e.removing = true;
            if (e.inFlight != 0) {
                continue;
            }
            if (down || e.etag == null) {
                it.remove();
                continue;
            }
            out.add(next(e, Instant.MIN, false));
        }
        return out;
    }

    /** Whether no request is in flight. */
    public boolean idle() {
        return inFlight.isEmpty();
    }

    /** Whether the presence server is taken to be down now. */
    public boolean serverDown() {
        return down;
    }

    /** How often the presence server went down. */
    public long timesDown() {
        return timesDown;
    }

    /** Answers so far, by outcome. */
    public long outcomes(Outcome outcome) {
        return outcomes[outcome.ordinal()];
    }

    /** Entities held. */
    public int size() {
        return entities.size();
    }

    /** The entity tag {@code entity} has now, or null: for tests and the admin view. */
    public String etag(String entity) {
        Entity e = entities.get(entity);
        return e == null ? null : e.etag;
    }
}
