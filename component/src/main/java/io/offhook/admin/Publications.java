package io.offhook.admin;

import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.publish.PublicationStore.PublishedSource;
import io.offhook.tap.track.PhoneState;
import java.util.List;
import java.util.Objects;

/**
 * The SIP publications (RFC 3903 PUBLISH, {@code publish.listen}) an admin may look at and clear, beside what the
 * tap holds: a publisher that went away for good would otherwise keep a user "on the phone" until its publication
 * expires. Addresses are addresses of record as {@link io.offhook.tap.track.Aor#of} makes them.
 */
public interface Publications {
    /** The live publications of {@code aor}. */
    List<PublishedSource> of(String aor);

    /** Removes them all, as if expired; returns how many. */
    int clear(String aor, String detail);

    /** What they say together ({@link PhoneState#OFFLINE} when none). */
    PhoneState stateOf(String aor);

    /** When Offhook takes no SIP PUBLISH. */
    static Publications none() {
        return new Publications() {
            @Override
            public List<PublishedSource> of(String aor) {
                return List.of();
            }

            @Override
            public int clear(String aor, String detail) {
                return 0;
            }

            @Override
            public PhoneState stateOf(String aor) {
                return PhoneState.OFFLINE;
            }
        };
    }

    /** The receiver's store. */
    static Publications of(PublicationStore store) {
        Objects.requireNonNull(store, "store");
        return new Publications() {
            @Override
            public List<PublishedSource> of(String aor) {
                return store.publications(aor);
            }

            @Override
            public int clear(String aor, String detail) {
                return store.clear(aor, detail);
            }

            @Override
            public PhoneState stateOf(String aor) {
                return store.stateOf(aor);
            }
        };
    }
}
