package io.offhook.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offhook.presence.PresentationMode;
import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.track.PhoneState;
import io.offhook.tap.track.TrackedUser;
import io.offhook.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dom4j.DocumentException;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.junit.jupiter.api.Test;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.PacketError;

/**
 * The admins' protocol over a stand-in backend: discovery (XEP-0030), version (XEP-0092), ad-hoc commands
 * (XEP-0050) with data forms in and out, who may do what, and every error a client can provoke.
 */
class AdminCommandsTest {
    static final String ADMIN = "admin@localhost/laptop";
    static final String STRANGER = "bob@localhost/desk";
    static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    final FakeBackend backend = new FakeBackend();
    final MutableClock clock = new MutableClock(NOW);
    final AdminCommands commands = new AdminCommands(new JID("phone.localhost"), Set.of(new JID("admin@localhost")),
            backend, "1.2.3", clock);
    int ids;

    // ---------------------------------------------------------------- helpers

    IQ iq(String from, String type, String payload) {
        try {
            Element e = DocumentHelper.parseText("<iq type='" + type + "' id='q" + (++ids) + "' from='" + from
                    + "' to='phone.localhost'>" + payload + "</iq>").getRootElement();
            return new IQ(e, true);
        } catch (DocumentException e) {
            throw new IllegalArgumentException(payload, e);
        }
    }

    IQ ask(String from, String type, String payload) {
        IQ request = iq(from, type, payload);
        assertTrue(commands.handles(request), "handled: " + payload);
        IQ reply = commands.answer(request);
        assertEquals(request.getID(), reply.getID());
        assertEquals("phone.localhost", reply.getFrom().toString());
        assertEquals(from, reply.getTo().toString());
        return reply;
    }

    IQ execute(String from, String node) {
        return ask(from, "set", "<command xmlns='http://jabber.org/protocol/commands' node='" + node
                + "' action='execute'/>");
    }

    IQ submit(String from, String node, String sessionId, String action, String user) {
        return ask(from, "set", "<command xmlns='http://jabber.org/protocol/commands' node='" + node + "'"
                + (sessionId == null ? "" : " sessionid='" + sessionId + "'")
                + (action == null ? "" : " action='" + action + "'") + ">"
                + (user == null ? "" : "<x xmlns='jabber:x:data' type='submit'><field var='user'><value>" + user
                + "</value></field></x>") + "</command>");
    }

    static Element command(IQ reply) {
        assertEquals(IQ.Type.result, reply.getType(), reply::toXML);
        Element c = reply.getChildElement();
        assertEquals("command", c.getName());
        assertEquals(AdminCommands.NS_COMMANDS, c.getNamespaceURI());
        return c;
    }

    static Element form(Element command) {
        Element x = command.element("x");
        assertNotNull(x, command::asXML);
        assertEquals(DataForm.NAMESPACE, x.getNamespaceURI());
        return x;
    }

    static String value(Element x, String var) {
        for (Element f : x.elements("field")) {
            if (var.equals(f.attributeValue("var"))) {
                List<String> values = new ArrayList<>();
                f.elements("value").forEach(v -> values.add(v.getText()));
                return String.join("\n", values);
            }
        }
        return null;
    }

    static String note(Element command, String type) {
        Element note = command.element("note");
        assertNotNull(note, command::asXML);
        assertEquals(type, note.attributeValue("type"));
        return note.getText();
    }

    static void assertError(IQ reply, PacketError.Condition condition, PacketError.Type type, String specific) {
        assertEquals(IQ.Type.error, reply.getType(), reply::toXML);
        assertEquals(condition, reply.getError().getCondition(), reply::toXML);
        assertEquals(type, reply.getError().getType(), reply::toXML);
        assertEquals(specific, reply.getError().getApplicationConditionName(), reply::toXML);
        if (specific != null) {
            assertEquals(AdminCommands.NS_COMMANDS, reply.getError().getApplicationConditionNamespaceURI());
        }
    }

    static AdminBackend.UserRow alice() {
        return new AdminBackend.UserRow(new JID("alice@localhost"), List.of("sip:alice@example.com"),
                PresentationMode.RESOURCE, PhoneState.ON_THE_PHONE, "dnd: On the phone");
    }

    // ---------------------------------------------------------------- routing

    @Test
    void handlesDiscoveryVersionAndCommandsToTheComponentsOwnAddressOnly() throws DocumentException {
        assertTrue(commands.handles(iq(STRANGER, "get", "<query xmlns='http://jabber.org/protocol/disco#info'/>")));
        assertTrue(commands.handles(iq(STRANGER, "get", "<query xmlns='jabber:iq:version'/>")));
        assertFalse(commands.handles(iq(STRANGER, "get", "<ping xmlns='urn:xmpp:ping'/>")), "the connection pongs");
        assertFalse(commands.handles(iq(STRANGER, "get", "<query xmlns='jabber:iq:roster'/>")));
        assertFalse(commands.handles(iq(STRANGER, "result", "")));
        IQ toAContact = new IQ(DocumentHelper.parseText("<iq type='get' id='c' from='" + STRANGER
                + "' to='gina@phone.localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
                .getRootElement(), true);
        assertFalse(commands.handles(toAContact), "a phone contact in gateway mode is the engine's");
        IQ toAResource = new IQ(DocumentHelper.parseText("<iq type='get' id='c' from='" + STRANGER
                + "' to='phone.localhost/x'><query xmlns='jabber:iq:version'/></iq>").getRootElement(), true);
        assertFalse(commands.handles(toAResource));
    }

    // ---------------------------------------------------------------- XEP-0030, XEP-0092

    @Test
    void discoInfoNamesTheIdentityAndEveryFeatureToAnyone() {
        Element q = ask(STRANGER, "get", "<query xmlns='http://jabber.org/protocol/disco#info'/>").getChildElement();
        assertEquals("gateway", q.element("identity").attributeValue("category"));
        assertEquals("sip", q.element("identity").attributeValue("type"));
        List<String> features = q.elements("feature").stream().map(f -> f.attributeValue("var")).toList();
        assertEquals(List.of("http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                "http://jabber.org/protocol/commands", "jabber:iq:version", "urn:xmpp:ping", "jabber:x:data"),
                features);
    }

    @Test
    void theCommandListIsForAdminsStrangersGetAnEmptyOne() {
        String items = "<query xmlns='http://jabber.org/protocol/disco#items' "
                + "node='http://jabber.org/protocol/commands'/>";
        Element q = ask(ADMIN, "get", items).getChildElement();
        assertEquals(List.of("list-users", "show-user", "clear-user", "reload-mapping", "counters"),
                q.elements("item").stream().map(i -> i.attributeValue("node")).toList());
        assertTrue(q.elements("item").stream().allMatch(i -> "phone.localhost".equals(i.attributeValue("jid"))));
        IQ stranger = ask(STRANGER, "get", items);
        assertEquals(IQ.Type.result, stranger.getType());
        assertEquals(0, stranger.getChildElement().elements("item").size());
        assertEquals(0, ask(STRANGER, "get", "<query xmlns='http://jabber.org/protocol/disco#items'/>")
                .getChildElement().elements().size(), "the component has no items of its own");
        assertError(ask(ADMIN, "get", "<query xmlns='http://jabber.org/protocol/disco#items' node='other'/>"),
                PacketError.Condition.item_not_found, PacketError.Type.cancel, null);
    }

    @Test
    void discoInfoOfACommandNodeIsForAdmins() {
        String info = "<query xmlns='http://jabber.org/protocol/disco#info' node='clear-user'/>";
        Element q = ask(ADMIN, "get", info).getChildElement();
        assertEquals("clear-user", q.attributeValue("node"));
        assertEquals("command-node", q.element("identity").attributeValue("type"));
        assertEquals("automation", q.element("identity").attributeValue("category"));
        assertError(ask(STRANGER, "get", info), PacketError.Condition.forbidden, PacketError.Type.auth, null);
        assertError(ask(ADMIN, "get", "<query xmlns='http://jabber.org/protocol/disco#info' node='nope'/>"),
                PacketError.Condition.item_not_found, PacketError.Type.cancel, null);
        Element list = ask(STRANGER, "get", "<query xmlns='http://jabber.org/protocol/disco#info' "
                + "node='http://jabber.org/protocol/commands'/>").getChildElement();
        assertEquals("command-list", list.element("identity").attributeValue("type"));
    }

    @Test
    void versionNamesOffhookAndItsVersionButNoOperatingSystem() {
        Element q = ask(STRANGER, "get", "<query xmlns='jabber:iq:version'/>").getChildElement();
        assertEquals("Offhook", q.elementText("name"));
        assertEquals("1.2.3", q.elementText("version"));
        assertNull(q.element("os"));
        assertError(ask(STRANGER, "set", "<query xmlns='jabber:iq:version'/>"), PacketError.Condition.bad_request,
                PacketError.Type.modify, null);
    }

    @Test
    void theVersionFromClassesIsDev() {
        assertEquals("dev", AdminCommands.implementationVersion());
    }

    // ---------------------------------------------------------------- XEP-0050: who and what

    @Test
    void aStrangerIsForbiddenEveryCommandAndLearnsNothing() {
        for (String node : List.of("list-users", "clear-user", "no-such-command")) {
            IQ reply = execute(STRANGER, node);
            assertError(reply, PacketError.Condition.forbidden, PacketError.Type.auth, null);
            assertEquals("command", reply.getChildElement().getName(), "the request is returned with the error");
        }
        assertError(execute("admin@localhost.evil.example/x", "list-users"), PacketError.Condition.forbidden,
                PacketError.Type.auth, null);
        assertEquals(List.of(), backend.calls, "nothing ran");
    }

    @Test
    void malformedCommandRequestsAreBadRequests() {
        assertError(ask(ADMIN, "get", "<command xmlns='http://jabber.org/protocol/commands' node='list-users'/>"),
                PacketError.Condition.bad_request, PacketError.Type.modify, null);
        assertError(ask(ADMIN, "set", "<command xmlns='http://jabber.org/protocol/commands'/>"),
                PacketError.Condition.bad_request, PacketError.Type.modify, null);
        assertError(ask(ADMIN, "set", "<command xmlns='http://jabber.org/protocol/commands' node='list-users' "
                + "action='jump'/>"), PacketError.Condition.bad_request, PacketError.Type.modify, "malformed-action");
        assertError(execute(ADMIN, "format-disk"), PacketError.Condition.item_not_found, PacketError.Type.cancel,
                null);
        assertError(submit(ADMIN, "show-user", null, "cancel", null), PacketError.Condition.bad_request,
                PacketError.Type.modify, "bad-sessionid");
        assertError(submit(ADMIN, "show-user", null, "prev", null), PacketError.Condition.bad_request,
                PacketError.Type.modify, "bad-action");
        assertEquals(List.of(), backend.calls);
    }

    // ---------------------------------------------------------------- single-stage commands

    @Test
    void listUsersCompletesAtOnceWithATable() {
        backend.users = new AdminBackend.UserList(1, List.of(alice()));
        Element c = command(execute(ADMIN, "list-users"));
        assertEquals("completed", c.attributeValue("status"));
        assertEquals("list-users", c.attributeValue("node"));
        assertFalse(c.attributeValue("sessionid", "").isEmpty(), "the responder names a session");
        Element x = form(c);
        assertEquals("result", x.attributeValue("type"));
        assertEquals("Users: 1", x.elementText("title"));
        assertEquals(List.of("jid", "addresses", "mode", "state", "shown"),
                x.element("reported").elements("field").stream().map(f -> f.attributeValue("var")).toList());
        Element item = x.element("item");
        assertEquals("alice@localhost", value(item, "jid"));
        assertEquals("ON_THE_PHONE", value(item, "state"));
        assertEquals("resource", value(item, "mode"));
        assertEquals("dnd: On the phone", value(item, "shown"));
        assertEquals(List.of("users(200)"), backend.calls);
    }

    @Test
    void aLongListSaysHowManyItLeftOut() {
        backend.users = new AdminBackend.UserList(1234, List.of(alice()));
        Element c = command(execute(ADMIN, "list-users"));
        assertEquals("Users: the first 1 of 1234", form(c).elementText("title"));
        assertTrue(note(c, "warn").contains("Showing 1 of 1234 users"));
    }

    @Test
    void reloadAndCountersCompleteAtOnceAndAFailureIsAnErrorNote() {
        backend.reload = "Reloaded the mapping file: IdentityMap[2 pairs, 0 numbers, 0 rules]";
        assertEquals(backend.reload, note(command(execute(ADMIN, "reload-mapping")), "info"));
        backend.failure = new AdminBackend.AdminException("users.map:3: unknown option 'mode=loud'");
        Element failed = command(execute(ADMIN, "reload-mapping"));
        assertEquals("completed", failed.attributeValue("status"));
        assertEquals("users.map:3: unknown option 'mode=loud'", note(failed, "error"));
        backend.failure = null;
        Element x = form(command(execute(ADMIN, "counters")));
        assertEquals("42", value(x, "engine.events"));
        assertEquals("Phone events", x.element("field").attributeValue("label"));
    }

    @Test
    void aBackendThatThrowsIsAnInternalErrorNotACrash() {
        backend.crash = new IllegalStateException("boom");
        assertError(execute(ADMIN, "counters"), PacketError.Condition.internal_server_error,
                PacketError.Condition.internal_server_error.getDefaultType(), null);
        backend.crash = null;
        assertEquals("completed", command(execute(ADMIN, "counters")).attributeValue("status"));
    }

    // ---------------------------------------------------------------- two-stage commands

    @Test
    void showUserAsksForTheUserThenCompletesWithWhatIsKnown() {
        Element first = command(execute(ADMIN, "show-user"));
        assertEquals("executing", first.attributeValue("status"));
        assertEquals("complete", first.element("actions").attributeValue("execute"));
        assertNotNull(first.element("actions").element("complete"));
        Element ask = form(first);
        assertEquals("form", ask.attributeValue("type"));
        assertNotNull(ask.element("field").element("required"));
        assertEquals("user", ask.element("field").attributeValue("var"));
        String session = first.attributeValue("sessionid");

        long expires = NOW.plusSeconds(3600).getEpochSecond() * 1_000_000L;
        backend.report = new AdminBackend.UserReport(alice(), false, 3, List.of(new TrackedUser(
                "sip:alice@example.com", PhoneState.ON_THE_PHONE,
                List.of(new TrackedUser.Device("alice@127.0.0.1:5061", expires)),
                List.of(new TrackedUser.ActiveCall("call-7", PhoneState.ON_THE_PHONE, LiveBackend.HIDDEN, false,
                        NOW.getEpochSecond() * 1_000_000L)))),
                List.of(new AdminBackend.Published("sip:alice@example.com", new PublicationStore.PublishedSource(
                        "dialog", "127.0.0.1:5070", PhoneState.ON_THE_PHONE, 1, NOW.plusSeconds(11)))));
        Element done = command(submit(ADMIN, "show-user", session, "complete", "alice@localhost"));
        assertEquals("completed", done.attributeValue("status"));
        assertEquals(session, done.attributeValue("sessionid"));
        Element x = form(done);
        assertEquals("alice@localhost", value(x, "jid"));
        assertEquals("ON_THE_PHONE", value(x, "state"));
        assertEquals("3", value(x, "recipients"));
        assertEquals("hidden (the user did not opt in)", value(x, "remote"));
        assertEquals("sip:alice@example.com: alice@127.0.0.1:5061, expires 2024-05-01T11:00:00Z (in 3600 s)",
                value(x, "devices"));
        assertEquals("sip:alice@example.com: call-7, ON_THE_PHONE, from (hidden), last message "
                + "2024-05-01T10:00:00Z", value(x, "calls"));
        assertEquals("sip:alice@example.com: dialog from 127.0.0.1:5070, ON_THE_PHONE (1 dialog), expires "
                + "2024-05-01T10:00:11Z (in 11 s)", value(x, "publications"));
        assertEquals(List.of("user(alice@localhost)"), backend.calls);
        assertError(submit(ADMIN, "show-user", session, "complete", "alice@localhost"),
                PacketError.Condition.not_allowed, PacketError.Type.cancel, "session-expired");
    }

    @Test
    void clearUserSaysWhatItEnded() {
        backend.cleared = new AdminBackend.ClearReport(new JID("alice@localhost"), List.of("sip:alice@example.com"),
                1, 2, PhoneState.AVAILABLE);
        String session = command(execute(ADMIN, "clear-user")).attributeValue("sessionid");
        Element done = command(submit(ADMIN, "clear-user", session, null, "sip:alice@example.com"));
        assertEquals("Ended 1 call and removed 2 SIP publications of alice@localhost (sip:alice@example.com); the "
                + "phone state is now AVAILABLE.", note(done, "info"));
        assertEquals("1", value(form(done), "calls-ended"));
        assertEquals("2", value(form(done), "publications-removed"));
        assertEquals(List.of("clear(sip:alice@example.com)"), backend.calls);
    }

    @Test
    void aFormSubmittedWithTheFirstRequestRunsAtOnce() {
        backend.report = new AdminBackend.UserReport(alice(), true, 0, List.of(), List.of());
        Element done = command(submit(ADMIN, "show-user", null, null, "alice@localhost"));
        assertEquals("completed", done.attributeValue("status"));
        assertEquals("shown (the user opted in)", value(form(done), "remote"));
        assertEquals("none", value(form(done), "calls"));
    }

    @Test
    void cancelEndsTheSession() {
        String session = command(execute(ADMIN, "clear-user")).attributeValue("sessionid");
        Element canceled = command(submit(ADMIN, "clear-user", session, "cancel", null));
        assertEquals("canceled", canceled.attributeValue("status"));
        assertError(submit(ADMIN, "clear-user", session, "complete", "alice@localhost"),
                PacketError.Condition.not_allowed, PacketError.Type.cancel, "session-expired");
        assertEquals(List.of(), backend.calls);
    }

    @Test
    void aSessionIsTheRequestersForThatCommandOnly() {
        String session = command(execute(ADMIN, "clear-user")).attributeValue("sessionid");
        assertError(submit("admin@localhost/phone", "clear-user", session, "complete", "alice@localhost"),
                PacketError.Condition.bad_request, PacketError.Type.modify, "bad-sessionid");
        assertError(submit(ADMIN, "show-user", session, "complete", "alice@localhost"),
                PacketError.Condition.bad_request, PacketError.Type.modify, "bad-sessionid");
        assertError(submit(ADMIN, "clear-user", "made-up", "complete", "alice@localhost"),
                PacketError.Condition.not_allowed, PacketError.Type.cancel, "session-expired");
        assertEquals(List.of(), backend.calls);
        command(submit(ADMIN, "clear-user", session, "complete", "alice@localhost"));
        assertEquals(List.of("clear(alice@localhost)"), backend.calls, "the session survived the bad attempts");
    }

    @Test
    void aBadSubmissionKeepsTheSessionOrSaysWhatIsMissing() {
        String session = command(execute(ADMIN, "show-user")).attributeValue("sessionid");
        assertError(submit(ADMIN, "show-user", session, "prev", null), PacketError.Condition.bad_request,
                PacketError.Type.modify, "bad-action");
        assertError(submit(ADMIN, "show-user", session, "complete", null), PacketError.Condition.bad_request,
                PacketError.Type.modify, "bad-payload");
        IQ wrongForm = ask(ADMIN, "set", "<command xmlns='http://jabber.org/protocol/commands' node='show-user' "
                + "sessionid='" + session + "'><x xmlns='jabber:x:data' type='form'/></command>");
        assertError(wrongForm, PacketError.Condition.bad_request, PacketError.Type.modify, "bad-payload");
        IQ emptyUser = ask(ADMIN, "set", "<command xmlns='http://jabber.org/protocol/commands' node='show-user' "
                + "sessionid='" + session + "'><x xmlns='jabber:x:data' type='submit'>"
                + "<field var='user'><value>  </value></field></x></command>");
        assertError(emptyUser, PacketError.Condition.bad_request, PacketError.Type.modify, "bad-payload");
        assertTrue(emptyUser.getError().getText().contains("'user'"), emptyUser::toXML);
        assertEquals(List.of(), backend.calls);
    }

    @Test
    void aUserTheBackendCannotFindIsAnErrorNote() {
        backend.failure = new AdminBackend.AdminException("carol@localhost is not mapped");
        Element done = command(submit(ADMIN, "show-user", null, null, "carol@localhost"));
        assertEquals("completed", done.attributeValue("status"));
        assertEquals("carol@localhost is not mapped", note(done, "error"));
    }

    @Test
    void sessionsExpireAndAreBounded() {
        String old = command(execute(ADMIN, "show-user")).attributeValue("sessionid");
        clock.advance(Duration.ofMinutes(AdminCommands.SESSION_MINUTES));
        assertError(submit(ADMIN, "show-user", old, "complete", "alice@localhost"),
                PacketError.Condition.not_allowed, PacketError.Type.cancel, "session-expired");

        String first = command(execute(ADMIN, "show-user")).attributeValue("sessionid");
        String last = first;
        for (int i = 0; i < AdminCommands.MAX_SESSIONS; i++) {
            last = command(execute(ADMIN, "show-user")).attributeValue("sessionid");
        }
        assertError(submit(ADMIN, "show-user", first, "cancel", null), PacketError.Condition.not_allowed,
                PacketError.Type.cancel, "session-expired");
        assertEquals("canceled", command(submit(ADMIN, "show-user", last, "cancel", null)).attributeValue("status"));
    }

    // ---------------------------------------------------------------- stand-ins

    /** Records what it was asked and answers what the test set. */
    static final class FakeBackend implements AdminBackend {
        final List<String> calls = new ArrayList<>();
        UserList users = new UserList(0, List.of());
        UserReport report;
        ClearReport cleared;
        String reload = "reloaded";
        AdminException failure;
        RuntimeException crash;

        private void check() throws AdminException {
            if (crash != null) {
                throw crash;
            }
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public UserList users(int limit) throws AdminException {
            check();
            calls.add("users(" + limit + ")");
            return users;
        }

        @Override
        public UserReport user(String jidOrAddress) throws AdminException {
            check();
            calls.add("user(" + jidOrAddress + ")");
            return report;
        }

        @Override
        public ClearReport clear(String jidOrAddress) throws AdminException {
            check();
            calls.add("clear(" + jidOrAddress + ")");
            return cleared == null ? new ClearReport(new JID("alice@localhost"), List.of(), 0, 0, PhoneState.OFFLINE)
                    : cleared;
        }

        @Override
        public String reloadMapping() throws AdminException {
            check();
            calls.add("reload");
            return reload;
        }

        @Override
        public List<Counter> counters() throws AdminException {
            check();
            calls.add("counters");
            return List.of(new Counter("engine.events", "Phone events", "42"));
        }
    }
}
