package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AorTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sip:alice@example.com|sip:alice@example.com",
        "sip:alice@EXAMPLE.com:5060;transport=tcp|sip:alice@example.com",
        "sips:alice@example.com|sip:alice@example.com",
        "SIP:Alice@Example.com?subject=x|sip:Alice@example.com",
        "sip:+4930123456@example.com;user=phone|sip:+4930123456@example.com",
        "sip:alice;ext=1@example.com|sip:alice@example.com",
        "sip:example.com|sip:example.com",
        "sip:bob@[2001:DB8::1]:5070|sip:bob@[2001:db8::1]",
        "tel:+49-30-123.456;phone-context=example.com|tel:+4930123456",
        "Sip:Jérôme@BÜCHER.example|sip:Jérôme@bücher.example",
        "sip:@example.com|sip:example.com",
        "sip:alice@example.com:5070;transport=tcp|sip:alice@example.com",
    })
    void normalisesAddressesOfRecord(String uri, String aor) {
        assertEquals(aor, Aor.of(uri));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sip:bob@127.0.0.1:5062|bob@127.0.0.1:5062",
        "sip:bob@127.0.0.1;transport=udp|bob@127.0.0.1:5060",
        "sip:127.0.0.1:05062;transport=UDP|127.0.0.1:5062",
        "sips:bob@Host.Example|bob@host.example:5061",
        "sip:[::1]:5070|[::1]:5070",
        "sip:bob@127.0.0.1:123456|bob@127.0.0.1:123456",
        "sip:Jérôme@BÜCHER.example:5060|Jérôme@bücher.example:5060",
        "sip:bob@host:٥٠٦٠|bob@host:5060",
        "sip:bob@host:50a|bob@host:5060",
        "sip:bob@host:0|bob@host:0",
        "sip:bob@host:00|bob@host:0",
        "sip:bob@host:0123456|bob@host:0123456",
        "sip:bob;x=y@host:5062;transport=tcp|bob;x=y@host:5062",
    })
    void deviceKeysFillInThePort(String uri, String key) {
        assertEquals(key, Aor.deviceKey(uri));
    }

    @ParameterizedTest
    @CsvSource({"mailto:alice@example.com", "alice@example.com", "sip:", "http://x"})
    void rejectsWhatIsNotSip(String uri) {
        assertNull(Aor.of(uri));
    }
}
