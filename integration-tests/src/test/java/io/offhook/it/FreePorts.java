package io.offhook.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free ports on 127.0.0.1 for the processes the tests start (Kamailio, sipp and its media ports), which must
 * be told a port on their command line or in their config.
 *
 * <p>Ports are taken from 20000-31999, below Linux's ephemeral range (32768 and up), so that an outgoing connection
 * of some other process cannot grab one between the check and the start. A port is free when UDP and TCP sockets
 * can both be bound to it; ports handed out once are never handed out again by this JVM.
 */
final class FreePorts {
    private static final int FIRST = 20_000;
    private static final int RANGE = 12_000;
    private static final int MAX_ATTEMPTS = 2_000;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** One free port (UDP and TCP). */
    static int one() {
        return block(1);
    }

    /** The first of {@code span} consecutive free ports (UDP and TCP), e.g. 3 for a sipp media port (-mp). */
    static synchronized int block(int span) {
        int start = ThreadLocalRandom.current().nextInt(RANGE);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int first = FIRST + (start + attempt * 7) % (RANGE - span);
            boolean free = true;
            for (int p = first; free && p < first + span; p++) {
                free = !HANDED_OUT.contains(p) && bindable(p);
            }
            if (free) {
                for (int p = first; p < first + span; p++) {
                    HANDED_OUT.add(p);
                }
                return first;
            }
        }
        throw new IllegalStateException("no " + span + " free consecutive ports on 127.0.0.1 in " + FIRST + ".."
                + (FIRST + RANGE - 1) + " after " + MAX_ATTEMPTS + " attempts");
    }

    private static boolean bindable(int port) {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port));
             ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(LOOPBACK, port));
            return udp.isBound() && tcp.isBound();
        } catch (IOException e) {
            return false;
        }
    }
}
