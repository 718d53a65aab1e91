package io.offhook.tap.publish.out;

import java.util.Map;

/**
 * What the publisher did so far, for metrics.
 *
 * @param answers answers by outcome
 * @param serverDown whether the presence server is taken to be down now
 * @param timesDown how often it went down
 * @param users users held
 * @param dropped updates dropped because {@link SipPublishConfig#maxUsers()} were held
 */
public record SipPublishStats(Map<OutboundPublications.Outcome, Long> answers, boolean serverDown, long timesDown,
                              int users, long dropped) {
    /** Copies the map. */
    public SipPublishStats {
        answers = Map.copyOf(answers);
    }
}
