/**
 * Registration and dialog tracking: one {@link io.offhook.tap.track.PhoneState} per user (SIP address of record,
 * RFC 3261 section 10) from registrations (RFC 3261 section 10.3: the 2xx lists every current binding) and INVITE
 * dialogs (RFC 3261 sections 12-15, forking per section 16.7, CANCEL per 9, hold per RFC 3264 section 8.4,
 * session timers per RFC 4028).
 *
 * <p>Input is messy by nature: a proxy's mirror shows each message twice, UAs retransmit, forks race, packets are
 * lost or re-ordered. The tracker is therefore idempotent per message, never downgrades a dialog (a late 180 after
 * the 200 changes nothing), keeps ended calls as tombstones for a while (a late 200 after the BYE does not reopen
 * them) and gives every state a time to live, so nobody stays "on the phone" after a lost BYE.
 */
package io.offhook.tap.track;
