package io.offhook.fallback;

import io.offhook.fallback.LoginMachine.Action;
import io.offhook.fallback.LoginMachine.State;
import io.offhook.fallback.LoginMachine.Wanted;
import io.offhook.presence.PhonePresence;
import io.offhook.presence.PresentationMode;
import io.offhook.xmpp.stream.XmlChars;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.xmpp.packet.JID;

/**
 * The login fallback: one client session per user in {@link PresentationMode#LOGIN} mode, open while the user's
 * phone is registered, showing the phone's presence on the resource {@code presence.resource} (see the package
 * description for why).
 *
 * <p><b>Who is logged in.</b> Users the mapping file puts in {@code mode=login} (or all, with
 * {@code presence.mode = login}), and, automatically, users in a mode that needs the component's trust
 * ({@code resource}, {@code overlay}, {@code remote-control}) whose JID's domain is not the component's server
 * ({@code xmpp.server-domain}) but who have a line in the credentials file: their server would not accept presence
 * from the component, and the operator who provisioned their password meant them to be shown. Such a user without a
 * line is warned about once (naming {@code fallback.credentials-file}) and keeps the configured mode, which shows them
 * nowhere unless their server trusts the component too. {@code gateway} mode is never changed: it works on every
 * server.
 *
 * <p><b>Threads.</b> {@link #mode} and {@link #show} run on the engine's thread and only record the wish. One
 * thread of its own ({@code offhook-fallback}) owns every user's {@link LoginMachine}; logging in and off, which
 * block on the network, run on at most {@code fallback.concurrent-logins} threads, so a thousand phones that
 * register at once become a queue of logins, not a thousand sockets opened in the same millisecond. A presence is
 * queued on the open session without blocking. Each user's failures are theirs alone: one user's wrong password
 * delays only that user's next attempt ({@code fallback.retry-min} doubling up to {@code fallback.retry-max}).
 *
 * <p><b>Secrets.</b> The password goes only to the XMPP library's SASL exchange; no message, log line or
 * {@code toString()} of this package holds one.
 */
public final class FallbackSessions implements Logins, AutoCloseable {
    /** A session that ran this long before it was lost comes back at once (within a random share of retry-min). */
    static final Duration STABLE_AFTER = Duration.ofSeconds(60);
    /** At most this many users are remembered for warn-once messages. */
    private static final int MAX_WARNED = 10_000;
    /** At most this many of a user's own clients are remembered (memory stays bounded whatever the server sends). */
    private static final int MAX_OWN_RESOURCES = 32;
    private static final Logger LOG = LogManager.getLogger(FallbackSessions.class);

    /** One user's session and its machine; touched only on the control thread. */
    private static final class Slot {
        final JID jid;
        final Account account;
        final LoginMachine machine;
        ClientSession session;
        ScheduledFuture<?> timer;
        Optional<String> lastFailure = Optional.empty();
        /** The engine's latest wish, before the user's own dnd/xa is applied. */
        Wanted wanted = Wanted.OFFLINE;
        /** The user's own other resources, as the open session hears of them. */
        final Map<String, OwnPresence> own = new TreeMap<>();

        Slot(JID jid, Account account, LoginMachine machine) {
            this.jid = jid;
            this.account = account;
            this.machine = machine;
        }
    }

    private final FallbackSettings settings;
    private final String serverDomain;
    private final ClientSession.Factory factory;
    private final Clock clock;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final ScheduledThreadPoolExecutor control;
    private final ThreadPoolExecutor logins;
    private final Map<JID, Slot> slots = new HashMap<>();
    private final ConcurrentHashMap<JID, Wanted> pending = new ConcurrentHashMap<>();
    private final Set<JID> warnedForeign = ConcurrentHashMap.newKeySet();
    private final Set<JID> warnedMissing = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder loginsSucceeded = new LongAdder();
    private final LongAdder loginsFailed = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private volatile boolean closed;

    /**
     * The fallback over Smack; no thread starts before the first user needs a session.
     *
     * @param serverDomain the domain whose server trusts the component ({@code xmpp.server-domain})
     */
    public static FallbackSessions create(FallbackSettings settings, String serverDomain, Clock clock) {
        return new FallbackSessions(settings, serverDomain, new SmackSessions(settings.connectTimeout()), clock,
                RandomGenerator.getDefault());
    }

    FallbackSessions(FallbackSettings settings, String serverDomain, ClientSession.Factory factory, Clock clock,
                     RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serverDomain = Objects.requireNonNull(serverDomain, "serverDomain");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.backoff = settings.backoff();
        control = new ScheduledThreadPoolExecutor(1, daemon("offhook-fallback"));
        control.setRemoveOnCancelPolicy(true);
        logins = new ThreadPoolExecutor(settings.concurrentLogins(), settings.concurrentLogins(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("offhook-fallback-login"));
        logins.allowCoreThreadTimeOut(true);
    }

    // ---------------------------------------------------------------- the engine's side (any thread)

    /**
     * {@link PresentationMode#LOGIN} for a user in a mode that needs the component's trust, on a domain other than
     * the component's server, with a line in the credentials file; otherwise {@code configured} (see the class
     * description).
     */
    @Override
    public PresentationMode mode(JID user, PresentationMode configured) {
        PresentationMode mode = effectiveMode(user, configured, serverDomain, settings.credentials());
        if (mode != configured || configured == PresentationMode.LOGIN || configured == PresentationMode.GATEWAY
                || user.getDomain().equals(serverDomain)) {
            return mode;
        }
        if (warnedForeign.size() < MAX_WARNED && warnedForeign.add(user.asBareJID())) {
            LOG.warn("user={} is in {} mode, but {} is not the component's server (xmpp.server-domain = {}): "
                    + "unless that server trusts Offhook's component too, it shows the phone to nobody. Give "
                    + "Offhook the user's password in {} to log in as the user (login mode), or map the user with "
                    + "mode=gateway", user.toBareJID(), configured.configName(), user.getDomain(), serverDomain,
                    fileForMessages());
        }
        return configured;
    }

    /**
     * The rule of {@link #mode}, without its warning: {@link PresentationMode#LOGIN} for a user in a mode that
     * needs the component's trust whose domain is not {@code serverDomain} and who has a line in
     * {@code credentials}; {@code configured} otherwise.
     */
    public static PresentationMode effectiveMode(JID user, PresentationMode configured, String serverDomain,
                                                 Credentials credentials) {
        if (configured == PresentationMode.LOGIN || configured == PresentationMode.GATEWAY
                || user.getDomain().equals(serverDomain) || credentials.find(user).isEmpty()) {
            return configured;
        }
        return PresentationMode.LOGIN;
    }

    /** Every domain but the component's own: their users' phones are the fallback's to show. */
    @Override
    public boolean otherServer(String domain) {
        return !domain.equals(serverDomain);
    }

    @Override
    public void show(JID user, boolean registered, PhonePresence phone) {
        if (closed) {
            return;
        }
        JID bare = user.asBareJID();
        if (settings.credentials().find(bare).isEmpty()) {
            if (registered && warnedMissing.size() < MAX_WARNED && warnedMissing.add(bare)) {
                LOG.error("user={} is in login mode, but {}: the phone is not shown. Add the line '{} = "
                        + "PASSWORD' (chmod 600) and restart Offhook; the file is read at start", bare.toBareJID(),
                        settings.credentials().file().isEmpty() ? "fallback.credentials-file is not set"
                                : settings.credentials().file().get() + " (fallback.credentials-file) has no line "
                                        + "for it", bare.toBareJID());
            }
            return;
        }
        Wanted w = !registered ? Wanted.OFFLINE
                : phone.shown() ? Wanted.showing(new SessionPresence(phone.show(), XmlChars.clean(phone.status()),
                        settings.priority()))
                : new Wanted(true, Optional.empty());
        if (pending.put(bare, w) == null) {
            post(() -> apply(bare), null);
        }
    }

    // ---------------------------------------------------------------- the control thread

    private void apply(JID user) {
        Wanted w = pending.remove(user);
        if (w == null || closed) {
            return;
        }
        Slot s = slots.get(user);
        if (s == null) {
            if (!w.online()) {
                return;
            }
            Optional<Account> account = settings.credentials().find(user);
            if (account.isEmpty()) {
                return;
            }
            s = new Slot(user, account.get(), new LoginMachine(backoff, STABLE_AFTER));
            slots.put(user, s);
        }
        s.wanted = w;
        perform(s, s.machine.want(withOwn(s)));
    }

    /**
     * The engine's wish with the rule of every mode applied: when the user's own highest-priority client shows
     * dnd or xa, the phone shows that, and the client's words with the phone's ({@code presence.combine-format}).
     */
    private Wanted withOwn(Slot s) {
        Optional<SessionPresence> phone = s.wanted.presence();
        OwnPresence best = null;
        for (OwnPresence p : s.own.values()) {
            if (best == null || p.priority() > best.priority()) {
                best = p;
            }
        }
        if (phone.isEmpty() || best == null || !best.show().outranksPhone()) {
            return s.wanted;
        }
        String text = best.status().isBlank() ? phone.get().status() : phone.get().status().isEmpty()
                ? best.status().strip() : settings.combineFormat().replace("{own}", best.status().strip())
                        .replace("{phone}", phone.get().status());
        return Wanted.showing(new SessionPresence(best.show(), XmlChars.clean(text), phone.get().priority()));
    }

    /** One of the user's own clients came, changed or went, as the open session heard. */
    private void onOwn(Slot s, ClientSession session, String resource, Optional<OwnPresence> presence) {
        if (closed || s.session != session || s.machine.state() != State.ONLINE) {
            return;
        }
        if (presence.isEmpty()) {
            s.own.remove(resource);
        } else if (s.own.size() < MAX_OWN_RESOURCES || s.own.containsKey(resource)) {
            s.own.put(resource, presence.get());
        }
        perform(s, s.machine.want(withOwn(s)));
    }

    /** Does what the machine said, keeps the count of open sessions, and forgets a user with nothing to do. */
    private void perform(Slot s, Action action) {
        switch (action) {
            case NONE -> {
                // nothing to do
            }
            case CONNECT -> connect(s);
            case SEND -> {
                if (!s.session.send(s.machine.presenceToSend())) {
                    onLost(s, s.session, "its presence could not be queued (the connection is stuck)");
                    return;
                }
            }
            case CLOSE -> {
                open.decrementAndGet();
                ClientSession session = s.session;
                runLogin(() -> {
                    session.close();
                    post(() -> onClosed(s, session), null);
                }, session);
            }
            case WAIT -> s.timer = control.schedule(() -> {
                s.timer = null;
                perform(s, s.machine.due());
            }, s.machine.delay().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (s.machine.state() == State.IDLE && slots.get(s.jid) == s) {
            slots.remove(s.jid);
        }
    }

    private void connect(Slot s) {
        ClientSession[] holder = new ClientSession[1];
        ClientSession session = factory.create(s.account, settings.resource(), new ClientSession.Listener() {
            @Override
            public void lost(String reason) {
                post(() -> onLost(s, holder[0], reason), null);
            }

            @Override
            public void own(String resource, Optional<OwnPresence> presence) {
                post(() -> onOwn(s, holder[0], resource, presence), null);
            }
        });
        holder[0] = session;
        s.session = session;
        // A new session hears of the user's own clients afresh; until then the phone shows the engine's wish.
        s.own.clear();
        s.machine.want(withOwn(s));
        runLogin(() -> {
            try {
                session.open();
                post(() -> onOpened(s, session), session);
            } catch (LoginFailure f) {
                post(() -> onFailed(s, session, f), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                session.abort();
            } catch (RuntimeException e) {
                session.abort();
                post(() -> onFailed(s, session, new LoginFailure(LoginFailure.Kind.NETWORK, e.toString())), null);
            }
        }, session);
    }

    private void onOpened(Slot s, ClientSession session) {
        if (closed || s.session != session) {
            session.abort();
            return;
        }
        loginsSucceeded.increment();
        if (s.lastFailure.isPresent()) {
            LOG.info("Logged in as user={}/{} (login fallback) after {} failed attempts", s.jid.toBareJID(),
                    settings.resource(), s.machine.failures());
            s.lastFailure = Optional.empty();
        } else {
            LOG.debug("Logged in as user={}/{} (login fallback)", s.jid.toBareJID(), settings.resource());
        }
        open.incrementAndGet();
        perform(s, s.machine.opened(clock.instant()));
    }

    private void onFailed(Slot s, ClientSession session, LoginFailure f) {
        if (s.session != session) {
            return;
        }
        s.session = null;
        loginsFailed.increment();
        if (f.kind() == LoginFailure.Kind.AUTH) {
            authFailures.increment();
        }
        String text = f.kind() + ": " + f.getMessage();
        boolean repeated = s.lastFailure.isPresent() && s.lastFailure.get().equals(text);
        s.lastFailure = Optional.of(text);
        Action next = s.machine.failed();
        String hint = switch (f.kind()) {
            case AUTH -> "; check the user's line in " + fileForMessages();
            case TLS -> s.account.bosh().isPresent() ? "; the server's certificate must be one Java trusts, for "
                    + "the host of the user's bosh= in " + fileForMessages()
                    : "; check the server's certificate, or the line's tls= in " + fileForMessages();
            case REFUSED -> "";
            case NETWORK -> s.account.host().isEmpty() && s.account.bosh().isEmpty()
                    ? "; a domain without DNS SRV records needs host= in " + fileForMessages() : "";
        };
        if (repeated) {
            LOG.info("Login as user={} failed again ({}, {} in a row); next attempt in {}", s.jid.toBareJID(),
                    f.getMessage(), s.machine.failures(), human(s.machine.delay()));
        } else {
            LOG.warn("Login as user={} failed: {}{}; next attempt in {}", s.jid.toBareJID(), f.getMessage(), hint,
                    human(s.machine.delay()));
        }
        perform(s, next);
    }

    private void onLost(Slot s, ClientSession session, String reason) {
        if (session == null || s.session != session || s.machine.state() != State.ONLINE) {
            return;
        }
        s.session = null;
        session.abort();
        open.decrementAndGet();
        lost.increment();
        Action next = s.machine.lost(clock.instant(), random.nextDouble());
        LOG.info("Session of user={}/{} lost ({}); logging in again in {}", s.jid.toBareJID(),
                settings.resource(), reason, human(s.machine.delay()));
        perform(s, next);
    }

    private void onClosed(Slot s, ClientSession session) {
        if (s.session == session) {
            s.session = null;
        }
        LOG.debug("Logged off user={}/{}", s.jid.toBareJID(), settings.resource());
        perform(s, s.machine.closed());
    }

    /** Runs on the control thread; when it is gone (shutdown), aborts {@code orphan} instead. */
    private void post(Runnable task, ClientSession orphan) {
        try {
            control.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Login fallback failed on one input; it goes on with the next", e);
                }
            });
        } catch (RejectedExecutionException e) {
            if (orphan != null) {
                orphan.abort();
            }
        }
    }

    private void runLogin(Runnable task, ClientSession session) {
        try {
            logins.execute(task);
        } catch (RejectedExecutionException e) {
            session.abort();
        }
    }

    // ---------------------------------------------------------------- reading and stopping

    /** Counters, readable from any thread. */
    public FallbackStats stats() {
        return new FallbackStats(settings.credentials().size(), open.get(), loginsSucceeded.sum(),
                loginsFailed.sum(), authFailures.sum(), lost.sum());
    }

    /**
     * One user's session as the control thread sees it; empty when Offhook keeps no session for the user.
     *
     * @throws TimeoutException when the control thread does not answer in time
     */
    public Optional<SessionStatus> status(JID user, Duration timeout) throws InterruptedException, TimeoutException {
        CompletableFuture<Optional<SessionStatus>> answer = new CompletableFuture<>();
        post(() -> {
            Slot s = slots.get(user.asBareJID());
            answer.complete(s == null ? Optional.empty() : Optional.of(new SessionStatus(
                    s.machine.state() == State.ONLINE, s.machine.state().name(), s.machine.failures(),
                    s.lastFailure)));
        }, null);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** {@link #close(Duration)} with five seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * Logs every user off (unavailable presence first, then the stream's end), waiting at most {@code timeout};
     * sessions still logging in or off are dropped. Idempotent; {@link #show} does nothing afterwards.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ClientSession> online = new ArrayList<>();
        List<ClientSession> busy = new ArrayList<>();
        CompletableFuture<Void> collected = new CompletableFuture<>();
        post(() -> {
            for (Slot s : slots.values()) {
                if (s.timer != null) {
                    s.timer.cancel(false);
                }
                if (s.session != null) {
                    (s.machine.state() == State.ONLINE ? online : busy).add(s.session);
                }
            }
            slots.clear();
            collected.complete(null);
        }, null);
        try {
            collected.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Login fallback's thread did not answer within {} ms: sessions stay until the server drops them",
                    timeout.toMillis());
        }
        logins.shutdownNow();
        control.shutdownNow();
        if (online.isEmpty() && busy.isEmpty()) {
            return;
        }
        LOG.info("Logging off {} login-fallback sessions", online.size());
        ExecutorService closer = Executors.newFixedThreadPool(Math.min(settings.concurrentLogins() * 2,
                online.size() + busy.size()), daemon("offhook-fallback-close"));
        Set<ClientSession> loggedOff = ConcurrentHashMap.newKeySet();
        online.forEach(session -> closer.execute(() -> {
            session.close();
            loggedOff.add(session);
        }));
        busy.forEach(session -> closer.execute(session::abort));
        closer.shutdown();
        try {
            if (!closer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("Not every login-fallback session logged off within {} ms; the rest are dropped",
                        timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closer.shutdownNow();
        for (ClientSession session : online) {
            if (!loggedOff.contains(session)) {
                session.abort();
            }
        }
    }

    private String fileForMessages() {
        return settings.credentials().file().map(f -> f + " (fallback.credentials-file)")
                .orElse("fallback.credentials-file (not set)");
    }

    /** {@code 750 ms}, {@code 5 s}, {@code 300 s}. */
    private static String human(Duration d) {
        return d.toMillis() < 10_000 && d.toMillis() % 1000 != 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + (name.equals("offhook-fallback") ? "" : "-" + n.incrementAndGet()));
            t.setDaemon(true);
            return t;
        };
    }
}
