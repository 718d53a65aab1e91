package io.offhook.tap.subscribe;

import io.offhook.tap.publish.BodyException;
import io.offhook.tap.publish.DialogInfo;
import io.offhook.tap.publish.EventPackage;
import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.publish.PublishAnswer;
import io.offhook.tap.publish.PublishRequest;
import io.offhook.tap.publish.RetryWait;
import io.offhook.tap.track.Aor;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The subscriber side of RFC 6665 for the dialog event package (RFC 4235), one subscription per watched user:
 * decides when to SUBSCRIBE, refresh and back off, and what each NOTIFY means and is answered. It holds no I/O: what
 * to send goes to an {@link Outbox}, answers come in through {@link #onResponse}, {@link #onTimeout} and
 * {@link #onNotify}, and time passes on {@link #tick()} with the {@link Clock} given.
 *
 * <p>The life of a subscription:
 * <ol>
 *   <li>An initial SUBSCRIBE (new Call-ID and tag, {@code Expires} as configured) when the user is added, at most
 *       {@link SubscribeConfig#ratePerSecond()} a second over all users (a token bucket), so a start or a reload
 *       with thousands of users does not flood the PBX.</li>
 *   <li>A 2xx grants a lifetime (its Expires, or a NOTIFY's {@code expires}); the subscription is refreshed within
 *       its dialog at 80 % of it. A 423 is retried at once with its Min-Expires. A 401/407 is answered once with
 *       digest credentials when configured.</li>
 *   <li>It is made again (a new dialog) after: a NOTIFY with {@code Subscription-State: terminated} (any reason),
 *       a 481 to a refresh (the notifier lost it: at once), a failed or unanswered initial SUBSCRIBE, a lifetime
 *       that ran out without a successful refresh, or a NOTIFY whose version went back. Failures in a row wait
 *       {@link SubscribeConfig#retryMin()} doubling up to {@link SubscribeConfig#retryMax()}, half of it random
 *       (so users failed together do not come back together), and never less than a Retry-After header or
 *       {@code retry-after} parameter says. The count of failures in a row is reset once a subscription has lived
 *       {@link SubscribeConfig#retryMax()}, so a notifier that accepts and ends every subscription at once still
 *       sees them back off. A refresh that fails otherwise than with 481 keeps the subscription until its lifetime
 *       ends (RFC 6665 section 4.1.2.2), and is retried within it.</li>
 *   <li>Removing a user (or {@link #unsubscribeAll()} at shutdown) sends {@code Expires: 0} within the dialog.</li>
 * </ol>
 *
 * <p>NOTIFYs: one for no subscription of ours (Call-ID and To tag) gets 481, so the notifier ends it; another event
 * package 489; another body type 415; an unreadable body 400 naming the problem. A dialog-info body is taken when
 * it is full state of a version not yet seen in this dialog (and not lower), or partial state of exactly the next
 * version; the same version again is a duplicate and ignored; a partial document after a gap (or without a full one
 * first) means lost state, and the subscription is refreshed at once (the notifier answers a refresh with full
 * state); a version lower than the last means the notifier started over, and the subscription is made anew. Every
 * NOTIFY is answered.
 *
 * <p>State: each user's dialogs are one publication in {@code store} (the PUBLISH receiver's own state keeping:
 * full documents replace, partial ones merge by dialog id, and the changes leave as phone events), kept for the
 * subscription's lifetime plus {@value #GRACE_SECONDS} s. When a subscription fails or ends, what it last said is
 * kept only {@value #GRACE_SECONDS} s more: long enough for the new subscription's first NOTIFY to replace it
 * without a flicker, short enough that nobody stays "on the phone" after a PBX went away. A removed user's state
 * goes at once.
 *
 * <p>Thread-safe: every method holds this object's lock; the outbox is called under it and must not block (the
 * adapter queues).
 */
public final class DialogSubscriber {
    private static final Logger LOG = LogManager.getLogger(DialogSubscriber.class);
    /** How long the last state of an ended or failed subscription is kept. */
    public static final long GRACE_SECONDS = 32;
    /** An initial SUBSCRIBE or refresh with no answer or timeout for this long is taken as unanswered. */
    static final long ANSWER_TIMEOUT_MILLIS = 64_000;
    /** The longest Retry-After honoured. */
    static final long MAX_RETRY_AFTER_SECONDS = 3600;
    private static final String CONTENT_TYPE = EventPackage.DIALOG.contentType();

    /** Sends SUBSCRIBEs; must not block. */
    @FunctionalInterface
    public interface Outbox {
        void send(SubscribeRequest request);
    }

    private enum Phase {
        /** Waiting for its turn (retryAt) or a token to send an initial SUBSCRIBE. */
        WAITING,
        /** Initial SUBSCRIBE sent, no final answer yet. */
        SUBSCRIBING,
        /** Accepted; refreshAt is when to refresh. */
        ACTIVE,
        /** A refresh is out. */
        REFRESHING
    }

    /** One watched user. Mutable, under the subscriber's lock. */
    private static final class Subscription {
        final String aor;
        Phase phase = Phase.WAITING;
        boolean queued;
        String callId;
        String localTag;
        String remoteTag;
        String remoteTarget;
        long cseq;
        long pendingCseq = -1;
        long sentAt;
        long expiresSeconds;
        long expiresAt = Long.MAX_VALUE;
        long refreshAt = Long.MAX_VALUE;
        long retryAt;
        long activeSince = -1;
        int failures;
        boolean challenged;
        long version = -1;
        String etag;

        Subscription(String aor, long expiresSeconds) {
            this.aor = aor;
            this.expiresSeconds = expiresSeconds;
        }
    }

    private final SubscribeConfig config;
    private final PublicationStore store;
    private final Outbox outbox;
    private final Clock clock;
    private final DoubleSupplier random;
    private final SecureRandom ids = new SecureRandom();
    private final Map<String, Subscription> byAor = new LinkedHashMap<>();
    private final Map<String, Subscription> byCallId = new HashMap<>();
    /** Dialogs ended with Expires: 0 whose answer is awaited, by Call-ID. */
    private final Map<String, Long> unsubscribing = new HashMap<>();
    private final ArrayDeque<Subscription> queue = new ArrayDeque<>();
    private final Map<NotifyOutcome, Long> notifies = new EnumMap<>(NotifyOutcome.class);
    private double tokens;
    private long refilledAt = Long.MIN_VALUE;
    private long sent;
    private long failures;
    private boolean closed;

    /**
     * @param store where each user's dialog state is kept (its own, not the PUBLISH receiver's); its listener is
     *     the combiner's source for subscriptions
     * @param random a number in [0, 1) for the jitter of back-off waits
     */
    public DialogSubscriber(SubscribeConfig config, PublicationStore store, Outbox outbox, Clock clock,
                            DoubleSupplier random) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.tokens = config.ratePerSecond();
    }

    // ---------------------------------------------------------------- who is watched

    /**
     * The users to watch from now on (addresses of record; anything that is not a SIP address is ignored). New ones
     * are queued for an initial SUBSCRIBE; ones no longer listed are unsubscribed and their state removed.
     */
    public synchronized void setUsers(Collection<String> aors) {
        if (closed) {
            return;
        }
        long now = clock.millis();
        Set<String> wanted = new LinkedHashSet<>();
        for (String a : aors) {
            String aor = Aor.of(a);
            if (aor != null && aor.startsWith("sip:")) {
                wanted.add(aor);
            }
        }
        int added = 0;
        int removed = 0;
        for (Subscription s : List.copyOf(byAor.values())) {
            if (!wanted.contains(s.aor)) {
                end(s, "no longer watched");
                byAor.remove(s.aor);
                queue.remove(s);
                removed++;
            }
        }
        for (String aor : wanted) {
            if (!byAor.containsKey(aor)) {
                Subscription s = new Subscription(aor, config.expires().toSeconds());
                s.retryAt = now;
                byAor.put(aor, s);
                added++;
            }
        }
        if (added > 0 || removed > 0) {
            LOG.info("Dialog subscriptions at {}:{}: {} users ({} added, {} removed)", config.targetHost(),
                    config.targetPort(), byAor.size(), added, removed);
        }
        tick();
    }

    /** The users watched, sorted as added. */
    public synchronized List<String> users() {
        return List.copyOf(byAor.keySet());
    }

    // ---------------------------------------------------------------- time

    /** Sends what is due at the clock's time: initial SUBSCRIBEs (within the rate), refreshes; ends expired ones. */
    public synchronized void tick() {
        long now = clock.millis();
        store.tick();
        if (closed) {
            return;
        }
        for (Subscription s : byAor.values()) {
            switch (s.phase) {
                case WAITING -> {
                    if (!s.queued && s.retryAt <= now) {
                        s.queued = true;
                        queue.add(s);
                    }
                }
                case SUBSCRIBING -> {
                    if (now - s.sentAt >= ANSWER_TIMEOUT_MILLIS) {
                        fail(s, "no answer to SUBSCRIBE", -1);
                    }
                }
                case ACTIVE -> {
                    if (now >= s.expiresAt) {
                        fail(s, "subscription expired without a refresh", -1);
                    } else if (now >= s.refreshAt) {
                        send(s, s.expiresSeconds, null, false);
                        s.phase = Phase.REFRESHING;
                    }
                }
                case REFRESHING -> {
                    if (now >= s.expiresAt || now - s.sentAt >= ANSWER_TIMEOUT_MILLIS) {
                        fail(s, now >= s.expiresAt ? "subscription expired while refreshing"
                                : "no answer to the refresh", -1);
                    }
                }
            }
        }
        unsubscribing.values().removeIf(at -> now - at >= ANSWER_TIMEOUT_MILLIS);
        refill(now);
        while (tokens >= 1 && !queue.isEmpty()) {
            Subscription s = queue.poll();
            s.queued = false;
            if (s.phase == Phase.WAITING && byAor.get(s.aor) == s) {
                tokens -= 1;
                subscribe(s, null, false);
            }
        }
    }

    private void refill(long now) {
        if (refilledAt == Long.MIN_VALUE) {
            refilledAt = now;
            return;
        }
        if (now > refilledAt) {
            tokens = Math.min(config.ratePerSecond(), tokens + (now - refilledAt) * config.ratePerSecond() / 1000.0);
            refilledAt = now;
        }
    }

    // ---------------------------------------------------------------- sending

    private void subscribe(Subscription s, String authorization, boolean proxy) {
        if (authorization == null) {
            s.callId = newId(12) + "@offhook";
            s.localTag = newId(6);
            s.remoteTag = null;
            s.remoteTarget = null;
            s.cseq = 0;
            s.version = -1;
            s.challenged = false;
        }
        s.phase = Phase.SUBSCRIBING;
        s.expiresAt = Long.MAX_VALUE;
        s.refreshAt = Long.MAX_VALUE;
        byCallId.put(s.callId, s);
        send(s, s.expiresSeconds, authorization, proxy);
    }

    private void send(Subscription s, long expires, String authorization, boolean proxy) {
        s.cseq++;
        s.pendingCseq = s.cseq;
        s.sentAt = clock.millis();
        sent++;
        outbox.send(new SubscribeRequest(s.aor, s.remoteTarget != null ? s.remoteTarget : s.aor, s.callId,
                s.localTag, s.remoteTag, s.cseq, expires, authorization, proxy));
    }

    /** Ends the subscription's dialog (Expires: 0 if it has one) and removes its state at once. */
    private void end(Subscription s, String why) {
        if (s.callId != null && s.phase != Phase.WAITING) {
            byCallId.remove(s.callId);
            if (s.remoteTag != null || s.phase == Phase.ACTIVE || s.phase == Phase.REFRESHING) {
                s.cseq++;
                sent++;
                unsubscribing.put(s.callId, clock.millis());
                outbox.send(new SubscribeRequest(s.aor, s.remoteTarget != null ? s.remoteTarget : s.aor, s.callId,
                        s.localTag, s.remoteTag, s.cseq, 0, null, false));
            }
        }
        s.phase = Phase.WAITING;
        s.pendingCseq = -1;
        removeState(s, why);
    }

    // ---------------------------------------------------------------- answers

    /** A final answer to the SUBSCRIBE {@code cseq} of dialog {@code callId} (provisional ones are not passed). */
    public synchronized void onResponse(String callId, long cseq, SubscribeResponse r) {
        if (unsubscribing.remove(callId) != null) {
            return;
        }
        Subscription s = byCallId.get(callId);
        if (s == null || cseq != s.pendingCseq || r.status() < 200) {
            return;
        }
        s.pendingCseq = -1;
        boolean refresh = s.phase == Phase.REFRESHING;
        int status = r.status();
        if (status < 300) {
            accepted(s, r);
        } else if (status == 423 && r.minExpires() > s.expiresSeconds && r.minExpires() <= 86_400) {
            LOG.info("{}: the target wants subscriptions of at least {} s; asking for that", s.aor, r.minExpires());
            s.expiresSeconds = r.minExpires();
            if (refresh) {
                send(s, s.expiresSeconds, null, false);
            } else {
                subscribe(s, null, false);
            }
        } else if ((status == 401 || status == 407) && r.challenge() != null && config.credentials() != null
                && !s.challenged) {
            s.challenged = true;
            String answer = DigestClient.authorization(r.challenge(), "SUBSCRIBE",
                    s.remoteTarget != null ? s.remoteTarget : s.aor, config.credentials(), newId(8));
            if (answer == null) {
                fail(s, status + " with a challenge Offhook cannot answer (MD5 digest only)", r.retryAfter());
            } else if (refresh) {
                send(s, s.expiresSeconds, answer, status == 407);
            } else {
                subscribe(s, answer, status == 407);
            }
        } else if (status == 401 || status == 407) {
            fail(s, status + (config.credentials() == null
                    ? ": the target wants digest authentication; set dialog-subscribe.auth-user and "
                            + "dialog-subscribe.auth-password-file, or let it accept Offhook's address"
                    : ": the target refused dialog-subscribe.auth-user's credentials"), r.retryAfter());
        } else if (status == 481 && refresh) {
            // The notifier does not know the subscription any more (a restart): make it again now.
            failures++;
            LOG.info("{}: refresh answered 481, subscribing anew", s.aor);
            dropDialog(s);
            keepStateBriefly(s);
            s.phase = Phase.WAITING;
            s.retryAt = clock.millis();
        } else if (refresh && status != 481 && clock.millis() < s.expiresAt) {
            // RFC 6665 section 4.1.2.2: the subscription stands until it expires; retry the refresh within it.
            s.failures++;
            s.phase = Phase.ACTIVE;
            s.refreshAt = clock.millis() + Math.max(1000, backoff(s, r.retryAfter()));
            LOG.info("{}: refresh answered {}; retrying before the subscription expires", s.aor, status);
        } else {
            fail(s, "answered " + status, r.retryAfter());
        }
    }

    /** The SUBSCRIBE {@code cseq} of dialog {@code callId} got no answer (the transaction timed out). */
    public synchronized void onTimeout(String callId, long cseq) {
        if (unsubscribing.remove(callId) != null) {
            return;
        }
        Subscription s = byCallId.get(callId);
        if (s == null || cseq != s.pendingCseq) {
            return;
        }
        s.pendingCseq = -1;
        if (s.phase == Phase.REFRESHING && clock.millis() < s.expiresAt) {
            s.failures++;
            s.phase = Phase.ACTIVE;
            s.refreshAt = clock.millis() + Math.max(1000, backoff(s, -1));
            LOG.info("{}: no answer to the refresh; retrying before the subscription expires", s.aor);
            return;
        }
        fail(s, "no answer", -1);
    }

    private void accepted(Subscription s, SubscribeResponse r) {
        long now = clock.millis();
        if (s.remoteTag == null) {
            s.remoteTag = r.toTag();
        }
        if (r.contact() != null) {
            s.remoteTarget = r.contact();
        }
        long granted = r.expires() >= 0 ? r.expires() : s.expiresSeconds;
        if (granted <= 0) {
            fail(s, "accepted with Expires: 0", -1);
            return;
        }
        if (s.activeSince < 0) {
            s.activeSince = now;
        }
        if (s.phase == Phase.SUBSCRIBING) {
            LOG.debug("{}: subscribed for {} s", s.aor, granted);
        }
        if (s.failures > 0 && now - s.activeSince >= config.retryMax().toMillis()) {
            s.failures = 0;
        }
        s.challenged = false;
        setLifetime(s, granted);
        s.phase = Phase.ACTIVE;
    }

    /** The notifier granted {@code seconds} from now (a 2xx or a NOTIFY's expires). */
    private void setLifetime(Subscription s, long seconds) {
        long now = clock.millis();
        s.expiresAt = now + seconds * 1000;
        s.refreshAt = now + seconds * 800;
        if (s.etag != null) {
            PublishAnswer a = store.publish(new PublishRequest(s.aor, EventPackage.DIALOG.eventName(), s.etag,
                    seconds + GRACE_SECONDS, null, new byte[0], publisher()));
            s.etag = a.ok() ? a.etag() : null;
        }
    }

    /**
     * The subscription failed or ended: its dialog is dropped, its state kept {@value #GRACE_SECONDS} s, and a new
     * one is made after the back-off (at least {@code retryAfter} seconds when that is not -1).
     */
    private void fail(Subscription s, String why, long retryAfter) {
        long now = clock.millis();
        failures++;
        if (s.activeSince >= 0 && now - s.activeSince >= config.retryMax().toMillis()) {
            s.failures = 0;
        }
        s.failures++;
        long wait = backoff(s, retryAfter);
        if (s.failures == 1) {
            LOG.warn("Dialog subscription for {} at {}:{} ended: {}; subscribing again in {} ms", s.aor,
                    config.targetHost(), config.targetPort(), why, wait);
        } else {
            LOG.info("Dialog subscription for {} failed again ({} in a row): {}; next try in {} ms", s.aor,
                    s.failures, why, wait);
        }
        dropDialog(s);
        keepStateBriefly(s);
        s.phase = Phase.WAITING;
        s.retryAt = now + wait;
    }

    /** The wait before the next try after {@code s.failures} failures in a row. */
    private long backoff(Subscription s, long retryAfter) {
        long wait = RetryWait.millis(config.retryMin().toMillis(), config.retryMax().toMillis(), s.failures,
                random.getAsDouble());
        if (retryAfter > 0) {
            wait = Math.max(wait, Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS) * 1000);
        }
        return wait;
    }

    private void dropDialog(Subscription s) {
        if (s.callId != null) {
            byCallId.remove(s.callId);
        }
        s.pendingCseq = -1;
        s.expiresAt = Long.MAX_VALUE;
        s.refreshAt = Long.MAX_VALUE;
        s.activeSince = -1;
    }

    // ---------------------------------------------------------------- NOTIFY

    /** Decides on a NOTIFY and applies it; the answer says what to send back. */
    public synchronized NotifyAnswer onNotify(NotifyRequest n) {
        Subscription s = byCallId.get(n.callId());
        if (s == null || n.toTag() == null || !n.toTag().equals(s.localTag)
                || (s.remoteTag != null && n.fromTag() != null && !n.fromTag().equals(s.remoteTag))) {
            return answer(481, "Subscription Does Not Exist", NotifyOutcome.UNKNOWN_DIALOG);
        }
        if (n.eventType() == null || !n.eventType().equalsIgnoreCase(EventPackage.DIALOG.eventName())) {
            return answer(489, "Bad Event", NotifyOutcome.BAD_EVENT);
        }
        DialogInfo info = null;
        if (n.body().length > 0) {
            if (!CONTENT_TYPE.equals(n.contentType())) {
                return answer(415, "Unsupported Media Type", NotifyOutcome.BAD_TYPE);
            }
            try {
                info = DialogInfo.parse(n.body());
            } catch (BodyException e) {
                LOG.debug("{}: unreadable NOTIFY body: {}", s.aor, e.getMessage());
                return answer(400, "Bad " + CONTENT_TYPE + ": " + e.getMessage(), NotifyOutcome.BAD_BODY);
            }
        }
        if (s.remoteTag == null) {
            // RFC 6665 section 4.1.2.4: a NOTIFY may arrive before the 2xx and creates the dialog.
            s.remoteTag = n.fromTag();
        }
        if (n.contact() != null) {
            s.remoteTarget = n.contact();
        }
        boolean terminated = "terminated".equalsIgnoreCase(n.state());
        if (!terminated && n.expires() > 0 && (s.phase == Phase.ACTIVE || s.phase == Phase.REFRESHING
                || s.phase == Phase.SUBSCRIBING)) {
            long left = s.expiresAt == Long.MAX_VALUE ? Long.MAX_VALUE : (s.expiresAt - clock.millis()) / 1000;
            if (n.expires() < left || s.phase == Phase.SUBSCRIBING) {
                setLifetime(s, n.expires());
            }
        }
        NotifyOutcome outcome = info == null ? NotifyOutcome.ACCEPTED : apply(s, info, n.body(), terminated);
        if (terminated) {
            String reason = n.reason() == null ? "no reason given" : "reason " + n.reason();
            fail(s, "the notifier ended it (" + reason + ")", n.retryAfter());
        }
        return answer(200, "OK", outcome);
    }

    private NotifyOutcome apply(Subscription s, DialogInfo info, byte[] body, boolean terminated) {
        long v = info.version();
        if (v == s.version) {
            return NotifyOutcome.DUPLICATE;
        }
        if (s.version >= 0 && v < s.version) {
            if (!terminated) {
                fail(s, "NOTIFY version " + v + " is lower than " + s.version + " (state lost)", -1);
            }
            return NotifyOutcome.VERSION_GAP;
        }
        if (!info.full() && (s.version < 0 || v != s.version + 1)) {
            if (!terminated && s.phase == Phase.ACTIVE) {
                LOG.info("{}: partial NOTIFY version {} after {}: refreshing for full state", s.aor, v, s.version);
                send(s, s.expiresSeconds, null, false);
                s.phase = Phase.REFRESHING;
            }
            return NotifyOutcome.VERSION_GAP;
        }
        s.version = v;
        long left = s.expiresAt == Long.MAX_VALUE ? s.expiresSeconds
                : Math.max(0, (s.expiresAt - clock.millis()) / 1000);
        long lifetime = left + GRACE_SECONDS;
        PublishAnswer a = store.publish(new PublishRequest(s.aor, EventPackage.DIALOG.eventName(), s.etag, lifetime,
                CONTENT_TYPE, body, publisher()));
        if (a.status() == 412) {
            // The kept state expired meanwhile: start it again from this document.
            s.etag = null;
            a = store.publish(new PublishRequest(s.aor, EventPackage.DIALOG.eventName(), null, lifetime,
                    CONTENT_TYPE, body, publisher()));
        }
        s.etag = a.ok() ? a.etag() : null;
        if (!a.ok()) {
            LOG.warn("{}: dialog state not kept: {} {}", s.aor, a.status(), a.reason());
        }
        return NotifyOutcome.ACCEPTED;
    }

    private NotifyAnswer answer(int status, String reason, NotifyOutcome outcome) {
        notifies.merge(outcome, 1L, Long::sum);
        return new NotifyAnswer(status, reason, outcome);
    }

    // ---------------------------------------------------------------- state kept

    private void keepStateBriefly(Subscription s) {
        if (s.etag != null) {
            PublishAnswer a = store.publish(new PublishRequest(s.aor, EventPackage.DIALOG.eventName(), s.etag,
                    GRACE_SECONDS, null, new byte[0], publisher()));
            s.etag = a.ok() ? a.etag() : null;
        }
    }

    private void removeState(Subscription s, String why) {
        if (s.etag != null) {
            store.publish(new PublishRequest(s.aor, EventPackage.DIALOG.eventName(), s.etag, 0, null, new byte[0],
                    publisher()));
            LOG.debug("{}: dialog state removed ({})", s.aor, why);
            s.etag = null;
        }
    }

    private String publisher() {
        return "subscription at " + config.targetHost() + ":" + config.targetPort();
    }

    // ---------------------------------------------------------------- shutdown and counters

    /**
     * Ends every subscription (Expires: 0 within each dialog) and removes their state; nothing is sent after it.
     * Returns how many removals were sent; {@link #pendingUnsubscribes()} says how many are still unanswered.
     */
    public synchronized int unsubscribeAll() {
        int before = unsubscribing.size();
        for (Subscription s : byAor.values()) {
            end(s, "stopping");
        }
        closed = true;
        queue.clear();
        return unsubscribing.size() - before;
    }

    /** Removals (Expires: 0) not answered yet. */
    public synchronized int pendingUnsubscribes() {
        return unsubscribing.size();
    }

    public synchronized SubscriberStats stats() {
        int active = 0;
        int waiting = 0;
        for (Subscription s : byAor.values()) {
            if (s.phase == Phase.ACTIVE || s.phase == Phase.REFRESHING) {
                active++;
            } else if (s.phase == Phase.WAITING) {
                waiting++;
            }
        }
        return new SubscriberStats(byAor.size(), active, waiting, sent, failures, notifies);
    }

    private String newId(int bytes) {
        byte[] b = new byte[bytes];
        ids.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Users whose subscription is waiting for a token (for tests of the rate). */
    synchronized int queued() {
        return queue.size();
    }

    /** For tests: the current Call-ID of {@code aor}'s subscription, or {@code null}. */
    synchronized String callIdOf(String aor) {
        Subscription s = byAor.get(Aor.of(aor));
        return s == null ? null : s.callId;
    }

    /** For tests: every user's phase. */
    synchronized Map<String, String> phases() {
        Map<String, String> out = new LinkedHashMap<>();
        byAor.forEach((aor, s) -> out.put(aor, s.phase.name()));
        return out;
    }
}
