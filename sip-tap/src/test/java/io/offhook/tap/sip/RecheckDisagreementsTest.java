package io.offhook.tap.sip;

import static io.offhook.tap.sip.SipScannerTest.HEAD;
import static io.offhook.tap.sip.SipScannerTest.crlf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RecheckDisagreements} on lines as the collect mode of the {@code sip-jainsip} target writes them. */
class RecheckDisagreementsTest {

    private static String line(String message, String differences) {
        return Base64.getEncoder().encodeToString(crlf(message)) + "\t" + differences;
    }

    @Test
    void inputsNowExplainedAreCountedByTheirDivergence() {
        String angle = line(HEAD.replace("From: <sip:alice@example.com>;tag=a1",
                "From: <sip:alice@example.com?t>;tag=a1>") + "\n", "from: x | y");
        String wellFormed = line(HEAD + "\n", "from: as collected");

        RecheckDisagreements.Result result = RecheckDisagreements.recheck(List.of(angle, "", wellFormed, angle),
                DifferentialCheck::unexplained);

        assertEquals(3, result.inputs());
        assertEquals(Map.of("[ANGLE_BRACKET_AFTER_NAME_ADDR]", 2, RecheckDisagreements.AGREE, 1),
                result.explainedBy());
        assertEquals(List.of(), result.unexplained());
    }

    @Test
    void anInputStillUnexplainedIsListedWithItsLineAndDifferences() throws IOException {
        String first = line(HEAD + "\n", "");
        String second = line(HEAD + "Subject: s\n\n", "");
        RecheckDisagreements.Check onlyTheSecond = (message, explained) ->
                new String(message, java.nio.charset.StandardCharsets.UTF_8).contains("Subject")
                        ? List.of("subject: 's' vs null") : List.of();

        RecheckDisagreements.Result result = RecheckDisagreements.recheck(List.of(first, second), onlyTheSecond);

        assertEquals(List.of("line 2: subject: 's' vs null"), result.unexplained());
        StringBuilder out = new StringBuilder();
        RecheckDisagreements.print(result, out);
        assertTrue(out.toString().contains("unexplained line 2: subject: 's' vs null"), out.toString());
        assertTrue(out.toString().contains("2 inputs: 1 explained or agreeing, 1 unexplained"), out.toString());
    }

    @Test
    void aLineThatIsNotBase64NamesItsLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecheckDisagreements.recheck(List.of(line(HEAD + "\n", ""), "not base64!\tx"),
                        DifferentialCheck::unexplained));
        assertTrue(e.getMessage().startsWith("line 2: not an input in Base64"), e.getMessage());
    }
}
