package io.offhook.xmpp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.xmpp.packet.Message;

/** XML 1.0 section 2.2 characters. */
class XmlCharsTest {

    @Test
    void findsTheFirstCharacterXmlDoesNotAllow() {
        assertEquals(-1, XmlChars.firstInvalid("tab\t nl\n cr\r é \uD83D\uDE00 \uFFFD"));
        assertEquals(2, XmlChars.firstInvalid("ab\u0001"));
        assertEquals(1, XmlChars.firstInvalid("a\uFFFE"));
        assertEquals(1, XmlChars.firstInvalid("a\uD83Db"), "lone high surrogate");
        assertEquals(1, XmlChars.firstInvalid("a\uDE00"), "lone low surrogate");
        assertEquals(0, XmlChars.firstInvalid("\uD83D"), "high surrogate at the end");
    }

    @Test
    void cleanReplacesOnlyWhatXmlDoesNotAllow() {
        String fine = "ok \uD83D\uDE00";
        assertSame(fine, XmlChars.clean(fine));
        assertEquals("a\uFFFDb\uFFFD \uD83D\uDE00\uFFFD", XmlChars.clean("a\u0008b\uFFFF \uD83D\uDE00\uDE00"));
    }

    @Test
    void seesCharactersThatDom4jWritesAsReferences() {
        Message message = new Message();
        message.setBody("ring\u0001");
        String xml = message.toXML();
        assertEquals(xml.indexOf("&#1;"), XmlChars.firstInvalidInMarkup(xml), xml);
        assertEquals(-1, XmlChars.firstInvalidInMarkup("<a b='&#233;&#x1F600;&amp;'>&#10;</a>"));
        assertEquals(3, XmlChars.firstInvalidInMarkup("<a>&#x0;</a>"));
        assertEquals(3, XmlChars.firstInvalidInMarkup("<a>&#zz;</a>"));
        assertEquals(3, XmlChars.firstInvalidInMarkup("<a>\u0002&#1;</a>"));
    }
}
