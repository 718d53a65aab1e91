package io.offhook.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.track.PhoneState;
import io.offhook.xmpp.stream.ComponentListener;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;
import org.xmpp.packet.Presence;

/** Admin IQs leave the reader's thread for the admin thread; everything else goes to the engine as it came. */
class AdminRouterTest {
    final BlockingQueue<String> engine = new LinkedBlockingQueue<>();
    final BlockingQueue<IQ> replies = new LinkedBlockingQueue<>();
    final BlockingQueue<String> replyThreads = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch started = new CountDownLatch(1);
    final AdminRouter router = new AdminRouter(new ComponentListener() {
        @Override
        public void connected() {
            engine.add("connected");
        }

        @Override
        public void stanza(Packet packet) {
            engine.add("stanza " + packet.getID() + " on " + Thread.currentThread().getName());
        }

        @Override
        public void disconnected(String reason) {
            engine.add("disconnected " + reason);
        }
    }, new AdminCommands(new JID("phone.localhost"), Set.of(new JID("admin@localhost")), new SlowBackend(),
            "1.0", Clock.systemUTC()), p -> {
                replies.add((IQ) p);
                replyThreads.add(Thread.currentThread().getName());
            });

    @AfterEach
    void close() {
        release.countDown();
        router.close();
    }

    static IQ iq(String id, String from, String payload) throws DocumentException {
        return new IQ(DocumentHelper.parseText("<iq type='" + (payload.contains("command") ? "set" : "get")
                + "' id='" + id + "' from='" + from + "' to='phone.localhost'>" + payload + "</iq>")
                .getRootElement(), true);
    }

    static final String VERSION = "<query xmlns='jabber:iq:version'/>";
    static final String COUNTERS = "<command xmlns='http://jabber.org/protocol/commands' node='counters'/>";

    IQ reply() throws InterruptedException {
        IQ r = replies.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "a reply within 10 s");
        return r;
    }

    @Test
    void adminIqsAreAnsweredOnTheAdminThreadTheRestGoesToTheEngine() throws Exception {
        router.connected();
        Presence p = new Presence();
        p.setID("p1");
        p.setFrom("bob@localhost/desk");
        router.stanza(p);
        router.stanza(iq("ping1", "bob@localhost/desk", "<ping xmlns='urn:xmpp:ping'/>"));
        router.stanza(iq("v1", "bob@localhost/desk", VERSION));
        router.disconnected("gone");
        String me = Thread.currentThread().getName();
        assertEquals(List.of("connected", "stanza p1 on " + me, "stanza ping1 on " + me, "disconnected gone"),
                List.copyOf(engine));
        IQ version = reply();
        assertEquals("v1", version.getID());
        assertEquals(IQ.Type.result, version.getType());
        assertEquals("offhook-admin", replyThreads.take());
    }

    @Test
    void aFloodOfRequestsIsAnsweredBusyBeyondTheQueueAndTheRestInTurn() throws Exception {
        router.stanza(iq("first", "admin@localhost/x", COUNTERS));
        assertTrue(started.await(10, TimeUnit.SECONDS), "the first command runs and waits");
        int extra = 5;
        for (int i = 0; i < AdminRouter.QUEUE + extra; i++) {
            router.stanza(iq("q" + i, "admin@localhost/x", VERSION));
        }
        for (int i = 0; i < extra; i++) {
            IQ busy = reply();
            assertEquals(IQ.Type.error, busy.getType());
            assertEquals(PacketError.Condition.resource_constraint, busy.getError().getCondition());
            assertEquals(PacketError.Type.wait, busy.getError().getType());
            assertEquals("q" + (AdminRouter.QUEUE + i), busy.getID());
        }
        release.countDown();
        assertEquals("first", reply().getID());
        for (int i = 0; i < AdminRouter.QUEUE; i++) {
            IQ r = reply();
            assertEquals("q" + i, r.getID());
            assertEquals(IQ.Type.result, r.getType());
        }
    }

    @Test
    void afterCloseARequestIsAnsweredBusy() throws Exception {
        router.close();
        router.stanza(iq("late", "bob@localhost/desk", VERSION));
        assertEquals(PacketError.Condition.resource_constraint, reply().getError().getCondition());
    }

    /** A backend whose counters wait until the test releases them. */
    final class SlowBackend implements AdminBackend {
        @Override
        public UserList users(int limit) {
            return new UserList(0, List.of());
        }

        @Override
        public UserReport user(String jidOrAddress) throws AdminException {
            throw new AdminException("no");
        }

        @Override
        public ClearReport clear(String jidOrAddress) {
            return new ClearReport(new JID("a@localhost"), List.of(), 0, 0, PhoneState.OFFLINE);
        }

        @Override
        public String reloadMapping() {
            return "reloaded";
        }

        @Override
        public List<Counter> counters() throws AdminException {
            started.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new AdminException("not released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdminException("interrupted");
            }
            return List.of();
        }
    }
}
