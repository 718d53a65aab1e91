#!/usr/bin/env python3
"""Records what Prosody 0.12 and ejabberd 23.01 send to and accept from a trusted XEP-0114 component.

Every scenario runs against a fresh server started from a temporary directory on free 127.0.0.1 ports, with users
alice, bob, carol, dave, erin on `localhost` and the component `phone.localhost` (XEP-0356 roster get + presence
roster). The rosters are made by the clients themselves (subscribe/subscribed) before the scenario starts:

    alice <-> bob    both
    alice  -> dave   alice has dave with 'to'   (dave has alice with 'from': dave does NOT receive alice's presence)
    erin   -> alice  alice has erin with 'from' (erin receives alice's presence, alice does not receive erin's)
    carol            in nobody's roster

Usage: record.py [--server prosody|ejabberd|both] [--out DIR] [--keep] [scenario-number ...]
Writes <out>/<server>/<NN-name>.<party>.xml, one transcript per party (see the README next to the fixtures).
"""

import argparse
import datetime
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmpplab as X  # noqa: E402
from xmpplab import Client, Component, Transcript, quiet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "component", "src", "test", "resources", "xmpp")


def is_presence(frm=None, typ="any", to=None):
    def pred(s):
        if s.tag != "presence":
            return False
        if frm is not None and not (s.get("from") or "").startswith(frm):
            return False
        if typ != "any" and s.get("type") != typ:
            return False
        if to is not None and s.get("to") != to:
            return False
        return True
    return pred


class Lab:
    """One scenario's connections; everything it opened is closed in close_all()."""

    def __init__(self, srv, tr):
        self.srv = srv
        self.tr = tr
        self.conns = []

    def step(self, text):
        print("   - " + text, flush=True)
        self.tr.step(text)

    def client(self, user, resource, presence=None, record=True, party=None):
        c = Client(self.tr, user, resource, record=record, party=party)
        self.conns.append(c)
        c.login(self.srv.c2s_port)
        if presence is not None:
            c.send(presence)
        return c

    def component(self, name=X.COMPONENT, party="component"):
        c = Component(self.tr, name=name, party=party)
        self.conns.append(c)
        c.open(self.srv.port_for(name))
        return c

    def quiet(self, idle=0.7, limit=4.0):
        quiet([c for c in self.conns if not c.closed], idle, limit)

    def close_all(self):
        for c in self.conns:
            if c.sock is not None and not c.closed:
                try:
                    c.close()
                except Exception:  # noqa: BLE001 - best effort at the end of a scenario
                    pass


def setup_rosters(srv, work):
    tr = Transcript()
    cl = {}
    try:
        for u in ["alice", "bob", "dave", "erin"]:
            cl[u] = Client(tr, u, "setup")
            cl[u].login(srv.c2s_port)
            cl[u].send("<presence/>")
        quiet(list(cl.values()), 0.3, 3)

        def sub(a, b):
            m = cl[b].mark()
            cl[a].send("<presence type='subscribe' to='%s@localhost'/>" % b)
            cl[b].wait_for(is_presence(a + "@", "subscribe"), since=m, what="subscribe from " + a)
            cl[b].send("<presence type='subscribed' to='%s@localhost'/>" % a)

        sub("alice", "bob")
        sub("bob", "alice")
        sub("alice", "dave")
        sub("erin", "alice")
        quiet(list(cl.values()), 0.5, 4)
        roster = cl["alice"].roster()
        want = {"bob@localhost": "both", "dave@localhost": "to", "erin@localhost": "from"}
        got = {j: sub_ask[0] for j, sub_ask in roster.items()}
        if got != want:
            raise RuntimeError("alice's roster after setup is %r, expected %r" % (roster, want))
        for c in cl.values():
            c.close()
    finally:
        tr.write(work, "setup", "roster setup")
        for c in cl.values():
            if c.sock is not None and not c.closed:
                c.close()


# --- scenarios ---------------------------------------------------------------------------------------------------

def s01_permissions(lab, kind):
    lab.step("the component phone.localhost connects; no user is online")
    c = lab.component()
    c.wait_for(lambda s: s.tag == "message", what="permission message")
    lab.quiet(1.0)
    lab.step("a second component nopriv.localhost (no privileges configured) connects")
    n = lab.component(X.NOPRIV_COMPONENT, party="nopriv-component")
    lab.quiet(1.0)
    lab.step("both components close their streams")
    n.close()
    c.close()


def s02_online_at_connect(lab, kind):
    lab.step("alice/laptop, bob/desktop, carol/pc, dave/pc, erin/pc log in with initial presence (not recorded)")
    lab.client("alice", "laptop", "<presence><show>chat</show><status>At my desk</status><priority>5</priority>"
               "</presence>", record=False)
    lab.client("alice", "mobile", "<presence><show>xa</show><priority>-1</priority></presence>", record=False)
    lab.client("bob", "desktop", "<presence><show>away</show><status>Lunch</status></presence>", record=False)
    lab.client("carol", "pc", "<presence/>", record=False)
    lab.client("dave", "pc", "<presence><show>dnd</show></presence>", record=False)
    lab.client("erin", "pc", "<presence/>", record=False)
    lab.quiet(0.8)
    time.sleep(1.1)  # so that a delay stamp, if any, is visibly older than the connect
    lab.step("the component connects")
    c = lab.component()
    lab.quiet(1.5, 6)
    lab.step("the component closes its stream")
    c.close()


def s03_forwarded_presence(lab, kind):
    c = lab.component()
    lab.quiet(1.0)
    lab.step("alice/laptop logs in and sends initial presence (priority 5)")
    a = lab.client("alice", "laptop", "<presence><priority>5</priority></presence>")
    lab.quiet()
    lab.step("alice/laptop changes to show dnd, status 'Busy'")
    a.send("<presence><show>dnd</show><status>Busy</status><priority>5</priority></presence>")
    lab.quiet()
    lab.step("bob/desktop logs in and sends initial presence")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    lab.step("bob/desktop changes to show away, status 'Lunch', with id='bob-away-1'")
    b.send("<presence id='bob-away-1'><show>away</show><status>Lunch</status></presence>")
    lab.quiet()
    lab.step("carol/pc (in nobody's roster) logs in and sends initial presence")
    cc = lab.client("carol", "pc", "<presence/>")
    lab.quiet()
    lab.step("alice/laptop sends a directed presence to carol@localhost (show chat)")
    a.send("<presence to='carol@localhost'><show>chat</show></presence>")
    lab.quiet()
    lab.step("bob/desktop logs out with an explicit unavailable (status 'Bye') and closes its stream")
    b.send("<presence type='unavailable'><status>Bye</status></presence>")
    b.close()
    lab.quiet()
    lab.step("alice/mobile logs in with priority -1")
    m = lab.client("alice", "mobile", "<presence><show>xa</show><priority>-1</priority></presence>")
    lab.quiet()
    lab.step("alice/mobile drops its TCP connection without </stream:stream> (server must generate unavailable)")
    m.abort()
    lab.quiet(1.0, 6)
    lab.step("alice/laptop closes its stream without sending unavailable")
    a.close()
    lab.quiet()
    lab.step("carol/pc closes its stream")
    cc.close()
    lab.quiet()
    c.close()


def roster_iq(c, iid, user, typ="get", inner=""):
    m = c.mark()
    c.send("<iq type='%s' id='%s' from='%s' to='%s'><query xmlns='jabber:iq:roster'>%s</query></iq>"
           % (typ, iid, c.name, user, inner))
    return c.maybe(lambda s: s.tag == "iq" and s.get("id") == iid, 3.0, since=m)


def s04_roster_get(lab, kind):
    c = lab.component()
    lab.quiet(1.0)
    lab.step("privileged roster get for alice@localhost (alice offline)")
    roster_iq(c, "roster-alice", "alice@localhost")
    lab.step("privileged roster get for carol@localhost (empty roster)")
    roster_iq(c, "roster-carol", "carol@localhost")
    lab.step("privileged roster get for nobody@localhost (no such user)")
    roster_iq(c, "roster-nobody", "nobody@localhost")
    lab.step("privileged roster get for alice@example.org (a domain the server does not serve)")
    roster_iq(c, "roster-remote", "alice@example.org")
    lab.step("roster get addressed to a full JID alice@localhost/laptop (alice offline)")
    roster_iq(c, "roster-full", "alice@localhost/laptop")
    lab.step("privileged roster SET for alice@localhost (the component only has 'get')")
    roster_iq(c, "roster-set", "alice@localhost", "set", "<item jid='carol@localhost'/>")
    lab.step("alice/laptop logs in (not recorded); privileged roster get for alice again")
    lab.client("alice", "laptop", "<presence/>", record=False)
    lab.quiet()
    roster_iq(c, "roster-alice-online", "alice@localhost")
    lab.step("component nopriv.localhost (no privileges) asks for alice's roster")
    n = lab.component(X.NOPRIV_COMPONENT, party="nopriv-component")
    lab.quiet(0.5)
    roster_iq(n, "nopriv-roster-alice", "alice@localhost")
    lab.quiet()
    n.close()
    c.close()


def s05_echo(lab, kind):
    a = lab.client("alice", "laptop", "<presence><status>At my desk</status></presence>")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    lab.step("the component connects")
    c = lab.component()
    lab.quiet(1.0)
    lab.step("component sends presence from alice@localhost/laptop to bob@localhost, id offhook-1, show away")
    c.send("<presence from='alice@localhost/laptop' to='bob@localhost' id='offhook-1'><show>away</show>"
           "<status>On the phone</status></presence>")
    lab.quiet()
    lab.step("component sends presence from alice@localhost/phone to bob@localhost, id offhook-2, show dnd, "
             "priority 50")
    c.send("<presence from='alice@localhost/phone' to='bob@localhost' id='offhook-2'><show>dnd</show>"
           "<status>On the phone</status><priority>50</priority></presence>")
    lab.quiet()
    lab.step("component sends unavailable from alice@localhost/phone to bob@localhost, id offhook-3")
    c.send("<presence from='alice@localhost/phone' to='bob@localhost' id='offhook-3' type='unavailable'/>")
    lab.quiet()
    lab.step("component sends presence from alice@localhost/laptop to alice@localhost (bare: alice's own "
             "resources), id offhook-4")
    c.send("<presence from='alice@localhost/laptop' to='alice@localhost' id='offhook-4'><show>away</show>"
           "<status>On the phone</status></presence>")
    lab.quiet()
    lab.step("component sends presence from alice@localhost/laptop to bob@localhost/desktop (full JID), "
             "id offhook-5")
    c.send("<presence from='alice@localhost/laptop' to='bob@localhost/desktop' id='offhook-5'>"
           "<status>At my desk</status></presence>")
    lab.quiet()
    c.close()
    lab.quiet()


def s06_probes(lab, kind):
    a = lab.client("alice", "laptop", "<presence id='alice-initial'><show>away</show><status>Real status</status>"
                   "<priority>3</priority></presence>")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    lab.step("the component connects")
    c = lab.component()
    lab.quiet(1.0)
    probes = [
        ("a", "alice@localhost", "probe from alice@localhost (bare, the user herself)"),
        ("b", "phone.localhost", "probe from phone.localhost (the component's own JID)"),
        ("c", "bob@localhost", "probe from bob@localhost (a contact with 'both', online)"),
        ("d", "erin@localhost", "probe from erin@localhost (alice has erin with 'from'; erin offline)"),
        ("e", "carol@localhost", "probe from carol@localhost (not in alice's roster)"),
        ("f", "alice@localhost/phone", "probe from alice@localhost/phone (full JID, no such session)"),
        ("g", "bob@localhost/desktop", "probe from bob@localhost/desktop (full JID of bob's real session)"),
    ]
    for tag, frm, text in probes:
        lab.step("(%s) alice ONLINE: component sends %s to alice@localhost, id probe-%s" % (tag, text, tag))
        c.send("<presence type='probe' from='%s' to='alice@localhost' id='probe-%s'/>" % (frm, tag))
        lab.quiet(1.0)
    lab.step("alice/laptop logs out (closes its stream)")
    a.close()
    lab.quiet()
    for tag, frm, text in probes[:5]:
        lab.step("(%s) alice OFFLINE: component sends %s to alice@localhost, id probe-%s-offline"
                 % (tag, text, tag))
        c.send("<presence type='probe' from='%s' to='alice@localhost' id='probe-%s-offline'/>" % (frm, tag))
        lab.quiet(1.0)
    c.close()
    lab.quiet()


def s07_subscription_changes(lab, kind):
    c = lab.component()
    lab.quiet(1.0)
    a = lab.client("alice", "laptop", "<presence/>")
    cc = lab.client("carol", "pc", "<presence/>")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    lab.step("carol subscribes to alice")
    cc.send("<presence type='subscribe' to='alice@localhost' id='carol-sub-1'/>")
    lab.quiet()
    lab.step("alice approves: subscribed to carol")
    a.send("<presence type='subscribed' to='carol@localhost' id='alice-subd-1'/>")
    lab.quiet()
    lab.step("alice subscribes to carol")
    a.send("<presence type='subscribe' to='carol@localhost' id='alice-sub-1'/>")
    lab.quiet()
    lab.step("carol approves: subscribed to alice")
    cc.send("<presence type='subscribed' to='alice@localhost' id='carol-subd-1'/>")
    lab.quiet()
    lab.step("privileged roster get for alice")
    roster_iq(c, "roster-after-carol", "alice@localhost")
    lab.step("alice removes bob from her roster (roster set subscription='remove')")
    a.send("<iq type='set' id='alice-remove-bob'><query xmlns='jabber:iq:roster'>"
           "<item jid='bob@localhost' subscription='remove'/></query></iq>")
    lab.quiet()
    lab.step("privileged roster get for alice")
    roster_iq(c, "roster-after-remove", "alice@localhost")
    lab.step("alice/laptop logs out")
    a.close()
    lab.quiet()
    lab.step("erin/pc logs in and cancels her subscription to alice (unsubscribe) while alice is offline")
    e = lab.client("erin", "pc", "<presence/>")
    lab.quiet()
    e.send("<presence type='unsubscribe' to='alice@localhost' id='erin-unsub-1'/>")
    lab.quiet()
    lab.step("privileged roster get for alice")
    roster_iq(c, "roster-after-erin", "alice@localhost")
    e.close()
    cc.close()
    b.close()
    lab.quiet()
    c.close()


def s08_gateway(lab, kind):
    c = lab.component()
    lab.quiet(1.0)
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    lab.step("bob subscribes to alice@phone.localhost")
    b.send("<presence type='subscribe' to='alice@phone.localhost' id='bob-gw-sub'/>")
    lab.quiet()
    lab.step("component approves (subscribed from alice@phone.localhost) and sends its presence (show dnd)")
    c.send("<presence type='subscribed' from='alice@phone.localhost' to='bob@localhost' id='gw-subd'/>")
    c.send("<presence from='alice@phone.localhost' to='bob@localhost' id='gw-pres-1'><show>dnd</show>"
           "<status>On the phone</status></presence>")
    lab.quiet()
    lab.step("bob/desktop logs out (closes stream); bob's subscription to alice@phone.localhost is 'to' only")
    b.close()
    lab.quiet()
    lab.step("bob/desktop logs in again and sends initial presence")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet(1.0)
    lab.step("component answers with presence from alice@phone.localhost (bare), show dnd")
    c.send("<presence from='alice@phone.localhost' to='bob@localhost' id='gw-pres-2'><show>dnd</show>"
           "<status>On the phone</status></presence>")
    lab.quiet()
    lab.step("component subscribes to bob's presence (from alice@phone.localhost); bob approves")
    c.send("<presence type='subscribe' from='alice@phone.localhost' to='bob@localhost' id='gw-sub'/>")
    b.wait_for(is_presence("alice@phone.localhost", "subscribe"), what="gateway subscribe")
    b.send("<presence type='subscribed' to='alice@phone.localhost' id='bob-gw-subd'/>")
    lab.quiet()
    lab.step("bob/desktop changes show to away")
    b.send("<presence><show>away</show></presence>")
    lab.quiet()
    lab.step("bob/desktop logs out (closes stream without unavailable); subscription is now 'both'")
    b.close()
    lab.quiet()
    lab.step("bob/desktop logs in again and sends initial presence")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet(1.0)
    lab.step("bob/desktop sends an explicit unavailable and closes")
    b.send("<presence type='unavailable'/>")
    b.close()
    lab.quiet()
    lab.step("bob's roster seen by the component (privileged roster get for bob)")
    roster_iq(c, "roster-bob", "bob@localhost")
    lab.step("bob/desktop logs in and removes alice@phone.localhost from his roster (roster set 'remove')")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    b.send("<iq type='set' id='bob-remove-gw'><query xmlns='jabber:iq:roster'>"
           "<item jid='alice@phone.localhost' subscription='remove'/></query></iq>")
    lab.quiet()
    b.close()
    lab.quiet()
    c.close()


def s09_non_contact(lab, kind):
    cc = lab.client("carol", "pc", "<presence/>")
    d = lab.client("dave", "pc", "<presence/>")
    b = lab.client("bob", "desktop", "<presence/>")
    lab.quiet()
    lab.step("the component connects")
    c = lab.component()
    lab.quiet(1.0)
    for who, why in [("carol", "carol is not in alice's roster"),
                     ("dave", "alice has dave with 'to' only: dave must not receive alice's presence"),
                     ("bob", "bob has 'both': the control")]:
        lab.step("component sends presence from alice@localhost/phone to %s@localhost (%s)" % (who, why))
        c.send("<presence from='alice@localhost/phone' to='%s@localhost' id='nc-%s'><show>dnd</show>"
               "<status>On the phone</status></presence>" % (who, who))
        lab.quiet()
    for who in ["carol", "dave", "bob"]:
        lab.step("component sends unavailable from alice@localhost/phone to %s@localhost" % who)
        c.send("<presence from='alice@localhost/phone' to='%s@localhost' type='unavailable' id='nc-%s-off'/>"
               % (who, who))
        lab.quiet()
    c.close()


def s10_restart(lab, kind):
    lab.client("alice", "laptop", "<presence><status>At my desk</status></presence>", record=False)
    lab.client("bob", "desktop", "<presence/>", record=False)
    lab.quiet()
    lab.step("the component connects while alice/laptop and bob/desktop are online")
    c = lab.component()
    lab.quiet(1.0)
    lab.step("server stopped with SIGTERM (graceful) to its process group")
    lab.srv.stop(signal.SIGTERM)
    c.wait_closed(10)
    lab.step("server started again")
    lab.srv.start()
    lab.step("alice/laptop and bob/desktop log in again before the component reconnects (not recorded)")
    lab.client("alice", "laptop", "<presence><status>Back</status></presence>", record=False)
    lab.client("bob", "desktop", "<presence/>", record=False)
    lab.quiet()
    lab.step("the component reconnects")
    c = lab.component()
    lab.quiet(1.5, 6)
    lab.step("server KILLED with SIGKILL to its process group")
    lab.srv.stop(signal.SIGKILL)
    c.wait_closed(10)
    lab.step("server started again; the component reconnects before any user logs in")
    lab.srv.start()
    c = lab.component()
    lab.quiet(1.0)
    lab.step("alice/laptop logs in (not recorded)")
    lab.client("alice", "laptop", "<presence><status>After crash</status></presence>", record=False)
    lab.quiet()
    c.close()


def s11_directed_phone_presence(lab, kind):
    a = lab.client("alice", "laptop", "<presence><priority>5</priority></presence>")
    bd = lab.client("bob", "desktop", "<presence/>")
    bm = lab.client("bob", "mobile", "<presence><priority>1</priority></presence>")
    lab.quiet()
    lab.step("the component connects")
    c = lab.component()
    lab.quiet(1.0)
    lab.step("component sends presence from alice@localhost/phone (priority 50, dnd) to bob@localhost (bare)")
    c.send("<presence from='alice@localhost/phone' to='bob@localhost' id='phone-1'><show>dnd</show>"
           "<status>On the phone</status><priority>50</priority></presence>")
    lab.quiet()
    lab.step("component sends presence from alice@localhost/phone (priority 50, away) to bob@localhost/desktop "
             "(full)")
    c.send("<presence from='alice@localhost/phone' to='bob@localhost/desktop' id='phone-2'><show>away</show>"
           "<status>On hold</status><priority>50</priority></presence>")
    lab.quiet()
    lab.step("component sends presence from alice@localhost/phone to alice@localhost (bare: her own resources)")
    c.send("<presence from='alice@localhost/phone' to='alice@localhost' id='phone-3'><show>dnd</show>"
           "<status>On the phone</status><priority>50</priority></presence>")
    lab.quiet()
    lab.step("component sends unavailable from alice@localhost/phone to bob@localhost (bare) and to "
             "alice@localhost")
    c.send("<presence from='alice@localhost/phone' to='bob@localhost' type='unavailable' id='phone-4'/>")
    c.send("<presence from='alice@localhost/phone' to='alice@localhost' type='unavailable' id='phone-5'/>")
    lab.quiet()
    lab.step("component puts the phone resource up again (to bob@localhost, bare); then bob/tablet logs in: "
             "does the new resource see it?")
    c.send("<presence from='alice@localhost/phone' to='bob@localhost' id='phone-6'><show>dnd</show>"
           "<status>On the phone</status><priority>50</priority></presence>")
    lab.quiet()
    bt = lab.client("bob", "tablet", "<presence/>")
    lab.quiet(1.0)
    bt.close()
    c.close()
    lab.quiet()


def ping(c, iid, to):
    m = c.mark()
    c.send("<iq type='get' id='%s' from='%s' to='%s'><ping xmlns='urn:xmpp:ping'/></iq>" % (iid, c.name, to))
    return c.maybe(lambda s: s.tag == "iq" and s.get("id") == iid, 3.0, since=m)


def s12_session_end(lab, kind):
    c = lab.component()
    lab.quiet(1.0)
    lab.step("alice/laptop and alice/mobile log in; none of alice's contacts is online")
    a = lab.client("alice", "laptop", "<presence><status>At my desk</status></presence>")
    m = lab.client("alice", "mobile", "<presence><show>xa</show><priority>-1</priority></presence>")
    lab.quiet()
    lab.step("component pings alice@localhost/laptop and alice@localhost/mobile (the clients answer)")
    ping(c, "ping-laptop-1", "alice@localhost/laptop")
    ping(c, "ping-mobile-1", "alice@localhost/mobile")
    lab.quiet()
    lab.step("alice/mobile drops its TCP connection without </stream:stream> (no unavailable sent by alice)")
    m.abort()
    lab.quiet(1.0, 6)
    lab.step("alice/laptop closes its stream without sending unavailable")
    a.close()
    lab.quiet(1.0, 6)
    lab.step("component pings alice@localhost/laptop and alice@localhost/mobile again (sessions gone)")
    ping(c, "ping-laptop-2", "alice@localhost/laptop")
    ping(c, "ping-mobile-2", "alice@localhost/mobile")
    lab.quiet()
    lab.step("component pings the bare JID alice@localhost (alice offline)")
    ping(c, "ping-bare", "alice@localhost")
    lab.quiet()
    lab.step("alice/laptop logs in again and logs out with an explicit unavailable")
    a = lab.client("alice", "laptop", "<presence/>")
    lab.quiet()
    a.send("<presence type='unavailable'/>")
    a.close()
    lab.quiet()
    c.close()


SCENARIOS = [
    ("01", "permissions", s01_permissions, "privilege permission message after the handshake"),
    ("02", "online-at-connect", s02_online_at_connect, "what arrives at connect when users are already online"),
    ("03", "forwarded-presence", s03_forwarded_presence, "forwarded presence on login, change, logout"),
    ("04", "roster-get", s04_roster_get, "privileged roster get, results and errors"),
    ("05", "echo", s05_echo, "presence sent by the component on behalf of alice: echo to the component?"),
    ("06", "probes", s06_probes, "probe tricks to learn a user's current presence"),
    ("07", "subscription-changes", s07_subscription_changes, "roster and subscription changes mid-session"),
    ("08", "gateway", s08_gateway, "gateway mode: users subscribe to alice@phone.localhost"),
    ("09", "non-contact", s09_non_contact, "presence to a non-contact is delivered (servers do not check)"),
    ("10", "restart", s10_restart, "server restart (SIGTERM, then SIGKILL) and component reconnect"),
    ("11", "directed-phone-presence", s11_directed_phone_presence,
     "directed presence from alice@localhost/phone with priority 50: bare vs full JID"),
    ("12", "session-end", s12_session_end,
     "a user's sessions end without unavailable while no contact is online; XEP-0199 ping to full JIDs"),
]


def run(kind, number, name, fn, title, out_root, base, keep):
    srv = X.make_server(kind, base)
    print("== %s %s-%s (%s)" % (kind, number, name, srv.dir), flush=True)
    tr = Transcript()
    lab = Lab(srv, tr)
    ok = False
    try:
        srv.prepare()
        srv.start()
        setup_rosters(srv, os.path.join(srv.dir, "setup"))
        fn(lab, kind)
        ok = True
    except Exception:  # noqa: BLE001 - report and keep the work dir
        traceback.print_exc()
    finally:
        lab.close_all()
        srv.stop()
        header = ("%s; scenario %s: %s; recorded %s by integration-tests/lab/xmpp/record.py"
                  % (srv.version(), number, title, datetime.date.today().isoformat()))
        out_dir = os.path.join(out_root, kind) if ok else os.path.join(srv.dir, "failed")
        for p in tr.write(out_dir, "%s-%s" % (number, name), header):
            print("   wrote " + os.path.relpath(p, REPO), flush=True)
        if ok and not keep:
            shutil.rmtree(srv.dir, ignore_errors=True)
        else:
            print("   kept " + srv.dir, flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", choices=["prosody", "ejabberd", "both"], default="both")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--keep", action="store_true", help="keep the server directories (configs, logs)")
    ap.add_argument("scenarios", nargs="*", help="scenario numbers, e.g. 03 05 (default: all)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("record.py: run as root (ejabberd runs as user ejabberd via runuser; Prosody with run_as_root)")
    kinds = ["prosody", "ejabberd"] if args.server == "both" else [args.server]
    wanted = set(s.zfill(2) for s in args.scenarios)
    base = tempfile.mkdtemp(prefix="offhook-xmpp-lab.")
    os.chmod(base, 0o755)
    failed = []
    try:
        for kind in kinds:
            for number, name, fn, title in SCENARIOS:
                if wanted and number not in wanted:
                    continue
                if not run(kind, number, name, fn, title, args.out, base, args.keep):
                    failed.append("%s %s-%s" % (kind, number, name))
    finally:
        if not args.keep and not failed:
            shutil.rmtree(base, ignore_errors=True)
    if failed:
        sys.exit("failed: " + ", ".join(failed) + " (work dirs kept under " + base + ")")


if __name__ == "__main__":
    main()
