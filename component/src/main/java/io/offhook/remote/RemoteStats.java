package io.offhook.remote;

/**
 * What remote control and user activity did so far.
 *
 * @param requests privileged IQs sent
 * @param timeouts requests that got no answer within {@code remote-control.timeout}
 * @param refusals requests answered with an error (by a client, or by the server)
 * @param holds clients set to the phone's status (each completed change, updates included)
 * @param restores clients set back to their previous status
 * @param userChanges clients whose user changed the status during a call (nothing restored)
 * @param gaveUp steps given up after {@code remote-control.retries} attempts (logged)
 * @param activityPublications activities published or retracted
 * @param inFlight requests outstanding now
 */
public record RemoteStats(long requests, long timeouts, long refusals, long holds, long restores, long userChanges,
                          long gaveUp, long activityPublications, int inFlight) {
}
