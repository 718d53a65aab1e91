package io.offhook.tap.capture;

import java.io.IOException;

/**
 * The input is not a capture file the reader knows (neither pcap nor pcapng). Thrown only before the first record:
 * once a file is recognised, damage inside it is counted, never thrown, so an operator always gets every message
 * that survived.
 */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(message);
    }
}
