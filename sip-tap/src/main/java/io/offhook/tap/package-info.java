/**
 * The SIP tap: turns SIP signalling seen next to a proxy (HEP mirroring, capture files, live capture) into one
 * phone state per user (address of record). Sub-packages are by feature: {@code packet} is the unit every source
 * produces, {@code hep} and {@code capture} are sources, {@code sip} reads SIP (RFC 3261), {@code track} keeps
 * registrations and dialogs, {@code cli} is the {@code replay} command, {@code timeline} draws what a replay saw.
 */
package io.offhook.tap;
