package io.offhook.presence;

import java.util.Locale;

/**
 * How a user's phone state is shown in XMPP (design.md, "Ways to show the state"). Chosen per deployment and
 * per user: a server that trusts the component can take any of them; {@link #GATEWAY} works on any server, and
 * {@link #LOGIN} on any server where Offhook has the user's password.
 */
public enum PresentationMode {
    /**
     * The phone as an extra resource of the user, {@code user@domain/phone}, with its own show, status and priority
     * (Schumann et al., case a). Needs component trust and XEP-0356 roster and presence access.
     */
    RESOURCE,
    /**
     * The user's own resources' presence re-sent with show and status changed during a call, their latest real
     * presence restored after it (case b without client support). Needs the same as {@link #RESOURCE}.
     */
    OVERLAY,
    /**
     * The phone as a contact of its own, {@code user@<component domain>}, that contacts subscribe to, like OpenSIPS
     * pua_xmpp. Needs nothing from the server.
     */
    GATEWAY,
    /**
     * The user's own clients are asked to set their status (XEP-0146 set-status through XEP-0356 privileged IQs) and
     * set back after the call; clients that cannot be asked are shown by {@code remote-control.fallback}
     * (case b with client support). Needs Prosody's privileged IQ permission; see {@code io.offhook.remote}.
     */
    REMOTE_CONTROL,
    /**
     * The phone as the resource {@code user@domain/phone} of a client session Offhook opens with the user's own
     * password (the paper's prototype; {@link io.offhook.fallback}): for users whose server does not trust the
     * component. Needs nothing from the server but the user's account; their server sends the presence to their
     * contacts itself.
     */
    LOGIN;

    /** The name used in config and mapping files: lower case with '-', e.g. {@code remote-control}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The mode a config or mapping file names, ignoring case.
     *
     * @throws IllegalArgumentException naming the valid modes when {@code text} is none of them
     */
    public static PresentationMode parse(String text) {
        for (PresentationMode mode : values()) {
            if (mode.configName().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (PresentationMode mode : values()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(mode.configName());
        }
        throw new IllegalArgumentException("unknown presentation mode '" + text + "': use one of " + valid);
    }
}
