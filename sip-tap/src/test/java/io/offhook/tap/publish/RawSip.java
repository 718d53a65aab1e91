package io.offhook.tap.publish;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A SIP client of the tests: writes PUBLISH requests by hand and reads the answers, over UDP or TCP on loopback. */
final class RawSip implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final DatagramSocket socket;
    private final int serverPort;

    /** A parsed response: status, reason and headers (names in lower case, the first of each). */
    record Answer(int status, String reason, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    RawSip(int serverPort) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.socket.setSoTimeout(5000);
        this.serverPort = serverPort;
    }

    /** A port that was free a moment ago, for UDP and TCP. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int port = udp.getLocalPort();
                try (java.net.ServerSocket tcp = new java.net.ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException taken) {
                    // Try another.
                }
            }
        }
        throw new IOException("no free port for UDP and TCP");
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /**
     * A PUBLISH for {@code uri}; {@code extraHeaders} are whole lines without CRLF (Event, Expires, SIP-If-Match,
     * Content-Type...), {@code body} may be empty.
     */
    String publish(String uri, String branch, String body, String... extraHeaders) {
        return request("PUBLISH", uri, branch, "UDP", localPort(), body, extraHeaders);
    }

    static String request(String method, String uri, String branch, String transport, int port, String body,
                          String... extraHeaders) {
        StringBuilder b = new StringBuilder(method).append(' ').append(uri).append(" SIP/2.0\r\n")
                .append("Via: SIP/2.0/").append(transport).append(" 127.0.0.1:").append(port)
                .append(";branch=z9hG4bK").append(branch).append("\r\n")
                .append("From: <sip:publisher@example.com>;tag=pub").append(branch).append("\r\n")
                .append("To: <").append(uri).append(">\r\n")
                .append("Call-ID: ").append(branch).append("@127.0.0.1\r\n")
                .append("CSeq: 1 ").append(method).append("\r\n")
                .append("Max-Forwards: 70\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        b.append("Content-Length: ").append(bodyBytes.length).append("\r\n\r\n").append(body);
        return b.toString();
    }

    static String branch() {
        return "test" + SEQ.incrementAndGet() + "x" + System.nanoTime();
    }

    /** Sends one datagram and reads the answer (a 100 Trying, if any, is skipped). */
    Answer send(String message) throws IOException {
        sendOnly(message);
        return receive();
    }

    /** Sends without waiting for an answer (for input the server drops). */
    void sendOnly(String message) throws IOException {
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), serverPort));
    }

    Answer receive() throws IOException {
        for (int i = 0; i < 5; i++) {
            byte[] buf = new byte[65_535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            Answer a = parse(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
            if (a.status() >= 200) {
                return a;
            }
        }
        throw new IOException("only provisional answers");
    }

    /** Sends one request over a new TCP connection and reads the answer. */
    static Answer overTcp(int serverPort, String method, String uri, String body, String... extraHeaders)
            throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
            s.setSoTimeout(5000);
            String message = request(method, uri, branch(), "TCP", s.getLocalPort(), body, extraHeaders);
            s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            StringBuilder text = new StringBuilder();
            while (!text.toString().contains("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                text.append((char) c);
            }
            return parse(text.toString());
        }
    }

    static Answer parse(String text) {
        String[] lines = text.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        return new Answer(Integer.parseInt(status[1]), status.length > 2 ? status[2] : "", headers);
    }

    @Override
    public void close() {
        socket.close();
    }
}
