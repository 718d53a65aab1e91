package io.offhook.tap.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class EscapeTest {
    static String json(String s) {
        StringBuilder b = new StringBuilder();
        Escape.json(b, s);
        return b.toString();
    }

    @Test
    void htmlEscapesTheFiveSignificantCharacters() {
        assertEquals("&lt;/script&gt;&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt; &amp;amp;",
                Escape.html("</script><img src=x onerror=\"a('1')\"> &amp;"));
    }

    @Test
    void plainTextIsReturnedAsIs() {
        String s = "sip:alice@example.com é 😀";
        assertSame(s, Escape.html(s));
    }

    @Test
    void htmlReplacesControlCharactersButKeepsWhitespace() {
        assertEquals("a\uFFFDb\uFFFDc\td\ne\rf\uFFFD", Escape.html("a\u0000b\u0085c\td\ne\rf\u007f"));
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        assertEquals("x\uFFFDy\uFFFD", Escape.html("x\udc00y\ud800"));
        assertEquals("😀", Escape.html("😀"));
    }

    @Test
    void jsonHasNoAngleBracketOrAmpersandSoTheDataBlockCannotBeClosed() {
        String j = json("</script><!-- & \u2028\u2029 \"q\" \\ \u0001");
        assertEquals("\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\\"q\\\" \\\\ \\u0001\"", j);
        assertFalse(j.contains("<") || j.contains(">") || j.contains("&"));
    }

    @Test
    void jsonKeepsPairsAndEscapesLoneSurrogates() {
        assertEquals("\"😀\\udc00\"", json("😀\udc00"));
        assertEquals("null", json(null));
        assertEquals("\"a\\tb\\r\\n\"", json("a\tb\r\n"));
    }
}
