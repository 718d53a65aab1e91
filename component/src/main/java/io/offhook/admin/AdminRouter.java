package io.offhook.admin;

import io.offhook.xmpp.stream.ComponentListener;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;

/**
 * Sits between the connection and the engine: the IQs {@link AdminCommands} answers (discovery, version, commands
 * to the component's own address) go to one admin thread of their own, everything else to the engine, in stream
 * order. A command waits for the engine's loop and the tap's lock; on the reader thread that would hold up the
 * stream, on the engine thread it would hold up every presence.
 *
 * <p>At most {@value #QUEUE} admin requests wait; beyond that each is answered at once with
 * {@code resource-constraint} (type wait), so a flood of requests costs a reply each and no memory.
 */
public final class AdminRouter implements ComponentListener, AutoCloseable {
    static final int QUEUE = 32;
    private static final Logger LOG = LogManager.getLogger(AdminRouter.class);

    private final ComponentListener engine;
    private final AdminCommands commands;
    private final Consumer<Packet> send;
    private final ThreadPoolExecutor executor;

    /**
     * @param engine where every other stanza and every connection change goes
     * @param send writes a reply (the connection's {@code send}; a reply while disconnected is lost, as the request
     *     it answers was sent to a stream that is gone)
     */
    public AdminRouter(ComponentListener engine, AdminCommands commands, Consumer<Packet> send) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.send = Objects.requireNonNull(send, "send");
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "offhook-admin");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void connected() {
        engine.connected();
    }

    @Override
    public void stanza(Packet packet) {
        if (!(packet instanceof IQ iq) || !commands.handles(iq)) {
            engine.stanza(packet);
            return;
        }
        try {
            executor.execute(() -> answer(iq));
        } catch (RejectedExecutionException full) {
            IQ busy = IQ.createResultIQ(iq);
            busy.setError(new PacketError(PacketError.Condition.resource_constraint, PacketError.Type.wait,
                    "too many admin requests at once; try again"));
            send.accept(busy);
        }
    }

    @Override
    public void disconnected(String reason) {
        engine.disconnected(reason);
    }

    private void answer(IQ iq) {
        try {
            send.accept(commands.answer(iq));
        } catch (RuntimeException e) {
            LOG.warn("Could not answer the admin request {} from {}: {}", iq.getID(), iq.getFrom(), e.toString());
        }
    }

    /** Stops the admin thread; a command under way is interrupted. Idempotent. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("The admin thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
