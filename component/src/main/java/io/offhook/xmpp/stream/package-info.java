/**
 * Our XEP-0114 (Jabber Component Protocol) connection to the XMPP server, wrapped once: the stream, the handshake,
 * stanza reading and writing over Tinder's packet classes, failure detection with XEP-0199 (XMPP Ping), and its own
 * reconnect loop with backoff.
 *
 * <p>Why not Whack, the component library that goes with Tinder: measured against Prosody
 * ({@code shared/notes/xmpp-servers.md}), Whack
 * <ol>
 *   <li>ends its reader thread silently on a clean stream close or a stream error, so a server restart was noticed
 *       only about 70 seconds later, by accident;</li>
 *   <li>keeps the connection alive only with whitespace, which cannot tell a live server from a dead one
 *       (no XEP-0199 ping and no timeout);</li>
 *   <li>hands incoming stanzas to an unordered thread pool (Tinder's {@code AbstractComponent}), so presence for
 *       one user can be processed out of order.</li>
 * </ol>
 * Here one reader thread per live connection parses the stream with the JDK's StAX and delivers each stanza to a
 * {@link io.offhook.xmpp.stream.ComponentListener} in stream order; one scheduler thread sends pings and schedules
 * reconnects; writes go through one lock so stanzas never interleave.
 */
package io.offhook.xmpp.stream;
