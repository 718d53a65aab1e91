package io.offhook.tap.track;

import io.offhook.tap.sip.Contact;
import io.offhook.tap.sip.MediaDirection;
import io.offhook.tap.sip.SipMessage;
import java.util.ArrayList;
import java.util.List;

/** Builds SipMessages for tracker tests without going through bytes (the scanner has its own tests). */
final class Msg {
    private String method;
    private int status;
    private String requestUri;
    private String callId = "call-1";
    private long cseq = 1;
    private String cseqMethod;
    private String fromUri = "sip:alice@example.com";
    private String fromTag = "a-tag";
    private String toUri = "sip:bob@example.com";
    private String toTag;
    private final List<Contact> contacts = new ArrayList<>();
    private boolean wildcard;
    private int expires = SipMessage.ABSENT;
    private int sessionExpires = SipMessage.ABSENT;
    private MediaDirection media;
    private boolean nullConnection;
    private String pai;

    static Msg request(String method, String requestUri) {
        Msg m = new Msg();
        m.method = method;
        m.cseqMethod = method;
        m.requestUri = requestUri;
        return m;
    }

    static Msg response(int status, String cseqMethod) {
        Msg m = new Msg();
        m.status = status;
        m.cseqMethod = cseqMethod;
        return m;
    }

    Msg callId(String v) {
        callId = v;
        return this;
    }

    Msg cseq(long v) {
        cseq = v;
        return this;
    }

    Msg from(String uri, String tag) {
        fromUri = uri;
        fromTag = tag;
        return this;
    }

    Msg to(String uri, String tag) {
        toUri = uri;
        toTag = tag;
        return this;
    }

    Msg contact(String uri) {
        contacts.add(new Contact(uri, SipMessage.ABSENT));
        return this;
    }

    Msg contact(String uri, int expiresParam) {
        contacts.add(new Contact(uri, expiresParam));
        return this;
    }

    Msg wildcard() {
        wildcard = true;
        return this;
    }

    Msg expires(int v) {
        expires = v;
        return this;
    }

    Msg sessionExpires(int v) {
        sessionExpires = v;
        return this;
    }

    Msg sdp(MediaDirection d) {
        media = d;
        return this;
    }

    Msg holdAddress() {
        media = MediaDirection.SENDRECV;
        nullConnection = true;
        return this;
    }

    Msg pai(String uri) {
        pai = uri;
        return this;
    }

    SipMessage build() {
        return new SipMessage(method, status, requestUri, callId, cseq, cseqMethod, fromUri, fromTag, toUri, toTag,
                contacts, wildcard, expires, sessionExpires, media == null ? null : "application/sdp", media,
                nullConnection, pai);
    }
}
