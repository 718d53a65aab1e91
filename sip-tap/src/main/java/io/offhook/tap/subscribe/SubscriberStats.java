package io.offhook.tap.subscribe;

import java.util.Map;

/**
 * The subscriber's counters, for metrics and the log.
 *
 * @param users users to watch
 * @param active subscriptions the notifier accepted and that have not ended
 * @param waiting users waiting to (re-)subscribe after a failure or for their turn at start
 * @param sent SUBSCRIBEs sent (initial, refreshes and removals)
 * @param failures subscriptions that failed or ended and must be made again (refused, unanswered, terminated by
 *     the notifier, expired, state lost)
 * @param notifies NOTIFYs by outcome
 */
public record SubscriberStats(int users, int active, int waiting, long sent, long failures,
                              Map<NotifyOutcome, Long> notifies) {
    public SubscriberStats {
        notifies = Map.copyOf(notifies);
    }
}
