package io.offhook.fallback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.igniterealtime.jbosh.AbstractBody;
import org.igniterealtime.jbosh.BOSHException;
import org.igniterealtime.jbosh.BodyQName;
import org.igniterealtime.jbosh.HTTPResponse;
import org.igniterealtime.jbosh.HTTPSender;
import org.igniterealtime.jbosh.StaticBody;

/**
 * The HTTP side of the login fallback's BOSH sessions (XEP-0124, XEP-0206): how jbosh, the library under Smack's
 * {@code XMPPBOSHConnection}, sends its requests, over the JDK's {@link HttpClient}.
 *
 * <p>Why not jbosh's own sender: jbosh 0.9.2 (the newest; Smack 4.4.8 asks for 0.9.x) posts through Apache
 * HttpClient 4.3 with {@code ALLOW_ALL_HOSTNAME_VERIFIER}: over https it takes any certificate that Java trusts, for
 * any host name, so whoever holds a certificate for any domain could read the user's password in the middle. And
 * Smack's {@code instantShutdown()} of a BOSH connection leaves jbosh's session running (its threads, and its
 * requests to the server). Here the server's certificate is checked against Java's trust store and against the
 * URL's host name (RFC 2818, the JDK's default), redirects are not followed, every answer is bounded in time and
 * size, and a session can be dropped at once: {@link Link#abort()} cancels its requests, which makes jbosh end the
 * session and its threads.
 *
 * <p>How jbosh finds it: jbosh makes one {@link HTTPSender} per session through its own service loader, which first
 * tries the class the system property {@code org.igniterealtime.jbosh.HTTPSender} names; loading this class sets
 * that property to {@link JdkBoshSender} (jbosh is used by nothing else in Offhook). jbosh creates the sender on
 * the thread that connects, so the session being connected is handed over in a thread-local
 * ({@link #enter(Link)}); a sender that finds none refuses to send, and a session whose jbosh did not take its
 * {@link Link} is not logged in ({@link Link#attached()}).
 *
 * <p>One client, shared by every BOSH session of the fallback: its connections are pooled per endpoint (HTTP/1.1,
 * at most BOSH's two requests per session at a time), and a session costs no HTTP thread of its own; jbosh runs
 * three threads per session.
 */
final class BoshTransport {
    /** An answer larger than this is refused (memory stays bounded whatever the server sends). */
    static final int MAX_ANSWER = 16 << 20;
    /**
     * How long jbosh asks the connection manager to hold a request (its session request says {@code wait='60'});
     * an answer may take this long plus the connect timeout.
     */
    static final Duration BOSH_WAIT = Duration.ofSeconds(60);
    private static final String NS_BOSH = "http://jabber.org/protocol/httpbind";
    private static final ThreadLocal<Link> CONNECTING = new ThreadLocal<>();

    static {
        System.setProperty(HTTPSender.class.getName(), JdkBoshSender.class.getName());
    }

    private final HttpClient http;
    private final Duration timeout;
    private final int maxAnswer;
    private final ThreadPoolExecutor httpThreads;
    private final ThreadPoolExecutor sendThreads;

    /**
     * @param timeout for connecting ({@code fallback.connect-timeout}); an answer may take {@link #BOSH_WAIT}
     *     longer
     */
    BoshTransport(Duration timeout) {
        this(timeout, defaultTls(), MAX_ANSWER);
    }

    /** With the TLS context to use and the largest answer (tests trust their own certificate, and send less). */
    BoshTransport(Duration timeout, SSLContext tls, int maxAnswer) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxAnswer = maxAnswer;
        httpThreads = cachedDaemons("offhook-bosh-http");
        sendThreads = cachedDaemons("offhook-bosh-send");
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .sslContext(Objects.requireNonNull(tls, "tls"))
                .executor(httpThreads)
                .build();
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no TLS", e);
        }
    }

    private static ThreadPoolExecutor cachedDaemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Where a BOSH session hands its presence over without blocking its caller: jbosh may block a send until one
     * of the session's two requests is answered. At most one task per session runs at a time.
     */
    ExecutorService sendThreads() {
        return sendThreads;
    }

    /** A new session's HTTP side, posting to {@code endpoint}. */
    Link link(URI endpoint) {
        return new Link(endpoint);
    }

    /** From now until {@link #leave()}, a jbosh client created on this thread sends through {@code link}. */
    static void enter(Link link) {
        CONNECTING.set(Objects.requireNonNull(link, "link"));
    }

    /** Ends {@link #enter}. */
    static void leave() {
        CONNECTING.remove();
    }

    /** The link a sender made on this thread belongs to; empty outside {@link #enter}. */
    static Optional<Link> attach() {
        Link link = CONNECTING.get();
        if (link == null) {
            return Optional.empty();
        }
        link.attached = true;
        return Optional.of(link);
    }

    /** An answer that is a failure: for a sender without a session. */
    static HTTPResponse failed(String why) {
        return new HTTPResponse() {
            @Override
            public void abort() {
                // nothing was sent
            }

            @Override
            public int getHTTPStatus() throws BOSHException {
                throw new BOSHException(why);
            }

            @Override
            public AbstractBody getBody() throws BOSHException {
                throw new BOSHException(why);
            }
        };
    }

    /**
     * One BOSH session's HTTP side: its requests, what went wrong first, and whether jbosh is done with it. Safe
     * from any thread.
     */
    final class Link {
        private final URI endpoint;
        private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
        private final AtomicReference<LoginFailure> problem = new AtomicReference<>();
        private final CountDownLatch gone = new CountDownLatch(1);
        private volatile boolean attached;
        private volatile boolean aborted;
        private volatile boolean closing;
        private volatile Runnable onGone = () -> { };

        private Link(URI endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        }

        /** Whether jbosh took this link for its sender (else nothing was sent through it). */
        boolean attached() {
            return attached;
        }

        /** Run once when jbosh is done with the session (it ended for any reason); on jbosh's thread. */
        void onGone(Runnable action) {
            onGone = Objects.requireNonNull(action, "action");
        }

        /** From now on, the server's end of the session is expected (a logoff), not a problem. */
        void closing() {
            closing = true;
        }

        /** The first thing that went wrong, in words for the log (never a request's content). */
        Optional<LoginFailure> problem() {
            return Optional.ofNullable(problem.get());
        }

        /** Waits until jbosh is done with the session, at most {@code max}. */
        boolean awaitGone(Duration max) throws InterruptedException {
            return gone.await(max.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Whether jbosh is done with the session. */
        boolean gone() {
            return gone.getCount() == 0;
        }

        /**
         * Cancels every request and fails every later one at once: jbosh then ends the session and its threads.
         * Idempotent.
         */
        void abort() {
            aborted = true;
            for (CompletableFuture<?> f : inFlight) {
                f.cancel(true);
            }
        }

        /** jbosh is done with the session (its sender is destroyed). */
        void destroyed() {
            if (gone.getCount() == 0) {
                return;
            }
            abort();
            gone.countDown();
            onGone.run();
        }

        private void problem(LoginFailure.Kind kind, String what) {
            if (!aborted && !closing) {
                problem.compareAndSet(null, new LoginFailure(kind, what));
            }
        }

        /** Posts one body; returns at once with the answer to come. */
        HTTPResponse post(AbstractBody body) {
            if (aborted) {
                return failed("the session was dropped");
            }
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(BOSH_WAIT.plus(timeout))
                    .header("Content-Type", "text/xml; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toXML().getBytes(StandardCharsets.UTF_8)))
                    .build();
            CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(request, info -> new Bounded(maxAnswer));
            inFlight.add(answer);
            answer.whenComplete((r, e) -> inFlight.remove(answer));
            if (aborted) {
                answer.cancel(true);
            }
            return new Exchange(answer);
        }

        /** An answer of the connection manager, awaited on jbosh's thread. */
        private final class Exchange implements HTTPResponse {
            private final CompletableFuture<HttpResponse<byte[]>> answer;
            private AbstractBody body;
            private int status;
            private BOSHException failure;

            Exchange(CompletableFuture<HttpResponse<byte[]>> answer) {
                this.answer = answer;
            }

            @Override
            public void abort() {
                answer.cancel(true);
            }

            @Override
            public synchronized int getHTTPStatus() throws InterruptedException, BOSHException {
                await();
                return status;
            }

            @Override
            public synchronized AbstractBody getBody() throws InterruptedException, BOSHException {
                await();
                return body;
            }

            private void await() throws InterruptedException, BOSHException {
                if (failure != null) {
                    throw failure;
                }
                if (body != null) {
                    return;
                }
                try {
                    read(answer.get(BOSH_WAIT.plus(timeout).plus(timeout).toNanos(), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    // The JDK's client completes a cancelled request with a CancellationException as the cause.
                    failure = new BOSHException(aborted || e.getCause() instanceof CancellationException
                            ? "the session was dropped" : network(e.getCause()));
                } catch (CancellationException e) {
                    failure = new BOSHException("the session was dropped");
                } catch (TimeoutException e) {
                    answer.cancel(true);
                    failure = fail(LoginFailure.Kind.NETWORK, "no answer from " + endpoint + " within "
                            + BOSH_WAIT.plus(timeout).plus(timeout).toSeconds() + " s");
                } catch (InterruptedException e) {
                    answer.cancel(true);
                    throw e;
                }
                if (failure != null) {
                    throw failure;
                }
            }

            private void read(HttpResponse<byte[]> r) {
                if (r.statusCode() != 200) {
                    failure = fail(r.statusCode() == 404 ? LoginFailure.Kind.REFUSED : LoginFailure.Kind.NETWORK,
                            "HTTP " + r.statusCode() + " from " + endpoint + (r.statusCode() == 404 ? " (not a BOSH "
                                    + "endpoint; Prosody's is /http-bind on its http_ports or https_ports)" : ""));
                    return;
                }
                AbstractBody b;
                try {
                    b = StaticBody.fromString(new String(r.body(), StandardCharsets.UTF_8));
                } catch (BOSHException e) {
                    // Its message holds the whole answer: not for the log.
                    failure = fail(LoginFailure.Kind.REFUSED, "the answer of " + endpoint + " is not a BOSH body "
                            + "(is it the BOSH endpoint?)");
                    return;
                }
                if ("terminate".equals(b.getAttribute(BodyQName.create(NS_BOSH, "type")))) {
                    String condition = b.getAttribute(BodyQName.create(NS_BOSH, "condition"));
                    problem(LoginFailure.Kind.REFUSED, "the BOSH endpoint " + endpoint + " ended the session"
                            + (condition == null ? "" : " (" + LoginFailure.firstLine(condition) + ")"));
                }
                status = r.statusCode();
                body = b;
            }

            private BOSHException fail(LoginFailure.Kind kind, String what) {
                problem(kind, what);
                return new BOSHException(what);
            }

            private String network(Throwable cause) {
                for (Throwable t = cause; t != null; t = t.getCause()) {
                    if (t instanceof SSLException || t instanceof CertificateException) {
                        String what = "TLS with " + endpoint + " failed (" + t.getClass().getSimpleName() + ": "
                                + LoginFailure.firstLine(t.getMessage()) + ")";
                        problem(LoginFailure.Kind.TLS, what);
                        return what;
                    }
                }
                String what;
                if (cause instanceof HttpConnectTimeoutException) {
                    what = "cannot connect to " + endpoint + " within " + timeout.toMillis() + " ms";
                } else if (cause instanceof HttpTimeoutException) {
                    what = "no answer from " + endpoint + " within " + BOSH_WAIT.plus(timeout).toSeconds() + " s";
                } else if (cause instanceof ConnectException) {
                    what = "cannot connect to " + endpoint + " (" + firstMessage(cause, "refused or unreachable")
                            + ")";
                } else {
                    what = endpoint + ": " + (cause == null ? "failed" : cause.getClass().getSimpleName() + ": "
                            + firstMessage(cause, "no details"));
                }
                problem(LoginFailure.Kind.NETWORK, what);
                return what;
            }
        }
    }

    /** The first line of the first message in {@code t}'s causes (the JDK's client often wraps one without). */
    private static String firstMessage(Throwable t, String otherwise) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return LoginFailure.firstLine(c.getMessage());
            }
        }
        return otherwise;
    }

    /** Collects an answer's bytes, at most a bound. */
    private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int max;
        private Flow.Subscription subscription;

        Bounded(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + (long) b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("an answer larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
