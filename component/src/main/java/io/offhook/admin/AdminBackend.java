package io.offhook.admin;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.publish.PublicationStore.PublishedSource;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.TrackedUser;
import java.util.List;
import java.util.Objects;
import org.xmpp.packet.JID;

/**
 * What the admin commands read and do, apart from the protocol: {@link AdminCommands} turns forms into these calls
 * and their answers into forms; {@link LiveBackend} carries them out on the running engine, tap and mapping. Every
 * method may take a moment (it waits for the engine or the tap) and is called on the admin thread only.
 */
public interface AdminBackend {

    /** Mapped users with their phone state, the busiest first, at most {@code limit} of them, and how many in all. */
    UserList users(int limit) throws AdminException;

    /** One user, named by bare JID or by one of their SIP addresses ({@code sip:}, {@code sips:}, {@code tel:}). */
    UserReport user(String jidOrAddress) throws AdminException;

    /**
     * Ends the calls the tap holds for a user (all their addresses when named by JID, that address when named by
     * SIP address), so the state returns to what the registrations say.
     */
    ClearReport clear(String jidOrAddress) throws AdminException;

    /** Reads the mapping file now; says what was loaded, or throws naming {@code FILE:LINE}. */
    String reloadMapping() throws AdminException;

    /** The counters worth an admin's look, in a stable order. */
    List<Counter> counters() throws AdminException;

    /** Something the admin should read instead of a result: a user not mapped, a broken mapping file, a timeout. */
    final class AdminException extends Exception {
        private static final long serialVersionUID = 1L;

        public AdminException(String message) {
            super(Objects.requireNonNull(message, "message"));
        }
    }

    /**
     * One user in the list.
     *
     * @param jid the bare JID
     * @param addresses the SIP addresses the user is known by (held state first, then the mapping's entries)
     * @param mode how the user is shown
     * @param state the aggregate phone state the engine holds
     * @param shown what the user's phone shows (show and text), or empty when nothing
     */
    record UserRow(JID jid, List<String> addresses, PresentationMode mode, PhoneState state, String shown) {
        public UserRow {
            Objects.requireNonNull(jid, "jid");
            addresses = List.copyOf(addresses);
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(shown, "shown");
        }
    }

    /**
     * A bounded list of users.
     *
     * @param total how many users there are in all (the rows are the first of them)
     * @param rows the users listed
     */
    record UserList(int total, List<UserRow> rows) {
        public UserList {
            rows = List.copyOf(rows);
            if (total < rows.size()) {
                throw new IllegalArgumentException("total " + total + " < rows " + rows.size());
            }
        }
    }

    /**
     * One user in detail.
     *
     * @param row what the list says of the user
     * @param showRemoteParty whether the user opted in to showing whom they talk to (for an address whose entry
     *     did not, the remote party of its calls in {@code tap} reads {@code (hidden)})
     * @param recipients presences currently shown for the user
     * @param tap what the tap holds for each of the user's addresses (addresses it holds nothing for are left out)
     * @param published the SIP publications (PUBLISH) of the user's addresses
     */
    record UserReport(UserRow row, boolean showRemoteParty, int recipients, List<TrackedUser> tap,
                      List<Published> published) {
        public UserReport {
            Objects.requireNonNull(row, "row");
            tap = List.copyOf(tap);
            published = List.copyOf(published);
        }
    }

    /** One SIP publication of one of a user's addresses. */
    record Published(String aor, PublishedSource source) {
        public Published {
            Objects.requireNonNull(aor, "aor");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * What a clear did.
     *
     * @param jid the user
     * @param addresses the addresses cleared
     * @param callsEnded calls ended over those addresses
     * @param publicationsRemoved SIP publications removed over those addresses
     * @param stateAfter the state of those addresses afterwards (tap and publications together)
     */
    record ClearReport(JID jid, List<String> addresses, int callsEnded, int publicationsRemoved,
                       PhoneState stateAfter) {
        public ClearReport {
            Objects.requireNonNull(jid, "jid");
            addresses = List.copyOf(addresses);
            Objects.requireNonNull(stateAfter, "stateAfter");
        }
    }

    /**
     * One counter.
     *
     * @param var its stable name (a form field's var)
     * @param label what it counts
     * @param value its value, as text
     */
    record Counter(String var, String label, String value) {
        public Counter {
            Objects.requireNonNull(var, "var");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(value, "value");
        }
    }
}
