package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.mapping.MappingException;
import io.offhook.mapping.MappingFile;
import io.offhook.mapping.NumberPlan;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whom the dialog-event subscriber watches when dialog-subscribe.users is empty: the mapping's explicit pairs. */
class DialogSubscribeUsersTest {
    @Test
    void onlyExplicitSipPairsAreWatchedNotRulesOrNumbers() throws MappingException {
        String map = """
                sip:alice@pbx.example.net = alice@example.com
                sip:1001@pbx.example.net = bob@example.com
                sip:*@other.example.net = *@example.com
                +49 30 1234567 = carol@example.com
                """;
        NumberPlan plan = new NumberPlan(Optional.of("49"), Optional.of("0"), Optional.of("00"));
        assertEquals(List.of("sip:1001@pbx.example.net", "sip:alice@pbx.example.net"),
                Services.explicitSipAddresses(MappingFile.parse(new StringReader(map), "users.map", plan)));
    }
}
