package io.offhook.tap.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.offhook.tap.capture.CaptureReader;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.packet.SipPacket;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.sip.SipParseException;
import io.offhook.tap.sip.SipScanner;
import io.offhook.tap.track.PhoneEvent;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the real Kamailio captures (integration-tests/lab) through the whole path, in both forms (the wire as
 * seen on the proxy port, and the proxy's HEP mirror, whose order differs from the wire), and asserts each user's
 * whole sequence of state changes; then the same captures with every message duplicated, with each logical message
 * lost in turn, and with neighbours swapped, asserting what must hold in spite of it.
 */
class FixtureReplayTest {
    static final String A = "sip:alice@example.com";
    static final String B = "sip:bob@example.com";
    static final String C = "sip:carol@example.com";
    /** Longer than every timeout of the default configuration: after it, no state may remain but registrations. */
    static final long LONG_AFTER = 3L * 3600 * 1_000_000;

    /** Expected sequences of aggregate states per user, starting from OFFLINE (lab README, "Expected phone states"). */
    static final Map<String, Map<String, String>> EXPECTED = new LinkedHashMap<>();

    static {
        String call = "AVAILABLE DIALING ON_THE_PHONE AVAILABLE";
        String answered = "AVAILABLE RINGING ON_THE_PHONE AVAILABLE";
        expect("basic-call", A, call, B, answered);
        expect("callee-hangs-up", A, call, B, answered);
        expect("busy", A, "AVAILABLE DIALING AVAILABLE", B, "AVAILABLE");
        expect("cancel", A, "AVAILABLE DIALING AVAILABLE", B, "AVAILABLE RINGING AVAILABLE");
        expect("hold-resume", A, "AVAILABLE DIALING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE",
                B, "AVAILABLE RINGING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE");
        expect("forking", A, call, B, answered);
        expect("deregister", A, "AVAILABLE OFFLINE", B, "AVAILABLE OFFLINE");
        expect("registration-expiry", C, "AVAILABLE OFFLINE", A, "AVAILABLE");
        expect("refresh", A, "AVAILABLE");
        expect("call-waiting", A, call, B, answered, C, call);
        expect("tcp-call", A, call, B, answered);
        expect("early-media-prack", A, call, B, answered);
        String held = "AVAILABLE DIALING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE";
        String heldAnswered = "AVAILABLE RINGING ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE";
        expect("late-offer", A, held, B, heldAnswered);
        expect("hold-by-callee", A, "AVAILABLE DIALING ON_THE_PHONE ON_HOLD ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE",
                B, "AVAILABLE RINGING ON_THE_PHONE ON_HOLD ON_THE_PHONE ON_HOLD ON_THE_PHONE AVAILABLE");
        expect("update-hold", A, held, B, heldAnswered);
        String transferred = "AVAILABLE DIALING ON_THE_PHONE";
        String target = "AVAILABLE RINGING ON_THE_PHONE";
        expect("blind-transfer", A, transferred, B, answered, C, target);
        expect("attended-transfer", A, transferred, B, answered, C, target);
        expect("redirect-302", A, call, B, "AVAILABLE", C, answered);
        expect("glare-491", A, "AVAILABLE DIALING ON_THE_PHONE ON_HOLD AVAILABLE",
                B, "AVAILABLE RINGING ON_THE_PHONE ON_HOLD AVAILABLE");
        expect("challenge-407", A, call, B, answered);
        expect("fragmented-call", A, call, B, answered);
    }

    private static void expect(String scenario, String... userAndStates) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < userAndStates.length; i += 2) {
            m.put(userAndStates[i], userAndStates[i + 1]);
        }
        EXPECTED.put(scenario, m);
    }

    static Stream<Arguments> captures() {
        List<Arguments> out = new ArrayList<>();
        for (String scenario : EXPECTED.keySet()) {
            out.add(Arguments.of(scenario, scenario + ".pcap"));
            out.add(Arguments.of(scenario, scenario + "-hep.pcap"));
        }
        out.add(Arguments.of("basic-call", "basic-call.pcapng"));
        return out.stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("captures")
    void wholeSequencesAsCaptured(String scenario, String file) throws IOException {
        Replay r = replay(read(file), TrackerConfig.DEFAULTS);
        assertEquals(EXPECTED.get(scenario), r.sequences(EXPECTED.get(scenario).keySet()), file);
        assertEquals(0, r.drops.total() - r.drops.get(DropReason.DUPLICATE), "drops: " + r.drops.snapshot());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("captures")
    void everyPacketTwiceGivesTheSameSequences(String scenario, String file) throws IOException {
        List<SipPacket> twice = new ArrayList<>();
        for (SipPacket p : read(file)) {
            twice.add(p);
            twice.add(p);
        }
        Replay r = replay(twice, TrackerConfig.DEFAULTS);
        assertEquals(EXPECTED.get(scenario), r.sequences(EXPECTED.get(scenario).keySet()), file);
    }

    /**
     * Each logical message (all its copies: both mirrored legs, retransmissions) lost in turn. Whatever is lost,
     * nobody is left in a call once the timeouts have passed; and losing a message that carries no state of its own
     * (100 Trying, an ACK without SDP, a BYE whose 200 is still seen, the 200 to a CANCEL) changes no sequence at all;
     * an ACK with SDP carries the answer to a late offer (late-offer's hold), which is lost with it.
     */
    @ParameterizedTest(name = "{1}")
    @MethodSource("captures")
    void losingAnyMessageLeavesNobodyStuck(String scenario, String file) throws IOException {
        List<SipPacket> packets = read(file);
        Map<String, List<Integer>> groups = logicalMessages(packets);
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            List<SipPacket> lossy = new ArrayList<>(packets);
            g.getValue().stream().sorted((x, y) -> y - x).forEach(i -> lossy.remove((int) i));
            Replay r = replay(lossy, TrackerConfig.DEFAULTS);
            r.pipeline.advanceTo(r.lastTime + LONG_AFTER);
            for (String aor : EXPECTED.get(scenario).keySet()) {
                PhoneState s = r.tracker.stateOf(aor);
                assertTrue(s == PhoneState.AVAILABLE || s == PhoneState.OFFLINE,
                        file + " without " + g.getKey() + ": " + aor + " stuck " + s);
            }
            if (harmless(g.getKey(), scan(packets.get(g.getValue().get(0))))) {
                Replay again = replay(lossy, TrackerConfig.DEFAULTS);
                assertEquals(EXPECTED.get(scenario), again.sequences(EXPECTED.get(scenario).keySet()),
                        file + " without " + g.getKey());
            }
        }
    }

    /** Neighbours swapped, one pair at a time and at random: the end state is always the captured one. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("captures")
    void reorderingNeverChangesTheEnd(String scenario, String file) throws IOException {
        List<SipPacket> packets = read(file);
        Map<String, PhoneState> expectedEnd = replay(packets, TrackerConfig.DEFAULTS).endStates(
                EXPECTED.get(scenario).keySet());
        Random random = new Random(scenario.hashCode());
        for (int round = 0; round < packets.size() + 20; round++) {
            List<SipPacket> shuffled = new ArrayList<>(packets);
            if (round < packets.size() - 1) {
                java.util.Collections.swap(shuffled, round, round + 1);
            } else {
                for (int k = 0; k < 3; k++) {
                    int i = random.nextInt(shuffled.size() - 1);
                    java.util.Collections.swap(shuffled, i, i + 1);
                }
            }
            Replay r = replay(shuffled, TrackerConfig.DEFAULTS);
            assertEquals(expectedEnd, r.endStates(EXPECTED.get(scenario).keySet()), file + " round " + round);
        }
    }

    /**
     * Chaos: all captures at once, with random loss, duplication and re-ordering (seeded, bounded). Nothing throws,
     * nothing is dropped as malformed, and once the timeouts have passed nobody is left in a call.
     */
    @ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void chaosLeavesNobodyInACall(long seed) throws IOException {
        List<SipPacket> all = new ArrayList<>();
        for (String scenario : EXPECTED.keySet()) {
            all.addAll(read(scenario + "-hep.pcap"));
        }
        Random random = new Random(seed);
        List<SipPacket> messy = new ArrayList<>();
        for (SipPacket p : all) {
            int dice = random.nextInt(20);
            if (dice == 0) {
                continue;
            }
            messy.add(p);
            if (dice == 1) {
                messy.add(p);
            }
        }
        for (int k = 0; k < messy.size() / 5; k++) {
            int i = random.nextInt(messy.size() - 1);
            java.util.Collections.swap(messy, i, i + 1);
        }
        Replay r = replay(messy, TrackerConfig.DEFAULTS);
        assertEquals(0, r.drops.get(DropReason.SIP_MALFORMED));
        r.pipeline.advanceTo(r.lastTime + LONG_AFTER);
        for (String aor : List.of(A, B, C)) {
            PhoneState s = r.tracker.stateOf(aor);
            assertTrue(s == PhoneState.AVAILABLE || s == PhoneState.OFFLINE, aor + " stuck " + s);
        }
        // A call still up at the end of its capture (the transfers) timed out at that advance: its tombstone lives on.
        r.pipeline.advanceTo(r.lastTime + 2 * LONG_AFTER);
        assertEquals(0, r.tracker.callCount(), "every call and tombstone is gone after the timeouts");
    }

    private static boolean harmless(String logicalMessage, SipMessage m) {
        return logicalMessage.startsWith("100/") || (logicalMessage.startsWith("ACK/") && m.media() == null)
                || logicalMessage.startsWith("BYE/") || logicalMessage.startsWith("200/CANCEL");
    }

    /** Packet indexes grouped by logical message: copies on both legs share Call-ID, CSeq, kind and To-tag. */
    private static Map<String, List<Integer>> logicalMessages(List<SipPacket> packets) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < packets.size(); i++) {
            SipMessage m = scan(packets.get(i));
            String kind = m.isRequest() ? m.method() : m.statusCode() + "/" + m.cseqMethod();
            String key = kind + "/" + m.callId() + "/" + m.cseq() + "/" + m.toTag();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        return groups;
    }

    private static SipMessage scan(SipPacket p) {
        try {
            return SipScanner.scan(p.data(), p.offset(), p.length());
        } catch (SipParseException e) {
            return fail("fixture message does not scan: " + e.getMessage());
        }
    }

    static List<SipPacket> read(String file) throws IOException {
        List<SipPacket> packets = new ArrayList<>();
        DropCounters drops = new DropCounters();
        try (InputStream in = FixtureReplayTest.class.getResourceAsStream("/captures/" + file)) {
            if (in == null) {
                fail("missing fixture " + file);
            }
            new CaptureReader().read(in, file, packets::add, drops);
        }
        assertEquals(0, drops.total(), file + " reads without drops: " + drops.snapshot());
        return packets;
    }

    static Replay replay(List<SipPacket> packets, TrackerConfig config) {
        return new Replay(packets, config);
    }

    static final class Replay {
        final List<PhoneEvent> events = new ArrayList<>();
        final DropCounters drops = new DropCounters();
        final PhoneTracker tracker;
        final TapPipeline pipeline;
        long lastTime;

        Replay(List<SipPacket> packets, TrackerConfig config) {
            tracker = new PhoneTracker(config, events::add, drops);
            pipeline = TapPipeline.onPacketTime(tracker, drops);
            for (SipPacket p : packets) {
                pipeline.onPacket(p);
                lastTime = Math.max(lastTime, p.timeMicros());
            }
        }

        Map<String, String> sequences(Set<String> aors) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String aor : aors) {
                List<String> states = new ArrayList<>();
                for (PhoneEvent e : events) {
                    if (e.aor().equals(aor) && e.changesState()) {
                        states.add(e.state().name());
                    }
                }
                out.put(aor, String.join(" ", states));
            }
            return out;
        }

        Map<String, PhoneState> endStates(Set<String> aors) {
            Map<String, PhoneState> out = new LinkedHashMap<>();
            for (String aor : new LinkedHashSet<>(aors)) {
                out.put(aor, tracker.stateOf(aor));
            }
            return out;
        }
    }
}
