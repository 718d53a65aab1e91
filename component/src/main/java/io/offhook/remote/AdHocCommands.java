package io.offhook.remote;

import java.util.Optional;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;

/**
 * XEP-0050 (Ad-Hoc Commands) as remote control uses it: the {@code <command/>} payloads of execute, submit (see
 * {@link StatusForm#submit}) and cancel, and what a client's answer says.
 */
public final class AdHocCommands {
    /** The commands namespace, also the disco node that lists a client's commands (XEP-0050 section 2.2). */
    public static final String NS = "http://jabber.org/protocol/commands";

    private AdHocCommands() {
    }

    /** How a command session stands after a client's answer (XEP-0050 section 6, attribute {@code status}). */
    public enum Status {
        EXECUTING, COMPLETED, CANCELED
    }

    /**
     * A client's answer to a command request.
     *
     * @param status where the session stands
     * @param sessionId the session to continue, empty when the client gave none
     * @param errorNote the text of a {@code <note type='error'/>}, when the client reported a failure that way
     * @param command the {@code <command/>} element itself (its form, if any)
     */
    public record Reply(Status status, Optional<String> sessionId, Optional<String> errorNote, Element command) {
    }

    /** An empty {@code <command/>} for {@code node}. */
    static Element command(String node) {
        return DocumentHelper.createElement(QName.get("command", NS)).addAttribute("node", node);
    }

    /** The first request of a session: {@code action='execute'} (XEP-0050 section 3.3). */
    public static Element execute(String node) {
        return command(node).addAttribute("action", "execute");
    }

    /** Ends a session without completing it (XEP-0050 section 3.4.4). */
    public static Element cancel(String node, String sessionId) {
        return command(node).addAttribute("sessionid", sessionId).addAttribute("action", "cancel");
    }

    /**
     * Reads the {@code <command/>} of a result.
     *
     * @throws IllegalArgumentException when the payload is no command or its status is missing or unknown
     */
    public static Reply parse(Element command) {
        if (command == null || !"command".equals(command.getName()) || !NS.equals(command.getNamespaceURI())) {
            throw new IllegalArgumentException("the answer holds no XEP-0050 <command/>");
        }
        String status = command.attributeValue("status");
        Status parsed;
        if ("executing".equals(status)) {
            parsed = Status.EXECUTING;
        } else if ("completed".equals(status)) {
            parsed = Status.COMPLETED;
        } else if ("canceled".equals(status)) {
            parsed = Status.CANCELED;
        } else {
            throw new IllegalArgumentException("the command's status is '" + status
                    + "', not executing, completed or canceled");
        }
        Optional<String> error = Optional.empty();
        for (Element note : command.elements("note")) {
            if ("error".equals(note.attributeValue("type"))) {
                error = Optional.of(note.getTextTrim());
            }
        }
        String session = command.attributeValue("sessionid");
        return new Reply(parsed, Optional.ofNullable(session == null || session.isEmpty() ? null : session), error,
                command);
    }
}
