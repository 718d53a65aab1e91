/**
 * SIP PUBLISH (RFC 3903): Offhook as an event state compositor that presence servers, IMS application servers,
 * PBXs and proxies publish phone state to, as a second source beside the tap.
 *
 * <p>Specifications: RFC 3903 (PUBLISH, entity tags, refresh, modify, removal, expiry); the event packages of
 * RFC 6665 (formerly RFC 3265), of which two are read: {@code presence} (RFC 3856) with PIDF bodies (RFC 3863) and
 * RPID activities (RFC 4480: {@code on-the-phone}, {@code busy}, {@code away}...), and {@code dialog} (RFC 4235)
 * with dialog-info bodies (trying, proceeding, early, confirmed, terminated; initiator or recipient; full or
 * partial state); digest authentication per RFC 3261 section 22 with RFC 2617.
 *
 * <p>Why here: a publication is phone state the tap cannot see (a PBX's own extensions, a presence server that
 * already knows), and it must reach XMPP exactly as the tap's state does. So nothing downstream changes:
 * {@link io.offhook.tap.publish.PublicationStore} turns publications into the tracker's own
 * {@link io.offhook.tap.track.PhoneEventType}s, and {@link io.offhook.tap.publish.StateCombiner}, placed between
 * the tracker and its listener, reports per address of record the higher of the tracker's and the publications'
 * states as ordinary {@link io.offhook.tap.track.PhoneEvent}s. The tracker is not touched: each source keeps its own
 * rules and time limits, and the aggregate is one {@code max} over both.
 *
 * <p>The bodies are codecs over byte arrays ({@link io.offhook.tap.publish.PidfDocument},
 * {@link io.offhook.tap.publish.DialogInfo}) on a pull parser that refuses DTDs, so external entities cannot be
 * resolved; the store holds no I/O and takes a {@link java.time.Clock}; only
 * {@link io.offhook.tap.publish.PublishReceiver} touches the network, on the JAIN-SIP stack.
 */
package io.offhook.tap.publish;
