package io.offhook.tap.publish;

import gov.nist.javax.sip.EventScanner;
import gov.nist.javax.sip.EventWrapper;
import gov.nist.javax.sip.SipStackImpl;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.sip.IOExceptionEvent;
import javax.sip.PeerUnavailableException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Starting and stopping a JAIN-SIP 1.3.0-91 stack the way Offhook needs it, shared by every part that runs one (the
 * PUBLISH receiver, the dialog-event subscriber, the chat publisher): logging routed to Log4j2, the stack's threads daemons, and a stop
 * that really ends its threads. Each quirk it works around is named where it is handled.
 */
public final class JainSipStacks {
    private static final Logger LOG = LogManager.getLogger(JainSipStacks.class);

    private JainSipStacks() {
    }

    /**
     * Properties every Offhook stack sets: its name, no automatic dialogs, logging routed to Log4j2, and the
     * message parser behind {@link GuardedMessageParserFactory}'s check.
     */
    public static Properties baseProperties(String stackName) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", JainSipLog.Stack.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", JainSipLog.Server.class.getName());
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", GuardedMessageParserFactory.class.getName());
        return p;
    }

    /**
     * Makes the stack on a daemon thread of its own: JAIN-SIP's event thread inherits its maker's daemon status and
     * is not told otherwise, and a non-daemon thread left behind (see {@link #stop}) would keep the JVM alive.
     */
    public static SipStackImpl newStack(Properties p, String threadName) throws PeerUnavailableException {
        JainSipLog.install();
        SipStackImpl[] made = new SipStackImpl[1];
        Exception[] failed = new Exception[1];
        Thread maker = new Thread(() -> {
            try {
                made[0] = new SipStackImpl(p);
            } catch (PeerUnavailableException | RuntimeException e) {
                failed[0] = e;
            }
        }, threadName);
        maker.setDaemon(true);
        maker.start();
        try {
            maker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnavailableException("interrupted while JAIN-SIP started", e);
        }
        if (failed[0] instanceof PeerUnavailableException e) {
            throw e;
        }
        if (failed[0] != null || made[0] == null) {
            throw new PeerUnavailableException("JAIN-SIP did not start: " + failed[0], failed[0]);
        }
        return made[0];
    }

    /**
     * Stops {@code stack} and ends its threads. {@code provider} and {@code listener} may be {@code null} after a
     * failed start; {@code host} and {@code port} only label the wake-up event.
     */
    public static void stop(SipStackImpl stack, SipProvider provider, SipListener listener, String host, int port) {
        if (stack == null) {
            return;
        }
        EventScanner scanner = stack.getEventScanner();
        if (provider != null && listener != null) {
            provider.removeSipListener(listener);
        }
        try {
            stack.stop();
        } catch (RuntimeException e) {
            // JAIN-SIP 1.3.0-91 races with itself when stopped right after it started (its UDP processor is still
            // adding its threads to the list that stop walks): what it stopped stays stopped, and a second stop
            // takes the rest (the TCP listener, the timers).
            LOG.debug("JAIN-SIP failed to stop at once ({}); stopping the rest", e.toString());
            stack.stop();
        }
        // JAIN-SIP 1.3.0-91's event thread checks whether it was stopped only after its next event: it would wait
        // for ever. One event nobody listens to any more wakes it to end. (Without a provider, after a failed
        // start, there is no event to send it: it stays, idle, as a daemon thread.)
        if (scanner != null && provider != null) {
            scanner.forceStop();
            scanner.addEvent(new EventWrapper(new IOExceptionEvent(provider, host, port, "udp"), null));
        }
    }
}
