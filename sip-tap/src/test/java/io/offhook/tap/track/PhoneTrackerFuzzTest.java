package io.offhook.tap.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzz target for the tracker: SIP text built from fuzzed choices (registrations, calls, forks, re-INVITEs and
 * UPDATEs with SDP from either side, late offers answered in the ACK, redirects, glare, CANCEL, BYE, challenges,
 * lost and re-ordered messages, long silences) and raw fuzzed bytes, every message
 * scanned by {@link SipScanner} and fed to a {@link PhoneTracker} with a small call cap. Run as a regression test
 * on every build (inputs under {@code PhoneTrackerFuzzTestInputs/}); fuzzed by {@code scripts/fuzz tracker}.
 */
class PhoneTrackerFuzzTest {
    private static final String[] USERS = {"alice", "bob", "carol"};
    private static final String[] HOSTS = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
    private static final String[] CALLS = {"c1", "c2", "c3", "c4", "c5"};
    private static final String[] TAGS = {"ta", "tb", "tc", "td"};
    private static final int[] STATUSES = {100, 180, 183, 200, 202, 302, 401, 407, 481, 486, 487, 491, 500, 503, 603};
    private static final String[] DIRECTIONS = {null, "sendrecv", "sendonly", "recvonly", "inactive"};
    private static final int MAX_CALLS = 3;
    private static final long START = 1_700_000_000_000_000L;
    /** Past every lifetime a message can set: 2^32 s of delta-seconds, plus the tracker's own timeouts. */
    private static final long FAR = (1L << 32) * 1_000_000L * 2;

    /**
     * Whatever the messages, the tracker never throws; every event's {@code previous} is the state last reported
     * for that user and its time is the tracker's; after every message, each user's state is the one last reported
     * (no change goes unreported to watchers); calls stay within the cap plus the answered ones; and once far
     * enough in the future every user is offline again, reported so, and nothing is held.
     */
    @FuzzTest(maxDuration = "20s")
    void trackScannedMessages(FuzzedDataProvider in) {
        Map<String, PhoneState> reported = new HashMap<>();
        Set<String> answered = new HashSet<>();
        List<PhoneEvent> events = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxCalls(MAX_CALLS), events::add,
                new DropCounters(() -> 0L, Long.MAX_VALUE));
        long time = START;
        int steps = in.consumeInt(1, 60);
        for (int step = 0; step < steps && in.remainingBytes() > 0; step++) {
            int op = in.consumeInt(0, 10);
            if (op == 10) {
                time += in.consumeLong(0, 4L * 3600 * 1_000_000L);
                tracker.advanceTo(time);
                trace.add("advance to " + time);
            } else {
                byte[] text = op == 9 ? in.consumeBytes(in.consumeInt(0, 600)) : message(op, in)
                        .getBytes(StandardCharsets.UTF_8);
                SipMessage m;
                try {
                    m = SipScanner.scan(text, 0, text.length);
                } catch (SipParseException e) {
                    if (op != 9) {
                        fail("the generator wrote SIP the scanner refuses (" + e.getMessage() + "):\n"
                                + new String(text, StandardCharsets.UTF_8));
                    }
                    continue;
                }
                time += in.consumeInt(0, 3_000_000);
                // A re-ordered message carries an older time stamp.
                long at = in.consumeInt(0, 7) == 0 ? time - in.consumeInt(0, 10_000_000) : time;
                trace.add("at " + at + ": " + m);
                tracker.onMessage(m, at);
            }
            check(tracker, events, reported, answered, trace);
        }
        tracker.advanceTo(tracker.now() + FAR);
        trace.add("advance to the far future");
        check(tracker, events, reported, answered, trace);
        for (Map.Entry<String, PhoneState> e : reported.entrySet()) {
            assertEquals(PhoneState.OFFLINE, e.getValue(), () -> e.getKey() + " last reported " + e.getValue()
                    + " after the far future, after:\n" + String.join("\n", trace));
        }
        assertEquals(0, tracker.bindingCount(), "bindings left after the far future");
        tracker.advanceTo(tracker.now() + FAR);
        assertEquals(0, tracker.callCount(), "calls (or tombstones) left after the far future");
        assertEquals(0, tracker.userCount(), "users left after the far future");
    }

    private static void check(PhoneTracker tracker, List<PhoneEvent> events, Map<String, PhoneState> reported,
            Set<String> answered, List<String> trace) {
        for (PhoneEvent e : events) {
            trace.add("  event " + e);
            assertEquals(tracker.now(), e.timeMicros(), "event time is not the tracker's: " + e);
            PhoneState before = reported.getOrDefault(e.aor(), PhoneState.OFFLINE);
            assertEquals(before, e.previous(), "previous state does not chain for " + e);
            reported.put(e.aor(), e.state());
            if (e.type() == PhoneEventType.ON_THE_PHONE || e.type() == PhoneEventType.HELD
                    || e.type() == PhoneEventType.RESUMED || e.type() == PhoneEventType.STILL_ON_THE_PHONE) {
                answered.add(e.callId());
            }
        }
        events.clear();
        for (Map.Entry<String, PhoneState> e : reported.entrySet()) {
            assertEquals(e.getValue(), tracker.stateOf(e.getKey()), () -> "state of " + e.getKey()
                    + " changed without an event, after:\n" + String.join("\n", trace));
        }
        assertTrue(tracker.callCount() <= MAX_CALLS + answered.size(), () -> "calls " + tracker.callCount()
                + " over the cap " + MAX_CALLS + " plus " + answered.size() + " answered, after:\n"
                + String.join("\n", trace));
        assertTrue(tracker.bindingCount() >= 0 && tracker.userCount() >= 0);
    }

    /** One SIP message of kind {@code op} (0 to 8) with fuzzed users, devices, dialog, CSeq and body. */
    private static String message(int op, FuzzedDataProvider in) {
        String a = in.pickValue(USERS);
        String b = in.pickValue(USERS);
        String aDevice = "sip:" + a + "@" + in.pickValue(HOSTS) + ":5060";
        String bDevice = "sip:" + b + "@" + in.pickValue(HOSTS) + ":5060";
        String callId = in.pickValue(CALLS);
        String fromTag = in.pickValue(TAGS);
        String toTag = in.consumeBoolean() ? in.pickValue(TAGS) : null;
        int cseq = in.consumeInt(1, 4);
        String sdp = sdp(in);
        return switch (op) {
            case 0 -> request("REGISTER", "sip:example.com", "reg-" + a, cseq, a, "r" + a, a, null,
                    "Contact: <" + aDevice + ">" + expiresParam(in) + "\r\n" + expiresHeader(in), null);
            case 1 -> response(200, "REGISTER", "reg-" + a, cseq, a, "r" + a, a, "reg",
                    (in.consumeBoolean() ? "Contact: <" + aDevice + ">" + expiresParam(in) + "\r\n" : "")
                            + (in.consumeBoolean() ? "Contact: <" + bDevice.replace(b, a) + ">"
                            + expiresParam(in) + "\r\n" : "") + expiresHeader(in), null);
            // The callee's own re-INVITE (hold by the callee) goes the other way, with the tags swapped.
            case 2 -> toTag != null && in.consumeBoolean()
                    ? request("INVITE", aDevice, callId, cseq + 1, b, toTag, a, fromTag,
                            "Contact: <" + bDevice + ">\r\n" + sessionExpires(in), sdp)
                    : request("INVITE", in.consumeBoolean() ? bDevice : "sip:" + b + "@example.com", callId, cseq,
                            a, fromTag, b, toTag, "Contact: <" + aDevice + ">\r\n" + sessionExpires(in), sdp);
            case 3 -> toTag != null && in.consumeBoolean()
                    ? response(in.pickValue(STATUSES), "INVITE", callId, cseq + 1, b, toTag, a, fromTag,
                            "Contact: <" + aDevice + ">\r\n" + sessionExpires(in), sdp)
                    : response(in.pickValue(STATUSES), "INVITE", callId, cseq, a, fromTag, b, toTag,
                            "Contact: <" + bDevice + ">\r\n" + sessionExpires(in), sdp);
            case 4 -> request("CANCEL", "sip:" + b + "@example.com", callId, cseq, a, fromTag, b, null, "", null);
            case 5 -> in.consumeBoolean()
                    ? request("BYE", bDevice, callId, cseq + 1, a, fromTag, b, toTag, "", null)
                    : request("BYE", aDevice, callId, cseq + 1, b, toTag == null ? "x" : toTag, a, fromTag, "", null);
            case 6 -> response(in.pickValue(STATUSES), "BYE", callId, cseq + 1, a, fromTag, b, toTag, "", null);
            case 7 -> {
                // Either side may send the UPDATE; its answer goes back with the same From and To.
                boolean byCallee = toTag != null && in.consumeBoolean();
                String from = byCallee ? b : a;
                String to = byCallee ? a : b;
                String ft = byCallee ? toTag : fromTag;
                String tt = byCallee ? fromTag : toTag;
                yield in.consumeBoolean()
                        ? request("UPDATE", byCallee ? aDevice : bDevice, callId, cseq + 1, from, ft, to, tt,
                                sessionExpires(in), sdp)
                        : response(in.pickValue(new int[] {200, 491, 500}), "UPDATE", callId, cseq + 1, from, ft, to,
                                tt, "", sdp);
            }
            // An ACK may carry the answer to a 2xx's offer (late offer, RFC 3261 13.2.1).
            default -> {
                String method = in.pickValue(new String[] {"ACK", "OPTIONS", "INFO", "PRACK"});
                yield request(method, bDevice, callId, cseq, a, fromTag, b, toTag, "",
                        method.equals("ACK") ? sdp : null);
            }
        };
    }

    private static String request(String method, String uri, String callId, int cseq, String from, String fromTag,
            String to, String toTag, String headers, String sdp) {
        return method + " " + uri + " SIP/2.0\r\n" + common(method, callId, cseq, from, fromTag, to, toTag)
                + headers + body(sdp);
    }

    private static String response(int status, String method, String callId, int cseq, String from, String fromTag,
            String to, String toTag, String headers, String sdp) {
        return "SIP/2.0 " + status + " Whatever\r\n" + common(method, callId, cseq, from, fromTag, to, toTag)
                + headers + body(sdp);
    }

    private static String common(String method, String callId, int cseq, String from, String fromTag, String to,
            String toTag) {
        return "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK" + callId + cseq + "\r\n"
                + "From: <sip:" + from + "@example.com>;tag=" + fromTag + "\r\n"
                + "To: <sip:" + to + "@example.com>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n";
    }

    private static String body(String sdp) {
        if (sdp == null) {
            return "Content-Length: 0\r\n\r\n";
        }
        return "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private static String sdp(FuzzedDataProvider in) {
        if (in.consumeBoolean()) {
            return null;
        }
        String direction = in.pickValue(DIRECTIONS);
        return "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 " + (in.consumeBoolean() ? "0.0.0.0" : "10.0.0.9")
                + "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" + (direction == null ? "" : "a=" + direction + "\r\n");
    }

    private static String expiresParam(FuzzedDataProvider in) {
        return switch (in.consumeInt(0, 3)) {
            case 0 -> "";
            case 1 -> ";expires=0";
            case 2 -> ";expires=" + in.consumeInt(1, 7200);
            default -> ";expires=" + in.consumeLong(0, 0xFFFF_FFFFL);
        };
    }

    private static String expiresHeader(FuzzedDataProvider in) {
        return in.consumeBoolean() ? "" : "Expires: " + in.consumeInt(0, 7200) + "\r\n";
    }

    private static String sessionExpires(FuzzedDataProvider in) {
        return in.consumeBoolean() ? "" : "Session-Expires: " + in.consumeInt(90, 3600) + "\r\n";
    }
}
