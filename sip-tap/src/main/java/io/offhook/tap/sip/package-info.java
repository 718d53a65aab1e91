/**
 * Reading SIP (RFC 3261) fast: {@link io.offhook.tap.sip.SipScanner} extracts only the fields the tracker needs into
 * an immutable {@link io.offhook.tap.sip.SipMessage}; the SDP body (RFC 4566, hold per RFC 3264 section 8.4) is
 * reduced to its media direction. JAIN-SIP is the reference parser the scanner is tested against.
 */
package io.offhook.tap.sip;
