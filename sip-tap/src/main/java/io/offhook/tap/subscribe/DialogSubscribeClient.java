package io.offhook.tap.subscribe;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.Utils;
import io.offhook.tap.publish.JainSipStacks;
import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.publish.PublishConfig;
import io.offhook.tap.publish.PublishedStateListener;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ObjectInUseException;
import javax.sip.PeerUnavailableException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.RetryAfterHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The dialog-event subscriber on the network: a JAIN-SIP stack listening on
 * {@link SubscribeConfig#bindAddress()}:{@link SubscribeConfig#port()} that sends the {@link DialogSubscriber}'s
 * SUBSCRIBEs to the target (the stack's outbound proxy, so in-dialog refreshes take the same way whatever Contact
 * the notifier gave) and hands it the answers, the transaction timeouts (RFC 3261 Timer F: 32 s without an answer)
 * and the NOTIFYs, answering each NOTIFY with what the subscriber decides.
 *
 * <p>One thread of its own sends (the subscriber's outbox must not block, and a TCP connect may) and ticks the
 * subscriber four times a second. {@link #close()} unsubscribes every user and waits at most
 * {@link #UNSUBSCRIBE_WAIT} for the answers before the stack stops.
 *
 * <p>The wire log: at DEBUG, logger {@value #WIRE_LOGGER} gets every request and response it receives.
 */
public final class DialogSubscribeClient implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(DialogSubscribeClient.class);
    /** The wire log of the subscriber (under {@code offhook.wire}, like the others). */
    public static final String WIRE_LOGGER = "offhook.wire.sip.subscribe";
    private static final Logger WIRE = LogManager.getLogger(WIRE_LOGGER);
    /** The longest wait for the answers to the Expires: 0 SUBSCRIBEs at shutdown. */
    public static final Duration UNSUBSCRIBE_WAIT = Duration.ofSeconds(2);
    private static final AtomicInteger STACKS = new AtomicInteger();
    private static final int MAX_BODY = 65_536;

    private final SubscribeConfig config;
    private final DialogSubscriber subscriber;
    private final ScheduledExecutorService worker;
    private final Listener listener = new Listener();
    private final LongAdder received = new LongAdder();
    private SipStackImpl stack;
    private SipProvider provider;
    private MessageFactory messages;
    private HeaderFactory headers;
    private AddressFactory addresses;
    private ContactHeader contact;
    private boolean closed;

    /**
     * @param combinerSource where the subscriptions' phone state goes (a {@code StateCombiner} source)
     */
    public DialogSubscribeClient(SubscribeConfig config, PublishedStateListener combinerSource, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        // The subscriptions' own state keeping: lifetimes are the subscriber's business, so the limits are wide.
        PublishConfig keeping = PublishConfig.defaults().withExpires(Duration.ofSeconds(1), Duration.ofDays(2))
                .withLimits(10_000_000, MAX_BODY, 1_000_000);
        PublicationStore store = new PublicationStore(keeping, combinerSource, clock);
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "offhook-subscribe");
            t.setDaemon(true);
            return t;
        });
        this.subscriber = new DialogSubscriber(config, store, request -> worker.execute(() -> send(request)), clock,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * Starts the stack and the ticks; users come with {@link #setUsers}.
     *
     * @throws SipException when the stack cannot start or the port cannot be bound (the message names it)
     */
    public synchronized void start() throws SipException {
        if (stack != null) {
            throw new IllegalStateException("already started");
        }
        Properties p = JainSipStacks.baseProperties("offhook-subscribe-" + STACKS.incrementAndGet());
        String host = config.targetHost().contains(":") ? "[" + config.targetHost() + "]" : config.targetHost();
        p.setProperty("javax.sip.OUTBOUND_PROXY", host + ":" + config.targetPort() + "/" + config.transport());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "2");
        p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", "16");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(MAX_BODY + 16_384));
        p.setProperty("gov.nist.javax.sip.READ_TIMEOUT", "10000");
        try {
            stack = JainSipStacks.newStack(p, "offhook-subscribe-start");
            SipFactory factory = SipFactory.getInstance();
            messages = factory.createMessageFactory();
            headers = factory.createHeaderFactory();
            addresses = factory.createAddressFactory();
            ListeningPoint lp = stack.createListeningPoint(config.bindAddress(), config.port(), config.transport());
            provider = stack.createSipProvider(lp);
            provider.addSipListener(listener);
            String me = config.bindAddress().contains(":") ? "[" + config.bindAddress() + "]" : config.bindAddress();
            contact = headers.createContactHeader(addresses.createAddress("<sip:offhook@" + me + ":" + config.port()
                    + (config.tcp() ? ";transport=tcp" : "") + ">"));
            stack.start();
        } catch (PeerUnavailableException | InvalidArgumentException | ObjectInUseException | ParseException
                 | java.util.TooManyListenersException e) {
            stop();
            throw new SipException("cannot listen for NOTIFY on " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        } catch (SipException | RuntimeException e) {
            stop();
            throw e;
        }
        worker.scheduleWithFixedDelay(this::tick, 250, 250, TimeUnit.MILLISECONDS);
        LOG.info("Dialog-event subscriptions to {}:{} over {}, NOTIFYs on {}:{}, Expires {} s, at most {} new a "
                        + "second", config.targetHost(), config.targetPort(), config.transport(),
                config.bindAddress(), config.port(), config.expires().toSeconds(), config.ratePerSecond());
    }

    /** The users to watch from now on (see {@link DialogSubscriber#setUsers}). */
    public void setUsers(Collection<String> aors) {
        subscriber.setUsers(aors);
    }

    /** The subscriber's counters. */
    public SubscriberStats stats() {
        return subscriber.stats();
    }

    /** SIP messages received (NOTIFYs, responses, anything else). */
    public long received() {
        return received.sum();
    }

    private void tick() {
        try {
            subscriber.tick();
        } catch (RuntimeException e) {
            // A failure must not end the ticks (a scheduled task that throws is never run again).
            LOG.warn("Dialog subscriber tick failed: {}", e.toString());
        }
    }

    /** Unsubscribes everyone (bounded by {@link #UNSUBSCRIBE_WAIT}) and stops. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (stack != null) {
            int n = subscriber.unsubscribeAll();
            long deadline = System.nanoTime() + UNSUBSCRIBE_WAIT.toNanos();
            while (subscriber.pendingUnsubscribes() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            int left = subscriber.pendingUnsubscribes();
            LOG.info("Dialog subscriptions ended: {} unsubscribed{}", n, left > 0 ? ", " + left + " unanswered" : "");
        }
        worker.shutdownNow();
        synchronized (this) {
            stop();
        }
    }

    private void stop() {
        JainSipStacks.stop(stack, provider, listener, config.bindAddress(), config.port());
        provider = null;
        stack = null;
    }

    // ---------------------------------------------------------------- sending

    private void send(SubscribeRequest r) {
        SipProvider p = provider;
        if (p == null) {
            return;
        }
        try {
            Request request = messages.createRequest(addresses.createURI(r.requestUri()), Request.SUBSCRIBE,
                    headers.createCallIdHeader(r.callId()), headers.createCSeqHeader(r.cseq(), Request.SUBSCRIBE),
                    headers.createFromHeader(addresses.createAddress(config.from()), r.localTag()),
                    headers.createToHeader(addresses.createAddress(r.aor()), r.remoteTag()),
                    List.of(headers.createViaHeader(config.bindAddress(), config.port(), config.transport(),
                            Utils.getInstance().generateBranchId())),
                    headers.createMaxForwardsHeader(70));
            request.addHeader((ContactHeader) contact.clone());
            request.addHeader(headers.createEventHeader("dialog"));
            request.addHeader(headers.createAcceptHeader("application", "dialog-info+xml"));
            request.addHeader(headers.createExpiresHeader((int) Math.min(Integer.MAX_VALUE, r.expires())));
            if (r.authorization() != null) {
                request.addHeader(headers.createHeader(r.proxyAuthorization() ? "Proxy-Authorization"
                        : "Authorization", r.authorization()));
            }
            ClientTransaction tx = p.getNewClientTransaction(request);
            tx.sendRequest();
            LOG.debug("Sent {}", r);
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            LOG.debug("Could not send {}: {}", r, e.toString());
            subscriber.onTimeout(r.callId(), r.cseq());
        }
    }

    // ---------------------------------------------------------------- receiving

    private void onResponse(Response response) {
        CallIdHeader callId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (callId == null || cseq == null || !Request.SUBSCRIBE.equals(cseq.getMethod())
                || response.getStatusCode() < 200) {
            return;
        }
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        ExpiresHeader expires = response.getExpires();
        ContactHeader c = (ContactHeader) response.getHeader(ContactHeader.NAME);
        RetryAfterHeader retry = (RetryAfterHeader) response.getHeader(RetryAfterHeader.NAME);
        MinExpiresHeader min = (MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME);
        String challenge = null;
        if (response.getStatusCode() == 401 || response.getStatusCode() == 407) {
            javax.sip.header.Header h = response.getHeader(response.getStatusCode() == 401
                    ? WWWAuthenticateHeader.NAME : ProxyAuthenticateHeader.NAME);
            challenge = h == null ? null : headerValue(h.toString());
        }
        subscriber.onResponse(callId.getCallId(), cseq.getSeqNumber(), new SubscribeResponse(
                response.getStatusCode(), expires == null ? -1 : expires.getExpires(),
                to == null ? null : to.getTag(), uriOf(c), retry == null ? -1 : retry.getRetryAfter(),
                min == null ? -1 : min.getExpires(), challenge));
    }

    private void onRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            return;
        }
        if (!Request.NOTIFY.equals(method)) {
            respond(event, Request.OPTIONS.equals(method) ? 200 : 405,
                    Request.OPTIONS.equals(method) ? "OK" : "Method Not Allowed");
            return;
        }
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        if (callId == null) {
            respond(event, 400, "Missing Call-ID");
            return;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        EventHeader ev = (EventHeader) request.getHeader(EventHeader.NAME);
        SubscriptionStateHeader state = (SubscriptionStateHeader) request.getHeader(SubscriptionStateHeader.NAME);
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        byte[] body = request.getRawContent();
        NotifyRequest n = new NotifyRequest(callId.getCallId(), to == null ? null : to.getTag(),
                from == null ? null : from.getTag(), ev == null ? null : ev.getEventType(),
                state == null || state.getState() == null ? null : state.getState().toLowerCase(Locale.ROOT),
                state == null ? -1 : state.getExpires(),
                state == null || state.getReasonCode() == null ? null
                        : state.getReasonCode().toLowerCase(Locale.ROOT),
                state == null ? -1 : state.getRetryAfter(),
                type == null || type.getContentType() == null ? null
                        : (type.getContentType() + "/" + type.getContentSubType()).toLowerCase(Locale.ROOT),
                body == null ? new byte[0] : body, uriOf((ContactHeader) request.getHeader(ContactHeader.NAME)));
        NotifyAnswer answer = subscriber.onNotify(n);
        respond(event, answer.status(), answer.reason());
    }

    private void respond(RequestEvent event, int status, String reason) {
        SipProvider p = provider;
        if (p == null) {
            return;
        }
        Response response;
        try {
            response = messages.createResponse(status, event.getRequest());
            response.setReasonPhrase(reasonPhrase(reason));
            if (status == 405 || status == 200 && Request.OPTIONS.equals(event.getRequest().getMethod())) {
                response.addHeader(headers.createAllowHeader(Request.NOTIFY));
            }
            if (status == 489) {
                response.addHeader(headers.createAllowEventsHeader("dialog"));
            }
            if (status == 415) {
                response.addHeader(headers.createAcceptHeader("application", "dialog-info+xml"));
            }
        } catch (ParseException e) {
            LOG.debug("Could not build the {} answer: {}", status, e.toString());
            return;
        }
        try {
            ServerTransaction tx = event.getServerTransaction();
            if (tx == null) {
                tx = p.getNewServerTransaction(event.getRequest());
            }
            tx.sendResponse(response);
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            try {
                p.sendResponse(response);
            } catch (SipException | RuntimeException again) {
                LOG.debug("Could not send {} {}: {}", status, reason, again.toString());
            }
        }
    }

    private static String uriOf(ContactHeader c) {
        if (c == null) {
            return null;
        }
        Address a = c.getAddress();
        return a == null || a.getURI() == null ? null : a.getURI().toString();
    }

    /** The value of an encoded header line ({@code Name: value CRLF}). */
    private static String headerValue(String encoded) {
        int colon = encoded.indexOf(':');
        return (colon < 0 ? encoded : encoded.substring(colon + 1)).strip();
    }

    /** A reason phrase: printable, on one line, at most 200 characters. */
    private static String reasonPhrase(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < 200; i++) {
            char c = text.charAt(i);
            b.append(c < ' ' || c == 0x7F ? ' ' : c);
        }
        return b.toString().strip();
    }

    /** JAIN-SIP's callbacks; a failure in one is logged, never thrown back into the stack. */
    private final class Listener implements SipListener {
        @Override
        public void processRequest(RequestEvent event) {
            received.increment();
            WIRE.debug("{}", event.getRequest());
            try {
                onRequest(event);
            } catch (RuntimeException e) {
                LOG.warn("Dialog subscriber failed on a {}: {}", event.getRequest().getMethod(), e.toString());
                LOG.debug("Dialog subscriber failure", e);
                respond(event, 500, "Server Internal Error");
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            received.increment();
            WIRE.debug("{}", event.getResponse());
            try {
                onResponse(event.getResponse());
            } catch (RuntimeException e) {
                LOG.warn("Dialog subscriber failed on a response: {}", e.toString());
            }
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            if (event.isServerTransaction() || event.getClientTransaction() == null) {
                return;
            }
            Request r = event.getClientTransaction().getRequest();
            CallIdHeader callId = (CallIdHeader) r.getHeader(CallIdHeader.NAME);
            CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
            if (callId != null && cseq != null) {
                subscriber.onTimeout(callId.getCallId(), cseq.getSeqNumber());
            }
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            LOG.debug("Dialog subscriber: I/O error with {}:{} over {}", event.getHost(), event.getPort(),
                    event.getTransport());
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
        }
    }
}
