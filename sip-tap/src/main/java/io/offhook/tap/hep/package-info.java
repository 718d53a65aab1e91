/**
 * HEP, the Homer Encapsulation Protocol (also called EEP), as sent by SIP proxies (Kamailio siptrace, OpenSIPS
 * proto_hep, FreeSWITCH, Asterisk) and capture agents to mirror every SIP message they see, with the addresses and
 * time of the original packet.
 *
 * <p>Specifications: HEP3 Network Protocol Specification rev. 37 (https://github.com/sipcapture/HEP) for version 3,
 * a length-prefixed list of typed chunks; versions 1 and 2 have no written specification beyond the C structures in
 * Kamailio's {@code sipcapture/hep.h}, and this package follows what Kamailio 5.6 actually sends (verified on the
 * wire; see {@link io.offhook.tap.hep.HepDecoder}).
 *
 * <p>Why here: HEP is the tap's main source. {@link io.offhook.tap.hep.HepDecoder} and
 * {@link io.offhook.tap.hep.HepEncoder} are stateless codecs over byte arrays, shared with the capture reader
 * (HEP found inside a pcap); {@link io.offhook.tap.hep.HepListener} is the only class that touches sockets.
 */
package io.offhook.tap.hep;
