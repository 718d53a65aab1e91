package io.offhook.tap.subscribe;

import java.util.Objects;

/**
 * The parts of a NOTIFY (RFC 6665 section 4.1.3) the {@link DialogSubscriber} decides on, taken out of the SIP
 * request by the adapter.
 *
 * @param callId the Call-ID
 * @param toTag the To tag: Offhook's own From tag of the subscription, or {@code null}
 * @param fromTag the notifier's tag, or {@code null}
 * @param eventType the Event header's type without parameters, or {@code null}
 * @param state the Subscription-State's value ({@code active}, {@code pending}, {@code terminated}, lower case),
 *     or {@code null} when the header is missing
 * @param expires its {@code expires} parameter, or -1
 * @param reason its {@code reason} parameter (lower case), or {@code null}
 * @param retryAfter its {@code retry-after} parameter, or -1
 * @param contentType the body's {@code type/subtype} in lower case, or {@code null}
 * @param body the body, empty when there is none
 * @param contact the Contact URI (the notifier's remote target), or {@code null}
 */
public record NotifyRequest(String callId, String toTag, String fromTag, String eventType, String state,
                            long expires, String reason, long retryAfter, String contentType, byte[] body,
                            String contact) {
    public NotifyRequest {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(body, "body");
    }
}
