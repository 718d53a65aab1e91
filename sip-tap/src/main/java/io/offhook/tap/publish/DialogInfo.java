package io.offhook.tap.publish;

import io.offhook.tap.track.Aor;
import io.offhook.tap.track.PhoneState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;

/**
 * What Offhook reads from a dialog-info document (RFC 4235): its version, whether it is full or partial state, and
 * each dialog's state, direction, remote party and hold.
 *
 * <p>Real publishers differ, and both are read: Kamailio's {@code pua_dialoginfo} publishes one document per
 * dialog, always full state, with {@code call-id}, {@code direction} and the remote identity; Asterisk publishes
 * one dialog per extension with no direction, and marks hold with a local target parameter {@code +sip.rendering}
 * of {@code no}, written {@code pvalue} where RFC 4235 says {@code pval} (both are accepted).
 *
 * @param entity the observed user (the root's {@code entity} attribute)
 * @param version the document's version (RFC 4235 section 4.1.1, a non-negative integer)
 * @param full whether the document is full state (else partial: only the dialogs that changed)
 * @param dialogs the dialogs, in document order
 */
public record DialogInfo(String entity, long version, boolean full, List<Dialog> dialogs) {
    /** RFC 4235. */
    public static final String NS = "urn:ietf:params:xml:ns:dialog-info";
    /** More dialogs than this in one document are refused (a phone has a handful; a body limit bounds it too). */
    public static final int MAX_DIALOGS = 1000;

    public DialogInfo {
        Objects.requireNonNull(entity, "entity");
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative: " + version);
        }
        dialogs = List.copyOf(dialogs);
    }

    /** A dialog's direction (RFC 4235 section 4.1.2): who sent the INVITE. */
    public enum Direction {
        /** The observed user placed the call. */
        INITIATOR,
        /** The observed user receives the call. */
        RECIPIENT,
        /** The document does not say (Asterisk). */
        UNKNOWN
    }

    /** A dialog's state (RFC 4235 section 3.7.1). */
    public enum State {
        TRYING, PROCEEDING, EARLY, CONFIRMED, TERMINATED
    }

    /**
     * One dialog.
     *
     * @param id the dialog's {@code id} (unique within the publication)
     * @param callId its {@code call-id}, or {@code null}
     * @param direction who placed it
     * @param state its state
     * @param event why a terminated dialog ended ({@code cancelled}, {@code rejected}, {@code replaced},
     *     {@code local-bye}, {@code remote-bye}, {@code error}, {@code timeout}), or {@code null}
     * @param code the final response code that ended or shaped it, or 0
     * @param remote the remote party's address of record ({@link Aor#of}), or {@code null}
     * @param held whether either side's target says {@code +sip.rendering=no} (RFC 4235 section 4.1.6.2)
     */
    public record Dialog(String id, String callId, Direction direction, State state, String event, int code,
                         String remote, boolean held) {
        public Dialog {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(state, "state");
        }

        /** Whether the dialog is going on (not terminated). */
        public boolean active() {
            return state != State.TERMINATED;
        }

        /**
         * What the dialog means for the observed user: trying, proceeding or early is {@link PhoneState#DIALING}
         * for the initiator and {@link PhoneState#RINGING} otherwise (without a direction, an unanswered dialog is
         * a ringing extension: Asterisk's "early"); confirmed is {@link PhoneState#ON_THE_PHONE}, or
         * {@link PhoneState#ON_HOLD} when held; terminated is {@link PhoneState#OFFLINE} (no contribution).
         */
        public PhoneState phoneState() {
            return switch (state) {
                case TRYING, PROCEEDING, EARLY -> direction == Direction.INITIATOR ? PhoneState.DIALING
                        : PhoneState.RINGING;
                case CONFIRMED -> held ? PhoneState.ON_HOLD : PhoneState.ON_THE_PHONE;
                case TERMINATED -> PhoneState.OFFLINE;
            };
        }

        /** The key Offhook reports the dialog's events under: its Call-ID when given, else its id. */
        public String callKey() {
            return callId != null ? callId : id;
        }
    }

    /**
     * Reads a dialog-info document.
     *
     * @throws BodyException when it is not well-formed, has a DTD, the root is not dialog-info with a version,
     *     state and entity, a dialog lacks an id or a state, or a value is not one RFC 4235 allows
     */
    public static DialogInfo parse(byte[] body) throws BodyException {
        XMLStreamReader r = SafeXml.open(body);
        try {
            SafeXml.toRoot(r);
            if (!NS.equals(r.getNamespaceURI()) || !"dialog-info".equals(r.getLocalName())) {
                throw new BodyException("root element is " + PidfDocument.qualified(r) + ", not dialog-info");
            }
            long version = version(r.getAttributeValue(null, "version"));
            String stateText = r.getAttributeValue(null, "state");
            if (stateText == null) {
                throw new BodyException("dialog-info without a state (full or partial)");
            }
            boolean full = switch (stateText.strip()) {
                case "full" -> true;
                case "partial" -> false;
                default -> throw new BodyException("dialog-info state '" + PidfDocument.cut(stateText)
                        + "' is neither full nor partial");
            };
            String entity = r.getAttributeValue(null, "entity");
            if (entity == null || entity.isBlank()) {
                throw new BodyException("dialog-info without an entity");
            }
            List<Dialog> dialogs = new ArrayList<>();
            int depth = 1;
            DialogReader dialog = null;
            while (depth > 0) {
                int event = SafeXml.next(r);
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    if (!NS.equals(r.getNamespaceURI())) {
                        continue;
                    }
                    String name = r.getLocalName();
                    if (depth == 2 && name.equals("dialog")) {
                        if (dialogs.size() >= MAX_DIALOGS) {
                            throw new BodyException("more than " + MAX_DIALOGS + " dialogs");
                        }
                        dialog = new DialogReader(r);
                    } else if (dialog != null && dialog.start(r, depth)) {
                        depth--;
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (dialog != null) {
                        if (depth == 2) {
                            dialogs.add(dialog.finish());
                            dialog = null;
                        } else {
                            dialog.end(depth);
                        }
                    }
                    depth--;
                } else if (event == XMLStreamConstants.END_DOCUMENT) {
                    throw new BodyException("dialog-info document ends early");
                }
            }
            return new DialogInfo(entity.strip(), version, full, dialogs);
        } finally {
            SafeXml.close(r);
        }
    }

    private static long version(String text) throws BodyException {
        if (text == null) {
            throw new BodyException("dialog-info without a version");
        }
        String v = text.strip();
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BodyException("dialog-info version '" + PidfDocument.cut(text) + "' is not a number");
        }
        return Long.parseLong(v);
    }

    /** Collects one {@code <dialog>} element's content (RFC 4235 section 4.1.2). */
    private static final class DialogReader {
        private final String id;
        private final String callId;
        private final Direction direction;
        private State state;
        private String event;
        private int code;
        private String remoteIdentity;
        private String remoteTarget;
        private boolean held;
        /** {@code local} or {@code remote} while inside one, else null. */
        private String side;
        private boolean inTarget;

        DialogReader(XMLStreamReader r) throws BodyException {
            String idText = r.getAttributeValue(null, "id");
            if (idText == null || idText.isBlank()) {
                throw new BodyException("dialog without an id");
            }
            this.id = idText.strip();
            String call = r.getAttributeValue(null, "call-id");
            this.callId = call == null || call.isBlank() ? null : call.strip();
            String dir = r.getAttributeValue(null, "direction");
            if (dir == null) {
                direction = Direction.UNKNOWN;
            } else {
                direction = switch (dir.strip()) {
                    case "initiator" -> Direction.INITIATOR;
                    case "recipient" -> Direction.RECIPIENT;
                    default -> throw new BodyException("dialog " + PidfDocument.cut(id) + " direction '"
                            + PidfDocument.cut(dir) + "' is neither initiator nor recipient");
                };
            }
        }

        /**
         * An element in the dialog-info namespace starts at {@code depth} (3 = a child of dialog); returns whether
         * its text was read, which consumes its end.
         */
        boolean start(XMLStreamReader r, int depth) throws BodyException {
            String name = r.getLocalName();
            if (depth == 3) {
                switch (name) {
                    case "state" -> {
                        event = attribute(r, "event");
                        String codeText = attribute(r, "code");
                        String text = SafeXml.text(r);
                        state = state(text);
                        code = code(codeText);
                        return true;
                    }
                    case "local", "remote" -> side = name;
                    default -> {
                        // duration, replaces, referred-by, route-set: nothing phone state depends on.
                    }
                }
            } else if (depth == 4 && side != null) {
                if (name.equals("identity") && side.equals("remote")) {
                    remoteIdentity = SafeXml.text(r);
                    return true;
                }
                if (name.equals("target")) {
                    inTarget = true;
                    if (side.equals("remote")) {
                        remoteTarget = attribute(r, "uri");
                    }
                }
            } else if (depth == 5 && inTarget && name.equals("param")) {
                String pname = attribute(r, "pname");
                String pval = attribute(r, "pval");
                if (pval == null) {
                    pval = attribute(r, "pvalue");
                }
                if ("+sip.rendering".equalsIgnoreCase(pname) && "no".equalsIgnoreCase(pval)) {
                    held = true;
                }
            }
            return false;
        }

        /** An element ends at {@code depth}. */
        void end(int depth) {
            if (depth == 3) {
                side = null;
            } else if (depth == 4) {
                inTarget = false;
            }
        }

        Dialog finish() throws BodyException {
            if (state == null) {
                throw new BodyException("dialog " + PidfDocument.cut(id) + " has no state");
            }
            String remote = remoteIdentity != null ? aor(remoteIdentity) : null;
            if (remote == null && remoteTarget != null) {
                remote = aor(remoteTarget);
            }
            return new Dialog(id, callId, direction, state, event, code, remote, held);
        }

        private State state(String text) throws BodyException {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "trying" -> State.TRYING;
                case "proceeding" -> State.PROCEEDING;
                case "early" -> State.EARLY;
                case "confirmed" -> State.CONFIRMED;
                case "terminated" -> State.TERMINATED;
                default -> throw new BodyException("dialog " + PidfDocument.cut(id) + " state '"
                        + PidfDocument.cut(text) + "' is not one of RFC 4235's");
            };
        }

        private int code(String text) throws BodyException {
            if (text == null) {
                return 0;
            }
            String c = text.strip();
            if (c.length() != 3 || !c.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new BodyException("dialog " + PidfDocument.cut(id) + " code '" + PidfDocument.cut(text)
                        + "' is not a status code");
            }
            return Integer.parseInt(c);
        }

        private static String attribute(XMLStreamReader r, String name) {
            String v = r.getAttributeValue(null, name);
            return v == null ? null : v.strip();
        }

        private static String aor(String uri) {
            String u = uri.strip();
            if (u.startsWith("<") && u.endsWith(">")) {
                u = u.substring(1, u.length() - 1);
            }
            return Aor.of(u);
        }
    }
}
