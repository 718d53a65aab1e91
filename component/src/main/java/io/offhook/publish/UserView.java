package io.offhook.publish;

import io.offhook.presence.PhonePresence;
import io.offhook.presence.PhoneStatus;
import io.offhook.presence.PresentationMode;
import java.util.List;
import java.util.Objects;

/**
 * What the engine holds and shows for one user, at one moment: the answer to an admin who asks why someone looks
 * as they do. A copy, safe to hand to another thread.
 *
 * @param status the phone situation as the presence mapping sees it (the remote party only for users who opted in)
 * @param mode how the user is shown
 * @param addresses the SIP addresses the engine holds a state for, sorted
 * @param shown what the presence mapping decided to show
 * @param recipients presences currently shown for the user (one per sender and recipient)
 */
public record UserView(PhoneStatus status, PresentationMode mode, List<String> addresses, PhonePresence shown,
                       int recipients) {
    public UserView {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(shown, "shown");
        addresses = List.copyOf(addresses);
        if (recipients < 0) {
            throw new IllegalArgumentException("recipients " + recipients + " < 0");
        }
    }
}
