package io.offhook.admin;

import io.offhook.admin.AdminBackend.AdminException;
import io.offhook.admin.AdminBackend.ClearReport;
import io.offhook.admin.AdminBackend.Counter;
import io.offhook.admin.AdminBackend.UserList;
import io.offhook.admin.AdminBackend.UserReport;
import io.offhook.admin.AdminBackend.UserRow;
import io.offhook.admin.DataForm.Field;
import io.offhook.tap.publish.PublicationStore.PublishedSource;
import io.offhook.tap.track.TrackedUser;
import io.offhook.xmpp.stream.XmlChars;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.PacketError;

/**
 * Answers the IQs an admin's client sends the component's own address: XEP-0030 discovery, XEP-0092 version and
 * XEP-0050 ad-hoc commands. Each IQ gets exactly one reply, built here and sent by the caller; bad input of any kind
 * is an error reply, never an exception.
 *
 * <p>Who is an admin: the bare JIDs of {@code admin.jids}, compared with the {@code from} the server stamped on the
 * IQ. Everyone may discover the component and read its version; an admin sees the command list, everyone else an
 * empty one (XEP-0050 section 2.2: a responder need not send the same list to all; an empty list tells a stranger
 * nothing and keeps clients' generic "commands" menus working), and anything else a stranger tries with a command
 * is {@code forbidden}, type {@code auth} (RFC 6120 section 8.3.3.4; XEP-0050's table of errors says type
 * {@code cancel}, clients act on the condition).
 *
 * <p>Commands: {@code list-users}, {@code reload-mapping} and {@code counters} complete at once; {@code show-user}
 * and {@code clear-user} answer {@code execute} with a form asking for the user and complete when it is submitted
 * (in the same session), or at once when the first request already carries the submitted form. A session lives
 * {@value #SESSION_MINUTES} minutes, belongs to the full JID that started it, and at most {@value #MAX_SESSIONS}
 * are kept (the oldest goes first).
 *
 * <p>Synchronized: one admin thread calls it, tests may call it from theirs.
 */
public final class AdminCommands {
    public static final String NS_COMMANDS = "http://jabber.org/protocol/commands";
    public static final String NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
    public static final String NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    public static final String NS_VERSION = "jabber:iq:version";
    static final String NS_PING = "urn:xmpp:ping";
    /** At most this many users are listed; the count says how many there are. */
    static final int MAX_ROWS = 200;
    /** At most this many lines of devices or of calls are shown for one user. */
    static final int MAX_LINES = 50;
    static final int MAX_SESSIONS = 64;
    static final int SESSION_MINUTES = 10;
    private static final Logger LOG = LogManager.getLogger(AdminCommands.class);

    /** The commands, by their XEP-0050 node. */
    enum Command {
        LIST_USERS("list-users", "List users and their phone state", false),
        SHOW_USER("show-user", "Show one user", true),
        CLEAR_USER("clear-user", "Clear a stuck phone state", true),
        RELOAD_MAPPING("reload-mapping", "Reload the mapping file now", false),
        COUNTERS("counters", "Show counters", false);

        final String node;
        final String label;
        final boolean asksForUser;

        Command(String node, String label, boolean asksForUser) {
            this.node = node;
            this.label = label;
            this.asksForUser = asksForUser;
        }

        static Command of(String node) {
            for (Command c : values()) {
                if (c.node.equals(node)) {
                    return c;
                }
            }
            return null;
        }
    }

    /** The XEP-0050 actions. */
    private enum Action { EXECUTE, CANCEL, PREV, NEXT, COMPLETE }

    private record Session(Command command, JID requester, Instant expires) {
    }

    private final JID component;
    private final Set<JID> admins;
    private final AdminBackend backend;
    private final String version;
    private final Clock clock;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private long nextSession;

    /**
     * @param component the component's own address
     * @param admins bare JIDs allowed to run commands; empty: nobody
     * @param version what XEP-0092 reports ({@link #implementationVersion()})
     * @param clock for session lifetimes and the "in N s" of expiries
     */
    public AdminCommands(JID component, Set<JID> admins, AdminBackend backend, String version, Clock clock) {
        this.component = Objects.requireNonNull(component, "component").asBareJID();
        this.admins = Set.copyOf(admins);
        this.backend = Objects.requireNonNull(backend, "backend");
        this.version = Objects.requireNonNull(version, "version");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The {@code Implementation-Version} of Offhook's jar, or {@code dev} when run from classes. */
    public static String implementationVersion() {
        String v = AdminCommands.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    /**
     * Whether {@code iq} is for this class: a get or set to the component's own address (no user part, no
     * resource) whose payload is discovery, version or a command. Cheap: the reader thread asks.
     */
    public boolean handles(IQ iq) {
        IQ.Type type = iq.getType();
        JID to = iq.getTo();
        Element child = iq.getChildElement();
        if (type != IQ.Type.get && type != IQ.Type.set || to == null || child == null || to.getNode() != null
                || to.getResource() != null || !to.getDomain().equalsIgnoreCase(component.getDomain())) {
            return false;
        }
        String ns = child.getNamespaceURI();
        return NS_DISCO_INFO.equals(ns) || NS_DISCO_ITEMS.equals(ns) || NS_VERSION.equals(ns)
                || NS_COMMANDS.equals(ns);
    }

    /** The one reply to an IQ {@link #handles} accepted; never null, never throws. */
    public synchronized IQ answer(IQ iq) {
        try {
            Element child = iq.getChildElement();
            String ns = child.getNamespaceURI();
            boolean get = iq.getType() == IQ.Type.get;
            if (NS_COMMANDS.equals(ns)) {
                return get ? error(iq, PacketError.Condition.bad_request, null, "commands are executed with IQ set")
                        : command(iq, child);
            }
            if (!get) {
                return error(iq, PacketError.Condition.bad_request, null, "use IQ get for " + ns);
            }
            return switch (ns) {
                case NS_DISCO_INFO -> discoInfo(iq, child.attributeValue("node"));
                case NS_DISCO_ITEMS -> discoItems(iq, child.attributeValue("node"));
                default -> version(iq);
            };
        } catch (RuntimeException e) {
            LOG.warn("Admin request from {} failed: {}", iq.getFrom(), e.toString(), e);
            return error(iq, PacketError.Condition.internal_server_error, null, "Offhook failed: " + e);
        }
    }

    private boolean admin(JID from) {
        return from != null && admins.contains(from.asBareJID());
    }

    // ---------------------------------------------------------------- XEP-0030 and XEP-0092

    private IQ discoInfo(IQ iq, String node) {
        IQ reply = IQ.createResultIQ(iq);
        Element query = reply.setChildElement("query", NS_DISCO_INFO);
        if (node == null || node.isEmpty()) {
            // gateway/sip (XEP-0030 registry: "a gateway to SIP"): what Offhook is, from XMPP's side.
            identity(query, "gateway", "sip", "Offhook");
            for (String feature : List.of(NS_DISCO_INFO, NS_DISCO_ITEMS, NS_COMMANDS, NS_VERSION, NS_PING,
                    DataForm.NAMESPACE)) {
                query.addElement("feature").addAttribute("var", feature);
            }
            return reply;
        }
        query.addAttribute("node", node);
        if (NS_COMMANDS.equals(node)) {
            identity(query, "automation", "command-list", "Offhook commands");
            query.addElement("feature").addAttribute("var", NS_DISCO_INFO);
            return reply;
        }
        Command c = Command.of(node);
        if (c == null) {
            return error(iq, PacketError.Condition.item_not_found, null, "no node '" + node + "'");
        }
        if (!admin(iq.getFrom())) {
            return forbidden(iq);
        }
        identity(query, "automation", "command-node", c.label);
        query.addElement("feature").addAttribute("var", NS_COMMANDS);
        query.addElement("feature").addAttribute("var", DataForm.NAMESPACE);
        return reply;
    }

    private static void identity(Element query, String category, String type, String name) {
        query.addElement("identity").addAttribute("category", category).addAttribute("type", type)
                .addAttribute("name", name);
    }

    private IQ discoItems(IQ iq, String node) {
        IQ reply = IQ.createResultIQ(iq);
        Element query = reply.setChildElement("query", NS_DISCO_ITEMS);
        if (node == null || node.isEmpty()) {
            return reply;
        }
        if (!NS_COMMANDS.equals(node)) {
            return error(iq, PacketError.Condition.item_not_found, null, "no node '" + node + "'");
        }
        query.addAttribute("node", node);
        if (admin(iq.getFrom())) {
            for (Command c : Command.values()) {
                query.addElement("item").addAttribute("jid", component.toString()).addAttribute("node", c.node)
                        .addAttribute("name", c.label);
            }
        }
        return reply;
    }

    private IQ version(IQ iq) {
        IQ reply = IQ.createResultIQ(iq);
        Element query = reply.setChildElement("query", NS_VERSION);
        query.addElement("name").setText("Offhook");
        query.addElement("version").setText(version);
        return reply;
    }

    // ---------------------------------------------------------------- XEP-0050

    private IQ command(IQ iq, Element request) {
        if (!admin(iq.getFrom())) {
            return forbidden(iq);
        }
        String node = request.attributeValue("node", "");
        if (node.isEmpty()) {
            return error(iq, PacketError.Condition.bad_request, null, "a command needs a node");
        }
        Command command = Command.of(node);
        if (command == null) {
            return error(iq, PacketError.Condition.item_not_found, null, "no command '" + node + "'");
        }
        String actionText = request.attributeValue("action", "execute");
        Action action;
        try {
            action = Action.valueOf(actionText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return error(iq, PacketError.Condition.bad_request, "malformed-action",
                    "unknown action '" + actionText + "'");
        }
        expireSessions();
        String sessionId = request.attributeValue("sessionid", "");
        if (sessionId.isEmpty()) {
            return switch (action) {
                case CANCEL -> error(iq, PacketError.Condition.bad_request, "bad-sessionid",
                        "nothing to cancel: no sessionid");
                case PREV -> error(iq, PacketError.Condition.bad_request, "bad-action", "no earlier stage");
                default -> start(iq, request, command);
            };
        }
        Session session = sessions.get(sessionId);
        if (session == null) {
            return error(iq, PacketError.Condition.not_allowed, "session-expired",
                    "session '" + sessionId + "' is over or unknown");
        }
        if (session.command != command || !session.requester.equals(iq.getFrom())) {
            return error(iq, PacketError.Condition.bad_request, "bad-sessionid",
                    "session '" + sessionId + "' is not one of " + command.node + " started by " + iq.getFrom());
        }
        switch (action) {
            case CANCEL -> {
                sessions.remove(sessionId);
                return reply(iq, command, sessionId, "canceled");
            }
            case PREV -> {
                return error(iq, PacketError.Condition.bad_request, "bad-action", "no earlier stage");
            }
            default -> {
                DataForm form;
                try {
                    form = submitted(request);
                } catch (IllegalArgumentException e) {
                    return error(iq, PacketError.Condition.bad_request, "bad-payload", e.getMessage());
                }
                if (form == null) {
                    return error(iq, PacketError.Condition.bad_request, "bad-payload",
                            "submit the form (jabber:x:data, type submit)");
                }
                sessions.remove(sessionId);
                return run(iq, command, sessionId, form);
            }
        }
    }

    /** A first request: runs a command that needs nothing, asks for the user otherwise (unless already given). */
    private IQ start(IQ iq, Element request, Command command) {
        String sessionId = command.node + ":" + Long.toString(++nextSession, 36) + "-"
                + Long.toString(clock.millis(), 36);
        if (!command.asksForUser) {
            return run(iq, command, sessionId, null);
        }
        DataForm form;
        try {
            form = submitted(request);
        } catch (IllegalArgumentException e) {
            return error(iq, PacketError.Condition.bad_request, "bad-payload", e.getMessage());
        }
        if (form != null) {
            return run(iq, command, sessionId, form);
        }
        while (sessions.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = sessions.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        sessions.put(sessionId, new Session(command, iq.getFrom(), clock.instant().plus(
                Duration.ofMinutes(SESSION_MINUTES))));
        IQ reply = reply(iq, command, sessionId, "executing");
        Element element = reply.getChildElement();
        Element actions = element.addElement("actions").addAttribute("execute", "complete");
        actions.addElement("complete");
        element.add(DataForm.form(command.label, "The user's JID (alice@example.com) or one of their SIP addresses "
                + "(sip:alice@pbx.example.com, tel:+4930123456).",
                List.of(Field.input("user", "XMPP user or SIP address"))).toElement());
        return reply;
    }

    /** The submitted form of a request: null when there is none; throws when it is malformed. */
    private static DataForm submitted(Element request) {
        for (Element e : request.elements()) {
            if ("x".equals(e.getName()) && DataForm.NAMESPACE.equals(e.getNamespaceURI())) {
                DataForm form = DataForm.parse(e);
                if (form.type() != DataForm.Type.SUBMIT && form.type() != DataForm.Type.CANCEL) {
                    // XEP-0050 section 4.5.1: a cancel form counts as submit; nothing else is an answer.
                    throw new IllegalArgumentException("a data form of type " + form.type().xml()
                            + " is no answer (submit it)");
                }
                return form;
            }
        }
        return null;
    }

    /** Runs a command to its end: a completed reply, with an error note when it failed. */
    private IQ run(IQ iq, Command command, String sessionId, DataForm form) {
        IQ reply = reply(iq, command, sessionId, "completed");
        Element element = reply.getChildElement();
        String user = null;
        if (command.asksForUser) {
            user = form.field("user").flatMap(Field::first).orElse(null);
            if (user == null) {
                return error(iq, PacketError.Condition.bad_request, "bad-payload", "the form needs 'user'");
            }
        }
        try {
            switch (command) {
                case LIST_USERS -> listUsers(element);
                case SHOW_USER -> element.add(show(backend.user(user)).toElement());
                case CLEAR_USER -> clear(element, backend.clear(user));
                case RELOAD_MAPPING -> note(element, "info", backend.reloadMapping());
                case COUNTERS -> element.add(counters(backend.counters()).toElement());
            }
            LOG.info("Admin {} ran {}{}", iq.getFrom(), command.node, user == null ? "" : " for " + user);
        } catch (AdminException e) {
            note(element, "error", e.getMessage());
        }
        return reply;
    }

    private void listUsers(Element element) throws AdminException {
        UserList list = backend.users(MAX_ROWS);
        List<List<Field>> rows = new ArrayList<>(list.rows().size());
        for (UserRow r : list.rows()) {
            rows.add(List.of(Field.cell("jid", r.jid().toBareJID()),
                    Field.cell("addresses", String.join(", ", r.addresses())),
                    Field.cell("mode", mode(r)), Field.cell("state", r.state().name()),
                    Field.cell("shown", r.shown())));
        }
        String title = list.rows().size() == list.total() ? "Users: " + list.total()
                : "Users: the first " + list.rows().size() + " of " + list.total();
        element.add(DataForm.table(title, List.of(Field.column("jid", "XMPP user"),
                Field.column("addresses", "SIP addresses"), Field.column("mode", "Mode"),
                Field.column("state", "Phone state"), Field.column("shown", "Shown")), rows).toElement());
        if (list.rows().size() < list.total()) {
            note(element, "warn", "Showing " + list.rows().size() + " of " + list.total()
                    + " users, the busiest first; ask for one user with show-user.");
        }
    }

    private static String mode(UserRow r) {
        return r.mode().name().toLowerCase(Locale.ROOT);
    }

    private DataForm show(UserReport report) {
        UserRow r = report.row();
        List<Field> fields = new ArrayList<>();
        fields.add(Field.text("jid", "XMPP user", r.jid().toBareJID()));
        fields.add(Field.lines("addresses", "SIP addresses", r.addresses()));
        fields.add(Field.text("mode", "Mode", mode(r)));
        fields.add(Field.text("state", "Phone state", r.state().name()));
        fields.add(Field.text("shown", "Shown", r.shown().isEmpty() ? "nothing" : r.shown()));
        fields.add(Field.text("recipients", "Presences shown", Integer.toString(report.recipients())));
        fields.add(Field.text("remote", "Remote party", report.showRemoteParty() ? "shown (the user opted in)"
                : "hidden (the user did not opt in)"));
        Instant now = clock.instant();
        List<String> devices = new ArrayList<>();
        List<String> calls = new ArrayList<>();
        int moreDevices = 0;
        int moreCalls = 0;
        for (TrackedUser t : report.tap()) {
            for (TrackedUser.Device d : t.devices()) {
                if (devices.size() < MAX_LINES) {
                    Instant expires = instant(d.expiresAtMicros());
                    devices.add(t.aor() + ": " + d.contact() + ", expires " + expires + " (in "
                            + Math.max(0, Duration.between(now, expires).toSeconds()) + " s)");
                } else {
                    moreDevices++;
                }
            }
            for (TrackedUser.ActiveCall c : t.calls()) {
                if (calls.size() < MAX_LINES) {
                    calls.add(t.aor() + ": " + c.callId() + ", " + c.state().name() + ", "
                            + (c.outgoing() ? "to " : "from ") + (c.remote() == null ? "unknown" : c.remote())
                            + ", last message " + instant(c.lastActivityMicros()));
                } else {
                    moreCalls++;
                }
            }
        }
        if (moreDevices > 0) {
            devices.add("... and " + moreDevices + " more");
        }
        if (moreCalls > 0) {
            calls.add("... and " + moreCalls + " more");
        }
        fields.add(Field.lines("devices", "Registered devices", devices.isEmpty() ? List.of("none") : devices));
        fields.add(Field.lines("calls", "Calls", calls.isEmpty() ? List.of("none") : calls));
        List<String> published = new ArrayList<>();
        for (AdminBackend.Published p : report.published()) {
            if (published.size() == MAX_LINES) {
                published.add("... and " + (report.published().size() - MAX_LINES) + " more");
                break;
            }
            PublishedSource s = p.source();
            published.add(p.aor() + ": " + s.event() + " from " + s.publisher() + ", " + s.state().name()
                    + (s.event().equals("dialog") ? " (" + s.dialogs() + (s.dialogs() == 1 ? " dialog)" : " dialogs)")
                    : "") + ", expires " + s.expires().truncatedTo(ChronoUnit.SECONDS) + " (in "
                    + Math.max(0, Duration.between(now, s.expires()).toSeconds()) + " s)");
        }
        fields.add(Field.lines("publications", "SIP publications", published.isEmpty() ? List.of("none")
                : published));
        return DataForm.result(r.jid().toBareJID(), fields);
    }

    private static void clear(Element element, ClearReport report) {
        String what = report.callsEnded() == 1 ? "1 call" : report.callsEnded() + " calls";
        String published = report.publicationsRemoved() == 0 ? ""
                : report.publicationsRemoved() == 1 ? " and removed 1 SIP publication"
                : " and removed " + report.publicationsRemoved() + " SIP publications";
        note(element, "info", "Ended " + what + published + " of " + report.jid().toBareJID() + " ("
                + String.join(", ", report.addresses()) + "); the phone state is now " + report.stateAfter()
                + ".");
        element.add(DataForm.result("Cleared " + report.jid().toBareJID(), List.of(
                Field.text("jid", "XMPP user", report.jid().toBareJID()),
                Field.lines("addresses", "SIP addresses cleared", report.addresses()),
                Field.text("calls-ended", "Calls ended", Integer.toString(report.callsEnded())),
                Field.text("publications-removed", "SIP publications removed",
                        Integer.toString(report.publicationsRemoved())),
                Field.text("state", "Phone state now", report.stateAfter().name()))).toElement());
    }

    private static DataForm counters(List<Counter> counters) {
        List<Field> fields = new ArrayList<>(counters.size());
        for (Counter c : counters) {
            fields.add(Field.text(c.var(), c.label(), c.value()));
        }
        return DataForm.result("Offhook counters", fields);
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)).truncatedTo(ChronoUnit.SECONDS);
    }

    private void expireSessions() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expires.isAfter(now));
    }

    // ---------------------------------------------------------------- replies

    private static IQ reply(IQ iq, Command command, String sessionId, String status) {
        IQ reply = IQ.createResultIQ(iq);
        reply.setChildElement("command", NS_COMMANDS).addAttribute("node", command.node)
                .addAttribute("sessionid", sessionId).addAttribute("status", status);
        return reply;
    }

    private static void note(Element command, String type, String text) {
        command.addElement("note").addAttribute("type", type).setText(XmlChars.clean(text));
    }

    private static IQ forbidden(IQ iq) {
        return error(iq, PacketError.Condition.forbidden, null, "only Offhook's admins (admin.jids) may do this");
    }

    /** An error reply with the request's payload, as RFC 6120 section 8.3.1 allows, and a text for people. */
    private static IQ error(IQ iq, PacketError.Condition condition, String commandCondition, String text) {
        IQ reply = IQ.createResultIQ(iq);
        Element child = iq.getChildElement();
        if (child != null) {
            reply.setChildElement(child.createCopy());
        }
        PacketError error = new PacketError(condition, condition.getDefaultType(),
                XmlChars.clean(text));
        if (commandCondition != null) {
            error.setApplicationCondition(commandCondition, NS_COMMANDS);
        }
        reply.setError(error);
        return reply;
    }
}
