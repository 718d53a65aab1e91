package io.offhook.tap.publish.out;

import gov.nist.javax.sip.SipStackImpl;
import io.offhook.tap.publish.JainSipStacks;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.URI;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.RetryAfterHeader;
import javax.sip.header.SIPETagHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Publishes chat presence to a SIP presence server: the JAIN-SIP adapter around {@link OutboundPublications}, and
 * the only class of this package that touches the network.
 *
 * <p>{@link #publish} and {@link #remove} may be called from any thread and never block: they put the user's latest
 * state in a map (a later state replaces an earlier one not yet sent, so a burst of changes costs one PUBLISH), and
 * the publisher's own thread takes it from there. The map holds at most {@link SipPublishConfig#maxUsers()} users;
 * beyond, updates are dropped and counted. Answers, timeouts and transport errors come back on JAIN-SIP's threads
 * and are handed to the publisher's thread too, which alone drives the state machine.
 */
public final class SipPublisher implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(SipPublisher.class);
    /** The wire log of the PUBLISH requests sent (DEBUG). */
    public static final String WIRE_LOGGER = "offhook.wire.sip.publish-out";
    private static final Logger WIRE = LogManager.getLogger(WIRE_LOGGER);
    private static final AtomicInteger STACKS = new AtomicInteger();
    private static final long CLOSE_MILLIS = 2000;

    private final SipPublishConfig config;
    private final Clock clock;
    private final OutboundPublications machine;
    private final Map<String, Optional<ChatState>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicReference<SipPublishStats> stats;
    private final ScheduledExecutorService thread;
    private final CountDownLatch removed = new CountDownLatch(1);
    private volatile boolean closing;
    private final Listener listener = new Listener();
    private SipStackImpl stack;
    private SipProvider provider;
    private MessageFactory messages;
    private HeaderFactory headers;
    private AddressFactory addresses;
    private long cseq;

    /** A publisher that does nothing until {@link #start()}. */
    public SipPublisher(SipPublishConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.machine = new OutboundPublications(config.settings(), () -> ThreadLocalRandom.current().nextDouble());
        this.stats = new AtomicReference<>(snapshot());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "offhook-sip-publish");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds the local SIP port and starts the thread.
     *
     * @throws SipException when the stack cannot start or the port cannot be bound (the message names it)
     */
    public synchronized void start() throws SipException {
        if (stack != null) {
            throw new IllegalStateException("already started");
        }
        Properties p = JainSipStacks.baseProperties("offhook-publish-out-" + STACKS.incrementAndGet());
        p.setProperty("javax.sip.OUTBOUND_PROXY", config.targetHost() + ":" + config.targetPort() + "/"
                + config.transport());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "2");
        p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", "4");
        try {
            stack = JainSipStacks.newStack(p, "offhook-publish-out-start");
            SipFactory factory = SipFactory.getInstance();
            messages = factory.createMessageFactory();
            headers = factory.createHeaderFactory();
            addresses = factory.createAddressFactory();
            ListeningPoint lp = stack.createListeningPoint(config.listenAddress(), config.listenPort(),
                    config.transport());
            provider = stack.createSipProvider(lp);
            provider.addSipListener(listener);
            stack.start();
        } catch (Exception e) {
            stopStack();
            throw new SipException("cannot publish from " + config.listenAddress() + ":" + config.listenPort()
                    + " (sip-publish.listen): " + e.getMessage(), e);
        }
        thread.scheduleWithFixedDelay(this::pumpSafely, 500, 500, TimeUnit.MILLISECONDS);
        LOG.info("Publishing chat presence to sip:{}:{};transport={} from {}:{}", config.targetHost(),
                config.targetPort(), config.transport(), config.listenAddress(), config.listenPort());
    }

    /** {@code entity}'s chat presence is {@code state} now. Never blocks. */
    public void publish(String entity, ChatState state) {
        offer(entity, Optional.of(state));
    }

    /** {@code entity} is no longer published: its publication is removed (Expires 0). Never blocks. */
    public void remove(String entity) {
        offer(entity, Optional.empty());
    }

    private void offer(String entity, Optional<ChatState> state) {
        if (closing) {
            return;
        }
        if (pending.size() >= config.maxUsers() && !pending.containsKey(entity)) {
            dropped.incrementAndGet();
            return;
        }
        pending.put(entity, state);
        if (drainScheduled.compareAndSet(false, true)) {
            thread.execute(this::drain);
        }
    }

    /** What it did so far (a copy made on the publisher's thread, at most half a second old). */
    public SipPublishStats stats() {
        SipPublishStats s = stats.get();
        return new SipPublishStats(s.answers(), s.serverDown(), s.timesDown(), s.users(), dropped.get());
    }

    // ---------------------------------------------------------------- the publisher's thread

    private void drain() {
        drainScheduled.set(false);
        for (String entity : List.copyOf(pending.keySet())) {
            Optional<ChatState> state = pending.remove(entity);
            if (state == null) {
                continue;
            }
            if (state.isEmpty()) {
                machine.remove(entity);
            } else if (!machine.update(entity, state.get())) {
                dropped.incrementAndGet();
            }
        }
        pumpSafely();
    }

    private void pumpSafely() {
        try {
            send(machine.due(clock.instant()));
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and go on.
            LOG.warn("Publishing chat presence failed: {}", e.toString());
        }
        stats.set(snapshot());
        if (closing && machine.idle()) {
            removed.countDown();
        }
    }

    private SipPublishStats snapshot() {
        Map<OutboundPublications.Outcome, Long> answers = new EnumMap<>(OutboundPublications.Outcome.class);
        for (OutboundPublications.Outcome o : OutboundPublications.Outcome.values()) {
            answers.put(o, machine.outcomes(o));
        }
        return new SipPublishStats(answers, machine.serverDown(), machine.timesDown(), machine.size(), 0);
    }

    private void send(List<OutboundPublications.Request> requests) {
        List<Long> failed = new ArrayList<>();
        for (OutboundPublications.Request r : requests) {
            try {
                Request request = request(r);
                if (WIRE.isDebugEnabled()) {
                    WIRE.debug("{}", request);
                }
                ClientTransaction ct = provider.getNewClientTransaction(request);
                // Timer F is 64 * T1 (RFC 3261 17.1.2.2): T1 from the configured timeout.
                ct.setRetransmitTimer((int) Math.max(10, config.timeout().toMillis() / 64));
                ct.setApplicationData(r.id());
                ct.sendRequest();
            } catch (SipException | ParseException | RuntimeException
                     | javax.sip.InvalidArgumentException e) {
                LOG.debug("PUBLISH for {} not sent: {}", r.entity(), e.toString());
                failed.add(r.id());
            }
        }
        for (long id : failed) {
            machine.answered(id, OutboundPublications.Answer.NONE, clock.instant());
        }
    }

    private Request request(OutboundPublications.Request r)
            throws ParseException, javax.sip.InvalidArgumentException {
        URI uri = addresses.createURI(r.entity());
        Address address = addresses.createAddress(uri);
        String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());
        Request request = messages.createRequest(uri, Request.PUBLISH, provider.getNewCallId(),
                headers.createCSeqHeader(++cseq, Request.PUBLISH), headers.createFromHeader(address, tag),
                headers.createToHeader(address, null),
                List.of(headers.createViaHeader(config.listenAddress(), config.listenPort(), config.transport(),
                        null)),
                headers.createMaxForwardsHeader(70));
        request.addHeader(headers.createEventHeader("presence"));
        request.addHeader(headers.createExpiresHeader(r.expires()));
        if (r.ifMatch() != null) {
            request.addHeader(headers.createSIPIfMatchHeader(r.ifMatch()));
        }
        if (r.body() != null) {
            request.setContent(r.body(), headers.createContentTypeHeader("application", "pidf+xml"));
        }
        return request;
    }

    private void answer(ClientTransaction ct, OutboundPublications.Answer answer) {
        if (ct == null || !(ct.getApplicationData() instanceof Long id)) {
            return;
        }
        try {
            thread.execute(() -> {
                machine.answered(id, answer, clock.instant());
                pumpSafely();
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // Closed meanwhile.
        }
    }

    private static OutboundPublications.Answer answerOf(Response response) {
        SIPETagHeader etag = (SIPETagHeader) response.getHeader(SIPETagHeader.NAME);
        ExpiresHeader expires = response.getExpires();
        MinExpiresHeader min = (MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME);
        RetryAfterHeader retry = (RetryAfterHeader) response.getHeader(RetryAfterHeader.NAME);
        return new OutboundPublications.Answer(response.getStatusCode(), etag == null ? null : etag.getETag(),
                expires == null ? -1 : expires.getExpires(), min == null ? -1 : min.getExpires(),
                retry == null ? -1 : retry.getRetryAfter());
    }

    private final class Listener implements SipListener {
        @Override
        public void processRequest(RequestEvent event) {
            // A publisher takes no requests; JAIN-SIP's transaction layer ignores what has no server transaction.
        }

        @Override
        public void processResponse(ResponseEvent event) {
            Response response = event.getResponse();
            if (response.getStatusCode() >= 200) {
                answer(event.getClientTransaction(), answerOf(response));
            }
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            answer(event.getClientTransaction(), OutboundPublications.Answer.NONE);
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            LOG.debug("Transport error towards {}:{}", event.getHost(), event.getPort());
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
        }
    }

    /**
     * Removes every publication (Expires 0), waiting at most two seconds for the answers, then stops. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        if (stack != null) {
            try {
                thread.execute(() -> {
                    send(machine.shutdown());
                    pumpSafely();
                });
                if (!removed.await(CLOSE_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.info("The presence server did not answer every removal within {} ms", CLOSE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Not running.
            }
        }
        thread.shutdownNow();
        synchronized (this) {
            stopStack();
        }
    }

    private void stopStack() {
        JainSipStacks.stop(stack, provider, listener, config.listenAddress(), config.listenPort());
        stack = null;
        provider = null;
    }
}
