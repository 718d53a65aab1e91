package io.offhook.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** E.164 normalisation (ITU-T E.164, RFC 3966 visual separators) under a German number plan and without one. */
class NumberPlanTest {
    private static final NumberPlan GERMANY = NumberPlan.of("49", "0", "00");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "+4930123456       | +4930123456",
        "+49 30 123456     | +4930123456",
        "+49-30-123-456    | +4930123456",
        "+49.30.123456     | +4930123456",
        "+49 (30) 123456   | +4930123456",
        "+49 (0)30 123456  | +4930123456",
        "+49 030 123456    | +4930123456",
        "+490301234560     | +49301234560",
        "0049 030 123456   | +4930123456",
        "0049 30 123456    | +4930123456",
        "0049 (0)30 123456 | +4930123456",
        "030 123456        | +4930123456",
        "(030) 123456      | +4930123456",
        "(0)30 123456      | +4930123456",
        "+39 06 1234567    | +39061234567",
        "+1 212 555 0100   | +12125550100",
        "001 212 555 0100  | +12125550100",
        "1001              | 1001",
        "110               | 110",
        "123456            | 123456",
    })
    void normalisesUnderAPlan(String number, String expected) {
        assertEquals(Optional.of(expected), GERMANY.normalise(number));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "+49 30 123456     | +4930123456",
        "+49 (0)30 123456  | +4930123456",
        "030 123456        | 030123456",
        "0049 30 123456    | 004930123456",
        "1001              | 1001",
    })
    void withoutAPlanOnlyPlusNumbersAreInternational(String number, String expected) {
        assertEquals(Optional.of(expected), NumberPlan.NONE.normalise(number));
    }

    @Test
    void aCountryCodeIsNeededToMakeANationalNumberInternational() {
        NumberPlan prefixesOnly = NumberPlan.of(null, "0", "00");
        assertEquals(Optional.of("030123456"), prefixesOnly.normalise("030 123456"));
        assertEquals(Optional.of("+4930123456"), prefixesOnly.normalise("0049 30 123456"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "()", "alice", "30a123", "+49+30", "49+30", "tel:+4930", "+0301234",
        "#31#", "+1234567890123456", "0049 1234567890123456", "12345678901234567890123"})
    void rejectsWhatIsNoTelephoneNumber(String text) {
        assertEquals(Optional.empty(), GERMANY.normalise(text));
    }

    @Test
    void aPrefixAloneIsNoNumber() {
        assertEquals(Optional.of("0"), GERMANY.normalise("0"));
        assertEquals(Optional.of("00"), GERMANY.normalise("00"));
    }

    @Test
    void fifteenDigitsAreTheLimit() {
        assertEquals(Optional.of("+123456789012345"), GERMANY.normalise("+123456789012345"));
        assertEquals(Optional.empty(), GERMANY.normalise("+1234567890123456"));
    }

    @Test
    void invalidPlansNameThePart() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumberPlan.of("4a", null, null))
                .getMessage().startsWith("country code '4a'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumberPlan.of("049", null, null))
                .getMessage().contains("starts with 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumberPlan.of(null, "+0", null))
                .getMessage().startsWith("national prefix '+0'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumberPlan.of(null, null, "00000"))
                .getMessage().startsWith("international prefix '00000'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumberPlan.of(null, "0", "0"))
                .getMessage().contains("both '0'"));
        assertEquals(NumberPlan.NONE, NumberPlan.of(" ", "", null));
    }
}
