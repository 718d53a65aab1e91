package io.offhook.tap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offhook.tap.packet.DropCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What fuzzing ({@link CaptureReaderFuzzTest#reassembleStream}) found in TCP reassembly, one test per finding,
 * each naming the input. The timeout only guards against the hang the finding was; it is not a speed requirement.
 */
class ReassemblyFuzzFindingsTest {
    private static final FlowKey FLOW = new FlowKey(Frames.addr("10.0.0.1"), 40000, Frames.addr("10.0.0.2"), 5060);

    /**
     * Input: a 1 MiB OPTIONS (one start line, 1 MiB of header lines, Content-Length 0) sent in 1-byte TCP
     * segments, with a 1 MiB per-stream limit. The reassembler searched the buffered headers for their end from the
     * start on every segment, so n bytes of headers cost n^2/2 byte comparisons (minutes here, about a second for
     * 60 KB under the default limits: anyone who can send TCP segments past a capture could make it crawl).
     * It now goes on where the previous search stopped.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void headersArrivingInOneByteSegmentsAreScannedOnce() {
        StringBuilder text = new StringBuilder("OPTIONS sip:bob@example.com SIP/2.0\r\nCall-ID: big@fuzz\r\n");
        String pad = "X-Pad: " + "a".repeat(120) + "\r\n";
        while (text.length() < (1 << 20) - 300) {
            text.append(pad);
        }
        text.append("Content-Length: 0\r\n\r\n");
        byte[] message = text.toString().getBytes(StandardCharsets.US_ASCII);
        List<byte[]> framed = new ArrayList<>();
        TcpReassembler tcp = new TcpReassembler(new ReassemblyLimits(1 << 20, 1, 1), new DropCounters(), "test",
                new TcpReassembler.Sink() {
                    @Override
                    public void sip(FlowKey flow, long timeMicros, byte[] m) {
                        framed.add(m);
                    }

                    @Override
                    public void hep(FlowKey flow, long timeMicros, byte[] frame) {
                        throw new AssertionError("no HEP was sent");
                    }
                });
        tcp.segment(FLOW, 0, 99, Frames.SYN, new byte[0], 0, 0);
        for (int i = 0; i < message.length; i++) {
            tcp.segment(FLOW, 0, 100 + i, Frames.PSH_ACK, message, i, 1);
        }
        assertEquals(1, framed.size());
        assertEquals(message.length, framed.get(0).length);
    }

    /** The end of the headers split across segments at each of its bytes is still found (CRLF and bare LF). */
    @Test
    void headerEndSplitAcrossSegmentsAtEveryByte() {
        for (String end : List.of("\r\n\r\n", "\n\n", "\n\r\n")) {
            String m = "OPTIONS sip:bob@example.com SIP/2.0\r\nCall-ID: x" + end;
            byte[] b = m.getBytes(StandardCharsets.US_ASCII);
            for (int cut = 1; cut < b.length; cut++) {
                List<String> framed = new ArrayList<>();
                TcpReassembler tcp = collecting(framed);
                tcp.segment(FLOW, 0, 99, Frames.SYN, new byte[0], 0, 0);
                for (int i = 0; i < b.length; i += cut) {
                    tcp.segment(FLOW, 0, 100 + i, Frames.PSH_ACK, b, i, Math.min(cut, b.length - i));
                }
                assertEquals(List.of(m), framed, "segments of " + cut + " bytes, end " + end.replace("\r", "CR")
                        .replace("\n", "LF"));
            }
        }
    }

    /**
     * Input {@code body-tail-glued-to-the-next-start-line}: a message whose body does not end with a line end loses
     * a segment inside that body; the rest of the body and the next request arrive. Resuming "at the next start
     * line" took {@code xxxOPTIONS sip:bob@example.com SIP/2.0} for one, delivering the body's tail glued to the
     * request, whose method then read {@code xxxOPTIONS} (an INVITE so hidden is a missed call). It now resumes
     * where the known method starts.
     */
    @Test
    void aLostSegmentInsideABodyDoesNotGlueItsTailToTheNextRequest() {
        String a = "MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: a\r\nContent-Length: 10\r\n\r\nxxxxxxxxxx";
        String b = "OPTIONS sip:bob@example.com SIP/2.0\r\nCall-ID: b\r\nContent-Length: 0\r\n\r\n";
        byte[] stream = (a + b).getBytes(StandardCharsets.US_ASCII);
        int bodyStart = a.length() - 10;
        List<String> framed = new ArrayList<>();
        TcpReassembler tcp = collecting(framed);
        tcp.segment(FLOW, 0, 99, Frames.SYN, new byte[0], 0, 0);
        tcp.segment(FLOW, 0, 100, Frames.PSH_ACK, stream, 0, bodyStart + 3);
        // bytes bodyStart + 3 to bodyStart + 7 are never captured
        tcp.segment(FLOW, 0, 100 + bodyStart + 7, Frames.PSH_ACK, stream, bodyStart + 7,
                stream.length - bodyStart - 7);
        tcp.finish(1);
        assertEquals(List.of(b), framed);
    }

    /** A reassembler of one test flow that adds each SIP message it frames to {@code framed}, as text. */
    private static TcpReassembler collecting(List<String> framed) {
        return new TcpReassembler(ReassemblyLimits.DEFAULTS, new DropCounters(), "test", new TcpReassembler.Sink() {
            @Override
            public void sip(FlowKey flow, long timeMicros, byte[] message) {
                framed.add(new String(message, StandardCharsets.US_ASCII));
            }

            @Override
            public void hep(FlowKey flow, long timeMicros, byte[] frame) {
            }
        });
    }
}
