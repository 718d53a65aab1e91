package io.offhook.tap.sip;

import java.util.List;
import java.util.Objects;

/**
 * The fields of one SIP request or response that phone-state tracking needs, and nothing else.
 *
 * <p>Header values are as on the wire with surrounding whitespace removed; URIs are the bare URI (no display
 * name, no angle brackets, no header parameters such as {@code ;tag=}); tags are the {@code tag} parameter values.
 * Integers that were absent are {@link #ABSENT}.
 *
 * @param method request method as on the wire (methods are case-sensitive, RFC 3261 7.1: {@code INVITE} is
 *     upper case, {@code invite} would be another method), {@code null} for a response
 * @param statusCode response status code, 0 for a request
 * @param requestUri the Request-URI of a request, {@code null} for a response
 * @param callId the Call-ID (compact form {@code i})
 * @param cseq the CSeq sequence number
 * @param cseqMethod the CSeq method, as on the wire like {@code method}
 * @param fromUri URI of the From header (compact {@code f})
 * @param fromTag tag of the From header, {@code null} if none
 * @param toUri URI of the To header (compact {@code t})
 * @param toTag tag of the To header, {@code null} if none
 * @param contacts every Contact value (compact {@code m}) in order, several per header line included;
 *     empty when there is none or when {@code contactWildcard}
 * @param contactWildcard {@code Contact: *} (de-register all bindings)
 * @param expires the Expires header in seconds, or {@link #ABSENT}
 * @param sessionExpires the delta-seconds of Session-Expires (compact {@code x}, RFC 4028), or {@link #ABSENT}
 * @param contentType media type of the body as {@code type/subtype} in lower case (compact {@code c}), or
 *     {@code null}
 * @param media direction of the SDP body's first audio stream (first stream if none is audio), or {@code null}
 *     when there is no SDP body
 * @param nullConnection the SDP connection address of that stream is {@code 0.0.0.0} (RFC 2543 hold)
 * @param assertedIdentity first URI of P-Asserted-Identity (RFC 3325), or {@code null}
 */
public record SipMessage(
        String method,
        int statusCode,
        String requestUri,
        String callId,
        long cseq,
        String cseqMethod,
        String fromUri,
        String fromTag,
        String toUri,
        String toTag,
        List<Contact> contacts,
        boolean contactWildcard,
        int expires,
        int sessionExpires,
        String contentType,
        MediaDirection media,
        boolean nullConnection,
        String assertedIdentity) {

    /** The value of an integer field whose header or parameter was absent. */
    public static final int ABSENT = -1;

    public SipMessage {
        if ((method == null) == (statusCode == 0)) {
            throw new IllegalArgumentException("exactly one of method and statusCode must be set");
        }
        if (method != null && requestUri == null) {
            throw new IllegalArgumentException("a request needs a Request-URI");
        }
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(cseqMethod, "cseqMethod");
        Objects.requireNonNull(fromUri, "fromUri");
        Objects.requireNonNull(toUri, "toUri");
        contacts = List.copyOf(contacts);
    }

    public boolean isRequest() {
        return method != null;
    }

    public boolean isResponse() {
        return method == null;
    }

    /** The request method, or for a response the method of the request it answers (from CSeq). */
    public String effectiveMethod() {
        return method != null ? method : cseqMethod;
    }
}
