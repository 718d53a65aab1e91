package io.offhook.tap.bench;

import io.offhook.tap.packet.SipPacket;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a large classic pcap (Ethernet, IPv4, UDP, loopback addresses) of plain SIP made from the fixture
 * corpus, for the replay benchmark against tshark. Run: {@code scripts/bench replay-vs-tshark [messages]}.
 */
public final class BigCapture {
    private BigCapture() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: BigCapture OUT.pcap [messages]");
        }
        int wanted = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        List<SipPacket> base = Corpus.fixtureMessages();
        int copies = (wanted + base.size() - 1) / base.size();
        List<SipPacket> corpus = Corpus.copies(base, copies, 1_700_000_000_000_000L);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[0])), 1 << 20)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(65535).putInt(1);
            out.write(header.array());
            for (int i = 0; i < wanted; i++) {
                writeRecord(out, corpus.get(i));
            }
        }
        System.out.println("wrote " + wanted + " SIP messages to " + args[0]);
    }

    private static void writeRecord(OutputStream out, SipPacket p) throws IOException {
        int udpLength = 8 + p.length();
        int ipLength = 20 + udpLength;
        int frameLength = 14 + ipLength;
        ByteBuffer b = ByteBuffer.allocate(16 + frameLength);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (p.timeMicros() / 1_000_000L))
                .putInt((int) (p.timeMicros() % 1_000_000L)).putInt(frameLength).putInt(frameLength);
        b.order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[12]).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(loopback(p.sourceAddress())).put(loopback(p.destinationAddress()));
        b.putShort((short) p.sourcePort()).putShort((short) p.destinationPort()).putShort((short) udpLength)
                .putShort((short) 0);
        b.put(p.data(), p.offset(), p.length());
        out.write(b.array());
    }

    private static byte[] loopback(java.net.InetAddress a) {
        return a != null && a.getAddress().length == 4 ? a.getAddress() : new byte[] {127, 0, 0, 1};
    }
}
