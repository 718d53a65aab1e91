package io.offhook.tap.publish;

import gov.nist.core.CommonLogger;
import gov.nist.core.ServerLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sends JAIN-SIP's own logging to Log4j2. JAIN-SIP 1.3 logs through log4j 1.2, which Offhook does not ship: any
 * of its logging paths would throw {@code NoClassDefFoundError}. Its stack logger says much at info and warn that
 * is routine for a receiver (TLS key stores it will not use, timer threads), so everything goes to the logger
 * {@value #LOGGER} one level lower: errors at warn, the rest at debug. The message log (every message in and out)
 * is left out: {@link PublishReceiver} writes its own wire log without credentials.
 *
 * <p>The nested classes are public only because JAIN-SIP creates them by name ({@code STACK_LOGGER},
 * {@code SERVER_LOGGER}).
 */
public final class JainSipLog {
    /** The logger JAIN-SIP's lines go to. */
    public static final String LOGGER = "offhook.jainsip";
    private static final Logger LOG = LogManager.getLogger(LOGGER);

    private JainSipLog() {
    }

    /** Routes JAIN-SIP's static logging here; must run before the first stack is made. Idempotent. */
    public static synchronized void install() {
        if (!(CommonLogger.legacyLogger instanceof Stack)) {
            CommonLogger.legacyLogger = new Stack();
            CommonLogger.useLegacyLogger = true;
        }
    }

    /** JAIN-SIP's stack logger, forwarding to Log4j2. */
    public static final class Stack implements StackLogger {
        @Override
        public void logStackTrace() {
        }

        @Override
        public void logStackTrace(int traceLevel) {
        }

        @Override
        public int getLineCount() {
            return 0;
        }

        @Override
        public void logException(Throwable ex) {
            LOG.warn("JAIN-SIP: {}", ex.toString());
            LOG.debug("JAIN-SIP exception", ex);
        }

        @Override
        public void logDebug(String message) {
            LOG.trace(message);
        }

        @Override
        public void logDebug(String message, Exception ex) {
            LOG.trace(message, ex);
        }

        @Override
        public void logTrace(String message) {
            LOG.trace(message);
        }

        @Override
        public void logFatalError(String message) {
            LOG.warn(message);
        }

        @Override
        public void logError(String message) {
            LOG.warn(message);
        }

        @Override
        public void logError(String message, Exception ex) {
            LOG.warn("{}: {}", message, ex.toString());
            LOG.debug(message, ex);
        }

        @Override
        public boolean isLoggingEnabled() {
            return LOG.isWarnEnabled();
        }

        @Override
        public boolean isLoggingEnabled(int logLevel) {
            // JAIN-SIP: the lower the level, the more serious.
            return logLevel <= TRACE_ERROR ? LOG.isWarnEnabled() : logLevel <= TRACE_INFO ? LOG.isDebugEnabled()
                    : LOG.isTraceEnabled();
        }

        @Override
        public void logWarning(String message) {
            LOG.debug(message);
        }

        @Override
        public void logInfo(String message) {
            LOG.debug(message);
        }

        @Override
        public void disableLogging() {
        }

        @Override
        public void enableLogging() {
        }

        @Override
        public void setBuildTimeStamp(String buildTimeStamp) {
        }

        @Override
        public void setStackProperties(Properties stackProperties) {
        }

        @Override
        public String getLoggerName() {
            return LOGGER;
        }
    }

    /** JAIN-SIP's message logger: logs nothing (see the class comment). */
    public static final class Server implements ServerLogger {
        @Override
        public void closeLogFile() {
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, String status, boolean sender,
                               long time) {
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        }

        @Override
        public void logException(Exception ex) {
            LOG.debug("JAIN-SIP message log exception", ex);
        }

        @Override
        public void setStackProperties(Properties stackProperties) {
        }

        @Override
        public void setSipStack(SipStack sipStack) {
        }
    }
}
