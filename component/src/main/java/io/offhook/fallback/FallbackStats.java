package io.offhook.fallback;

/**
 * The login fallback's counters since start.
 *
 * @param accounts lines in the credentials file
 * @param open sessions logged in now
 * @param loginsSucceeded logins that succeeded (first ones and reconnections)
 * @param loginsFailed login attempts that failed, for any reason
 * @param authFailures of those, the ones where the server refused the password
 * @param lost open sessions that ended without Offhook asking (server restart, network, conflict)
 */
public record FallbackStats(int accounts, int open, long loginsSucceeded, long loginsFailed, long authFailures,
                            long lost) {
}
