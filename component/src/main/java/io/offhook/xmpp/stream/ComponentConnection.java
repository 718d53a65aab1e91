package io.offhook.xmpp.stream;

import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import javax.xml.stream.XMLStreamException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/**
 * The component's one connection to its XMPP server (XEP-0114), wrapped once so that the rest of the component
 * never sees a socket: it connects, keeps the stream alive and notices its loss within seconds (end of stream,
 * stream error, socket error, or a XEP-0199 ping left unanswered), reconnects with backoff, and tells the
 * {@link ComponentListener}, which re-sends what it shows after every {@link ComponentListener#connected()}.
 *
 * <p>Nothing is queued while disconnected: {@link #send} returns false, and the resync on the next connect sends the
 * current state instead of a stale backlog.
 *
 * <p>Threads: one reader thread per live connection (named {@code xmpp-<domain>-reader-<n>}) that parses the
 * stream and calls the listener; one scheduler thread ({@code xmpp-<domain>-scheduler}) for pings, timeouts and
 * reconnects. Both are daemons and both are gone when {@link #close} returns. Writes from any thread go through
 * one lock, one stanza after another, in the order of the {@code send} calls.
 *
 * <p>The wire log: at DEBUG, logger {@value #WIRE_LOGGER} gets every stanza received and written after the
 * handshake, as XML. The stream header and the handshake (a digest of the secret) are never logged. It is off in
 * the shipped log configuration and costs one level check per stanza or batch while off.
 */
public final class ComponentConnection implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(ComponentConnection.class);
    /** The XMPP wire log: every stanza in and out after the handshake (never the handshake, which holds the secret). */
    public static final String WIRE_LOGGER = "offhook.wire.xmpp";
    private static final Logger WIRE = LogManager.getLogger(WIRE_LOGGER);
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(2);
    /** How long close() waits for threads beyond its own timeout; they end at once unless a listener blocks. */
    private static final long JOIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long REPEAT_LOG_WINDOW_MILLIS = TimeUnit.MINUTES.toMillis(1);
    private static final long MIN_CHECK_MILLIS = 5;
    private static final int MAX_PENDING_QUERIES = 10_000;
    private static final int WRITE_BUFFER_CHARS = 32 * 1024;

    private final ComponentSettings settings;
    private final ComponentListener listener;
    private final Clock clock;
    private final String address;
    private final String pingIdPrefix;
    private final String queryIdPrefix;
    private final AtomicLong nextId = new AtomicLong();
    private final Backoff backoff;
    private final FailureLog failureLog = new FailureLog();
    private final List<Thread> schedulerThreads = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<String, PendingQuery> pending = new ConcurrentHashMap<>();

    private final AtomicLong connectAttempts = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong stanzasIn = new AtomicLong();
    private final AtomicLong stanzasOut = new AtomicLong();
    private final AtomicLong pingsSent = new AtomicLong();
    private final AtomicLong pingsFailed = new AtomicLong();
    private final AtomicLong authFailures = new AtomicLong();
    private final AtomicLong oversizeStanzas = new AtomicLong();
    private volatile String lastError = "";

    /** Guards started, closed, session, reader, retry and sessionCount; waited on by awaitConnected. */
    private final Object lifecycle = new Object();
    private boolean started;
    private volatile boolean closed;
    /** The attempt or live stream, null while backing off. */
    private volatile Session session;
    /** The reader thread started last, joined on close even after its session ended. */
    private Thread reader;
    private ScheduledFuture<?> retry;
    private int sessionCount;

    /**
     * @param settings the server, the component's identity and the timings
     * @param listener receives the connection's events on its reader thread
     * @param clock    source of the times of received data and of log rate limits; must advance like real time
     */
    public ComponentConnection(ComponentSettings settings, ComponentListener listener, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.address = settings.address();
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String tag = HexFormat.of().formatHex(random);
        this.pingIdPrefix = "ping-" + tag + "-";
        this.queryIdPrefix = "q-" + tag + "-";
        this.backoff = new Backoff(settings.retryMin(), settings.retryMax(), settings.authRetryMax());
        String schedulerName = "xmpp-" + settings.componentDomain() + "-scheduler";
        this.scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, schedulerName);
            thread.setDaemon(true);
            schedulerThreads.add(thread);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Starts the connect loop and returns at once. A second call does nothing. */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the connection to " + address + " is closed");
            }
            if (started) {
                return;
            }
            started = true;
        }
        LOG.info("XMPP component {} connecting to {}", settings.componentDomain(), address);
        attempt();
    }

    /** Waits until the server has accepted the handshake; false on timeout or when closed. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lifecycle) {
            while (!isConnected()) {
                long left = deadline - System.nanoTime();
                if (closed || left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
            }
            return true;
        }
    }

    /** Whether stanzas can be sent now. */
    public boolean isConnected() {
        Session current = session;
        return current != null && current.live && !current.endSent;
    }

    /**
     * Writes one stanza and flushes. Thread-safe.
     *
     * @return false if not connected (nothing is queued: the listener resyncs on {@code connected()}) or the write
     *         failed (the connection is then dropped and re-established)
     * @throws IllegalArgumentException if the stanza holds a character XML does not allow (see {@link XmlChars})
     */
    public boolean send(Packet packet) {
        Objects.requireNonNull(packet, "packet");
        Session current = session;
        if (current == null || !current.live) {
            return false;
        }
        return current.write(List.of(serialise(packet)));
    }

    /**
     * Writes all stanzas in list order, then flushes once (a fan-out of presence to many contacts), with no other
     * stanza between them. Thread-safe. Returns and throws as {@link #send(Packet)}; no stanza is written if one of
     * them holds a character XML does not allow.
     */
    public boolean send(List<? extends Packet> packets) {
        Objects.requireNonNull(packets, "packets");
        Session current = session;
        if (current == null || !current.live) {
            return false;
        }
        List<String> xml = new ArrayList<>(packets.size());
        for (Packet packet : packets) {
            xml.add(serialise(packet));
        }
        return current.write(xml);
    }

    /**
     * Sends an IQ get or set and completes with its reply, result or error (which is then not passed to the
     * listener). The id is replaced by one of the connection's own. The future fails with {@link TimeoutException}
     * when no reply comes in time, and with {@link IOException} when not connected or the stream is lost first.
     * It completes on the reader thread: dependent stages that block must use the async variants.
     */
    public CompletableFuture<IQ> query(IQ request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (request.getType() != IQ.Type.get && request.getType() != IQ.Type.set) {
            throw new IllegalArgumentException("only IQ get and set have replies, not " + request.getType());
        }
        Session current = session;
        if (current == null || !current.live) {
            return CompletableFuture.failedFuture(new IOException("not connected to XMPP server " + address));
        }
        if (pending.size() >= MAX_PENDING_QUERIES) {
            return CompletableFuture.failedFuture(new IOException(MAX_PENDING_QUERIES
                    + " IQ queries already wait for a reply from " + address));
        }
        IQ copy = request.createCopy();
        String id = queryIdPrefix + nextId.incrementAndGet();
        copy.setID(id);
        String xml = serialise(copy);
        CompletableFuture<IQ> future = new CompletableFuture<>();
        JID to = copy.getTo();
        PendingQuery query = new PendingQuery(current, to == null ? settings.serverDomain() : to.toString(), future);
        pending.put(id, query);
        schedule(() -> {
            if (pending.remove(id, query)) {
                future.completeExceptionally(new TimeoutException("no reply from " + copy.getTo() + " to IQ " + id
                        + " within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis());
        if (!current.write(List.of(xml)) && pending.remove(id, query)) {
            future.completeExceptionally(new IOException("not connected to XMPP server " + address));
        }
        return future;
    }

    /** What the connection has done so far. */
    public ConnectionStats stats() {
        return new ConnectionStats(connects.get(), disconnects.get(), lastError, stanzasIn.get(), stanzasOut.get(),
                pingsSent.get(), pingsFailed.get(), authFailures.get(), connectAttempts.get(), oversizeStanzas.get());
    }

    /**
     * Ends the connection for good: sends {@code last} (such as unavailable presence for everything the component
     * put up), then {@code </stream:stream>}, waits up to {@code timeout} for the server to end its stream too, and
     * stops all threads. Stops the loop whatever state it is in (connecting, handshaking, backing off). A second
     * call does nothing. Stanzas in {@code last} that XML cannot carry are skipped with a warning.
     */
    public void close(List<? extends Packet> last, Duration timeout) {
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(timeout, "timeout");
        Session current;
        Thread lastReader;
        ScheduledFuture<?> pendingRetry;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            current = session;
            lastReader = reader;
            pendingRetry = retry;
            retry = null;
            lifecycle.notifyAll();
        }
        if (pendingRetry != null) {
            pendingRetry.cancel(false);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean onReader = Thread.currentThread() == lastReader;
        if (current != null) {
            if (current.endStream(lastStanzas(last), deadline) && !onReader) {
                awaitQuietly(current.ended, deadline);
            }
            current.abort(new Failure(Failure.Kind.CLOSED, "closed by " + settings.componentDomain()));
        }
        if (lastReader != null && !onReader) {
            joinQuietly(lastReader, deadline + JOIN_GRACE_NANOS);
        }
        scheduler.shutdownNow();
        if (!schedulerThreads.contains(Thread.currentThread())) {
            long schedulerDeadline = System.nanoTime() + JOIN_GRACE_NANOS;
            for (Thread thread : schedulerThreads) {
                joinQuietly(thread, schedulerDeadline);
            }
        }
        failPending(null, "the connection to " + address + " was closed");
        LOG.info("XMPP component {} closed its connection to {}", settings.componentDomain(), address);
    }

    /** {@code close(List.of(), 2 s)}. */
    @Override
    public void close() {
        close(List.of(), DEFAULT_CLOSE_TIMEOUT);
    }

    // ---- connect loop --------------------------------------------------------------------------------------

    private void attempt() {
        synchronized (lifecycle) {
            retry = null;
            if (closed || session != null) {
                return;
            }
            int number = ++sessionCount;
            Session next = new Session();
            Thread thread = new Thread(next, "xmpp-" + settings.componentDomain() + "-reader-" + number);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("thread {} failed", t.getName(), e));
            session = next;
            reader = thread;
            connectAttempts.incrementAndGet();
            thread.start();
        }
    }

    private void scheduleAttempt(Duration delay) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            try {
                retry = scheduler.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("no reconnect: the scheduler has stopped");
            }
        }
    }

    /** Marks the session live unless close() came first. */
    private boolean becomeLive(Session s) {
        synchronized (lifecycle) {
            if (closed || session != s) {
                return false;
            }
            s.lastReceivedMillis = clock.millis();
            s.live = true;
            connects.incrementAndGet();
            lifecycle.notifyAll();
        }
        backoff.accepted();
        int failed = failureLog.connected();
        LOG.info("XMPP component {} connected to {}{}", settings.componentDomain(), address,
                failed > 0 ? " after " + failed + " failed attempts" : "");
        schedule(() -> pingCheck(s), settings.pingInterval().toMillis());
        return true;
    }

    /** The end of a session: log once, tell the listener, plan the next attempt. */
    private void finish(Session s, Failure failure) {
        boolean wasLive = s.live;
        s.live = false;
        s.closeSocket();
        s.ended.countDown();
        failPending(s, failure.reason());
        if (wasLive) {
            disconnects.incrementAndGet();
        } else if (failure.kind() == Failure.Kind.CONFIG) {
            authFailures.incrementAndGet();
        }
        if (failure.kind() != Failure.Kind.CLOSED) {
            lastError = failure.reason();
        }
        boolean reconnect;
        synchronized (lifecycle) {
            if (session == s) {
                session = null;
            }
            reconnect = !closed;
        }
        Duration delay = Duration.ZERO;
        if (reconnect) {
            if (wasLive && failure.kind() == Failure.Kind.TRANSIENT) {
                backoff.configProvedGood();
            }
            delay = backoff.next(failure.kind() == Failure.Kind.CONFIG ? Failure.Kind.CONFIG : Failure.Kind.TRANSIENT);
        }
        if (reconnect) {
            failureLog.failed(failure, delay, wasLive);
        } else {
            LOG.debug("connection to {} ended after close: {}", address, failure.reason());
        }
        if (wasLive) {
            deliver("disconnected", () -> listener.disconnected(failure.reason()));
        }
        if (reconnect) {
            scheduleAttempt(delay);
        }
    }

    // ---- incoming ------------------------------------------------------------------------------------------

    private void dispatch(Session s, Element element) {
        if (!element.getNamespaceURI().isEmpty()) {
            LOG.debug("ignored <{}> in {} from {}", element.getName(), element.getNamespaceURI(), address);
            return;
        }
        Packet packet;
        try {
            packet = switch (element.getName()) {
                case "message" -> new Message(element, true);
                case "presence" -> new Presence(element, true);
                case "iq" -> new IQ(element, true);
                default -> null;
            };
            if (packet instanceof IQ iq && consumed(s, iq)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("dropped a stanza from {} that cannot be read ({}): {}", address, e.getMessage(),
                    StreamErrors.printable(element.asXML()));
            return;
        }
        if (packet == null) {
            LOG.debug("ignored <{}> from {}", element.getName(), address);
            return;
        }
        deliver("stanza", () -> listener.stanza(packet));
    }

    /** Answers the server's pings, takes replies to our pings and queries; true if the IQ was for us alone. */
    private boolean consumed(Session s, IQ iq) {
        IQ.Type type = iq.getType();
        if (type == IQ.Type.get || type == IQ.Type.set) {
            Element child = iq.getChildElement();
            if (type == IQ.Type.get && child != null && "ping".equals(child.getName())
                    && StreamProtocol.PING_NS.equals(child.getNamespaceURI()) && toOurDomain(iq.getTo())) {
                s.write(List.of(IQ.createResultIQ(iq).toXML()));
                return true;
            }
            return false;
        }
        String id = iq.getID();
        if (id == null) {
            return false;
        }
        if (id.startsWith(pingIdPrefix)) {
            if (id.equals(s.pingId)) {
                s.pingId = null;
                schedule(() -> pingCheck(s), settings.pingInterval().toMillis());
            }
            return true;
        }
        PendingQuery query = pending.get(id);
        if (query != null && query.session == s && query.answeredBy(iq.getFrom()) && pending.remove(id, query)) {
            query.future.complete(iq);
            return true;
        }
        return false;
    }

    private boolean toOurDomain(JID to) {
        return to == null || to.getNode() == null && to.getResource() == null
                && settings.componentDomain().equalsIgnoreCase(to.getDomain());
    }

    private void deliver(String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.error("the component's {} handler failed; the connection to {} goes on", what, address, e);
        }
    }

    // ---- liveness ------------------------------------------------------------------------------------------

    /** Pings when nothing has arrived for a ping interval; otherwise checks again when that will be the case. */
    private void pingCheck(Session s) {
        if (!s.live || s.endSent || s.pingId != null) {
            return;
        }
        long interval = settings.pingInterval().toMillis();
        long idle = clock.millis() - s.lastReceivedMillis;
        if (idle < interval) {
            schedule(() -> pingCheck(s), Math.max(MIN_CHECK_MILLIS, Math.min(interval, interval - idle)));
            return;
        }
        String id = pingIdPrefix + nextId.incrementAndGet();
        s.pingSentMillis = clock.millis();
        s.pingId = id;
        if (s.tryWrite(StreamProtocol.ping(settings.componentDomain(), settings.serverDomain(), id))) {
            pingsSent.incrementAndGet();
            schedule(() -> pingTimeout(s, id), settings.pingTimeout().toMillis());
            return;
        }
        s.pingId = null;
        long writing = s.writeSinceNanos;
        long stuckAfter = settings.pingInterval().plus(settings.pingTimeout()).toNanos();
        if (writing != 0 && System.nanoTime() - writing > stuckAfter) {
            pingsFailed.incrementAndGet();
            s.abort(Failure.transientFailure("XMPP server " + address + " has not taken our data for "
                    + TimeUnit.NANOSECONDS.toMillis(stuckAfter) + " ms: the peer is considered dead"));
        } else if (s.live) {
            schedule(() -> pingCheck(s), settings.pingTimeout().toMillis());
        }
    }

    private void pingTimeout(Session s, String id) {
        if (!s.live || !id.equals(s.pingId)) {
            return;
        }
        if (s.lastReceivedMillis > s.pingSentMillis) {
            // Data came after the ping, so the server is alive and its answer is queued behind that data.
            s.pingId = null;
            schedule(() -> pingCheck(s), settings.pingInterval().toMillis());
            return;
        }
        pingsFailed.incrementAndGet();
        s.abort(Failure.transientFailure("XMPP server " + address + " did not answer a XEP-0199 ping within "
                + settings.pingTimeout().toMillis() + " ms: the peer is considered dead"));
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("scheduled task on the connection to {} failed", address, e);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("not scheduled: the connection to {} is closed", address);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String serialise(Packet packet) {
        String xml = packet.toXML();
        int bad = XmlChars.firstInvalidInMarkup(xml);
        if (bad >= 0) {
            throw new IllegalArgumentException("stanza holds a character XML does not allow at offset " + bad
                    + " (clean its text with XmlChars.clean): " + StreamErrors.printable(xml));
        }
        return xml;
    }

    private List<String> lastStanzas(List<? extends Packet> last) {
        List<String> xml = new ArrayList<>(last.size());
        for (Packet packet : last) {
            try {
                xml.add(serialise(packet));
            } catch (IllegalArgumentException e) {
                LOG.warn("not sent on close: {}", e.getMessage());
            }
        }
        return xml;
    }

    private void failPending(Session s, String reason) {
        for (Map.Entry<String, PendingQuery> entry : pending.entrySet()) {
            PendingQuery query = entry.getValue();
            if ((s == null || query.session == s) && pending.remove(entry.getKey(), query)) {
                query.future.completeExceptionally(new IOException(reason));
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch, long deadlineNanos) {
        try {
            latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread, long deadlineNanos) {
        try {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("thread {} did not end on close (a listener still blocks?)", thread.getName());
        }
    }

    private Failure describe(Session s, Exception e) {
        IOException io = ioCause(e);
        if (s.eof) {
            return Failure.transientFailure("XMPP server " + address + " closed the connection without ending "
                    + "the stream");
        }
        if (io instanceof UnknownHostException) {
            return Failure.transientFailure("cannot resolve " + ComponentSettings.KEY_HOST + " '" + settings.host()
                    + "'");
        }
        if (io instanceof SocketTimeoutException && s.stage == Stage.HANDSHAKE) {
            return Failure.transientFailure("XMPP server " + address + " did not answer within "
                    + settings.connectTimeout().toMillis() + " ms: is it a XEP-0114 component port?");
        }
        if (io != null && s.stage == Stage.CONNECT || io instanceof ConnectException) {
            return Failure.transientFailure("cannot connect to XMPP server " + address + ": " + io.getMessage());
        }
        if (io != null) {
            return Failure.transientFailure("connection to XMPP server " + address + " failed: " + io.getMessage());
        }
        return Failure.transientFailure("XMPP server " + address + " sent XML that cannot be parsed: "
                + StreamErrors.printable(String.valueOf(e.getMessage())));
    }

    private static IOException ioCause(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 10; depth++) {
            if (t instanceof IOException io) {
                return io;
            }
            Throwable next = t instanceof XMLStreamException x && x.getNestedException() != null
                    ? x.getNestedException() : t.getCause();
            t = next == t ? null : next;
        }
        return null;
    }

    private static boolean isStreamError(Element element) {
        return "error".equals(element.getName()) && StreamProtocol.STREAMS_NS.equals(element.getNamespaceURI());
    }

    /** Where a session is, for the wording of its failure. */
    private enum Stage { CONNECT, HANDSHAKE, STREAM }

    /** An IQ sent by {@link #query} that waits for its reply. */
    private record PendingQuery(Session session, String expectedFrom, CompletableFuture<IQ> future) {
        /** A reply must come from where the query went; one without 'from' comes from the server. */
        boolean answeredBy(JID from) {
            return from == null || expectedFrom.equalsIgnoreCase(from.toString());
        }
    }

    /** One TCP connection: its attempt, handshake and stream, run on its own reader thread. */
    private final class Session implements Runnable {
        private final Socket socket = new Socket();
        private final ReentrantLock writeLock = new ReentrantLock();
        /** Counted down when the server ends its stream or the connection is gone. */
        private final CountDownLatch ended = new CountDownLatch(1);
        private final AtomicReference<Failure> abort = new AtomicReference<>();
        private Writer writer;
        private volatile Stage stage = Stage.CONNECT;
        private volatile boolean live;
        private volatile boolean endSent;
        private volatile boolean eof;
        private volatile long lastReceivedMillis;
        private volatile long pingSentMillis;
        private volatile String pingId;
        /** System.nanoTime() when the current write began, 0 when none is in progress. */
        private volatile long writeSinceNanos;

        @Override
        public void run() {
            Failure failure = Failure.transientFailure("the connection to " + address + " ended unexpectedly");
            try {
                failure = connectAndRead();
            } catch (StanzaReader.StanzaTooLargeException e) {
                oversizeStanzas.incrementAndGet();
                failure = abortOr(Failure.transientFailure("XMPP server " + address + " sent too much: "
                        + e.getMessage()));
            } catch (IOException | XMLStreamException e) {
                failure = abortOr(describe(this, e));
            } catch (RuntimeException e) {
                LOG.error("unexpected failure on the connection to {}", address, e);
                failure = abortOr(Failure.transientFailure("internal error on the connection to " + address + ": "
                        + e));
            } finally {
                finish(this, failure);
            }
        }

        private Failure connectAndRead() throws IOException, XMLStreamException {
            int timeout = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
            socket.connect(new InetSocketAddress(settings.host(), settings.port()), timeout);
            stage = Stage.HANDSHAKE;
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setSoTimeout(timeout);
            writer = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8),
                    WRITE_BUFFER_CHARS);
            writeRaw(StreamProtocol.streamHeader(settings.componentDomain()));
            StanzaReader stanzas = new StanzaReader(new ActivityInputStream(socket.getInputStream()),
                    settings.maxStanzaChars());
            StanzaReader.StreamHeader header = stanzas.readHeader();
            if (header.id() == null || header.id().isEmpty()) {
                // Prosody refuses an unknown component domain this way: id='' and then a stream error.
                Element refusal = stanzas.next();
                if (refusal != null && isStreamError(refusal)) {
                    return StreamErrors.describe(refusal, settings, false);
                }
                return Failure.transientFailure("XMPP server " + address + " sent no stream id: is it a XEP-0114 "
                        + "component port?");
            }
            writeRaw(StreamProtocol.handshake(header.id(), settings.secret()));
            Element answer = stanzas.next();
            if (answer == null) {
                return abortOr(Failure.config("XMPP server " + address + " closed the stream instead of answering "
                        + "the handshake of " + settings.componentDomain() + ": check " + ComponentSettings.KEY_SECRET
                        + " and " + ComponentSettings.KEY_DOMAIN));
            }
            if (isStreamError(answer)) {
                return StreamErrors.describe(answer, settings, false);
            }
            if (!"handshake".equals(answer.getName()) || !answer.getNamespaceURI().isEmpty()) {
                return Failure.transientFailure("XMPP server " + address + " answered the handshake with <"
                        + StreamErrors.printable(answer.getQualifiedName()) + ">");
            }
            socket.setSoTimeout(0);
            stage = Stage.STREAM;
            if (!becomeLive(this)) {
                return new Failure(Failure.Kind.CLOSED, "closed by " + settings.componentDomain());
            }
            deliver("connected", listener::connected);
            return readStanzas(stanzas);
        }

        private Failure readStanzas(StanzaReader stanzas) throws IOException, XMLStreamException {
            while (true) {
                Element element = stanzas.next();
                if (element == null) {
                    ended.countDown();
                    if (closed) {
                        return new Failure(Failure.Kind.CLOSED, "closed by " + settings.componentDomain());
                    }
                    endStream(List.of(), System.nanoTime());
                    return Failure.transientFailure("XMPP server " + address + " closed the stream");
                }
                stanzasIn.incrementAndGet();
                if (WIRE.isDebugEnabled()) {
                    WIRE.debug("in {}: {}", settings.componentDomain(), element.asXML());
                }
                if (isStreamError(element)) {
                    return StreamErrors.describe(element, settings, true);
                }
                dispatch(this, element);
            }
        }

        private Failure abortOr(Failure failure) {
            Failure aborted = abort.get();
            return aborted != null ? aborted : failure;
        }

        /** Ends the connection from another thread; the reader then reports {@code failure}. */
        void abort(Failure failure) {
            abort.compareAndSet(null, failure);
            closeSocket();
        }

        void closeSocket() {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing the socket to {}: {}", address, e.getMessage());
            }
        }

        boolean write(List<String> stanzas) {
            writeLock.lock();
            try {
                return live && !endSent && writeLocked(stanzas);
            } finally {
                writeLock.unlock();
            }
        }

        /** Writes unless another write holds the lock (it may be stuck on a dead peer). */
        boolean tryWrite(String stanza) {
            if (!writeLock.tryLock()) {
                return false;
            }
            try {
                return live && !endSent && writeLocked(List.of(stanza));
            } finally {
                writeLock.unlock();
            }
        }

        /**
         * Writes {@code last} and the end of our stream, waiting for the write lock at most until the deadline.
         * True if the stream end was written.
         */
        boolean endStream(List<String> last, long deadlineNanos) {
            try {
                if (!writeLock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                if (!live || endSent) {
                    return false;
                }
                if (!last.isEmpty() && !writeLocked(last)) {
                    return false;
                }
                endSent = true;
                writer.write(StreamProtocol.STREAM_END);
                writer.flush();
                return true;
            } catch (IOException e) {
                abort(Failure.transientFailure("writing to " + address + " failed: " + e.getMessage()));
                return false;
            } finally {
                writeLock.unlock();
            }
        }

        private boolean writeLocked(List<String> stanzas) {
            writeSinceNanos = System.nanoTime() | 1;
            try {
                boolean wire = WIRE.isDebugEnabled();
                for (String stanza : stanzas) {
                    writer.write(stanza);
                    if (wire) {
                        WIRE.debug("out {}: {}", settings.componentDomain(), stanza);
                    }
                }
                writer.flush();
                stanzasOut.addAndGet(stanzas.size());
                return true;
            } catch (IOException e) {
                abort(Failure.transientFailure("writing to " + address + " failed: " + e.getMessage()));
                return false;
            } finally {
                writeSinceNanos = 0;
            }
        }

        private void writeRaw(String text) throws IOException {
            writeLock.lock();
            try {
                writer.write(text);
                writer.flush();
            } finally {
                writeLock.unlock();
            }
        }

        /** Notes when data arrives (proof of life) and when the server closed the TCP connection. */
        private final class ActivityInputStream extends FilterInputStream {
            ActivityInputStream(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    eof = true;
                } else {
                    lastReceivedMillis = clock.millis();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n < 0) {
                    eof = true;
                } else if (n > 0) {
                    lastReceivedMillis = clock.millis();
                }
                return n;
            }
        }
    }

    /**
     * Logs each failure once, and the same failure again at most once a minute (DEBUG in between, then with a
     * count), so a refused configuration retried for hours leaves a handful of lines, not one per attempt.
     */
    private final class FailureLog {
        private String lastReason;
        private long loggedAtMillis;
        private int repeats;
        private int failuresSinceConnect;

        synchronized void failed(Failure failure, Duration delay, boolean wasLive) {
            if (!wasLive) {
                failuresSinceConnect++;
            }
            String text = wasLive ? "XMPP component " + settings.componentDomain() + " lost its connection to "
                    + address + ": " + failure.reason() : failure.reason();
            long now = clock.millis();
            boolean same = failure.reason().equals(lastReason);
            if (same && now - loggedAtMillis < REPEAT_LOG_WINDOW_MILLIS) {
                repeats++;
                LOG.debug("{} (again; next attempt in {} ms)", text, delay.toMillis());
                return;
            }
            Level level = failure.kind() == Failure.Kind.CONFIG && !same ? Level.ERROR : Level.WARN;
            LOG.log(level, "{}{}; next attempt in {} ms", text,
                    repeats > 0 ? " (" + (repeats + 1) + " times since last logged)" : "", delay.toMillis());
            lastReason = failure.reason();
            loggedAtMillis = now;
            repeats = 0;
        }

        /** Returns how many attempts failed since the last connect. */
        synchronized int connected() {
            int failed = failuresSinceConnect;
            failuresSinceConnect = 0;
            return failed;
        }
    }
}
