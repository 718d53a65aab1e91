/**
 * The presence engine: phone events, the user's real presence (forwarded by XEP-0356), rosters and gateway
 * subscriptions in; the stanzas that make contacts see the truth out. Pure logic on one thread, no I/O: an
 * {@link io.offhook.publish.Outbox} receives what to send.
 *
 * <p>The engine keeps, per user, what it currently shows to whom, computes what it should show, and sends the
 * difference: a new call, a contact coming online (RFC 6121 section 4.4: a contact who logs in later is sent the
 * current state at once), a roster change that removes a contact (who is then sent {@code unavailable}), a mode
 * change, a reconnect (everything shown is sent again) and shutdown (everything retracted) are all the same step.
 * Presence goes only to contacts with subscription {@code from} or {@code both} (RFC 6121 section 4.2.2): the
 * servers do not check this for a trusted component, so the engine does.
 */
package io.offhook.publish;
