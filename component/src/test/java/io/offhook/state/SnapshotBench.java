package io.offhook.state;

import io.offhook.presence.PresentationMode;
import io.offhook.publish.Publication;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.sip.Contact;
import io.offhook.tap.sip.MediaDirection;
import io.offhook.tap.sip.SipMessage;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.tap.track.TrackerConfig;
import io.offhook.tap.track.TrackerSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xmpp.packet.JID;

/**
 * What a snapshot costs at scale (never part of the test run): N registered users, M answered calls between them,
 * and one shown presence per registered user to each of C contacts; then the time to export the tracker (what the
 * pipeline's lock is held for), encode, write durably (fsync, rename, fsync), read and decode, and restore into a new
 * tracker (its events included), and the file's size.
 *
 * <p>Run: {@code scripts/bench snapshot [users] [calls] [contacts] [dir]} (defaults 1,000,000, 100,000, 2 and a
 * temporary folder; give a folder on the disk Offhook would use: fsync costs differ).
 */
public final class SnapshotBench {
    private SnapshotBench() {
    }

    public static void main(String[] args) throws IOException, SnapshotFormatException {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int contacts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("offhook-snapshot-bench");
        if (calls * 2L > users) {
            throw new IllegalArgumentException("need two registered users per call");
        }
        long t = System.currentTimeMillis() * 1000;
        PhoneTracker tracker = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxCalls(Math.max(calls, 1)), e -> { },
                new DropCounters());
        for (int i = 0; i < users; i++) {
            String aor = user(i);
            tracker.onMessage(new SipMessage(null, 200, null, "reg-" + i, 1, "REGISTER", aor, "r" + i, aor,
                    "x" + i, List.of(new Contact(contact(i), 3600)), false, SipMessage.ABSENT, SipMessage.ABSENT,
                    null, null, false, null), t += 1);
        }
        for (int d = 0; d < calls; d++) {
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
        List<Publication> publications = new ArrayList<>(users * (contacts + 1));
        for (int i = 0; i < users; i++) {
            JID jid = new JID("user" + i, "example.com", null, true);
            JID phone = new JID("user" + i, "example.com", "phone", true);
            publications.add(new Publication(jid, phone, jid, PresentationMode.RESOURCE, null));
            for (int c = 0; c < contacts; c++) {
                publications.add(new Publication(jid, phone, new JID("contact" + ((i + c + 1) % users),
                        "example.com", null, true), PresentationMode.RESOURCE, null));
            }
        }
        for (int round = 1; round <= 3; round++) {
            long start = System.nanoTime();
            TrackerSnapshot exported = tracker.export();
            long exportedAt = System.nanoTime();
            byte[] bytes = SnapshotCodec.encode(new Snapshot(exported, publications));
            long encoded = System.nanoTime();
            Path file = dir.resolve("offhook.snapshot");
            SnapshotFile.save(file, bytes);
            long written = System.nanoTime();
            Snapshot back = SnapshotFile.load(file, Clock.systemUTC()).orElseThrow();
            long read = System.nanoTime();
            long[] events = new long[1];
            PhoneTracker restored = new PhoneTracker(TrackerConfig.DEFAULTS.withMaxCalls(Math.max(calls, 1)),
                    e -> events[0]++, new DropCounters());
            PhoneTracker.Restored r = restored.restore(back.tracker(), t + 1_000_000);
            long done = System.nanoTime();
            if (r.bindings() != users || r.calls() != calls || back.publications().size() != publications.size()) {
                throw new IllegalStateException("restored " + r + ", " + back.publications().size() + " presences");
            }
            System.out.printf(Locale.ROOT, "round %d: %d registrations, %d calls, %d presences: file %.1f MB; "
                    + "export %d ms, encode %d ms, write+fsync %d ms, read+decode %d ms, restore %d ms (%d events)%n",
                    round, users, calls, publications.size(), bytes.length / 1e6, ms(exportedAt - start),
                    ms(encoded - exportedAt), ms(written - encoded), ms(read - written), ms(done - read), events[0]);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    static String user(int i) {
        return "sip:user" + i + "@example.com";
    }

    /** A distinct loopback address and port per device. */
    static String contact(int i) {
        return "sip:user" + i + "@127." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff)
                + ":" + (5060 + (i >> 24));
    }
}
