package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.RemoteCommand;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.iqversion.VersionManager;
import org.jivesoftware.smackx.iqversion.packet.Version;
import org.jivesoftware.smackx.ping.PingManager;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Admin over XMPP (issue 7) on a real Prosody 0.12: XEP-0030 discovery, XEP-0092 version and XEP-0199 ping of the
 * component's address, and XEP-0050 ad-hoc commands driven by Smack's {@link AdHocCommandManager} as an admin's
 * client would. The admin ({@code admin.jids}) lists users during a call and sees alice on the phone, shows her (a
 * two-stage command with a form), clears a call whose BYE never came, reloads the mapping and reads the counters;
 * bob, who is no admin, sees no commands and is refused. bob is alice's contact, so his client shows what a clear
 * does.
 *
 * <p>Prosody routes the IQs of c2s clients to the external component unchanged, with the {@code from} it
 * authenticated (the full JID), which is what the admin check relies on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminCommandsIT {
    static final String DOMAIN = "offhook.test";
    static final String COMPONENT = "phone.offhook.test";
    static final String SECRET = "it-component-secret-0123456789";
    static final String PASSWORD = "it-password-1";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String ALICE = "alice@" + DOMAIN;
    static final String ALICE_PHONE = ALICE + "/phone";
    static final String USERS_MAP = "sip:alice@example.com = alice@offhook.test\n";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    static XmppServer server;
    static OffhookUnderTest offhook;
    static Kamailio kamailio;
    static Watcher admin;
    static Watcher bob;
    static UserAgent alice;
    static UserAgent xavier;
    static Jid component;

    CallLab lab;

    @BeforeAll
    static void start() throws IOException {
        server = Prosody.start(work.resolve("prosody"), DOMAIN, COMPONENT, SECRET);
        for (String user : List.of("alice", "bob", "admin")) {
            server.register(user, PASSWORD);
        }
        server.addRosterItem("alice", "bob@" + DOMAIN, "both");
        server.addRosterItem("bob", ALICE, "both");
        offhook = OffhookUnderTest.start(work.resolve("offhook"), server, SECRET, USERS_MAP,
                Map.of("admin.jids", "admin@" + DOMAIN));
        Lab.sipp();
        kamailio = Kamailio.start(work.resolve("kamailio"), offhook.hepPort(), Kamailio.HepTransport.UDP, 64);
        bob = Watcher.login(server, "bob", PASSWORD, "desk");
        admin = Watcher.login(server, "admin", PASSWORD, "console");
        component = JidCreate.from(COMPONENT);
        alice = UserAgent.of("alice");
        xavier = UserAgent.of("xavier");
        CallLab setup = new CallLab(work, kamailio);
        bob.mark();
        setup.register(alice);
        setup.register(xavier);
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
    }

    @AfterAll
    static void stopAll() {
        Lab.closeQuietly(admin, bob, kamailio, offhook);
        if (server != null) {
            server.stop();
        }
        admin = null;
        bob = null;
        kamailio = null;
        offhook = null;
        server = null;
    }

    @BeforeEach
    void newLab() {
        lab = new CallLab(work, kamailio);
        bob.mark();
    }

    @AfterEach
    void stopPhones() {
        lab.close();
        assertEquals(0, offhook.services().engine().dropped(), "phone events dropped");
    }

    static Predicate<Presence> status(String text) {
        return p -> p.getType() == Presence.Type.available && text.equals(p.getStatus());
    }

    // ---------------------------------------------------------------- client side

    static RemoteCommand command(Watcher who, String node) {
        return AdHocCommandManager.getAddHocCommandsManager(who.connection()).getRemoteCommand(component, node);
    }

    /** Runs a single-stage command to its end and returns it (form, notes, status). */
    static RemoteCommand run(Watcher who, String node) throws Exception {
        RemoteCommand c = command(who, node);
        c.execute();
        assertEquals(AdHocCommand.Status.completed, c.getStatus(), node);
        return c;
    }

    /** Runs a two-stage command: execute, fill the form's user field, complete. */
    static RemoteCommand runFor(Watcher who, String node, String user) throws Exception {
        RemoteCommand c = command(who, node);
        c.execute();
        assertEquals(AdHocCommand.Status.executing, c.getStatus(), node);
        FillableForm form = new FillableForm(c.getForm());
        form.setAnswer("user", user);
        c.complete(form);
        assertEquals(AdHocCommand.Status.completed, c.getStatus(), node);
        return c;
    }

    /** The rows of a result table, each as var -> first value. */
    static List<Map<String, String>> rows(DataForm form) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (DataForm.Item item : form.getItems()) {
            rows.add(item.getFields().stream().collect(Collectors.toMap(FormField::getFieldName,
                    f -> f.getValues().isEmpty() ? "" : f.getValues().get(0).toString())));
        }
        return rows;
    }

    static String state(RemoteCommand list, String jid) {
        return rows(list.getForm()).stream().filter(r -> jid.equals(r.get("jid"))).map(r -> r.get("state"))
                .findFirst().orElse("(not listed)");
    }

    static String field(DataForm form, String var) {
        FormField f = form.getField(var);
        return f == null ? null : f.getValuesAsString().stream().collect(Collectors.joining("\n"));
    }

    static String notes(AdHocCommand c) {
        return c.getNotes().stream().map(n -> n.getType() + ": " + n.getValue()).collect(Collectors.joining("\n"));
    }

    // ---------------------------------------------------------------- tests

    @Test
    @Order(1)
    void discoveryAndVersionAnswerAnyone() throws Exception {
        XMPPTCPConnection c = bob.connection();
        DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(c).discoverInfo(component);
        assertTrue(info.hasIdentity("gateway", "sip"), () -> info.toXML().toString());
        for (String feature : List.of("http://jabber.org/protocol/commands", "jabber:iq:version", "urn:xmpp:ping",
                "http://jabber.org/protocol/disco#info")) {
            assertTrue(info.containsFeature(feature), feature + " in " + info.toXML());
        }
        Version version = VersionManager.getInstanceFor(c).getVersion(component);
        assertEquals("Offhook", version.getName());
        assertFalse(version.getVersion() == null || version.getVersion().isBlank());
        assertNull(version.getOs(), "no operating system is told");
        assertTrue(PingManager.getInstanceFor(c).ping(component), "the component answers a XEP-0199 ping");
    }

    @Test
    @Order(2)
    void aNonAdminSeesNoCommandsAndIsForbidden() throws Exception {
        DiscoverItems items = AdHocCommandManager.getAddHocCommandsManager(bob.connection())
                .discoverCommands(component);
        assertEquals(List.of(), items.getItems());
        XMPPException.XMPPErrorException e = assertThrows(XMPPException.XMPPErrorException.class,
                () -> command(bob, "list-users").execute());
        assertEquals(StanzaError.Condition.forbidden, e.getStanzaError().getCondition());
        assertEquals(StanzaError.Type.AUTH, e.getStanzaError().getType());
        XMPPException.XMPPErrorException clear = assertThrows(XMPPException.XMPPErrorException.class,
                () -> command(bob, "clear-user").execute());
        assertEquals(StanzaError.Condition.forbidden, clear.getStanzaError().getCondition());

        List<String> nodes = AdHocCommandManager.getAddHocCommandsManager(admin.connection())
                .discoverCommands(component).getItems().stream().map(DiscoverItems.Item::getNode).toList();
        assertEquals(List.of("list-users", "show-user", "clear-user", "reload-mapping", "counters"), nodes);
    }

    @Test
    @Order(3)
    void anAdminListsUsersDuringACallAndSeesAliceOnThePhone() throws Exception {
        Sipp callee = lab.background(Sipp.lab("uas-answer.xml", alice).pause(CallLab.RING_MS));
        Sipp caller = lab.background(lab.client(Sipp.lab("uac-call.xml", xavier).pause(8000)
                .key("callee", alice.user())));
        bob.awaitPresence(ALICE_PHONE, status("On the phone"), WAIT);

        RemoteCommand list = run(admin, "list-users");
        assertEquals("ON_THE_PHONE", state(list, ALICE), () -> rows(list.getForm()).toString());
        Map<String, String> row = rows(list.getForm()).stream().filter(r -> ALICE.equals(r.get("jid"))).findFirst()
                .orElseThrow();
        assertEquals("sip:alice@example.com", row.get("addresses"));
        assertEquals("resource", row.get("mode"));
        assertEquals("dnd: On the phone", row.get("shown"));

        RemoteCommand show = runFor(admin, "show-user", ALICE);
        DataForm shown = show.getForm();
        assertEquals("ON_THE_PHONE", field(shown, "state"), notes(show));
        assertTrue(field(shown, "calls").contains(", ON_THE_PHONE, from (hidden)"), field(shown, "calls"));
        assertTrue(field(shown, "devices").startsWith("sip:alice@example.com: alice@127.0.0.1:" + alice.port()),
                field(shown, "devices"));

        caller.awaitSuccess();
        callee.awaitSuccess();
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
        assertEquals("AVAILABLE", state(run(admin, "list-users"), ALICE));
    }

    @Test
    @Order(4)
    void anAdminClearsACallWhoseByeNeverCame() throws Exception {
        Sipp callee = lab.background(Sipp.of(Lab.testScenario("uas-answer-no-bye.xml"), alice)
                .pause(CallLab.RING_MS));
        lab.client(Sipp.of(Lab.testScenario("uac-call-no-bye.xml"), xavier).key("callee", alice.user()))
                .runToEnd(work);
        callee.awaitSuccess();
        bob.awaitPresence(ALICE_PHONE, status("On the phone"), WAIT);
        assertEquals("ON_THE_PHONE", state(run(admin, "list-users"), ALICE), "stuck: no BYE came");

        bob.mark();
        RemoteCommand clear = runFor(admin, "clear-user", ALICE);
        assertEquals("info: Ended 1 call of alice@offhook.test (sip:alice@example.com); the phone state is now "
                + "AVAILABLE.", notes(clear));
        bob.awaitPresence(ALICE_PHONE, status("Phone available"), WAIT);
        assertEquals("AVAILABLE", state(run(admin, "list-users"), ALICE));
        assertEquals("none", field(runFor(admin, "show-user", "sip:alice@example.com").getForm(), "calls"));
    }

    @Test
    @Order(5)
    void anAdminReloadsTheMappingAndReadsTheCounters() throws Exception {
        Files.writeString(work.resolve("offhook/users.map"), USERS_MAP + "sip:bob@example.com = bob@offhook.test\n",
                StandardCharsets.UTF_8);
        RemoteCommand reload = run(admin, "reload-mapping");
        assertTrue(notes(reload).startsWith("info: Reloaded the mapping file: IdentityMap[2 pairs"), notes(reload));
        assertEquals("OFFLINE", state(run(admin, "list-users"), "bob@" + DOMAIN), "bob is mapped now");

        Files.writeString(work.resolve("offhook/users.map"), USERS_MAP + "sip:bob@example.com = bob@offhook.test "
                + "mode=loud\n", StandardCharsets.UTF_8);
        RemoteCommand broken = run(admin, "reload-mapping");
        assertTrue(notes(broken).startsWith("error: The mapping file was not reloaded") && notes(broken)
                .contains("users.map:2:"), notes(broken));

        DataForm counters = run(admin, "counters").getForm();
        assertTrue(Long.parseLong(field(counters, "engine.events")) > 0, field(counters, "engine.events"));
        assertEquals("1", field(counters, "xmpp.connects"));
        assertEquals("true", field(counters, "mapping.failing"));
    }

    @Test
    @Order(6)
    void aCanceledCommandEndsItsSession() throws Exception {
        RemoteCommand c = command(admin, "clear-user");
        c.execute();
        c.cancel();
        assertEquals(AdHocCommand.Status.canceled, c.getStatus());
    }
}
