/**
 * XEP-0356 (Privileged Entity) as the component uses it: the permission message a server sends after the
 * handshake ({@code urn:xmpp:privilege:1} from ejabberd, {@code :2} from Prosody), privileged roster gets
 * (RFC 6121 section 2.1.3 sent on a user's behalf) and the roster items they return. Neither server pushes roster
 * changes to a component, so the engine refreshes rosters itself. Codecs only: no I/O here.
 */
package io.offhook.xmpp.privilege;
