package io.offhook.remote;

import io.offhook.presence.Show;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.dom4j.Element;
import org.dom4j.QName;

/**
 * The XEP-0146 set-status form (section 4.1) as a client fills it in with its current values, and the submission
 * Offhook sends back (XEP-0004 {@code submit}): {@code FORM_TYPE} {@code http://jabber.org/protocol/rc},
 * {@code status} (list-single), {@code status-priority} (text-single) and {@code status-message} (text-multi, one
 * {@code <value/>} per line).
 *
 * @param status the client's current status
 * @param priority its priority, when the form gave a valid one (-128..127)
 * @param message its status message, empty for none
 * @param offered the status values the form lists as options; empty when it lists none
 */
public record StatusForm(RcStatus status, Optional<Integer> priority, String message, List<RcStatus> offered) {
    /** The data forms namespace (XEP-0004). */
    public static final String NS_DATA = "jabber:x:data";
    /** The FORM_TYPE of remote-control forms (XEP-0146 section 5). */
    public static final String FORM_TYPE = "http://jabber.org/protocol/rc";

    public StatusForm {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(priority, "priority");
        message = message == null ? "" : message.strip();
        offered = List.copyOf(offered);
        priority.ifPresent(p -> {
            if (p < -128 || p > 127) {
                throw new IllegalArgumentException("priority " + p + " is outside -128..127 (RFC 6121 4.7.2.3)");
            }
        });
    }

    /** What the client shows according to the form; empty when it is invisible or offline. */
    public Optional<ClientStatus> shows() {
        return status.show().map(show -> new ClientStatus(show, message));
    }

    /** Whether the client's form lets Offhook choose {@code show} (a form that lists no options allows any). */
    public boolean offers(Show show) {
        return offered.isEmpty() || offered.contains(RcStatus.of(show));
    }

    /**
     * Reads the form a client returned inside its {@code <command/>}.
     *
     * @throws IllegalArgumentException saying what is wrong: no form, another FORM_TYPE, no or an unknown status
     */
    public static StatusForm parse(Element command) {
        Element x = command == null ? null : command.element(QName.get("x", NS_DATA));
        if (x == null) {
            throw new IllegalArgumentException("the command returned no data form");
        }
        String formType = value(field(x, "FORM_TYPE"));
        if (formType != null && !formType.equals(FORM_TYPE)) {
            throw new IllegalArgumentException("the form's FORM_TYPE is '" + formType + "', not " + FORM_TYPE);
        }
        Element statusField = field(x, "status");
        if (statusField == null) {
            throw new IllegalArgumentException("the form has no 'status' field");
        }
        String statusValue = value(statusField);
        RcStatus status = RcStatus.parse(statusValue).orElseThrow(() -> new IllegalArgumentException(
                "the form's status '" + statusValue + "' is none of XEP-0146's values"));
        List<RcStatus> offered = new ArrayList<>();
        for (Element option : statusField.elements("option")) {
            RcStatus.parse(option.elementText("value")).ifPresent(offered::add);
        }
        Optional<Integer> priority = Optional.empty();
        String p = value(field(x, "status-priority"));
        if (p != null) {
            try {
                int parsed = Integer.parseInt(p.trim());
                if (parsed >= -128 && parsed <= 127) {
                    priority = Optional.of(parsed);
                }
            } catch (NumberFormatException notANumber) {
                // A client's odd priority is not Offhook's to repair: it is left out of the submission.
            }
        }
        return new StatusForm(status, priority, lines(field(x, "status-message")), offered);
    }

    /**
     * The submission that sets {@code target}, keeping this form's priority: a {@code <command/>} for session
     * {@code sessionId} (no action: XEP-0050's default, as XEP-0146's example sends it).
     */
    public Element submit(String sessionId, ClientStatus target) {
        Element command = AdHocCommands.command(RemoteControl.NODE_SET_STATUS);
        command.addAttribute("sessionid", sessionId);
        Element x = command.addElement(QName.get("x", NS_DATA)).addAttribute("type", "submit");
        field(x, "hidden", "FORM_TYPE").addElement("value").setText(FORM_TYPE);
        field(x, "list-single", "status").addElement("value").setText(RcStatus.of(target.show()).value());
        priority.ifPresent(p -> field(x, "text-single", "status-priority").addElement("value")
                .setText(Integer.toString(p)));
        Element message = field(x, "text-multi", "status-message");
        for (String line : target.message().split("\r\n|\r|\n", -1)) {
            message.addElement("value").setText(line);
        }
        return command;
    }

    private static Element field(Element x, String type, String var) {
        return x.addElement(QName.get("field", NS_DATA)).addAttribute("type", type).addAttribute("var", var);
    }

    private static Element field(Element x, String var) {
        for (Element field : x.elements("field")) {
            if (var.equals(field.attributeValue("var"))) {
                return field;
            }
        }
        return null;
    }

    private static String value(Element field) {
        return field == null ? null : field.elementText("value");
    }

    private static String lines(Element field) {
        if (field == null) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        for (Element v : field.elements("value")) {
            lines.add(v.getText());
        }
        return String.join("\n", lines);
    }
}
