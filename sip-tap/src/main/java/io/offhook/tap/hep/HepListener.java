package io.offhook.tap.hep;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.PacketListener;
import io.offhook.tap.packet.SipPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Receives HEP over UDP and TCP and delivers the SIP messages in it to a {@link PacketListener}: the tap's network
 * source, and the only class of this package that touches sockets.
 *
 * <p>One daemon thread (named {@code hep-listener <address> udp:<port> tcp:<port>}) serves the UDP socket, the TCP
 * server socket and every TCP connection through one selector. One thread keeps the {@link PacketListener}
 * contract (one packet at a time, in the order seen) without locks, and bounds the threads a flood of connections
 * can cost to one.
 *
 * <p>What gets dropped, and how it is counted in {@link DropCounters}:
 * <ul>
 *   <li>a sender outside the allow-list: {@link DropReason#SENDER_NOT_ALLOWED} (a TCP connection is closed at
 *       once);</li>
 *   <li>undecodable HEP: the {@link HepException}'s reason;</li>
 *   <li>a missing or wrong auth key when one is configured: {@link DropReason#HEP_AUTH_FAILED} (HEPv1/v2 cannot
 *       carry a key, so with a key configured they are all refused);</li>
 *   <li>HEP that carries no SIP (RTCP, logs, QoS reports): {@link DropReason#HEP_NOT_SIP}, counted without a log
 *       line since agents send it routinely;</li>
 *   <li>a datagram over {@link HepConfig#maxFrameSize()}: {@link DropReason#SIP_TOO_LARGE};</li>
 *   <li>a TCP stream that is not a sequence of HEP3 frames, or a frame over the size limit:
 *       {@link DropReason#HEP_STREAM_BROKEN}, and the connection is closed; a connection that ends inside a frame:
 *       {@link DropReason#HEP_TRUNCATED}; a connection over {@link HepConfig#maxTcpConnections()}:
 *       {@link DropReason#HEP_STREAM_BROKEN}.</li>
 * </ul>
 *
 * <p><b>TCP carries HEPv3 only.</b> A HEP3 frame says its own length; HEPv1/v2 do not (header, then a payload that
 * runs to the end of the datagram), so a v1/v2 stream cannot be split into messages. Agents send v1/v2 over UDP;
 * a TCP connection whose bytes do not start a HEP3 frame is counted as broken and closed. Frames may arrive in any
 * number of pieces; each connection buffers at most one frame ({@link HepConfig#maxFrameSize()} bytes), so memory
 * stays below {@code maxTcpConnections * maxFrameSize}.
 *
 * <p>An exception thrown by the listener is logged (rate-limited) and counted in {@link #listenerFailures()}; the
 * reader goes on with the next packet. When the HEP packet carries no time (HEPv1), the arrival time is used.
 */
public final class HepListener implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(HepListener.class);
    /** Datagrams read per wake-up before the other channels get their turn. */
    private static final int MAX_DATAGRAMS_PER_ROUND = 256;
    /** Connections accepted per wake-up. */
    private static final int MAX_ACCEPTS_PER_ROUND = 64;
    /**
     * The socket buffer that absorbs bursts while the thread is busy (about 12,000 mirrored messages). Linux caps
     * what is asked at {@code net.core.rmem_max} (and reports twice what it grants); a start-up warning says so.
     */
    private static final int UDP_RECEIVE_BUFFER = 8 << 20;
    private static final int TCP_INITIAL_BUFFER = 4096;
    private static final long LISTENER_FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long CLOSE_WAIT_MILLIS = 5000;

    private final HepConfig config;
    private final PacketListener listener;
    private final DropCounters drops;
    private final Clock clock;
    private final AddressAllowList allowList;
    private final byte[] authKey;
    private final AtomicLong listenerFailures = new AtomicLong();
    /** SIP messages handed to the listener, per transport the HEP came over (for metrics). */
    private final LongAdder sipOverUdp = new LongAdder();
    private final LongAdder sipOverTcp = new LongAdder();

    private Selector selector;
    /** Whether the last round of UDP reads left datagrams waiting (reader thread only). */
    private boolean behind;
    private DatagramChannel udp;
    private ServerSocketChannel tcp;
    private Thread thread;
    /** Written by the reader thread only; volatile for {@link #tcpConnections()}. */
    private volatile int tcpConnections;
    private long lastListenerFailureLog;
    private volatile boolean running;
    private boolean closed;

    public HepListener(HepConfig config, PacketListener listener, DropCounters drops) {
        this(config, listener, drops, Clock.systemUTC());
    }

    /** For tests: the clock that stamps packets whose HEP header carries no time. */
    public HepListener(HepConfig config, PacketListener listener, DropCounters drops, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.drops = Objects.requireNonNull(drops, "drops");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.allowList = AddressAllowList.of(config.allowList());
        this.authKey = config.authKey() == null ? null : config.authKey().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Binds the sockets and starts the reader thread. Calling it again while running does nothing.
     *
     * @throws IOException if a socket cannot be bound (the port is taken, the address is not local)
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized void start() throws IOException {
        if (closed) {
            throw new IllegalStateException("HEP listener is closed");
        }
        if (thread != null) {
            return;
        }
        InetAddress address = AddressAllowList.literalAddress(config.bindAddress(), config.bindAddress());
        ProtocolFamily family = address.getAddress().length == 4 ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
        try {
            selector = Selector.open();
            if (config.udpEnabled()) {
                udp = DatagramChannel.open(family);
                udp.setOption(StandardSocketOptions.SO_RCVBUF, UDP_RECEIVE_BUFFER);
                int granted = udp.getOption(StandardSocketOptions.SO_RCVBUF);
                if (granted < UDP_RECEIVE_BUFFER) {
                    LOG.warn("HEP UDP receive buffer is {} KiB, not the {} KiB asked for: bursts beyond it are lost "
                            + "in the kernel (raise it with sysctl -w net.core.rmem_max={})", granted >> 10,
                            UDP_RECEIVE_BUFFER >> 10, UDP_RECEIVE_BUFFER);
                }
                udp.bind(new InetSocketAddress(address, config.port()));
                udp.configureBlocking(false);
                udp.register(selector, SelectionKey.OP_READ);
            }
            if (config.tcpEnabled()) {
                tcp = ServerSocketChannel.open(family);
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(new InetSocketAddress(address, config.port()));
                tcp.configureBlocking(false);
                tcp.register(selector, SelectionKey.OP_ACCEPT);
            }
        } catch (IOException | RuntimeException e) {
            closeChannels();
            throw e;
        }
        String name = "hep-listener " + address.getHostAddress()
                + (udp != null ? " udp:" + udpPort() : "") + (tcp != null ? " tcp:" + tcpPort() : "");
        running = true;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
        LOG.info("HEP listener started: {} ({})", name, config);
    }

    /** The bound UDP port (useful after binding port 0), or -1 when UDP is off or the listener is not started. */
    public synchronized int udpPort() {
        return udp == null ? -1 : udp.socket().getLocalPort();
    }

    /** The bound TCP port (useful after binding port 0), or -1 when TCP is off or the listener is not started. */
    public synchronized int tcpPort() {
        return tcp == null ? -1 : tcp.socket().getLocalPort();
    }

    /** HEP TCP connections open now. */
    public int tcpConnections() {
        return tcpConnections;
    }

    /** SIP messages received in HEP over UDP and handed to the listener. */
    public long sipOverUdp() {
        return sipOverUdp.sum();
    }

    /** SIP messages received in HEP over TCP and handed to the listener. */
    public long sipOverTcp() {
        return sipOverTcp.sum();
    }

    /** How many times the {@link PacketListener} threw. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /**
     * Stops the reader thread and closes every socket; waits a few seconds for the thread to end. Idempotent; a
     * listener cannot be started again.
     */
    @Override
    public void close() {
        Thread reader;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            reader = thread;
            if (reader == null) {
                closeChannels();
                return;
            }
            selector.wakeup();
        }
        try {
            reader.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            LOG.warn("HEP listener thread {} did not stop within {} ms", reader.getName(), CLOSE_WAIT_MILLIS);
        } else {
            LOG.info("HEP listener stopped: {}", reader.getName());
        }
    }

    // ---- the reader thread ----

    private void run() {
        ByteBuffer datagram = ByteBuffer.allocate(0x10000);
        try {
            while (running) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (running && keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key, datagram);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.error("HEP listener stopped by an unexpected error; no more HEP will be received", e);
            }
        } finally {
            synchronized (this) {
                running = false;
                closeChannels();
            }
        }
    }

    private void handle(SelectionKey key, ByteBuffer datagram) {
        if (!key.isValid()) {
            return;
        }
        Object attachment = key.attachment();
        try {
            if (attachment instanceof Connection) {
                ((Connection) attachment).read();
            } else if (key.isAcceptable()) {
                accept();
            } else if (key.isReadable()) {
                receiveDatagrams(datagram);
            }
        } catch (IOException e) {
            if (attachment instanceof Connection) {
                Connection c = (Connection) attachment;
                LOG.debug("HEP TCP connection from {} failed: {}", c.peer, e.toString());
                c.close();
            } else {
                LOG.warn("HEP socket error: {}", e.toString());
            }
        } catch (RuntimeException e) {
            // A bug, not bad input (bad input is counted, never thrown): log it and keep serving the others.
            LOG.error("HEP listener failed on {}", attachment instanceof Connection ? ((Connection) attachment).peer
                    : "its socket", e);
            if (attachment instanceof Connection) {
                ((Connection) attachment).close();
            }
        }
    }

    private void receiveDatagrams(ByteBuffer buffer) throws IOException {
        for (int i = 0; i < MAX_DATAGRAMS_PER_ROUND; i++) {
            buffer.clear();
            SocketAddress from = udp.receive(buffer);
            if (from == null) {
                behind(false);
                return;
            }
            InetSocketAddress sender = (InetSocketAddress) from;
            if (!allowList.allows(sender.getAddress())) {
                drops.drop(DropReason.SENDER_NOT_ALLOWED, "HEP datagram from " + sender + " (not on the allow-list)");
                continue;
            }
            int length = buffer.position();
            if (length > config.maxFrameSize()) {
                drops.drop(DropReason.SIP_TOO_LARGE, "HEP datagram of " + length + " bytes from " + sender
                        + " exceeds maxFrameSize " + config.maxFrameSize());
                continue;
            }
            process(Arrays.copyOf(buffer.array(), length), "UDP", sender);
        }
        behind(true); // a whole round read and still more waiting
    }

    private void behind(boolean now) {
        if (now != behind) {
            behind = now;
            LOG.debug("HEP over UDP {}", now ? "is behind: datagrams keep waiting" : "caught up");
            listener.behind(now);
        }
    }

    private void accept() throws IOException {
        for (int i = 0; i < MAX_ACCEPTS_PER_ROUND; i++) {
            SocketChannel channel = tcp.accept();
            if (channel == null) {
                return;
            }
            InetSocketAddress peer = (InetSocketAddress) channel.getRemoteAddress();
            if (peer == null || !allowList.allows(peer.getAddress())) {
                drops.drop(DropReason.SENDER_NOT_ALLOWED, "HEP TCP connection from " + peer
                        + " (not on the allow-list)");
                closeQuietly(channel);
                continue;
            }
            if (tcpConnections >= config.maxTcpConnections()) {
                drops.drop(DropReason.HEP_STREAM_BROKEN, "refused HEP TCP connection from " + peer + ": already "
                        + tcpConnections + " open (maxTcpConnections)");
                closeQuietly(channel);
                continue;
            }
            try {
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                key.attach(new Connection(channel, key, peer));
                tcpConnections++;
                LOG.debug("HEP TCP connection from {}", peer);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
    }

    /** Decodes one datagram or frame (owned from now on) and delivers its SIP, or counts why not. */
    private void process(byte[] frame, String via, InetSocketAddress sender) {
        HepPacket hep;
        try {
            hep = HepDecoder.decode(frame, 0, frame.length);
        } catch (HepException e) {
            drops.drop(e.reason(), "HEP over " + via + " from " + sender + ": " + e.getMessage());
            return;
        }
        if (authKey != null && !authKeyMatches(hep.authKey())) {
            drops.drop(DropReason.HEP_AUTH_FAILED, "HEP over " + via + " from " + sender
                    + (hep.authKey() == null ? " without an auth key" : " with a wrong auth key"));
            return;
        }
        if (!hep.isSip()) {
            drops.count(DropReason.HEP_NOT_SIP);
            return;
        }
        SipPacket packet = hep.timeMicros() == HepPacket.UNKNOWN_TIME ? hep.toSipPacket(nowMicros())
                : hep.toSipPacket();
        ("TCP".equals(via) ? sipOverTcp : sipOverUdp).increment();
        try {
            listener.onPacket(packet);
        } catch (RuntimeException e) {
            long failures = listenerFailures.incrementAndGet();
            long now = System.nanoTime();
            if (failures == 1 || now - lastListenerFailureLog >= LISTENER_FAILURE_LOG_INTERVAL_NANOS) {
                lastListenerFailureLog = now;
                LOG.error("Packet listener failed on {} ({} failures so far); going on with the next packet",
                        packet, failures, e);
            }
        }
    }

    private boolean authKeyMatches(String received) {
        return received != null && MessageDigest.isEqual(authKey, received.getBytes(StandardCharsets.UTF_8));
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** Must hold the lock or be the reader thread after it stopped serving. */
    private void closeChannels() {
        if (selector != null) {
            for (SelectionKey key : selectorKeys()) {
                if (key.attachment() instanceof Connection) {
                    closeQuietly(((Connection) key.attachment()).channel);
                }
            }
            closeQuietly(selector);
        }
        tcpConnections = 0;
        closeQuietly(udp);
        closeQuietly(tcp);
    }

    private Iterable<SelectionKey> selectorKeys() {
        try {
            return selector.keys();
        } catch (ClosedSelectorException e) {
            return List.of();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing {} failed: {}", c, e.toString());
        }
    }

    /** One HEP TCP connection and its partial frame. */
    private final class Connection {
        private final SocketChannel channel;
        private final SelectionKey key;
        private final InetSocketAddress peer;
        private ByteBuffer buffer = ByteBuffer.allocate(TCP_INITIAL_BUFFER);
        private long streamOffset;
        private boolean open = true;

        Connection(SocketChannel channel, SelectionKey key, InetSocketAddress peer) {
            this.channel = channel;
            this.key = key;
            this.peer = peer;
        }

        /** Reads what is there (once: the selector calls again while more is pending) and handles whole frames. */
        void read() throws IOException {
            int n = channel.read(buffer);
            if (n < 0) {
                if (buffer.position() > 0) {
                    drops.drop(DropReason.HEP_TRUNCATED, "HEP TCP connection from " + peer + " closed inside a frame ("
                            + buffer.position() + " bytes of it received)");
                }
                close();
                return;
            }
            buffer.flip();
            while (open && buffer.remaining() >= 4) {
                int at = buffer.position();
                byte[] b = buffer.array();
                boolean magic = (b[at] == 'H' || b[at] == 'E') && b[at + 1] == 'E' && b[at + 2] == 'P'
                        && b[at + 3] == '3';
                if (!magic) {
                    broken("not a HEP3 frame at stream byte " + streamOffset + " (starts with "
                            + HexFormat.of().formatHex(b, at, at + 4) + "; TCP carries HEPv3 only)");
                    return;
                }
                if (buffer.remaining() < HepDecoder.V3_HEADER_LENGTH) {
                    break;
                }
                int length = (b[at + 4] & 0xFF) << 8 | (b[at + 5] & 0xFF);
                if (length < HepDecoder.V3_HEADER_LENGTH) {
                    broken("HEP3 frame at stream byte " + streamOffset + " declares length " + length);
                    return;
                }
                if (length > config.maxFrameSize()) {
                    broken("HEP3 frame at stream byte " + streamOffset + " of " + length
                            + " bytes exceeds maxFrameSize " + config.maxFrameSize());
                    return;
                }
                if (buffer.remaining() < length) {
                    if (buffer.capacity() < length) {
                        ByteBuffer bigger = ByteBuffer.allocate(Math.max(length, Math.min(config.maxFrameSize(),
                                buffer.capacity() * 2)));
                        bigger.put(buffer);
                        buffer = bigger;
                        return; // 'bigger' is in write mode with the partial frame in it
                    }
                    break;
                }
                byte[] frame = Arrays.copyOfRange(b, at, at + length);
                buffer.position(at + length);
                streamOffset += length;
                process(frame, "TCP", peer);
            }
            if (open) {
                buffer.compact();
            }
        }

        private void broken(String why) {
            drops.drop(DropReason.HEP_STREAM_BROKEN, "HEP TCP connection from " + peer + ": " + why + "; closed");
            close();
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            key.cancel();
            closeQuietly(channel);
            tcpConnections--;
            LOG.debug("HEP TCP connection from {} closed", peer);
        }
    }
}
