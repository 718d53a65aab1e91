package io.offhook.admin;

import io.offhook.publish.PresenceEngine;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs a read of the {@link PresenceEngine} on the engine's own thread and waits for its answer: the engine is not
 * thread-safe, and what the admin reads must be what the engine holds between two inputs.
 * {@code io.offhook.app.EngineLoop::call} is one; a test may run the task directly.
 */
@FunctionalInterface
public interface EngineAccess {
    /**
     * @throws TimeoutException when the engine has not run the task within {@code timeout}
     */
    <T> T call(Function<PresenceEngine, T> task, Duration timeout) throws InterruptedException, TimeoutException;
}
