package io.offhook.tap.publish;

import java.util.List;

/**
 * What to answer a PUBLISH (RFC 3903 section 6): the status, the reason phrase, and the headers the status needs.
 * The receiver turns it into a SIP response.
 *
 * @param status the status code
 * @param reason the reason phrase; for a 400 it names what is wrong with the request or its body
 * @param etag the new entity tag (SIP-ETag) for a 2xx, else {@code null}
 * @param expires the granted lifetime in seconds (Expires) for a 2xx, else -1
 * @param minExpires the shortest lifetime accepted (Min-Expires) for a 423, else -1
 * @param allowEvents the event packages accepted (Allow-Events) for a 489, else empty
 * @param accept the body type accepted (Accept) for a 415, else {@code null}
 * @param retryAfter seconds to wait (Retry-After) for a 503, else -1
 */
public record PublishAnswer(int status, String reason, String etag, long expires, long minExpires,
                            List<String> allowEvents, String accept, int retryAfter) {
    public PublishAnswer {
        if (status < 100 || status > 699) {
            throw new IllegalArgumentException("not a status code: " + status);
        }
        allowEvents = List.copyOf(allowEvents);
    }

    static PublishAnswer ok(String etag, long expires) {
        return new PublishAnswer(200, "OK", etag, expires, -1, List.of(), null, -1);
    }

    static PublishAnswer error(int status, String reason) {
        return new PublishAnswer(status, reason, null, -1, -1, List.of(), null, -1);
    }

    static PublishAnswer intervalTooBrief(long minExpires) {
        return new PublishAnswer(423, "Interval Too Brief", null, -1, minExpires, List.of(), null, -1);
    }

    static PublishAnswer badEvent() {
        return new PublishAnswer(489, "Bad Event", null, -1, -1, EventPackage.NAMES, null, -1);
    }

    static PublishAnswer unsupportedMediaType(String accept) {
        return new PublishAnswer(415, "Unsupported Media Type", null, -1, -1, List.of(), accept, -1);
    }

    static PublishAnswer unavailable(String reason, int retryAfter) {
        return new PublishAnswer(503, reason, null, -1, -1, List.of(), null, retryAfter);
    }

    /** Whether the publication was accepted. */
    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
