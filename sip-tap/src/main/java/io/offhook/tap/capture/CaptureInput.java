package io.offhook.tap.capture;

import java.io.IOException;
import java.io.InputStream;

/** An input stream that knows how many bytes were read, and reads "as much as there is" instead of failing. */
final class CaptureInput {
    private final InputStream in;
    private final byte[] scratch = new byte[8192];
    private long position;

    CaptureInput(InputStream in) {
        this.in = in;
    }

    /** Reads {@code len} bytes unless the input ends first; returns how many were read. */
    int read(byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        position += n;
        return n;
    }

    /** Skips {@code n} bytes unless the input ends first; returns how many were skipped. */
    long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        position += done;
        return done;
    }

    /** Bytes read or skipped so far. */
    long position() {
        return position;
    }
}
