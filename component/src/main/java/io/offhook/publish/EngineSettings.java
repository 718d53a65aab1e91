package io.offhook.publish;

import io.offhook.presence.PresentationMode;
import java.time.Duration;
import java.util.Objects;
import org.xmpp.packet.JID;

/**
 * How the engine presents phone state.
 *
 * @param component the component's own JID, e.g. {@code phone.example.com} (key {@code xmpp.component.domain})
 * @param phoneResource the resource of the phone in resource mode (key {@code presence.resource})
 * @param defaultMode the mode for users whose mapping names none (key {@code presence.mode})
 * @param combineFormat how the user's own status text and the phone's are joined, with {@code {own}} and
 *     {@code {phone}} (key {@code presence.combine-format})
 * @param rosterRefresh how often a user's roster is fetched again; servers push no roster changes to components
 *     (key {@code roster.refresh})
 * @param rosterTimeout how long a roster get may go unanswered before it is sent again (key {@code roster.timeout})
 * @param rosterRequestsInFlight at most this many roster gets outstanding at once (key {@code roster.max-in-flight})
 * @param gatewayPolicy whom the gateway accepts when rosters cannot be read (key {@code gateway.subscribers})
 */
public record EngineSettings(JID component, String phoneResource, PresentationMode defaultMode, String combineFormat,
                             Duration rosterRefresh, Duration rosterTimeout, int rosterRequestsInFlight,
                             GatewayPolicy gatewayPolicy) {
    public EngineSettings {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(defaultMode, "defaultMode");
        Objects.requireNonNull(combineFormat, "combineFormat");
        Objects.requireNonNull(gatewayPolicy, "gatewayPolicy");
        if (component.getNode() != null || component.getResource() != null) {
            throw new IllegalArgumentException("xmpp.component.domain: '" + component + "' must be a bare domain");
        }
        if (phoneResource == null || phoneResource.isBlank()) {
            throw new IllegalArgumentException("presence.resource: must not be empty");
        }
        if (rosterRefresh.isNegative() || rosterRefresh.isZero()) {
            throw new IllegalArgumentException("roster.refresh: must be positive");
        }
        if (rosterTimeout.isNegative() || rosterTimeout.isZero()) {
            throw new IllegalArgumentException("roster.timeout: must be positive");
        }
        if (rosterRequestsInFlight < 1) {
            throw new IllegalArgumentException("roster.max-in-flight: must be at least 1");
        }
    }

    /** The documented defaults for a component JID. */
    public static EngineSettings defaults(JID component) {
        return new EngineSettings(component, "phone", PresentationMode.RESOURCE, "{own} ({phone})",
                Duration.ofMinutes(5), Duration.ofSeconds(10), 64, GatewayPolicy.CONTACTS);
    }
}
