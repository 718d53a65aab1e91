package io.offhook.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.packet.AdHocCommandData;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.TextMultiFormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;

/**
 * A user's own XMPP client that can be remote-controlled as Gajim and Psi can (XEP-0146 section 4.1,
 * {@code rc#set-status}): its form shows the client's real current presence, and a submitted form is applied to it
 * (the client broadcasts the new presence, then answers {@code completed}). Only requests from the user's own
 * account are accepted. It records every status it applied, in order.
 *
 * <p>The command is registered with Smack's {@link AdHocCommandManager}, so the disco#items of the commands node
 * advertise it exactly as Smack does. Its stages are handled here, not by a Smack {@code LocalCommand}: Smack 4.4.8
 * hands a submitted form to {@code LocalCommand.complete} through {@code new FillableForm(form)}, which throws for a
 * form of type {@code submit} (XEP-0004's type of every submission), so a LocalCommand never sees one.
 */
final class RemoteControlledClient implements AutoCloseable {
    static final String NODE = "http://jabber.org/protocol/rc#set-status";
    private static final String FORM_TYPE = "http://jabber.org/protocol/rc";

    /** A status as the XEP-0146 form names it: {@code online}, {@code away}, {@code dnd}... */
    record Status(String status, String message, int priority) {
        @Override
        public String toString() {
            return status + " \"" + message + "\" " + priority;
        }
    }

    private final XMPPTCPConnection connection;
    private final String name;
    private final Set<String> sessions = new HashSet<>();
    private final List<Status> applied = new ArrayList<>();
    private int executions;
    private Status current;

    private RemoteControlledClient(XMPPTCPConnection connection, String name, Status initial) {
        this.connection = connection;
        this.name = name;
        this.current = initial;
    }

    /** Logs in as {@code user/resource}, offers set-status, then goes online with {@code initial}. */
    static RemoteControlledClient login(XmppServer server, String user, String password, String resource,
                                        Status initial) throws IOException {
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(server.domain())
                .setHostAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))
                .setPort(server.c2sPort())
                .setUsernameAndPassword(user, password)
                .setResource(resource)
                .setSecurityMode(SecurityMode.disabled)
                .setSendPresence(false)
                .setConnectTimeout(5_000)
                .build();
        XMPPTCPConnection connection = new XMPPTCPConnection(config);
        connection.setUseStreamManagement(false);
        RemoteControlledClient client = new RemoteControlledClient(connection,
                user + "@" + server.domain() + "/" + resource, initial);
        try {
            connection.connect();
            connection.login();
            AdHocCommandManager.getAddHocCommandsManager(connection).registerCommand(NODE, "Change Status", () -> {
                throw new InstantiationException("the set-status stages are handled by RemoteControlledClient");
            });
            connection.registerIQRequestHandler(client.new Handler());
            client.sendPresence(initial);
        } catch (SmackException | XMPPException e) {
            connection.disconnect();
            return fail(client.name + " could not log in: " + e + "\n" + server.logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.disconnect();
            return fail("interrupted while " + client.name + " logged in", e);
        }
        return client;
    }

    /** What the client shows now. */
    synchronized Status current() {
        return current;
    }

    /** Every status a submitted form set, in order. */
    synchronized List<Status> applied() {
        return List.copyOf(applied);
    }

    /** How many command sessions were started (execute requests). */
    synchronized int executions() {
        return executions;
    }

    /** The user picks a status in the client's own menu. */
    void setByUser(Status status) {
        try {
            sendPresence(status);
        } catch (SmackException.NotConnectedException e) {
            fail(name + " is not connected", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted", e);
        }
    }

    /** Waits until the client shows {@code expected}. */
    void awaitShowing(Status expected, Duration timeout) {
        Await.until(timeout, () -> expected.equals(current()), () -> name + " shows " + current() + ", not "
                + expected + "; applied so far: " + applied());
    }

    private void sendPresence(Status status) throws SmackException.NotConnectedException, InterruptedException {
        PresenceBuilder b = connection.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.available)
                .setMode(mode(status.status())).setPriority(status.priority());
        if (!status.message().isEmpty()) {
            b.setStatus(status.message());
        }
        synchronized (this) {
            current = status;
        }
        connection.sendStanza(b.build());
    }

    private static Presence.Mode mode(String status) {
        return switch (status) {
            case "online" -> Presence.Mode.available;
            case "chat" -> Presence.Mode.chat;
            case "away" -> Presence.Mode.away;
            case "xa" -> Presence.Mode.xa;
            case "dnd" -> Presence.Mode.dnd;
            default -> throw new IllegalArgumentException("not a status this client sets: " + status);
        };
    }

    @Override
    public void close() {
        connection.disconnect();
    }

    /** XEP-0050 requests for the set-status node: execute (the form), submission (applied), cancel. */
    private final class Handler extends AbstractIqRequestHandler {
        Handler() {
            super(AdHocCommandData.ELEMENT, AdHocCommandData.NAMESPACE, IQ.Type.set, IQRequestHandler.Mode.sync);
        }

        @Override
        public IQ handleIQRequest(IQ iq) {
            AdHocCommandData request = (AdHocCommandData) iq;
            if (request.getFrom() == null || !request.getFrom().equals(connection.getUser().asBareJid())) {
                return IQ.createErrorResponse(request, StanzaError.Condition.forbidden);
            }
            if (!NODE.equals(request.getNode())) {
                return IQ.createErrorResponse(request, StanzaError.Condition.item_not_found);
            }
            AdHocCommandData response = new AdHocCommandData();
            response.setType(IQ.Type.result);
            response.setTo(request.getFrom());
            response.setStanzaId(request.getStanzaId());
            response.setNode(NODE);
            String session = request.getSessionID();
            synchronized (RemoteControlledClient.this) {
                if (session == null) {
                    executions++;
                    session = UUID.randomUUID().toString();
                    sessions.add(session);
                    response.setSessionID(session);
                    response.setStatus(AdHocCommand.Status.executing);
                    response.addAction(AdHocCommand.Action.complete);
                    response.setExecuteAction(AdHocCommand.Action.complete);
                    response.setForm(form(current));
                    return response;
                }
                if (!sessions.remove(session)) {
                    return IQ.createErrorResponse(request, StanzaError.Condition.bad_request);
                }
            }
            response.setSessionID(session);
            if (request.getAction() == AdHocCommand.Action.cancel) {
                response.setStatus(AdHocCommand.Status.canceled);
                return response;
            }
            DataForm submitted = request.getForm();
            if (submitted == null || submitted.getField("status") == null) {
                return IQ.createErrorResponse(request, StanzaError.Condition.bad_request);
            }
            Status previous = current();
            FormField priority = submitted.getField("status-priority");
            FormField message = submitted.getField("status-message");
            Status next = new Status(submitted.getField("status").getFirstValue(),
                    message == null ? previous.message() : String.join("\n", message.getValuesAsString()),
                    priority == null ? previous.priority() : Integer.parseInt(priority.getFirstValue()));
            try {
                sendPresence(next);
            } catch (SmackException.NotConnectedException | InterruptedException e) {
                return IQ.createErrorResponse(request, StanzaError.Condition.internal_server_error);
            }
            synchronized (RemoteControlledClient.this) {
                applied.add(next);
            }
            response.setStatus(AdHocCommand.Status.completed);
            return response;
        }

        private DataForm form(Status now) {
            FormField status = FormField.listSingleBuilder("status").setLabel("Status").setRequired()
                    .setValue(now.status())
                    .addOption(new FormField.Option("Chat", "chat"))
                    .addOption(new FormField.Option("Online", "online"))
                    .addOption(new FormField.Option("Away", "away"))
                    .addOption(new FormField.Option("Extended Away", "xa"))
                    .addOption(new FormField.Option("Do Not Disturb", "dnd"))
                    .build();
            TextMultiFormField.Builder text = FormField.textMultiBuilder("status-message").setLabel("Message");
            if (!now.message().isEmpty()) {
                text.addValue(now.message());
            }
            return DataForm.builder(DataForm.Type.form).setTitle("Change Status").setFormType(FORM_TYPE)
                    .addField(status)
                    .addField(FormField.textSingleBuilder("status-priority").setLabel("Priority")
                            .setValue(now.priority()).build())
                    .addField(text.build())
                    .build();
        }
    }
}
