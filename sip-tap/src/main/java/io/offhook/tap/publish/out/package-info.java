/**
 * Chat presence into SIP: Offhook as a presence user agent that PUBLISHes (RFC 3903) each mapped user's chat
 * presence to a SIP presence server, as PIDF (RFC 3863) with RPID activities (RFC 4480), so that SIP phones with
 * presence or BLF keys (RFC 3856 watchers of the presence server) see their colleagues' chat status.
 *
 * <p>Why: the paper's "SIP/XMPP Publisher" that knows both worlds; the way in is {@link io.offhook.tap.publish}, this
 * is the way out. The parts: {@link io.offhook.tap.publish.out.ChatState} (what is published, validated),
 * {@link io.offhook.tap.publish.out.PidfBody} (a stateless codec: state to PIDF+RPID text),
 * {@link io.offhook.tap.publish.out.OutboundPublications} (RFC 3903's publisher side as a state machine without I/O,
 * on a {@link java.time.Clock}: initial PUBLISH, SIP-ETag, modify and refresh with SIP-If-Match, 412 starts over,
 * 423 takes Min-Expires, removal with Expires 0; a presence server that does not answer or answers 5xx is backed off
 * from exponentially with jitter, and every publication is sent again when it answers again) and
 * {@link io.offhook.tap.publish.out.SipPublisher}, the only class here that touches the network (JAIN-SIP), on a
 * thread of its own, fed through a bounded map that keeps only each user's latest state.
 */
package io.offhook.tap.publish.out;
