package io.offhook.tap.sip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The SIP message fixtures under {@code src/test/resources/sip/}: one message per {@code .sip} file, stored byte
 * for byte as on the wire (CRLF line ends, Content-Length matching the body; {@code .gitattributes} there keeps git
 * from touching the line ends). Files named {@code torture-*} are our own messages built after the valid messages of
 * RFC 4475 section 3.1.1 (same feature each, different text).
 */
final class SipFixtures {

    private SipFixtures() {
    }

    /** Every fixture by file name (without {@code .sip}), in name order. */
    static Map<String, byte[]> all() {
        URL dir = SipFixtures.class.getResource("/sip");
        if (dir == null) {
            throw new IllegalStateException("test resources folder sip/ not on the class path");
        }
        Map<String, byte[]> fixtures = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".sip")) {
                    fixtures.put(name.substring(0, name.length() - 4), Files.readAllBytes(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return fixtures;
    }

    static byte[] get(String name) {
        byte[] bytes = all().get(name);
        if (bytes == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        return bytes;
    }
}
