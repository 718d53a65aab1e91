package io.offhook.tap.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Integer reads in either byte order and printable previews of bad input for drop details. */
final class Bytes {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Bytes() {
    }

    static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    static int u16(byte[] b, int i, boolean bigEndian) {
        return bigEndian
                ? (b[i] & 0xff) << 8 | (b[i + 1] & 0xff)
                : (b[i + 1] & 0xff) << 8 | (b[i] & 0xff);
    }

    static int u16(byte[] b, int i) {
        return u16(b, i, true);
    }

    static int i32(byte[] b, int i, boolean bigEndian) {
        return bigEndian
                ? (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff)
                : (b[i + 3] & 0xff) << 24 | (b[i + 2] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i] & 0xff);
    }

    static int i32(byte[] b, int i) {
        return i32(b, i, true);
    }

    static long u32(byte[] b, int i, boolean bigEndian) {
        return Integer.toUnsignedLong(i32(b, i, bigEndian));
    }

    static long i64(byte[] b, int i, boolean bigEndian) {
        long first = u32(b, i, bigEndian);
        long second = u32(b, i + 4, bigEndian);
        return bigEndian ? first << 32 | second : second << 32 | first;
    }

    /**
     * Up to {@code max} bytes as hex followed by their printable form, e.g. {@code 48 65 6c 6c 6f ("Hello")}: what
     * an operator needs to recognise a file or a payload from a log line.
     */
    static String preview(byte[] b, int off, int len, int max) {
        int n = Math.min(len, max);
        if (n <= 0) {
            return "nothing";
        }
        StringBuilder hex = new StringBuilder(n * 4 + 8);
        StringBuilder text = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int v = b[off + i] & 0xff;
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(HEX[v >> 4]).append(HEX[v & 0xf]);
            text.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
        }
        hex.append(" (\"").append(text).append(len > n ? "\"...)" : "\")");
        return hex.toString();
    }

    /** An address for a log line; {@code ?} when it has no valid length. */
    static String address(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            return "?";
        }
        try {
            String s = InetAddress.getByAddress(raw).getHostAddress();
            return raw.length == 16 ? "[" + s + "]" : s;
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }
}
