/**
 * The tap's path from a captured SIP packet to the tracker: size check, scan (RFC 3261), de-duplication of mirrored
 * copies and retransmissions (RFC 3261 section 17: a transaction lasts at most 64*T1 = 32 s), then tracking.
 */
package io.offhook.tap.pipeline;
