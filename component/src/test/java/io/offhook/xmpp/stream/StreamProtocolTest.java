package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** XEP-0114 section 3 handshake and the fixed texts we write. */
class StreamProtocolTest {

    @Test
    void handshakeIsLowercaseHexSha1OfStreamIdThenSecret() {
        // Vectors computed with: printf '%s' '3BF96D32s3cr3t' | sha1sum
        assertEquals("ba33290100f616a33656a931798d6c9011cfa840", StreamProtocol.digest("3BF96D32", "s3cr3t"));
        // ... and printf '%s' 'abc123pässwörd' | sha1sum (UTF-8)
        assertEquals("b195410226d4ba81c8e721370b66245da41f118c", StreamProtocol.digest("abc123", "pässwörd"));
        assertEquals("<handshake>ba33290100f616a33656a931798d6c9011cfa840</handshake>",
                StreamProtocol.handshake("3BF96D32", "s3cr3t"));
    }

    @Test
    void streamHeaderAddressesTheComponentDomain() {
        assertEquals("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'"
                + " to='phone.localhost'>", StreamProtocol.streamHeader("phone.localhost"));
    }

    @Test
    void pingIsAnIqGetToAResourceOfTheServer() {
        // never to the bare domain: ejabberd 24.10 and 24.12 drop such IQs from a privileged component unanswered
        assertEquals("<iq type='get' from='phone.localhost' to='localhost/offhook-keepalive' id='p&amp;1'>"
                + "<ping xmlns='urn:xmpp:ping'/></iq>", StreamProtocol.ping("phone.localhost", "localhost", "p&1"));
    }

    @Test
    void escapesAttributeValues() {
        assertEquals("a&amp;b&lt;c&gt;d&apos;e&quot;f", StreamProtocol.escapeAttribute("a&b<c>d'e\"f"));
    }
}
