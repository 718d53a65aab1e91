package io.offhook.tap.subscribe;

import java.util.Objects;

/**
 * One SUBSCRIBE the {@link DialogSubscriber} wants sent; the adapter turns it into a SIP request to the target.
 *
 * @param aor the watched user's address of record (To, and the Request-URI of an initial SUBSCRIBE)
 * @param requestUri the Request-URI: the address of record, or the notifier's Contact within a dialog
 * @param callId the subscription dialog's Call-ID
 * @param localTag Offhook's From tag
 * @param remoteTag the notifier's To tag, or {@code null} for an initial SUBSCRIBE
 * @param cseq the CSeq number
 * @param expires the Expires asked for, in seconds; 0 ends the subscription
 * @param authorization an Authorization (or Proxy-Authorization) header value answering a challenge, or
 *     {@code null}
 * @param proxyAuthorization whether {@code authorization} goes in Proxy-Authorization (a 407's answer)
 */
public record SubscribeRequest(String aor, String requestUri, String callId, String localTag, String remoteTag,
                               long cseq, long expires, String authorization, boolean proxyAuthorization) {
    public SubscribeRequest {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(requestUri, "requestUri");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(localTag, "localTag");
        if (cseq < 1 || expires < 0) {
            throw new IllegalArgumentException("cseq " + cseq + " or expires " + expires + " out of range");
        }
    }

    @Override
    public String toString() {
        return "SUBSCRIBE " + requestUri + " (" + aor + ", call " + callId + ", cseq " + cseq + ", expires "
                + expires + (authorization != null ? ", with credentials" : "") + ")";
    }
}
