/**
 * Capture files and live capture as a source of SIP messages.
 *
 * <p>Specs: pcap (draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng) file formats; link-layer header
 * types per the tcpdump.org LINKTYPE registry (Ethernet with IEEE 802.1Q/802.1ad tags, Linux cooked SLL and SLL2,
 * raw IP, BSD loopback); IPv4 (RFC 791), IPv6 and its extension headers (RFC 8200), UDP (RFC 768), TCP (RFC 9293);
 * SIP framing over UDP and TCP (RFC 3261 sections 7.5 and 18.3) and CRLF keep-alives (RFC 5626 section 3.5.1); HEP
 * frames on a TCP stream are delimited by the HEPv3 length field.
 *
 * <p>Why here and not in a library: the tap needs exactly the SIP messages with their time and addresses, must
 * count every frame it cannot use instead of failing, and must stay within a fixed amount of memory when a capture
 * is damaged or hostile. {@link io.offhook.tap.capture.CaptureReader} decodes a file from an
 * {@link java.io.InputStream}; {@link io.offhook.tap.capture.LiveCapture} feeds frames from libpcap (pcap4j) into
 * the same frame decoder and TCP reassembly.
 */
package io.offhook.tap.capture;
