package io.offhook.tap.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Runs one message through {@link SipScanner} and through JAIN-SIP ({@link JainSipReference}) and lists every field
 * on which they disagree. An empty list means they agree, including when both reject the message.
 *
 * <p>Meant to be run over anything: the fixtures, generated variants and, later, real captures (call
 * {@link #compare(byte[])} per SIP payload). It reports differences and judges none of them: the known, documented
 * divergences are listed in {@code SipScannerDifferentialTest}.
 *
 * <p>Comparison rules, the same for both sides:
 * <ul>
 *   <li>URIs are compared in a canonical form that only lower-cases the scheme: JAIN-SIP re-serialises URIs and
 *       writes {@code SIP:} as {@code sip:}, while the scanner returns the URI as on the wire (and the tracker
 *       normalises what it needs). Nothing else is changed: user, host, parameters and escapes must be equal.</li>
 *   <li>Every other field is compared exactly.</li>
 * </ul>
 */
public final class DifferentialCheck {

    private DifferentialCheck() {
    }

    /** The differences between the scanner and JAIN-SIP on {@code message}; empty when they agree. */
    public static List<String> compare(byte[] message) {
        return compare(message, 0, message.length);
    }

    /** As {@link #compare(byte[])}, for a message at {@code offset} in {@code data}. */
    public static List<String> compare(byte[] data, int offset, int length) {
        SipMessage ours = null;
        String ourRejection = null;
        try {
            ours = SipScanner.scan(data, offset, length);
        } catch (SipParseException e) {
            ourRejection = e.getMessage();
        }
        JainSipReference.Result reference = JainSipReference.parse(data, offset, length);
        SipMessage theirs = reference.message();

        List<String> differences = new ArrayList<>();
        if (ours == null && theirs == null) {
            return differences;
        }
        if (ours == null) {
            differences.add("scanner rejected (" + ourRejection + "), JAIN-SIP accepted");
        } else if (theirs == null) {
            differences.add("JAIN-SIP rejected (" + reference.rejection() + "), scanner accepted");
        } else {
            compareFields(ours, theirs, differences);
        }
        if (!differences.isEmpty() && !reference.droppedHeaders().isEmpty()) {
            differences.add("note: JAIN-SIP dropped unparseable headers " + reference.droppedHeaders());
        }
        return differences;
    }

    private static void compareFields(SipMessage ours, SipMessage theirs, List<String> out) {
        check(out, "method", ours.method(), theirs.method());
        check(out, "statusCode", ours.statusCode(), theirs.statusCode());
        check(out, "requestUri", canonicalUri(ours.requestUri()), canonicalUri(theirs.requestUri()));
        check(out, "callId", ours.callId(), theirs.callId());
        check(out, "cseq", ours.cseq(), theirs.cseq());
        check(out, "cseqMethod", ours.cseqMethod(), theirs.cseqMethod());
        check(out, "fromUri", canonicalUri(ours.fromUri()), canonicalUri(theirs.fromUri()));
        check(out, "fromTag", ours.fromTag(), theirs.fromTag());
        check(out, "toUri", canonicalUri(ours.toUri()), canonicalUri(theirs.toUri()));
        check(out, "toTag", ours.toTag(), theirs.toTag());
        check(out, "contacts", canonicalContacts(ours.contacts()), canonicalContacts(theirs.contacts()));
        check(out, "contactWildcard", ours.contactWildcard(), theirs.contactWildcard());
        check(out, "expires", ours.expires(), theirs.expires());
        check(out, "sessionExpires", ours.sessionExpires(), theirs.sessionExpires());
        check(out, "contentType", ours.contentType(), theirs.contentType());
        check(out, "media", ours.media(), theirs.media());
        check(out, "nullConnection", ours.nullConnection(), theirs.nullConnection());
        check(out, "assertedIdentity", canonicalUri(ours.assertedIdentity()),
                canonicalUri(theirs.assertedIdentity()));
    }

    private static void check(List<String> out, String field, Object ours, Object theirs) {
        if (!Objects.equals(ours, theirs)) {
            out.add(field + ": scanner=[" + ours + "] jain-sip=[" + theirs + "]");
        }
    }

    private static List<Contact> canonicalContacts(List<Contact> contacts) {
        List<Contact> canonical = new ArrayList<>(contacts.size());
        for (Contact c : contacts) {
            canonical.add(new Contact(canonicalUri(c.uri()), c.expires()));
        }
        return canonical;
    }

    /** The URI with its scheme in lower case (see the class comment); {@code null} stays {@code null}. */
    static String canonicalUri(String uri) {
        if (uri == null) {
            return null;
        }
        int colon = uri.indexOf(':');
        return colon <= 0 ? uri : uri.substring(0, colon).toLowerCase(Locale.ROOT) + uri.substring(colon);
    }
}
