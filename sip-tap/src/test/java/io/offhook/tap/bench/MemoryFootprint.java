package io.offhook.tap.bench;

import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.sip.Contact;
import io.offhook.tap.sip.MediaDirection;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Measures the tracker's heap per registration binding and per confirmed dialog: registers N users with one
 * device each (distinct loopback contact addresses), then places M answered calls between them, and reads the
 * heap after full collections before and after each step.
 *
 * <p>Run: {@code scripts/bench memory [bindings] [dialogs]} (defaults 1,000,000 and 200,000).
 */
public final class MemoryFootprint {
    private MemoryFootprint() {
    }

    public static void main(String[] args) {
        int bindings = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int dialogs = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        if (dialogs * 2L > bindings) {
            throw new IllegalArgumentException("need two registered users per dialog");
        }
        long[] eventCount = new long[1];
        PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxCalls(Math.max(dialogs, 1)),
                e -> eventCount[0]++, new DropCounters());
        long t = 1_700_000_000_000_000L;
        long empty = settledHeap();
        for (int i = 0; i < bindings; i++) {
            String aor = user(i);
            tracker.onMessage(new SipMessage(null, 200, null, "reg-" + i, 1, "REGISTER", aor, "r" + i, aor,
                    "x" + i, List.of(new Contact(contact(i), 3600)), false, SipMessage.ABSENT, SipMessage.ABSENT,
                    null, null, false, null), t += 1);
        }
        long registered = settledHeap();
        for (int d = 0; d < dialogs; d++) {
            String caller = user(2 * d);
            String callee = user(2 * d + 1);
            String callId = "call-" + d + "@127.0.0.1";
            tracker.onMessage(new SipMessage("INVITE", 0, contact(2 * d + 1), callId, 1, "INVITE", caller,
                    "from-" + d, callee, null, List.of(new Contact(contact(2 * d), SipMessage.ABSENT)), false,
                    SipMessage.ABSENT, SipMessage.ABSENT, "application/sdp", MediaDirection.SENDRECV, false, null),
                    t += 1);
            tracker.onMessage(new SipMessage(null, 200, null, callId, 1, "INVITE", caller, "from-" + d, callee,
                    "to-" + d, List.of(new Contact(contact(2 * d + 1), SipMessage.ABSENT)), false,
                    SipMessage.ABSENT, SipMessage.ABSENT, "application/sdp", MediaDirection.SENDRECV, false, null),
                    t += 1);
        }
        long inCalls = settledHeap();
        if (tracker.bindingCount() != bindings || tracker.stateOf(user(1)) != PhoneState.ON_THE_PHONE && dialogs > 0) {
            throw new IllegalStateException("tracker did not take the input: " + tracker.bindingCount());
        }
        System.out.printf(Locale.ROOT, "bindings=%d heap per binding=%.1f bytes%n", bindings,
                (registered - empty) / (double) bindings);
        if (dialogs > 0) {
            System.out.printf(Locale.ROOT, "confirmed dialogs=%d heap per dialog=%.1f bytes%n", dialogs,
                    (inCalls - registered) / (double) dialogs);
        }
        System.out.printf(Locale.ROOT, "events=%d users=%d calls=%d%n", eventCount[0], tracker.userCount(),
                tracker.callCount());
    }

    static String user(int i) {
        return "sip:user" + i + "@example.com";
    }

    /** A distinct loopback address and port per device (127.0.0.0/8 has room for all). */
    static String contact(int i) {
        return "sip:user" + i + "@127." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff)
                + ":" + (5060 + (i >> 24));
    }

    private static long settledHeap() {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 64 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
