package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memo gives what its function gives, computing it once for a URI seen again, whichever String holds it. */
class UriMemoTest {
    @Test
    void aUriSeenAgainIsNotComputedAgainAndEveryUriGetsItsOwnResult() {
        List<String> computed = new ArrayList<>();
        UriMemo<String> memo = aors(computed);
        String alice = "sip:alice@Example.com;transport=tcp";
        assertEquals("sip:alice@example.com", memo.apply(alice));
        assertSame(memo.apply(alice), memo.apply(new String(alice)), "an equal String hits too");
        assertEquals(List.of(alice), computed);
        // Thousands of URIs, so that slots are shared and replaced: each still gets its own result.
        for (int i = 0; i < 5_000; i++) {
            String uri = "sip:user" + i + "@example.com";
            assertEquals("sip:user" + i + "@example.com", memo.apply(uri));
            assertEquals("sip:user" + (i / 2) + "@example.com", memo.apply("sip:user" + (i / 2) + "@example.com"));
        }
        assertEquals("sip:alice@example.com", memo.apply(alice));
    }

    @Test
    void aNullResultIsRememberedAsSuch() {
        List<String> computed = new ArrayList<>();
        UriMemo<String> memo = aors(computed);
        assertNull(memo.apply("mailto:alice@example.com"));
        assertNull(memo.apply("mailto:alice@example.com"));
        assertEquals(1, computed.size());
    }

    /** A memo of {@link Aor#of} that adds each URI it computes for to {@code computed}. */
    private static UriMemo<String> aors(List<String> computed) {
        return new UriMemo<>(uri -> {
            computed.add(uri);
            return Aor.of(uri);
        });
    }
}
