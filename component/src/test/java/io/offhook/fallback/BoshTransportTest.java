package io.offhook.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.igniterealtime.jbosh.AbstractBody;
import org.igniterealtime.jbosh.BOSHClient;
import org.igniterealtime.jbosh.BOSHClientConfig;
import org.igniterealtime.jbosh.BOSHException;
import org.igniterealtime.jbosh.BodyQName;
import org.igniterealtime.jbosh.ComposableBody;
import org.igniterealtime.jbosh.HTTPResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP side of BOSH sessions (XEP-0124 section 7: one POST per body) against small HTTP servers on loopback:
 * what is posted, how answers and failures are read, that a session can be dropped at once, that jbosh itself
 * finds the sender, and that over https the certificate must name the URL's host (what jbosh's own sender does not
 * check).
 */
class BoshTransportTest {
    private static final String NS = "http://jabber.org/protocol/httpbind";
    private static final String SESSION = "<body xmlns='" + NS + "' sid='s1' wait='60' requests='2' hold='1' "
            + "ver='1.6' from='example.org'/>";
    private static final Duration GUARD = Duration.ofSeconds(20);
    private static final char[] STORE_PASSWORD = "test-store".toCharArray();

    @TempDir
    Path dir;

    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final LinkedBlockingQueue<String> posted = new LinkedBlockingQueue<>();
    private final BoshTransport transport = new BoshTransport(Duration.ofSeconds(5), defaultTls(), 1 << 16);

    @AfterEach
    void stop() {
        release.countDown();
        servers.forEach(s -> s.stop(0));
        serverThreads.shutdownNow();
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A handler that records the posted body and answers {@code status} with {@code answer}. */
    private HttpHandler answering(int status, String answer) {
        return exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                posted.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type")
                        + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            reply(exchange, status, answer);
        };
    }

    private static void reply(HttpExchange exchange, int status, String answer) throws IOException {
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private URI serve(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        return start(server, handler, "http");
    }

    private URI start(HttpServer server, HttpHandler handler, String scheme) {
        server.createContext("/http-bind", handler);
        server.setExecutor(serverThreads);
        server.start();
        servers.add(server);
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/http-bind");
    }

    private static AbstractBody presence() {
        return ComposableBody.builder().setPayloadXML("<presence xmlns='jabber:client'/>").build();
    }

    private static BOSHException failure(HTTPResponse r) {
        return assertTimeoutPreemptively(GUARD, () -> assertThrows(BOSHException.class, r::getBody));
    }

    @Test
    void aBodyIsPostedAsXmlAndTheAnswerIsReadAsABoshBody() throws Exception {
        BoshTransport.Link link = transport.link(serve(answering(200, SESSION)));
        HTTPResponse r = link.post(presence());
        assertEquals("s1", r.getBody().getAttribute(BodyQName.create(NS, "sid")));
        assertEquals(200, r.getHTTPStatus());
        String request = posted.poll(GUARD.toSeconds(), TimeUnit.SECONDS);
        assertTrue(request != null && request.startsWith("POST text/xml; charset=utf-8 <body ")
                && request.contains("<presence xmlns='jabber:client'/>"), request);
        assertEquals(Optional.empty(), link.problem());
    }

    @Test
    void jboshFindsTheSenderOnTheConnectingThreadAndPostsToTheLinksEndpoint() throws Exception {
        new BoshTransport(Duration.ofSeconds(5));
        assertEquals(JdkBoshSender.class.getName(), System.getProperty("org.igniterealtime.jbosh.HTTPSender"));
        BoshTransport.Link link = transport.link(serve(answering(200, SESSION)));
        AtomicInteger gone = new AtomicInteger();
        link.onGone(gone::incrementAndGet);
        BOSHClient client;
        BoshTransport.enter(link);
        try {
            // Smack's copy of the endpoint may differ; the link's is the credentials file's.
            client = BOSHClient.create(BOSHClientConfig.Builder.create(URI.create("http://elsewhere.invalid/"),
                    "example.org").build());
        } finally {
            BoshTransport.leave();
        }
        try {
            assertTrue(link.attached());
            client.send(ComposableBody.builder().build());
            String request = posted.poll(GUARD.toSeconds(), TimeUnit.SECONDS);
            assertTrue(request != null && request.matches("(?s).*<body [^>]*to=.example\\.org.*"),
                    "jbosh's session request: " + request);
        } finally {
            client.close();
        }
        assertTrue(link.awaitGone(GUARD), "jbosh's end of the session reaches the link");
        assertEquals(1, gone.get());
        link.destroyed();
        assertEquals(1, gone.get(), "once");
    }

    @Test
    void aSenderMadeOutsideAConnectingSessionSendsNothing() throws Exception {
        JdkBoshSender sender = new JdkBoshSender();
        sender.init(null);
        BOSHException e = failure(sender.send(null, presence()));
        assertEquals("no Offhook login session is connecting on this thread", e.getMessage());
        assertEquals(0, posted.size());
    }

    @Test
    void anHttpErrorIsAProblemThatNamesTheEndpoint() throws Exception {
        URI endpoint = serve(answering(404, "<html>not here</html>"));
        BoshTransport.Link link = transport.link(endpoint);
        failure(link.post(presence()));
        LoginFailure f = link.problem().orElseThrow();
        assertEquals(LoginFailure.Kind.REFUSED, f.kind());
        assertEquals("HTTP 404 from " + endpoint + " (not a BOSH endpoint; Prosody's is /http-bind on its "
                + "http_ports or https_ports)", f.getMessage());
    }

    @Test
    void anAnswerThatIsNoBoshBodyIsAProblemThatDoesNotQuoteIt() throws Exception {
        URI endpoint = serve(answering(200, "<html>Zq7-private words</html>"));
        BoshTransport.Link link = transport.link(endpoint);
        BOSHException e = failure(link.post(presence()));
        assertFalse(e.getMessage().contains("Zq7"), e.getMessage());
        assertEquals("the answer of " + endpoint + " is not a BOSH body (is it the BOSH endpoint?)",
                link.problem().orElseThrow().getMessage());
    }

    @Test
    void anAnswerLargerThanTheBoundIsRefused() throws Exception {
        URI endpoint = serve(answering(200, "<body xmlns='" + NS + "'>" + "x".repeat(1 << 16) + "</body>"));
        BoshTransport.Link link = transport.link(endpoint);
        failure(link.post(presence()));
        assertEquals(endpoint + ": IOException: an answer larger than 65536 bytes",
                link.problem().orElseThrow().getMessage());
    }

    @Test
    void aRefusedConnectionIsANetworkProblem() throws Exception {
        URI endpoint = serve(answering(200, SESSION));
        servers.get(0).stop(0);
        BoshTransport.Link link = transport.link(endpoint);
        failure(link.post(presence()));
        LoginFailure f = link.problem().orElseThrow();
        assertEquals(LoginFailure.Kind.NETWORK, f.kind());
        assertTrue(f.getMessage().startsWith("cannot connect to " + endpoint + " ("), f.getMessage());
    }

    @Test
    void theServersEndOfTheSessionIsAProblemUnlessTheSessionIsClosing() throws Exception {
        URI endpoint = serve(answering(200, "<body xmlns='" + NS + "' type='terminate' condition='host-unknown'/>"));
        BoshTransport.Link link = transport.link(endpoint);
        assertEquals("terminate", link.post(presence()).getBody().getAttribute(BodyQName.create(NS, "type")),
                "jbosh reads the answer itself");
        assertEquals("the BOSH endpoint " + endpoint + " ended the session (host-unknown)",
                link.problem().orElseThrow().getMessage());
        BoshTransport.Link closing = transport.link(endpoint);
        closing.closing();
        closing.post(presence()).getBody();
        assertEquals(Optional.empty(), closing.problem(), "a logoff ends the session as expected");
    }

    @Test
    void abortCancelsAHeldRequestAndFailsLaterOnesAtOnce() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        BoshTransport.Link link = transport.link(serve(exchange -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(exchange, 200, SESSION);
        }));
        HTTPResponse r = link.post(presence());
        assertTrue(held.await(GUARD.toSeconds(), TimeUnit.SECONDS), "the server holds the request");
        link.abort();
        assertEquals("the session was dropped", failure(r).getMessage());
        assertEquals("the session was dropped", failure(link.post(presence())).getMessage());
        assertEquals(Optional.empty(), link.problem(), "dropping is no problem of the server's");
        assertFalse(link.gone(), "gone is jbosh's to say");
    }

    @Test
    void overHttpsTheCertificateMustNameTheUrlsHost() throws Exception {
        KeyStore right = keyPair("right", "CN=127.0.0.1", "ip:127.0.0.1");
        KeyStore wrong = keyPair("wrong", "CN=elsewhere.example", "dns:elsewhere.example");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("right", right.getCertificate("right"));
        trusted.setCertificateEntry("wrong", wrong.getCertificate("wrong"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        BoshTransport https = new BoshTransport(Duration.ofSeconds(5), client, 1 << 16);

        BoshTransport.Link good = https.link(serveTls(right));
        assertEquals("s1", good.post(presence()).getBody().getAttribute(BodyQName.create(NS, "sid")));

        URI misnamed = serveTls(wrong);
        BoshTransport.Link bad = https.link(misnamed);
        failure(bad.post(presence()));
        LoginFailure f = bad.problem().orElseThrow();
        assertEquals(LoginFailure.Kind.TLS, f.kind(), f.getMessage());
        assertTrue(f.getMessage().startsWith("TLS with " + misnamed + " failed (SSLHandshakeException: "),
                f.getMessage());
        assertEquals(1, posted.size(), "nothing reached the server with the certificate for another host");
    }

    /** A key pair and self-signed certificate made by the JDK's keytool, in a PKCS12 store. */
    private KeyStore keyPair(String alias, String name, String san) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", name,
                "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).redirectOutput(dir.resolve(alias + ".out").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), "keytool failed");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(store)) {
            ks.load(in, STORE_PASSWORD);
        }
        return ks;
    }

    private URI serveTls(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return start(server, answering(200, SESSION), "https");
    }
}
