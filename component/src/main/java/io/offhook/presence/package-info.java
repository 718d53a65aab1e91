/**
 * From phone state to presence: the presentation modes, the {@link io.offhook.presence.PresenceMapping} extension
 * point with its built-in implementation, the precedence and privacy rules that hold in every mode (the user's own
 * dnd/xa outranks the phone; the remote party only with the user's consent; presence only to contacts with
 * subscription {@code from} or {@code both}, RFC 6121 section 4), and the engine that turns events into stanzas.
 */
package io.offhook.presence;
