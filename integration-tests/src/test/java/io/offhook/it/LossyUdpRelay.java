package io.offhook.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on 127.0.0.1 that loses datagrams at random, as a congested network does: put between a proxy's HEP
 * mirror and Offhook to prove that loss never leaves anyone stuck. The loss rate can change while it runs; the
 * random sequence is seeded, so a run's drop pattern depends only on the order datagrams arrive in.
 */
final class LossyUdpRelay implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress target;
    private final Random random;
    private final Thread thread;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile double lossRate;

    /** Relays to 127.0.0.1:{@code targetPort}, losing nothing until {@link #lossRate(double)} says otherwise. */
    LossyUdpRelay(int targetPort, long seed) throws SocketException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
        this.target = new InetSocketAddress(loopback, targetPort);
        this.random = new Random(seed);
        this.thread = new Thread(this::relay, "lossy-udp-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** The port to send to. */
    int port() {
        return socket.getLocalPort();
    }

    /** From now on, each datagram is lost with this probability (0 to 1). */
    void lossRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("loss rate " + rate + " is not within 0..1");
        }
        this.lossRate = rate;
    }

    long forwarded() {
        return forwarded.get();
    }

    long dropped() {
        return dropped.get();
    }

    private void relay() {
        byte[] buffer = new byte[65_535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                socket.receive(in);
                if (random.nextDouble() < lossRate) {
                    dropped.incrementAndGet();
                    continue;
                }
                socket.send(new DatagramPacket(in.getData(), in.getOffset(), in.getLength(), target));
                forwarded.incrementAndGet();
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // A send refused because Offhook's port is not there (yet): that datagram is lost, as on a network.
                dropped.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
