package io.offhook.presence;

import java.util.Map;

/**
 * The step from a user's phone situation to what the phone shows: the one extension point for developers.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.offhook.presence.PresenceMapping} of a jar in Offhook's {@code lib/}) and chosen by
 * {@link #name()} with the config key {@code presence.mapping}. The built-in behaviour is itself one:
 * {@link DefaultPresenceMapping}, named {@code default}.
 *
 * <p>What an implementation decides is only the phone's own show, status and priority. The rules that hold in
 * every mode are applied afterwards and cannot be bypassed: the user's own dnd/xa outranks the phone (their words
 * stay, the phone's are added), the remote party reaches the mapping only for users who opted in, and presence
 * goes only to the user's contacts with subscription {@code from} or {@code both}.
 *
 * <p>{@link #map} is called on the engine's single thread, for every change of a user's phone situation; it must
 * be fast and must not block. An exception is logged and the change is shown as the default mapping would show
 * it.
 */
public interface PresenceMapping {
    /** The name the config key {@code presence.mapping} selects this mapping by. */
    String name();

    /**
     * Called once before the first {@link #map} with every config entry whose key starts with {@code presence.}
     * (keys in full, e.g. {@code presence.text.ringing}); a mapping of one's own should use keys under
     * {@code presence.<name>.}.
     *
     * @throws IllegalArgumentException naming the key when a value is bad: start-up stops with that message
     */
    default void configure(Map<String, String> settings) {
    }

    /** What the phone shows for this situation. Never {@code null}: use {@link PhonePresence#NONE}. */
    PhonePresence map(PhoneStatus status);
}
