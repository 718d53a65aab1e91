package io.offhook.tap.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.tap.capture.CaptureReader;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.SipPacket;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scanner against JAIN-SIP on every SIP message of the real Kamailio captures (both mirrored legs, UDP and
 * TCP, plain and HEP), and on their generated variants: every field the scanner extracts must agree.
 */
class CaptureDifferentialTest {

    static Stream<String> captures() throws IOException, URISyntaxException {
        Path dir = Path.of(CaptureDifferentialTest.class.getResource("/captures").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    static List<byte[]> messages(String file) throws IOException {
        List<SipPacket> packets = new ArrayList<>();
        try (InputStream in = CaptureDifferentialTest.class.getResourceAsStream("/captures/" + file)) {
            new CaptureReader().read(in, file, packets::add, new DropCounters());
        }
        List<byte[]> out = new ArrayList<>();
        for (SipPacket p : packets) {
            out.add(Arrays.copyOfRange(p.data(), p.offset(), p.offset() + p.length()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void everyCapturedMessageAgreesWithJainSip(String file) throws IOException {
        List<byte[]> messages = messages(file);
        assertTrue(messages.size() >= 4, file + " holds SIP");
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(List.of(), DifferentialCheck.compare(messages.get(i)), file + " message " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void variantsOfCapturedMessagesAgreeWithJainSip(String file) throws IOException {
        List<byte[]> messages = messages(file);
        for (int i = 0; i < messages.size(); i++) {
            for (byte[] variant : SipVariants.generate(messages.get(i), file.hashCode() * 31L + i, 5)) {
                assertEquals(List.of(), DifferentialCheck.compare(variant), file + " message " + i + " variant:\n"
                        + new String(variant, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
