package io.offhook.xmpp.stream;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted XEP-0114 server on 127.0.0.1 for tests: it answers the stream header and the handshake (checking the
 * digest with its own SHA-1), answers or ignores pings, and lets a test send raw bytes, end the stream, go silent,
 * drop the connection, stop listening and listen again on the same port. Everything a client writes is kept as text
 * for assertions.
 */
final class FakeComponentServer implements AutoCloseable {

    /** How the server answers a handshake. */
    enum HandshakeMode { ACCEPT, NOT_AUTHORIZED, HOST_UNKNOWN, SILENT }

    /** How the server answers the client's pings. */
    enum PingMode { RESULT, ERROR, NONE }

    static final String STREAM_ID = "3BF96D32";
    private static final Pattern PING = Pattern.compile(
            "<iq([^>]*)><ping xmlns=['\"]urn:xmpp:ping['\"]/></iq>");
    private static final Pattern ID = Pattern.compile("\\bid=['\"]([^'\"]+)['\"]");
    private static final Pattern HANDSHAKE = Pattern.compile("<handshake>([0-9a-f]*)</handshake>");

    private final String secret;
    private final String domain;
    private final int port;
    private final BlockingQueue<Peer> peers = new LinkedBlockingQueue<>();
    private final List<Peer> allPeers = new CopyOnWriteArrayList<>();
    private final List<Long> acceptNanos = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket serverSocket;
    volatile HandshakeMode handshakeMode = HandshakeMode.ACCEPT;
    volatile PingMode pingMode = PingMode.RESULT;

    private FakeComponentServer(String secret, String domain) throws IOException {
        this.secret = secret;
        this.domain = domain;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = serverSocket.getLocalPort();
        startAccepting(serverSocket);
    }

    static FakeComponentServer start(String secret, String domain) throws IOException {
        return new FakeComponentServer(secret, domain);
    }

    int port() {
        return port;
    }

    int accepted() {
        return accepted.get();
    }

    List<Long> acceptNanos() {
        return new ArrayList<>(acceptNanos);
    }

    /** The next accepted connection, or fails the test. */
    Peer nextPeer(Duration timeout) throws InterruptedException {
        Peer peer = peers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (peer == null) {
            throw new AssertionError("no connection to the fake server within " + timeout);
        }
        return peer;
    }

    /** Closes the listening socket: new connections are refused; existing ones stay. */
    void stopListening() throws IOException {
        serverSocket.close();
    }

    /** Listens on the same port again. */
    void listenAgain() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        serverSocket = socket;
        startAccepting(socket);
    }

    private void startAccepting(ServerSocket listening) {
        Thread thread = new Thread(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket socket = listening.accept();
                    acceptNanos.add(System.nanoTime());
                    accepted.incrementAndGet();
                    Peer peer = new Peer(socket, handshakeMode);
                    allPeers.add(peer);
                    peers.add(peer);
                    Thread reader = new Thread(peer::run, "fake-xmpp-peer-" + accepted.get());
                    reader.setDaemon(true);
                    threads.add(reader);
                    reader.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "fake-xmpp-accept");
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Peer peer : allPeers) {
            peer.kill();
        }
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping the fake server", e);
            }
            if (thread.isAlive()) {
                throw new AssertionError("fake server thread " + thread.getName() + " did not end");
            }
        }
    }

    static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** One client connection as the server sees it. */
    final class Peer {
        private final Socket socket;
        private final HandshakeMode mode;
        private final StringBuilder received = new StringBuilder();
        private final Object lock = new Object();
        private volatile boolean eof;
        private volatile boolean handshakeAccepted;
        private volatile boolean silent;
        private int scanned;

        Peer(Socket socket, HandshakeMode mode) {
            this.socket = socket;
            this.mode = mode;
        }

        void run() {
            try (Reader in = new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)) {
                char[] buffer = new char[8192];
                boolean headerSent = false;
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    String text;
                    synchronized (lock) {
                        received.append(buffer, 0, n);
                        text = received.toString();
                        lock.notifyAll();
                    }
                    if (!headerSent && text.matches("(?s).*<stream:stream[^>]*>.*")) {
                        headerSent = true;
                        if (mode == HandshakeMode.HOST_UNKNOWN) {
                            // As Prosody 0.12 refuses an unknown component domain (verified).
                            send("<?xml version='1.0'?><stream:stream id='' xmlns:stream="
                                    + "'http://etherx.jabber.org/streams' version='1.0' xmlns='jabber:component:accept'>"
                                    + "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                                    + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>" + domain
                                    + " does not match any configured external components</text></stream:error>"
                                    + "</stream:stream>");
                            kill();
                            break;
                        }
                        send("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'"
                                + " xmlns='jabber:component:accept' id='" + STREAM_ID + "' from='" + domain + "'>");
                    }
                    if (headerSent && !handshakeAccepted) {
                        Matcher handshake = HANDSHAKE.matcher(text);
                        if (handshake.find()) {
                            if (!answerHandshake(handshake.group(1))) {
                                continue;
                            }
                        }
                    }
                    if (handshakeAccepted) {
                        answerPings(text);
                        if (text.endsWith("</stream:stream>")) {
                            send("</stream:stream>");
                        }
                    }
                }
            } catch (IOException e) {
                // the socket was closed by kill() or by the client
            } finally {
                eof = true;
                synchronized (lock) {
                    lock.notifyAll();
                }
                kill();
            }
        }

        /** Returns true when the stream goes on after the handshake. */
        private boolean answerHandshake(String digest) throws IOException {
            switch (mode) {
                case SILENT -> {
                    return false;
                }
                case NOT_AUTHORIZED, HOST_UNKNOWN -> {
                    send("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                            + "</stream:error></stream:stream>");
                    kill();
                    return false;
                }
                default -> {
                    if (!digest.equals(sha1Hex(STREAM_ID + secret))) {
                        send("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                                + "</stream:error></stream:stream>");
                        kill();
                        return false;
                    }
                    handshakeAccepted = true;
                    send("<handshake/>");
                    return true;
                }
            }
        }

        private void answerPings(String text) throws IOException {
            Matcher ping = PING.matcher(text);
            int from = scanned;
            while (ping.find(from)) {
                from = ping.end();
                scanned = from;
                Matcher id = ID.matcher(ping.group(1));
                if (!id.find() || silent) {
                    continue;
                }
                if (pingMode == PingMode.RESULT) {
                    send("<iq type='result' from='localhost' to='" + domain + "' id='" + id.group(1) + "'/>");
                } else if (pingMode == PingMode.ERROR) {
                    send("<iq type='error' from='localhost' to='" + domain + "' id='" + id.group(1) + "'>"
                            + "<ping xmlns='urn:xmpp:ping'/><error type='cancel'><service-unavailable"
                            + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
                }
            }
        }

        /** Stops answering anything, keeps the socket open: a dead peer. */
        void goSilent() {
            silent = true;
        }

        boolean handshakeAccepted() {
            return handshakeAccepted;
        }

        void send(String raw) throws IOException {
            sendBytes(raw.getBytes(StandardCharsets.UTF_8));
        }

        void sendBytes(byte[] bytes) throws IOException {
            synchronized (socket) {
                OutputStream out = socket.getOutputStream();
                out.write(bytes);
                out.flush();
            }
        }

        void kill() {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        String received() {
            synchronized (lock) {
                return received.toString();
            }
        }

        /** Waits until the received text satisfies the condition; returns the text. */
        String awaitReceived(Predicate<String> condition, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lock) {
                while (!condition.test(received.toString())) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("the fake server did not receive what was expected within "
                                + timeout + "; it has: " + received);
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                return received.toString();
            }
        }

        /** Waits until the client closed the TCP connection. */
        void awaitEof(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lock) {
                while (!eof) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("the client did not close the connection within " + timeout);
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            }
        }
    }
}
