"""Small XMPP lab: start Prosody or ejabberd on loopback from a temporary directory, talk to them with raw clients.

Used by record.py to record what the servers really send to a trusted XEP-0114 component. Everything here logs
the exact bytes on the wire: a raw component client (XEP-0114 handshake) and a raw c2s client (SASL PLAIN over
plain TCP, resource binding). Servers are started on free 127.0.0.1 ports and stopped by their PID (process group).
"""

import base64
import hashlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import xml.parsers.expat

DOMAIN = "localhost"
COMPONENT = "phone.localhost"
NOPRIV_COMPONENT = "nopriv.localhost"
SECRET = "lab-secret"
PASSWORD = "pw"
USERS = ["alice", "bob", "carol", "dave", "erin"]

NS_STREAM = "http://etherx.jabber.org/streams"
NS_CLIENT = "jabber:client"
NS_COMPONENT = "jabber:component:accept"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_ROSTER = "jabber:iq:roster"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with %s before port %d opened" % (proc.returncode, port))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("port %d did not open within %ss" % (port, timeout))


def end_of_tag(buf, start):
    """Index just past the '>' that closes the tag starting at buf[start] (quotes in attribute values skipped)."""
    quote = None
    i = start
    n = len(buf)
    while i < n:
        c = buf[i]
        if quote is not None:
            if c == quote:
                quote = None
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:
            return i + 1
        i += 1
    raise ValueError("unterminated tag at %d" % start)


class Stanza:
    """One top-level element as received: its exact bytes and a parsed tree (namespaces resolved)."""

    def __init__(self, raw, default_ns):
        self.raw = raw
        text = raw.decode("utf-8")
        wrapped = "<w xmlns='%s' xmlns:stream='%s'>%s</w>" % (default_ns, NS_STREAM, text)
        self.el = ET.fromstring(wrapped)[0]
        self.tag = self.el.tag.split("}")[-1]
        self.ns = self.el.tag[1:].split("}")[0] if self.el.tag.startswith("{") else ""

    def get(self, name, default=None):
        return self.el.get(name, default)

    def child(self, ns, name):
        return self.el.find("{%s}%s" % (ns, name))

    def __repr__(self):
        return self.raw.decode("utf-8", "replace")


class Transcript:
    """Per-party log of everything in and out, with step notes; written as one file per party."""

    def __init__(self):
        self.lock = threading.Lock()
        self.parties = {}   # party -> list of (kind, text)
        self.order = []

    def add(self, party, kind, text):
        with self.lock:
            if party not in self.parties:
                self.parties[party] = []
                self.order.append(party)
            self.parties[party].append((kind, text))

    def step(self, text, parties=None):
        """A note in every party's log (or only the named ones) so the transcripts can be read side by side."""
        with self.lock:
            for p in (parties or list(self.order)):
                self.parties.setdefault(p, [])
                if p not in self.order:
                    self.order.append(p)
                self.parties[p].append(("step", text))

    def write(self, out_dir, basename, header):
        os.makedirs(out_dir, exist_ok=True)
        written = []
        with self.lock:
            for party in self.order:
                entries = self.parties[party]
                if not any(k in ("in", "out") for k, _ in entries):
                    continue
                path = os.path.join(out_dir, "%s.%s.xml" % (basename, party))
                with open(path, "w", encoding="utf-8") as f:
                    f.write("<!-- %s -->\n" % header.replace("--", "- -"))
                    f.write("<!-- party: %s -->\n" % party)
                    for kind, text in entries:
                        if kind == "step":
                            f.write("<!-- step: %s -->\n" % text.replace("--", "- -"))
                        else:
                            f.write("<!-- %s -->\n%s\n" % (kind, text))
                written.append(path)
        return written


class XmppConnection:
    """A raw XMPP stream over TCP: a reader thread splits the input into top-level elements and logs their bytes."""

    def __init__(self, party, transcript, default_ns):
        self.party = party
        self.transcript = transcript
        self.default_ns = default_ns
        self.sock = None
        self.received = []
        self.cond = threading.Condition()
        self.stream_attrs = None
        self.closed = False
        self.close_reason = None
        self.recording = True
        self._reset_parser()

    # --- parsing -------------------------------------------------------------------------------------------
    def _reset_parser(self):
        self.buf = bytearray()
        self.depth = 0
        self.start_idx = None
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.pending_reset = False

    def _start(self, name, attrs):
        idx = self.parser.CurrentByteIndex
        if self.depth == 0:
            end = end_of_tag(self.buf, idx)
            raw = bytes(self.buf[:end]).strip()
            with self.cond:
                self.stream_attrs = attrs
                self.cond.notify_all()
            self._log("in", raw.decode("utf-8"))
        elif self.depth == 1:
            # the start tag is complete when this handler runs: an empty element <x .../> ends with it
            self.start_idx = idx
            self.start_end = end_of_tag(self.buf, idx)
            self.empty = self.buf[self.start_end - 2:self.start_end] == b"/>"
        self.depth += 1

    def _end(self, name):
        self.depth -= 1
        idx = self.parser.CurrentByteIndex
        if self.depth == 1:
            # expat reports where the end tag starts; an empty element <x/> has none (it then reports the index
            # after "/>", which may be where "</stream:stream>" starts)
            end = self.start_end if self.empty else end_of_tag(self.buf, idx)
            raw = bytes(self.buf[self.start_idx:end])
            try:
                st = Stanza(raw, self.default_ns)
            except ET.ParseError as e:
                raise RuntimeError("%s: cannot split stanza: idx=%d start=%d buf=%r" % (
                    self.party, idx, self.start_idx, bytes(self.buf[self.start_idx:])), ) from e
            self._log("in", raw.decode("utf-8"))
            if st.ns == NS_SASL and st.tag == "success":
                self.pending_reset = True
            self._auto_reply(st)
            with self.cond:
                self.received.append(st)
                self.cond.notify_all()
        elif self.depth == 0:
            self._log("in", "</stream:stream>")
            with self.cond:
                self.closed = True
                self.close_reason = "stream closed by peer"
                self.cond.notify_all()

    def _reader(self):
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                # after a SASL <success/> the server sends nothing until we open a new stream, so the parser
                # can be replaced once the chunk that held <success/> is parsed
                self.buf += data
                self.parser.Parse(data, False)
                if self.pending_reset:
                    self._reset_parser()
        except (OSError, xml.parsers.expat.ExpatError) as e:
            with self.cond:
                self.close_reason = "reader error: %r" % (e,)
        finally:
            with self.cond:
                if not self.closed:
                    self._log("event", "connection closed (%s)" % (self.close_reason or "EOF"))
                self.closed = True
                self.close_reason = self.close_reason or "EOF"
                self.cond.notify_all()

    def _auto_reply(self, st):
        """Hook for subclasses: answer a stanza from the reader thread (a client answers XEP-0199 pings)."""

    def _log(self, kind, text):
        if kind == "event":
            self.transcript.add(self.party, "step", "[event] " + text)
        elif self.recording:
            self.transcript.add(self.party, kind, text)

    # --- API -----------------------------------------------------------------------------------------------
    def connect(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.settimeout(None)
        self.thread = threading.Thread(target=self._reader, daemon=True, name="reader-" + self.party)
        self.thread.start()

    def send(self, xml_text):
        self._log("out", xml_text)
        self.sock.sendall(xml_text.encode("utf-8"))

    def mark(self):
        with self.cond:
            return len(self.received)

    def wait_for(self, pred, timeout=5.0, since=0, what="stanza"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for st in self.received[since:]:
                    if pred(st):
                        return st
                if self.closed:
                    raise RuntimeError("%s: connection closed while waiting for %s" % (self.party, what))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("%s: no %s within %ss" % (self.party, what, timeout))
                self.cond.wait(left)

    def maybe(self, pred, timeout=1.0, since=0):
        try:
            return self.wait_for(pred, timeout, since)
        except (TimeoutError, RuntimeError):
            return None

    def since(self, mark):
        with self.cond:
            return list(self.received[mark:])

    def wait_stream(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.stream_attrs is None:
                if self.closed:
                    raise RuntimeError("%s: closed before stream header" % self.party)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("%s: no stream header" % self.party)
                self.cond.wait(left)
            return self.stream_attrs

    def wait_closed(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    def close(self, send_end=True):
        if self.sock is None:
            return
        try:
            if send_end and not self.closed:
                self.send("</stream:stream>")
                self.wait_closed(2.0)
        except OSError:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(3)

    def abort(self):
        """Drops the TCP connection without closing the stream (like a crashed client)."""
        self._log("event", "TCP connection dropped by this side without </stream:stream>")
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(3)


def quiet(conns, idle=0.6, limit=4.0):
    """Waits until none of the connections has received anything for `idle` seconds (at most `limit`)."""
    deadline = time.monotonic() + limit
    last = [c.mark() for c in conns]
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = [c.mark() for c in conns]
        if now != last:
            last = now
            last_change = time.monotonic()
        elif time.monotonic() - last_change >= idle:
            return


class Component(XmppConnection):
    """XEP-0114 accept-side component."""

    def __init__(self, transcript, name=COMPONENT, party="component"):
        super().__init__(party, transcript, NS_COMPONENT)
        self.name = name

    def open(self, port, secret=SECRET):
        self.connect(port)
        self.send("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'"
                  " to='%s'>" % self.name)
        attrs = self.wait_stream()
        digest = hashlib.sha1((attrs["id"] + secret).encode("utf-8")).hexdigest()
        self.send("<handshake>%s</handshake>" % digest)
        self.wait_for(lambda s: s.tag == "handshake", what="handshake")
        return self


class Client(XmppConnection):
    """A c2s client: SASL PLAIN over plain TCP, resource binding; logs only after binding unless asked."""

    def __init__(self, transcript, user, resource, party=None, log_login=False, record=True):
        super().__init__(party or "%s-%s" % (user, resource), transcript, NS_CLIENT)
        self.record = record
        self.user = user
        self.resource = resource
        self.jid = "%s@%s/%s" % (user, DOMAIN, resource)
        self.recording = log_login
        self.ids = 0

    def _auto_reply(self, st):
        # like every real client: answer XEP-0199 pings
        if (self.recording and st.tag == "iq" and st.get("type") == "get"
                and st.el.find("{urn:xmpp:ping}ping") is not None):
            attrs = " to='%s'" % st.get("from") if st.get("from") else ""
            self.send("<iq type='result' id='%s'%s/>" % (st.get("id"), attrs))

    def next_id(self, prefix="c"):
        self.ids += 1
        return "%s-%s-%d" % (prefix, self.user, self.ids)

    def login(self, port):
        self.connect(port)
        header = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  "xmlns:stream='http://etherx.jabber.org/streams' to='%s' version='1.0'>" % DOMAIN)
        self.send(header)
        self.wait_for(lambda s: s.tag == "features", what="features")
        token = base64.b64encode(("\0%s\0%s" % (self.user, PASSWORD)).encode()).decode()
        self.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % token)
        res = self.wait_for(lambda s: s.ns == NS_SASL and s.tag in ("success", "failure"), what="sasl result")
        if res.tag != "success":
            raise RuntimeError("%s: SASL failure %r" % (self.party, res))
        # the reader resets its parser on <success/>; wait until that happened before restarting
        deadline = time.monotonic() + 2
        while self.pending_reset and time.monotonic() < deadline:
            time.sleep(0.01)
        with self.cond:
            self.stream_attrs = None
            self.received = []
        self.send(header)
        feats = self.wait_for(lambda s: s.tag == "features", what="features after auth")
        self.send("<iq type='set' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>%s</resource>"
                  "</bind></iq>" % self.resource)
        bound = self.wait_for(lambda s: s.tag == "iq" and s.get("id") == "bind-1", what="bind result")
        if bound.get("type") != "result":
            raise RuntimeError("%s: bind failed %r" % (self.party, bound))
        sess = feats.el.find("{urn:ietf:params:xml:ns:xmpp-session}session")
        if sess is not None and sess.find("{urn:ietf:params:xml:ns:xmpp-session}optional") is None:
            self.send("<iq type='set' id='sess-1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>")
            self.wait_for(lambda s: s.tag == "iq" and s.get("id") == "sess-1", what="session result")
        self.recording = self.record
        if self.record:
            self.transcript.step("logged in as %s (SASL PLAIN, bound; login exchange not recorded)" % self.jid,
                                 [self.party])
        return self

    def roster(self):
        iid = self.next_id("roster")
        m = self.mark()
        self.send("<iq type='get' id='%s'><query xmlns='jabber:iq:roster'/></iq>" % iid)
        res = self.wait_for(lambda s: s.tag == "iq" and s.get("id") == iid, since=m, what="roster result")
        items = {}
        for it in res.el.iter("{%s}item" % NS_ROSTER):
            items[it.get("jid")] = (it.get("subscription"), it.get("ask"))
        return items

    def presence(self, inner="", **attrs):
        a = "".join(" %s='%s'" % (k, v) for k, v in attrs.items())
        if inner:
            self.send("<presence%s>%s</presence>" % (a, inner))
        else:
            self.send("<presence%s/>" % a)


# --- servers ---------------------------------------------------------------------------------------------------

class Server:
    kind = None

    def __init__(self, base_dir):
        self.dir = tempfile.mkdtemp(prefix="offhook-xmpp-%s." % self.kind, dir=base_dir)
        self.c2s_port = free_port()
        self.component_port = free_port()
        self.nopriv_port = self.component_port
        self.proc = None

    def port_for(self, component):
        return self.nopriv_port if component == NOPRIV_COMPONENT else self.component_port

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stops the server by its process group (we started it in a session of its own)."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)
        # children of the group (beam helpers) must be gone too
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None

    def popen(self, argv, env=None, log_name="server.out"):
        out = open(os.path.join(self.dir, log_name), "ab")
        self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=env, cwd=self.dir)
        out.close()


class Prosody(Server):
    kind = "prosody"

    def write_config(self):
        d = self.dir
        cfg = f"""
-- Offhook XMPP lab: Prosody 0.12 on loopback, no TLS, trusted component with XEP-0356
run_as_root = true
pidfile = "{d}/prosody.pid"
data_path = "{d}/data"
plugin_paths = {{ "/usr/lib/prosody/modules/mod_privilege" }}
log = {{ debug = "{d}/prosody.log"; error = "{d}/prosody.err" }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {self.c2s_port} }}
c2s_direct_tls_ports = {{ }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
component_ports = {{ {self.component_port} }}
component_interfaces = {{ "127.0.0.1" }}
modules_enabled = {{ "roster"; "saslauth"; "disco"; "ping"; "presence"; "privilege" }}
modules_disabled = {{ "s2s"; "offline" }}
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true

VirtualHost "{DOMAIN}"
    privileged_entities = {{
        ["{COMPONENT}"] = {{ roster = "get"; presence = "roster"; message = "outgoing";
            iq = {{ ["http://jabber.org/protocol/commands"] = "set" }} }};
    }}

Component "{COMPONENT}"
    component_secret = "{SECRET}"
    validate_from_addresses = false
    modules_enabled = {{ "privilege" }}

Component "{NOPRIV_COMPONENT}"
    component_secret = "{SECRET}"
    validate_from_addresses = false
"""
        os.makedirs(os.path.join(d, "data"), exist_ok=True)
        self.cfg = os.path.join(d, "prosody.cfg.lua")
        with open(self.cfg, "w") as f:
            f.write(cfg)

    def prepare(self):
        self.write_config()
        for u in USERS:
            subprocess.run(["prosodyctl", "--config", self.cfg, "register", u, DOMAIN, PASSWORD], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)

    def start(self):
        self.popen(["prosody", "--config", self.cfg, "-F"])
        wait_port(self.c2s_port, 20, self.proc)
        wait_port(self.component_port, 20, self.proc)

    def version(self):
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "prosody"], capture_output=True, text=True)
        return "Prosody " + out.stdout + " with prosody-modules mod_privilege " + subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "prosody-modules"], capture_output=True, text=True).stdout


class Ejabberd(Server):
    kind = "ejabberd"

    def __init__(self, base_dir):
        super().__init__(base_dir)
        self.dist_port = free_port()
        # ejabberd_service routes EVERY host of its listener over each connection that authenticates: a component
        # without privileges needs a listener of its own
        self.nopriv_port = free_port()
        self.node = "offhooklab%d@localhost" % self.dist_port

    def write_config(self):
        d = self.dir
        os.makedirs(os.path.join(d, "conf"), exist_ok=True)
        os.makedirs(os.path.join(d, "spool"), exist_ok=True)
        os.makedirs(os.path.join(d, "logs"), exist_ok=True)
        yml = f"""# Offhook XMPP lab: ejabberd 23.01 on loopback, no TLS, trusted component with XEP-0356
hosts: ["{DOMAIN}"]
loglevel: info
log_rotate_count: 0
certfiles: []
acme: {{auto: false}}
auth_method: internal
auth_password_format: plain
listen:
  - port: {self.c2s_port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    access: c2s
    starttls_required: false
  - port: {self.component_port}
    ip: "127.0.0.1"
    module: ejabberd_service
    check_from: false
    hosts:
      "{COMPONENT}": {{password: "{SECRET}"}}
  - port: {self.nopriv_port}
    ip: "127.0.0.1"
    module: ejabberd_service
    check_from: false
    hosts:
      "{NOPRIV_COMPONENT}": {{password: "{SECRET}"}}
acl:
  local: {{user_regexp: ""}}
  phone_component: {{server: "{COMPONENT}"}}
access_rules:
  local: {{allow: local}}
  c2s: {{allow: all}}
  phone_priv: {{allow: phone_component}}
api_permissions:
  "console commands":
    from: [ejabberd_ctl]
    who: all
    what: "*"
modules:
  mod_roster: {{}}
  mod_disco: {{}}
  mod_ping: {{}}
  mod_privilege:
    roster: {{get: phone_priv}}
    presence: {{roster: phone_priv}}
    message: {{outgoing: phone_priv}}
"""
        with open(os.path.join(d, "conf", "ejabberd.yml"), "w") as f:
            f.write(yml)
        with open(os.path.join(d, "conf", "ejabberdctl.cfg"), "w") as f:
            f.write("INET_DIST_INTERFACE=127.0.0.1\nERL_EPMD_ADDRESS=127.0.0.1\n"
                    "ERL_DIST_PORT=%d\nERLANG_NODE=%s\n" % (self.dist_port, self.node))
        shutil.copy("/etc/ejabberd/inetrc", os.path.join(d, "conf", "inetrc"))
        ent = pwd.getpwnam("ejabberd")
        for root, dirs, files in os.walk(d):
            os.chown(root, ent.pw_uid, ent.pw_gid)
            for n in files:
                os.chown(os.path.join(root, n), ent.pw_uid, ent.pw_gid)

    def ctl_argv(self, *args):
        d = self.dir
        return ["runuser", "-u", "ejabberd", "--", "ejabberdctl", "--config-dir", d + "/conf", "--spool",
                d + "/spool", "--logs", d + "/logs"] + list(args)

    def env(self):
        e = dict(os.environ)
        e["HOME"] = self.dir
        return e

    def ctl(self, *args, timeout=60):
        return subprocess.run(self.ctl_argv(*args), env=self.env(), capture_output=True, text=True,
                              timeout=timeout, cwd=self.dir, start_new_session=True)

    def prepare(self):
        self.write_config()
        self.registered = False

    def start(self):
        self.popen(self.ctl_argv("foreground"), env=self.env())
        wait_port(self.c2s_port, 60, self.proc)
        wait_port(self.component_port, 60, self.proc)
        if not self.registered:
            for u in USERS:
                r = self.ctl("register", u, DOMAIN, PASSWORD)
                if r.returncode != 0:
                    raise RuntimeError("ejabberdctl register %s: %s %s" % (u, r.stdout, r.stderr))
            self.registered = True

    def version(self):
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "ejabberd"], capture_output=True, text=True)
        return "ejabberd " + out.stdout


def make_server(kind, base_dir):
    return {"prosody": Prosody, "ejabberd": Ejabberd}[kind](base_dir)
