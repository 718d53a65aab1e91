/**
 * A dialog-event subscriber: Offhook subscribes at a PBX or proxy to each mapped user's dialogs and turns the
 * notifications into phone state, the way a phone's busy-lamp-field (BLF) key watches a colleague's line.
 *
 * <p>Specifications: RFC 6665 (SIP-specific event notification: SUBSCRIBE, NOTIFY, Subscription-State, refresh,
 * termination reasons and {@code retry-after}), RFC 4235 (the {@code dialog} event package and its
 * {@code application/dialog-info+xml} bodies, full and partial state with a version counter), RFC 3261 for the
 * dialog a subscription lives in (Call-ID, tags, CSeq, remote target).
 *
 * <p>Why: Asterisk, FreeSWITCH and Kamailio's presence server all offer dialog events to watchers, and many
 * deployments can neither mirror their signalling (HEP) nor make the PBX PUBLISH. Subscribing needs nothing on the
 * PBX but the permission to subscribe, which BLF keys already have.
 *
 * <p>Nothing downstream changes: each user's latest dialog state is kept as one publication in a
 * {@link io.offhook.tap.publish.PublicationStore} of the subscriber's own (the same dialog-info reading, merging of
 * partial state, events in the tracker's words and expiry as for SIP PUBLISH), whose changes go into the
 * {@link io.offhook.tap.publish.StateCombiner} as a source of their own. {@link io.offhook.tap.subscribe.DialogSubscriber}
 * decides (when to subscribe, refresh, back off, what to answer a NOTIFY) on a {@link java.time.Clock} and holds no
 * I/O; {@link io.offhook.tap.subscribe.DialogSubscribeClient} is the JAIN-SIP adapter that sends and receives.
 */
package io.offhook.tap.subscribe;
