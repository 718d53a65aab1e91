/**
 * Identity mapping: which SIP users are shown in XMPP, and as which XMPP user. Only mapped users are published
 * (opt-in), so the mapping file is also where a user's consent and choices (presentation mode, showing the remote
 * party) are recorded.
 *
 * <p>Why a package of its own: the tap names users by SIP address of record and the XMPP side by JID, and nothing
 * in either protocol links the two. The rules for each side come from their specs:
 * <ul>
 * <li>RFC 3261 section 19.1 (SIP and SIPS URIs): {@code sips} counts as {@code sip}, hosts compare without case,
 *     user parts with case (19.1.4); a user part may be a telephone number ({@code user=phone}, 19.1.1 and 19.1.6),
 *     recognised here by its characters since {@link io.offhook.tap.track.Aor} drops the parameter;</li>
 * <li>RFC 3966 ({@code tel} URIs): visual separators ({@code - . ( )}) carry no meaning and are removed;</li>
 * <li>ITU-T E.164: numbers are compared as {@code +}, country code and national number, at most 15 digits, after
 *     applying the deployment's {@link io.offhook.mapping.NumberPlan} (national and international prefixes, the
 *     "(0)" trunk marker);</li>
 * <li>RFC 7622 (XMPP addresses): users are bare JIDs, validated and prepared by Tinder's {@code JID} (nodes compare
 *     without case). A SIP user part that is no valid JID node (section 3.3.1 forbids
 *     {@code " & ' / : < > @} and spaces) is not mapped by a rule: it is rejected and counted rather than escaped
 *     per XEP-0106 (JID Escaping), because XMPP accounts created by people are not named with such escapes.</li>
 * </ul>
 *
 * <p>{@link io.offhook.mapping.MappingFile} reads the file into an immutable
 * {@link io.offhook.mapping.IdentityMap}; {@link io.offhook.mapping.MappingReloader} is the only class that touches
 * the file system, and swaps in a new map when the file changes.
 */
package io.offhook.mapping;
