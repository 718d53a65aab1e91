package io.offhook.presence;

import io.offhook.tap.track.PhoneState;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in {@link PresenceMapping}, named {@code default}: one show value and one status text per phone
 * state, and two priorities (idle and in a call), all set in the config:
 * <pre>
 * presence.show-idle = true            # show a registered, idle phone at all
 * presence.idle.show = available       # presence.&lt;state&gt;.show for idle, dialing, ringing, on-the-phone, on-hold
 * presence.on-the-phone.text = On the phone
 * presence.priority.idle = -1          # RFC 6121 priorities for the phone resource
 * presence.priority.in-call = 50       # raised during calls so clients show it (Schumann et al.)
 * </pre>
 * When the user opted in to showing the remote party, its address is added to the text of the call's state.
 */
public final class DefaultPresenceMapping implements PresenceMapping {
    /** The name that selects this mapping. */
    public static final String NAME = "default";

    private final Map<PhoneState, Show> shows = new EnumMap<>(PhoneState.class);
    private final Map<PhoneState, String> texts = new EnumMap<>(PhoneState.class);
    private boolean showIdle = true;
    private int idlePriority = -1;
    private int inCallPriority = 50;

    /** The mapping with its documented defaults; {@link #configure} changes them. */
    public DefaultPresenceMapping() {
        shows.put(PhoneState.AVAILABLE, Show.AVAILABLE);
        shows.put(PhoneState.DIALING, Show.AWAY);
        shows.put(PhoneState.RINGING, Show.AWAY);
        shows.put(PhoneState.ON_THE_PHONE, Show.DND);
        shows.put(PhoneState.ON_HOLD, Show.AWAY);
        texts.put(PhoneState.AVAILABLE, "Phone available");
        texts.put(PhoneState.DIALING, "Calling");
        texts.put(PhoneState.RINGING, "Phone ringing");
        texts.put(PhoneState.ON_THE_PHONE, "On the phone");
        texts.put(PhoneState.ON_HOLD, "On the phone (on hold)");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void configure(Map<String, String> settings) {
        for (PhoneState state : shows.keySet()) {
            String show = settings.get("presence." + key(state) + ".show");
            if (show != null) {
                try {
                    shows.put(state, Show.parse(show));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("presence." + key(state) + ".show: " + e.getMessage(), e);
                }
            }
            String text = settings.get("presence." + key(state) + ".text");
            if (text != null) {
                texts.put(state, text.trim());
            }
        }
        String idle = settings.get("presence.show-idle");
        if (idle != null) {
            showIdle = parseBoolean("presence.show-idle", idle);
        }
        idlePriority = priority(settings, "presence.priority.idle", idlePriority);
        inCallPriority = priority(settings, "presence.priority.in-call", inCallPriority);
    }

    @Override
    public PhonePresence map(PhoneStatus status) {
        PhoneState state = status.state();
        switch (state) {
            case OFFLINE:
                return PhonePresence.NONE;
            case AVAILABLE:
                return showIdle ? PhonePresence.idle(shows.get(state), texts.get(state), idlePriority)
                        : PhonePresence.NONE;
            default:
                return PhonePresence.busy(shows.get(state), withRemote(status, texts.get(state)), inCallPriority);
        }
    }

    /** The config key part of a state: {@code on-the-phone}, {@code idle} for {@link PhoneState#AVAILABLE}. */
    static String key(PhoneState state) {
        return state == PhoneState.AVAILABLE ? "idle" : state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String withRemote(PhoneStatus status, String text) {
        for (CallView call : status.calls()) {
            if (call.state() == status.state() && call.remote().isPresent()) {
                String remote = call.remote().get();
                int colon = remote.indexOf(':');
                return text + " (" + (colon >= 0 ? remote.substring(colon + 1) : remote) + ")";
            }
        }
        return text;
    }

    private static boolean parseBoolean(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("yes")) {
            return true;
        }
        if (v.equals("false") || v.equals("no")) {
            return false;
        }
        throw new IllegalArgumentException(key + ": '" + value + "' is not true or false");
    }

    private static int priority(Map<String, String> settings, String key, int fallback) {
        String value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            int p = Integer.parseInt(value.trim());
            if (p >= -128 && p <= 127) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": '" + value + "' is not a priority from -128 to 127");
    }
}
