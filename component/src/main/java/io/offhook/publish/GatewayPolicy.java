package io.offhook.publish;

/**
 * Whom the gateway mode accepts as subscribers of a user's phone contact when the server does not let the component
 * read rosters (no XEP-0356). With roster access, only the user and their contacts with subscription {@code from} or
 * {@code both} are accepted, whatever this says.
 */
public enum GatewayPolicy {
    /** Nobody without roster access: the safe default. */
    CONTACTS,
    /** Anyone on the user's own domain (a company server where everyone may see everyone). */
    DOMAIN,
    /** Anyone who asks (a public demo; never for real users). */
    ANYONE
}
