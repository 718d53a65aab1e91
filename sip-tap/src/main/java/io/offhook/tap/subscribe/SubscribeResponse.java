package io.offhook.tap.subscribe;

/**
 * What a final answer to a SUBSCRIBE says, taken out of the SIP response by the adapter.
 *
 * @param status the status code
 * @param expires the Expires header's seconds (the granted lifetime of a 2xx), or -1
 * @param toTag the To tag (the notifier's dialog tag), or {@code null}
 * @param contact the Contact URI (the notifier's remote target), or {@code null}
 * @param retryAfter the Retry-After header's seconds, or -1
 * @param minExpires the Min-Expires header's seconds (a 423's), or -1
 * @param challenge a 401's WWW-Authenticate or a 407's Proxy-Authenticate value, or {@code null}
 */
public record SubscribeResponse(int status, long expires, String toTag, String contact, long retryAfter,
                                long minExpires, String challenge) {
    public SubscribeResponse {
        if (status < 100 || status > 699) {
            throw new IllegalArgumentException("not a status code: " + status);
        }
    }

    /** A response with only a status (tests, and a timeout as 408). */
    public static SubscribeResponse of(int status) {
        return new SubscribeResponse(status, -1, null, null, -1, -1, null);
    }
}
