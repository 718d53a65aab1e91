package io.offhook.tap.publish;

import io.offhook.tap.track.PhoneState;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;

/**
 * What Offhook reads from a PIDF document (RFC 3863) with RPID extensions (RFC 4480): whether any tuple is open,
 * and the person's activities.
 *
 * <p>Only two things matter for phone state, and the mapping is written down in {@link #phoneState(boolean)}. The
 * rest of PIDF (notes, contacts, timestamps, devices, the {@code from}/{@code until} of activities) is read past.
 * Activities are taken from any {@code <activities>} element in the RFC 4480 namespace, wherever it sits (person,
 * tuple or status); elements of other namespaces are ignored, so PIDF's own {@code <im:im>busy</im:im>} (RFC 3863's
 * example) is not an activity.
 *
 * @param entity the presentity the document is about (the root's {@code entity} attribute)
 * @param open whether at least one tuple's basic status is {@code open}
 * @param activities the RPID activities' element names, e.g. {@code on-the-phone}, {@code busy}, {@code away}
 */
public record PidfDocument(String entity, boolean open, Set<String> activities) {
    /** RFC 3863. */
    public static final String PIDF_NS = "urn:ietf:params:xml:ns:pidf";
    /** RFC 4480. */
    public static final String RPID_NS = "urn:ietf:params:xml:ns:pidf:rpid";

    public PidfDocument {
        Objects.requireNonNull(entity, "entity");
        activities = Set.copyOf(activities);
    }

    /**
     * The phone state this document says:
     * <ul>
     *   <li>activity {@code on-the-phone}: {@link PhoneState#ON_THE_PHONE}, whatever the basic status (Asterisk
     *       publishes {@code closed} for an extension in use: closed for more calls, not gone);</li>
     *   <li>activity {@code busy}: the same when {@code busyIsOnThePhone} (RFC 4480 says only "busy, without
     *       further details", but Asterisk's PIDF says {@code busy} for an extension that rings, is in use or is on
     *       hold, and has no other way to say so); otherwise like any other activity;</li>
     *   <li>otherwise (away, meeting, no activity...): {@link PhoneState#AVAILABLE} when a tuple is open, else
     *       {@link PhoneState#OFFLINE}. Away and the like are the person's chat matters, not the phone's: the
     *       phone stays available.</li>
     * </ul>
     */
    public PhoneState phoneState(boolean busyIsOnThePhone) {
        if (activities.contains("on-the-phone") || busyIsOnThePhone && activities.contains("busy")) {
            return PhoneState.ON_THE_PHONE;
        }
        return open ? PhoneState.AVAILABLE : PhoneState.OFFLINE;
    }

    /**
     * Reads a PIDF document.
     *
     * @throws BodyException when it is not well-formed, has a DTD, its root is not a PIDF {@code presence} with an
     *     {@code entity}, or a basic status is neither {@code open} nor {@code closed}
     */
    public static PidfDocument parse(byte[] body) throws BodyException {
        XMLStreamReader r = SafeXml.open(body);
        try {
            SafeXml.toRoot(r);
            if (!PIDF_NS.equals(r.getNamespaceURI()) || !"presence".equals(r.getLocalName())) {
                throw new BodyException("root element is " + qualified(r) + ", not PIDF presence");
            }
            String entity = r.getAttributeValue(null, "entity");
            if (entity == null || entity.isBlank()) {
                throw new BodyException("PIDF presence without an entity");
            }
            boolean open = false;
            Set<String> activities = new TreeSet<>();
            int depth = 1;
            int activitiesDepth = -1;
            while (depth > 0) {
                int event = SafeXml.next(r);
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String ns = r.getNamespaceURI();
                    String name = r.getLocalName();
                    boolean rpid = RPID_NS.equals(ns);
                    if (PIDF_NS.equals(ns) && name.equals("basic")) {
                        String basic = SafeXml.text(r);
                        depth--;
                        if (basic.equals("open")) {
                            open = true;
                        } else if (!basic.equals("closed")) {
                            throw new BodyException("PIDF basic status '" + cut(basic)
                                    + "' is neither open nor closed");
                        }
                    } else if (rpid && name.equals("activities") && activitiesDepth < 0) {
                        activitiesDepth = depth;
                    } else if (rpid && depth == activitiesDepth + 1 && !name.equals("note")) {
                        activities.add(name);
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (depth == activitiesDepth) {
                        activitiesDepth = -1;
                    }
                    depth--;
                } else if (event == XMLStreamConstants.END_DOCUMENT) {
                    throw new BodyException("PIDF document ends early");
                }
            }
            return new PidfDocument(entity.strip(), open, activities);
        } finally {
            SafeXml.close(r);
        }
    }

    static String qualified(XMLStreamReader r) {
        String ns = r.getNamespaceURI();
        return (ns == null || ns.isEmpty() ? "" : "{" + cut(ns) + "}") + r.getLocalName();
    }

    /** A value quoted in an error, cut so a reason phrase stays short. */
    static String cut(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }
}
