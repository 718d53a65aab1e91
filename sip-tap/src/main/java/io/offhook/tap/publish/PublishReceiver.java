package io.offhook.tap.publish;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import io.offhook.tap.hep.AddressAllowList;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.track.Aor;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
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
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.SIPIfMatchHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Receives SIP PUBLISH requests (RFC 3903) on the JAIN-SIP stack and answers them with what the
 * {@link PublicationStore} decides: the only class of this package that touches the network.
 *
 * <p>JAIN-SIP does the SIP transport work: UDP and TCP, server transactions (a retransmitted PUBLISH gets the same
 * answer again, not a second application), and the message syntax. Before the store sees a request, the receiver
 * checks, in this order, and counts every refusal in {@link DropCounters}:
 * <ol>
 *   <li>the sender's address is on the allow-list, else 403 ({@link DropReason#PUBLISH_NOT_ALLOWED});</li>
 *   <li>the sender is within its rate, else 503 with Retry-After ({@link DropReason#PUBLISH_RATE_LIMITED});</li>
 *   <li>the method is PUBLISH (OPTIONS is answered 200 with what is accepted, ACK is ignored, anything else 405);
 *       </li>
 *   <li>with credentials configured, digest authentication (401 challenge; wrong credentials 403,
 *       {@link DropReason#PUBLISH_AUTH_FAILED});</li>
 *   <li>the resource: the Request-URI's address of record when it has a user part (RFC 3903 section 6, step 1),
 *       else the To header's; neither: 404.</li>
 * </ol>
 * What the store refuses is counted as {@link DropReason#PUBLISH_REJECTED} (a 412 without a log line: publishers
 * meet it after every restart of Offhook, and start over).
 *
 * <p>The wire log: at DEBUG, logger {@value #WIRE_LOGGER} gets every request as received, with the credentials of
 * Authorization headers left out.
 */
public final class PublishReceiver implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(PublishReceiver.class);
    /** The logger of the PUBLISH wire log (under {@code offhook.wire}, like the tap's and XMPP's). */
    public static final String WIRE_LOGGER = "offhook.wire.sip.publish";
    private static final Logger WIRE = LogManager.getLogger(WIRE_LOGGER);
    private static final Pattern CREDENTIALS = Pattern.compile("(?im)^((?:proxy-)?authorization[ \t]*:).*$");
    private static final AtomicInteger STACKS = new AtomicInteger();
    /** Room for the headers of a PUBLISH around its body, on TCP. */
    private static final int HEADER_ALLOWANCE = 16_384;
    private static final int MAX_REASON = 200;

    private final PublishConfig config;
    private final PublicationStore store;
    private final DropCounters drops;
    private final AddressAllowList allowList;
    private final RateLimiter rateLimiter;
    private final DigestAuth auth;
    private final SecureRandom random = new SecureRandom();
    private final LongAdder received = new LongAdder();
    private final Listener listener = new Listener();
    private SipStackImpl stack;
    private MessageFactory messages;
    private HeaderFactory headers;
    private SipProvider provider;
    private boolean closed;

    /**
     * @param clock the clock of digest nonces
     * @param nanoTime the clock of the rate limiter ({@link System#nanoTime} live)
     */
    public PublishReceiver(PublishConfig config, PublicationStore store, DropCounters drops, Clock clock,
                           LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.drops = Objects.requireNonNull(drops, "drops");
        this.allowList = AddressAllowList.of(config.allowList());
        this.rateLimiter = new RateLimiter(config.ratePerSecond(), nanoTime);
        this.auth = config.credentials().isEmpty() ? null
                : new DigestAuth(config.credentials(), config.realm(), clock);
    }

    /**
     * Starts listening.
     *
     * @throws SipException when the stack cannot start or a port cannot be bound (the message names it)
     */
    public synchronized void start() throws SipException {
        if (stack != null) {
            throw new IllegalStateException("already started");
        }
        Properties p = JainSipStacks.baseProperties("offhook-publish-" + STACKS.incrementAndGet());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", "64");
        p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "10000");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE",
                Integer.toString(config.maxBodyBytes() + HEADER_ALLOWANCE));
        p.setProperty("gov.nist.javax.sip.READ_TIMEOUT", "10000");
        try {
            stack = JainSipStacks.newStack(p, "offhook-publish-start");
            SipFactory factory = SipFactory.getInstance();
            messages = factory.createMessageFactory();
            headers = factory.createHeaderFactory();
            for (String transport : config.udp() && config.tcp() ? new String[] {"udp", "tcp"}
                    : new String[] {config.udp() ? "udp" : "tcp"}) {
                ListeningPoint lp = stack.createListeningPoint(config.bindAddress(), config.port(), transport);
                if (provider == null) {
                    provider = stack.createSipProvider(lp);
                } else {
                    provider.addListeningPoint(lp);
                }
            }
            provider.addSipListener(listener);
            stack.start();
        } catch (PeerUnavailableException | InvalidArgumentException | ObjectInUseException
                 | java.util.TooManyListenersException e) {
            stop();
            throw new SipException("cannot listen for PUBLISH on " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        } catch (SipException | RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("SIP PUBLISH on {}:{} ({}), publishers {}{}", config.bindAddress(), config.port(),
                config.udp() && config.tcp() ? "udp, tcp" : config.udp() ? "udp" : "tcp", allowList,
                auth == null ? "" : ", digest realm " + config.realm());
    }

    /** Requests received (any method, refused ones included). */
    public long received() {
        return received.sum();
    }

    /** Stops listening. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
    }

    private void stop() {
        if (stack == null) {
            return;
        }
        JainSipStacks.stop(stack, provider, listener, config.bindAddress(), config.port());
        provider = null;
        stack = null;
    }

    // ---------------------------------------------------------------- requests

    private void onRequest(RequestEvent event) {
        Request request = event.getRequest();
        received.increment();
        if (WIRE.isDebugEnabled()) {
            WIRE.debug("{}", CREDENTIALS.matcher(request.toString()).replaceAll("$1 <credentials left out>"));
        }
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            return;
        }
        SIPRequest sip = (SIPRequest) request;
        InetAddress from = sip.getRemoteAddress();
        String publisher = from == null ? "?" : from.getHostAddress() + ":" + sip.getRemotePort();
        if (from == null || !allowList.allows(from)) {
            drops.drop(DropReason.PUBLISH_NOT_ALLOWED, method + " from " + publisher + " (not on publish.allow)");
            respond(event, PublishAnswer.error(403, "Forbidden"));
            return;
        }
        if (!rateLimiter.allow(from)) {
            drops.drop(DropReason.PUBLISH_RATE_LIMITED, method + " from " + publisher + " over "
                    + config.ratePerSecond() + " requests a second");
            respond(event, PublishAnswer.unavailable("Too many requests", 1));
            return;
        }
        if (Request.OPTIONS.equals(method)) {
            respond(event, new PublishAnswer(200, "OK", null, -1, -1, EventPackage.NAMES, null, -1));
            return;
        }
        if (!Request.PUBLISH.equals(method)) {
            respond(event, PublishAnswer.error(405, "Method Not Allowed"));
            return;
        }
        if (auth != null && !authenticated(event, request, publisher)) {
            return;
        }
        String aor = resource(request);
        if (aor == null) {
            drops.drop(DropReason.PUBLISH_REJECTED, "PUBLISH from " + publisher + " names no user: "
                    + request.getRequestURI());
            respond(event, PublishAnswer.error(404, "No user in the Request-URI or To"));
            return;
        }
        PublishAnswer answer = store.publish(toPublishRequest(request, aor, publisher));
        if (answer.status() == 412) {
            drops.count(DropReason.PUBLISH_REJECTED);
        } else if (!answer.ok()) {
            drops.drop(DropReason.PUBLISH_REJECTED, answer.status() + " " + answer.reason() + " to " + publisher
                    + " for " + aor);
        }
        respond(event, answer);
    }

    private boolean authenticated(RequestEvent event, Request request, String publisher) {
        AuthorizationHeader header = (AuthorizationHeader) request.getHeader(AuthorizationHeader.NAME);
        String value = header == null ? null : headerValue(header.toString());
        DigestAuth.Outcome outcome = auth.check(request.getMethod(), request.getRequestURI().toString(), value);
        if (outcome instanceof DigestAuth.Outcome.Authenticated) {
            return true;
        }
        if (outcome instanceof DigestAuth.Outcome.Refused refused) {
            drops.drop(DropReason.PUBLISH_AUTH_FAILED, "PUBLISH from " + publisher + ": " + refused.reason());
            respond(event, PublishAnswer.error(403, "Forbidden"));
            return false;
        }
        Response challenge = response(request, PublishAnswer.error(401, "Unauthorized"));
        if (challenge != null) {
            try {
                challenge.addHeader(headers.createHeader("WWW-Authenticate",
                        auth.challenge(outcome instanceof DigestAuth.Outcome.Stale)));
            } catch (ParseException e) {
                throw new IllegalStateException("our own challenge does not parse", e);
            }
            send(event, challenge);
        }
        return false;
    }

    /** The resource's address of record: the Request-URI's with a user part, else the To header's. */
    static String resource(Request request) {
        URI uri = request.getRequestURI();
        String aor = uri == null ? null : Aor.of(uri.toString());
        if (aor != null && (!(uri instanceof SipURI sipUri) || sipUri.getUser() != null)) {
            return aor;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (to == null || to.getAddress() == null) {
            return null;
        }
        URI toUri = to.getAddress().getURI();
        String toAor = Aor.of(toUri.toString());
        return toAor != null && (!(toUri instanceof SipURI s) || s.getUser() != null) ? toAor : null;
    }

    private static PublishRequest toPublishRequest(Request request, String aor, String publisher) {
        EventHeader event = (EventHeader) request.getHeader(EventHeader.NAME);
        SIPIfMatchHeader ifMatch = (SIPIfMatchHeader) request.getHeader(SIPIfMatchHeader.NAME);
        ExpiresHeader expires = request.getExpires();
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        byte[] body = request.getRawContent();
        return new PublishRequest(aor, event == null ? null : event.getEventType(),
                ifMatch == null ? null : ifMatch.getETag(),
                expires == null ? PublishRequest.NO_EXPIRES : Math.max(0, expires.getExpires()),
                type == null || type.getContentType() == null ? null
                        : (type.getContentType() + "/" + type.getContentSubType()).toLowerCase(Locale.ROOT),
                body == null ? new byte[0] : body, publisher);
    }

    // ---------------------------------------------------------------- responses

    private void respond(RequestEvent event, PublishAnswer answer) {
        Response response = response(event.getRequest(), answer);
        if (response != null) {
            send(event, response);
        }
    }

    /** The response for {@code answer}, with the headers its status needs; {@code null} if it cannot be built. */
    private Response response(Request request, PublishAnswer answer) {
        try {
            Response r = messages.createResponse(answer.status(), request);
            r.setReasonPhrase(reasonPhrase(answer.reason()));
            ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
            if (to != null && to.getTag() == null) {
                // RFC 3261 section 8.2.6.2: a response outside a dialog gets a To tag.
                byte[] tag = new byte[6];
                random.nextBytes(tag);
                to.setTag(HexFormat.of().formatHex(tag));
            }
            if (answer.etag() != null) {
                r.addHeader(headers.createSIPETagHeader(answer.etag()));
            }
            if (answer.expires() >= 0) {
                r.addHeader(headers.createExpiresHeader((int) Math.min(Integer.MAX_VALUE, answer.expires())));
            }
            if (answer.minExpires() >= 0) {
                r.addHeader(headers.createMinExpiresHeader((int) Math.min(Integer.MAX_VALUE, answer.minExpires())));
            }
            for (String e : answer.allowEvents()) {
                r.addHeader(headers.createAllowEventsHeader(e));
            }
            if (answer.accept() != null) {
                int slash = answer.accept().indexOf('/');
                r.addHeader(headers.createAcceptHeader(answer.accept().substring(0, slash),
                        answer.accept().substring(slash + 1)));
            }
            if (answer.retryAfter() >= 0) {
                r.addHeader(headers.createRetryAfterHeader(answer.retryAfter()));
            }
            if (answer.status() == 405 || request.getMethod().equals(Request.OPTIONS)) {
                r.addHeader(headers.createAllowHeader(Request.PUBLISH));
                r.addHeader(headers.createAllowHeader(Request.OPTIONS));
            }
            return r;
        } catch (ParseException | InvalidArgumentException e) {
            LOG.warn("Could not build the {} response to {}: {}", answer.status(), request.getMethod(),
                    e.toString());
            return null;
        }
    }

    private void send(RequestEvent event, Response response) {
        try {
            ServerTransaction tx = event.getServerTransaction();
            if (tx == null) {
                tx = provider.getNewServerTransaction(event.getRequest());
            }
            tx.sendResponse(response);
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            // A retransmission racing its transaction, or a request the stack will not start one for: answer
            // statelessly instead.
            try {
                provider.sendResponse(response);
            } catch (SipException | RuntimeException again) {
                LOG.debug("Could not send {} {}: {}", response.getStatusCode(), response.getReasonPhrase(),
                        again.toString());
            }
        }
    }

    /** A reason phrase: printable, on one line, short (RFC 3261 allows UTF-8 text without CR or LF). */
    static String reasonPhrase(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_REASON));
        for (int i = 0; i < text.length() && b.length() < MAX_REASON; i++) {
            char c = text.charAt(i);
            b.append(c < ' ' || c == 0x7F ? ' ' : c);
        }
        return b.toString().strip();
    }

    /** The value of an encoded header line ({@code Name: value CRLF}). */
    private static String headerValue(String encoded) {
        int colon = encoded.indexOf(':');
        return (colon < 0 ? encoded : encoded.substring(colon + 1)).strip();
    }

    /** JAIN-SIP's callbacks; a failure in one is logged, never thrown back into the stack. */
    private final class Listener implements SipListener {
        @Override
        public void processRequest(RequestEvent event) {
            try {
                onRequest(event);
            } catch (RuntimeException e) {
                LOG.warn("PUBLISH receiver failed on a {}: {}", event.getRequest().getMethod(), e.toString());
                LOG.debug("PUBLISH receiver failure", e);
                respond(event, PublishAnswer.error(500, "Server Internal Error"));
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            // The receiver sends no requests.
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            LOG.debug("PUBLISH receiver: I/O error with {}:{} over {}", event.getHost(), event.getPort(),
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
