package io.offhook.fallback;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.xmpp.packet.JID;

/**
 * Sessions without a server: each records what it is asked to do as one line ({@code "alice@other.test open"},
 * {@code "... send dnd On the phone -1"}, {@code "... close"}), and the test decides which logins fail, when logins
 * may finish, and when an open session is lost.
 */
final class FakeSessions implements ClientSession.Factory {
    private final List<String> events = new ArrayList<>();
    final Set<JID> wrongPassword = ConcurrentHashMap.newKeySet();
    /** The latest session made for each user. */
    final Map<JID, Session> latest = new ConcurrentHashMap<>();
    private final AtomicInteger opening = new AtomicInteger();
    private final AtomicInteger mostOpening = new AtomicInteger();
    private volatile CountDownLatch gate;

    /** From now on, logins wait until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** Logins running at this moment, and the most there ever were at once. */
    int opening() {
        return opening.get();
    }

    int mostOpening() {
        return mostOpening.get();
    }

    @Override
    public ClientSession create(Account account, String resource, ClientSession.Listener listener) {
        Session s = new Session(account, resource, listener);
        latest.put(account.jid(), s);
        return s;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** What was done with {@code user}'s sessions, without the user's name. */
    synchronized List<String> of(String user) {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (e.startsWith(user + " ")) {
                out.add(e.substring(user.length() + 1));
            }
        }
        return out;
    }

    private synchronized void record(String event) {
        events.add(event);
        notifyAll();
    }

    /** Waits until {@code done} holds (checked whenever an event is recorded, and every 50 ms). */
    synchronized void await(BooleanSupplier done, Supplier<String> what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("waited 10 s for " + what.get() + "; events: " + events);
            }
            try {
                wait(Math.min(50, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    final class Session implements ClientSession {
        private final Account account;
        private final String resource;
        private final Listener listener;

        Session(Account account, String resource, Listener listener) {
            this.account = account;
            this.resource = resource;
            this.listener = listener;
        }

        @Override
        public void open() throws LoginFailure, InterruptedException {
            int now = opening.incrementAndGet();
            mostOpening.accumulateAndGet(now, Math::max);
            try {
                CountDownLatch g = gate;
                if (g != null && !g.await(10, TimeUnit.SECONDS)) {
                    throw new LoginFailure(LoginFailure.Kind.NETWORK, "the test never released the login");
                }
            } finally {
                opening.decrementAndGet();
            }
            if (wrongPassword.contains(account.jid())) {
                record(account.jid() + " open failed");
                throw new LoginFailure(LoginFailure.Kind.AUTH, "the server refused the password (not-authorized)");
            }
            record(account.jid() + " open /" + resource);
        }

        @Override
        public boolean send(Optional<SessionPresence> presence) {
            record(account.jid() + " send " + presence.map(p -> p.show().configName() + " " + p.status() + " "
                    + p.priority()).orElse("unavailable"));
            return true;
        }

        @Override
        public void close() {
            record(account.jid() + " close");
        }

        @Override
        public void abort() {
            record(account.jid() + " abort");
        }

        /** The server ends the session. */
        void lose() {
            listener.lost("the test cut it");
        }

        /** The server tells of one of the user's own clients. */
        void own(String clientResource, Optional<OwnPresence> presence) {
            listener.own(clientResource, presence);
        }
    }
}
