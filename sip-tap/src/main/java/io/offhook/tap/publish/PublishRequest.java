package io.offhook.tap.publish;

import java.util.Objects;

/**
 * The parts of a PUBLISH request (RFC 3903 section 4) the {@link PublicationStore} decides on, taken out of the SIP
 * message by the receiver.
 *
 * @param aor the resource's address of record ({@link io.offhook.tap.track.Aor#of}), never {@code null}
 * @param eventType the Event header's type without parameters, or {@code null} when there is none
 * @param ifMatch the SIP-If-Match entity tag, or {@code null} for an initial publication
 * @param expires the Expires header's seconds, or {@link #NO_EXPIRES}
 * @param contentType the body's {@code type/subtype} in lower case, without parameters, or {@code null}
 * @param body the body (empty when there is none); not copied, the caller hands it over
 * @param publisher who sent it ({@code address:port}), for the log
 */
public record PublishRequest(String aor, String eventType, String ifMatch, long expires, String contentType,
                             byte[] body, String publisher) {
    /** {@link #expires()} when the request has no Expires header. */
    public static final long NO_EXPIRES = -1;

    public PublishRequest {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(publisher, "publisher");
        if (expires < NO_EXPIRES) {
            throw new IllegalArgumentException("expires must be absent or not negative: " + expires);
        }
    }

    /** Whether the request carries a body. */
    public boolean hasBody() {
        return body.length > 0;
    }
}
