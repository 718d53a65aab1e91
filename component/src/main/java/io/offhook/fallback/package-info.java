/**
 * Per-user login fallback: for users whose XMPP server will not trust Offhook's component, Offhook logs in as the
 * user, with a password the operator provisioned, and shows the phone state on that session's resource
 * ({@code user@domain/phone}).
 *
 * <p>Why it exists: the component modes need a server that lets a XEP-0114 component send in its users' names and
 * read their rosters (XEP-0356). A user's account may live on a server whose admins will not grant that (another
 * company's or a hosted service). What every server grants is an ordinary client session (RFC 6120: TCP, STARTTLS,
 * SASL, resource binding), or the same stream over HTTP where the server offers BOSH (XEP-0124, XEP-0206), as the
 * paper's prototype logged in. Its presence (RFC 6121 section 4) is broadcast by the user's own server to the user's
 * contacts, so the server itself applies the subscription rules: only contacts with subscription {@code from} or
 * {@code both} see it. The priority is negative by default (RFC 6121 section 4.7.2.3), so the session never takes
 * messages meant for the user's real clients. This is the design of the paper's prototype (Schumann et al.); its
 * cost is a stored password per user and one connection per registered phone.
 *
 * <p>Parts: {@link io.offhook.fallback.CredentialsFile} reads the passwords (a private file, never logged);
 * {@link io.offhook.fallback.FallbackSessions} keeps one session per user while the phone is registered, with
 * bounded concurrent logins and per-user backoff; {@link io.offhook.fallback.Logins} is the seam the presence engine
 * talks to. The sessions are Smack's, over TCP or BOSH ({@code SmackSessions}); BOSH's HTTP requests go through
 * {@code BoshTransport}, which checks the server's certificate and host name.
 */
package io.offhook.fallback;
