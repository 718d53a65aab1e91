package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare XEP-0114 component connection, written by hand over a socket: the stream header, the handshake
 * ({@code sha1(stream id + secret)} in hex), then raw stanzas. It proves what a server's component port accepts, and
 * sends what a test needs, independently of Offhook's own transport.
 *
 * <p>A reader thread appends everything the server sends to one buffer, so the server never blocks on us; tests
 * wait for a pattern in it ({@link #await}). The buffer grows only while the connection is open and a test only
 * holds one for seconds.
 */
final class RawComponent implements AutoCloseable {
    private static final Pattern STREAM_ID = Pattern.compile("<stream:stream\\b[^>]*?\\sid=['\"]([^'\"]+)['\"]");
    private static final Pattern HANDSHAKE_OK = Pattern.compile("<handshake\\s*/>|<handshake\\s*>\\s*</handshake>");
    private static final Pattern STREAM_ERROR = Pattern.compile("<stream:error>.*?</stream:error>", Pattern.DOTALL);
    private static final int CONNECT_MILLIS = 2_000;
    private static final long CLOSE_MILLIS = 2_000;

    private final Socket socket;
    private final Writer writer;
    private final StringBuilder received = new StringBuilder();
    private final Thread reader;
    private boolean closed;

    private RawComponent(Socket socket) throws IOException {
        this.socket = socket;
        this.writer = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        Reader in = new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(() -> read(in), "raw-component-reader-" + socket.getLocalPort());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Connects to {@code server}'s component port as {@code server.componentDomain()} and completes the handshake;
     * fails with everything the server sent when it does not accept within {@code timeout}.
     */
    static RawComponent connect(XmppServer server, String secret, Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.componentPort()), CONNECT_MILLIS);
        RawComponent c = new RawComponent(socket);
        try {
            c.send("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='" + server.componentDomain() + "'>");
            Matcher id = c.await(STREAM_ID, timeout, "the stream header with an id");
            c.send("<handshake>" + sha1Hex(id.group(1) + secret) + "</handshake>");
            c.await(HANDSHAKE_OK, timeout, "an empty <handshake/> (the server accepting the secret)");
            return c;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private static String sha1Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(
                    s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    private void read(Reader in) {
        char[] buf = new char[8192];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                synchronized (received) {
                    received.append(buf, 0, n);
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            // the socket was closed (by us or by the server): what was read stays in the buffer
        }
        synchronized (received) {
            received.notifyAll();
        }
    }

    /** Writes raw XML (a stanza, or the stream's end) and flushes it. */
    void send(String xml) throws IOException {
        synchronized (writer) {
            writer.write(xml);
            writer.flush();
        }
    }

    /** Everything the server has sent so far, as text. */
    String received() {
        synchronized (received) {
            return received.toString();
        }
    }

    /**
     * Waits until what the server sent contains {@code pattern}; fails after {@code timeout}, or at once on a stream
     * error or a closed stream, quoting what was received.
     *
     * @param what what the pattern stands for, for the failure message
     */
    Matcher await(Pattern pattern, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                Matcher m = pattern.matcher(received);
                if (m.find()) {
                    return m;
                }
                if (STREAM_ERROR.matcher(received).find() || !reader.isAlive()) {
                    return fail("the server closed the component stream before sending " + what + "; received:\n"
                            + received);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail("no " + what + " within " + timeout.toMillis() + " ms; received:\n" + received);
                }
                try {
                    received.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return fail("interrupted while waiting for " + what);
                }
            }
        }
    }

    /**
     * Ends the stream ({@code </stream:stream>}), waits up to {@link #CLOSE_MILLIS} for the server to close its side
     * (so that the server has dropped the component's route before a test connects the next one), and closes the
     * socket; the reader thread ends with it.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            send("</stream:stream>");
            reader.join(CLOSE_MILLIS);
        } catch (IOException e) {
            // the server closed first: nothing to end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            socket.close();
        }
    }
}
