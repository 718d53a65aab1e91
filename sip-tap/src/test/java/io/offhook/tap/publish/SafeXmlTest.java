package io.offhook.tap.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SafeXmlTest {
    private static final String PIDF = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:j\u00fcrgen@example.com'>"
            + "<tuple id='t'><status><basic>open</basic></status></tuple></presence>";

    @Test
    void bytesThatAreNotUtf8AreOneErrorAndNothingOnStandardError() {
        byte[] body = ("<?xml version='1.0' encoding='UTF-8'?>" + PIDF).getBytes(StandardCharsets.ISO_8859_1);
        String[] message = new String[1];
        String err = standardErrorDuring(() -> message[0] = assertThrows(BodyException.class,
                () -> PidfDocument.parse(body)).getMessage());
        assertEquals("", err, "the JDK's parser prints '[Fatal Error]' for such bytes when it decodes them");
        assertTrue(message[0].contains("not UTF-8 text at byte 98"), message[0]); // the byte after "j"
        String undeclared = standardErrorDuring(() -> assertThrows(BodyException.class,
                () -> DialogInfo.parse("<dialog-info>\u00e9</dialog-info>".getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals("", undeclared, "no declaration means UTF-8");
    }

    @Test
    void asciiDeclaredIsAsciiStrictly() {
        byte[] body = ("<?xml version=\"1.0\" encoding = \"US-ASCII\" ?>" + PIDF).getBytes(StandardCharsets.ISO_8859_1);
        String err = standardErrorDuring(() -> assertThrows(BodyException.class, () -> PidfDocument.parse(body)));
        assertEquals("", err);
    }

    @Test
    void theEncodingComesFromTheByteOrderMarkOrTheDeclaration() throws BodyException {
        assertEquals("pres:j\u00fcrgen@example.com", PidfDocument.parse(("<?xml version='1.0' encoding='ISO-8859-1'?>"
                + PIDF).getBytes(StandardCharsets.ISO_8859_1)).entity());
        assertEquals("pres:j\u00fcrgen@example.com", PidfDocument.parse(PIDF.getBytes(StandardCharsets.UTF_8)).entity());
        assertEquals("pres:j\u00fcrgen@example.com",
                PidfDocument.parse(withBom(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, StandardCharsets.UTF_8))
                        .entity());
        assertEquals("pres:j\u00fcrgen@example.com",
                PidfDocument.parse(withBom(new byte[] {(byte) 0xFE, (byte) 0xFF}, StandardCharsets.UTF_16BE)).entity());
        assertEquals("pres:j\u00fcrgen@example.com",
                PidfDocument.parse(withBom(new byte[] {(byte) 0xFF, (byte) 0xFE}, StandardCharsets.UTF_16LE)).entity());
        assertEquals("pres:j\u00fcrgen@example.com", PidfDocument.parse(("<?xml version='1.0' encoding='UTF-16'?>"
                + PIDF).getBytes(StandardCharsets.UTF_16LE)).entity(), "UTF-16 without a mark, by its first bytes");
    }

    @Test
    void anUnknownEncodingIsNamedBoundedAndPrintable() {
        BodyException e = assertThrows(BodyException.class, () -> PidfDocument.parse(
                ("<?xml version='1.0' encoding='x-no-such-\u0001charset-with-a-long-long-long-name'?>" + PIDF)
                        .getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("unsupported encoding in the XML declaration: x-no-such-?charset-with-a-long-long-long",
                e.getMessage());
    }

    @Test
    void aMalformedDeclarationIsLeftToTheParser() {
        for (String declaration : new String[] {"<?xml version='1.0' encoding?>", "<?xml version='1.0' encoding=x?>",
                "<?xml version='1.0' encoding='UTF-8?>", "<?xml"}) {
            BodyException e = assertThrows(BodyException.class,
                    () -> PidfDocument.parse((declaration + PIDF).getBytes(StandardCharsets.UTF_8)), declaration);
            assertTrue(e.getMessage().startsWith("not XML") || e.getMessage().startsWith("malformed XML"),
                    e.getMessage());
        }
    }

    private static byte[] withBom(byte[] bom, Charset charset) {
        byte[] text = PIDF.getBytes(charset);
        byte[] out = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, out, 0, bom.length);
        System.arraycopy(text, 0, out, bom.length, text.length);
        return out;
    }

    /** What the code writes to {@link System#err} while it runs. */
    static String standardErrorDuring(Runnable code) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
