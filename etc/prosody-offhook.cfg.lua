-- Offhook on Prosody 0.12: what your server needs so that Offhook can show your users' phone state as presence.
--
-- Offhook connects to Prosody as a trusted external component (XEP-0114) and uses XEP-0356 (Privileged Entity,
-- module "privilege" from prosody-modules) to read the rosters of your users and to see who is online. It never
-- needs a user's password. Read this file once from top to bottom: every line says what it is for.
--
-- HOW TO USE IT
--   1. Install the community modules: apt-get install prosody-modules (Debian/Ubuntu). It puts mod_privilege in
--      /usr/lib/prosody/modules/mod_privilege/, where Prosody finds it. From a prosody-modules checkout instead, add
--      the checkout's directory to plugin_paths in your prosody.cfg.lua.
--   2. Copy this file to /etc/prosody/conf.d/offhook.cfg.lua (Debian's prosody.cfg.lua ends with
--      Include "conf.d/*.cfg.lua"), or put  Include "offhook.cfg.lua"  at the END of your prosody.cfg.lua.
--      Do not paste it below a VirtualHost line of your own file: Prosody would read the global lines below as
--      options of that host. An included file starts in the global section, so Include is safe.
--   3. Change the four values just below (they are the only ones that differ between servers), then
--      prosodyctl check config && prosodyctl reload  (or restart).
--   4. Give Offhook the same component domain, port and secret in its own config.
--
-- THE INTEGRATION TESTS RUN THIS VERY FILE (integration-tests/.../Prosody.java): they copy it, replace the example
-- values "example.com", "phone.example.com", "CHANGE-ME-to-a-long-random-secret" and 5347 wherever they occur as a
-- whole word (nothing else is changed, and the test fails if one of them is missing), and Include it from a small
-- main config of their own that stands for "your server": loopback ports, a throw-away data directory, and c2s
-- without TLS because a test has no certificate. Keep these example values when you edit this template.

-- Your users' domain: the VirtualHost whose users' phone state Offhook shows. It must already be a VirtualHost of
-- your server (this file adds options to it; declaring it here again is harmless).
local domain = "example.com"

-- The component's own address: a sub-domain of yours that no user or other service uses. Offhook's resource-mode
-- presence comes from user@example.com/phone, but the connection itself is phone.example.com. Nobody needs a DNS
-- record for it: only Offhook connects to it, over the component port below.
local component_domain = "phone.example.com"

-- The shared secret of the component handshake (XEP-0114: sha1(stream id + secret)). Use a long random string
-- (e.g. openssl rand -hex 32), the same in Offhook's config. Whoever knows it can act as any of your users, since
-- the component is trusted (see validate_from_addresses below): keep this file readable by root and prosody only
-- (chmod 640, group prosody).
local secret = "CHANGE-ME-to-a-long-random-secret"

-- The TCP port Prosody listens on for external components (5347 is the usual one).
local component_port = 5347

-- The component port, bound to loopback only. XEP-0114 has no TLS: the secret handshake is the only protection, so
-- never expose this port to a network. Run Offhook on the same machine; if it must run elsewhere, bind to a private
-- interface and tunnel it (WireGuard, stunnel, ssh), never to a public address.
component_ports = { component_port }
component_interfaces = { "127.0.0.1" }

VirtualHost (domain)
	-- mod_privilege must run on the user host (it answers the component's roster requests and forwards presence)
	-- AND on the component (below). Listing it here adds it to your global modules_enabled for this host only.
	-- If your own VirtualHost block already sets modules_enabled, add "privilege" there instead: a second
	-- host-level modules_enabled would replace the first.
	-- "pep" (XEP-0163, on in Prosody's stock config) holds the users' XEP-0108 activity that Offhook publishes
	-- (mapping option activity=on); listing it again is harmless, leave it out if you do not use activity.
	modules_enabled = { "privilege"; "pep" }

	-- XEP-0356 permissions of the component on this host's users. Give no more than Offhook uses:
	privileged_entities = {
		[component_domain] = {
			-- Read any user's roster: Offhook sends phone presence only to contacts with subscription
			-- "from" or "both" (your server does not check this for a trusted component, Offhook does).
			roster = "get";
			-- Receive the presence of your users and of their contacts: Offhook learns who is online, so
			-- that it can send the phone state to contacts as they log in, and the user's own status
			-- (their own "do not disturb" outranks "on the phone").
			presence = "roster";
			-- Send messages from the server's own address (XEP-0356 "outgoing", bare JIDs only). Phone
			-- presence does not depend on it; it is there for notices from Offhook to your users. Remove
			-- the line if you do not want that.
			message = "outgoing";
			-- Privileged IQs on behalf of a user, for the presentation modes that change the user's own
			-- client (Prosody only; ejabberd 23.01 has no IQ permission). Each is sent "from" the user's
			-- bare JID, to the user's own clients or PEP service only. Remove the lines of a mode you do not
			-- use; Offhook then shows those users with remote-control.fallback and says so once in its log.
			iq = {
				-- XEP-0050 ad-hoc commands to the user's own clients: XEP-0146 remote control
				-- ("set status" while on the phone, restored afterwards).
				["http://jabber.org/protocol/commands"] = "set";
				-- XEP-0030 items of the user's own clients: which of them offer XEP-0146 set-status
				-- (asked once per client session, before remote control uses it).
				["http://jabber.org/protocol/disco#items"] = "get";
				-- Publish to the user's own PEP node: XEP-0108 user activity "talking/on_the_phone".
				["http://jabber.org/protocol/pubsub"] = "set";
			};
		};
	}

Component (component_domain)
	-- (The local above is called "secret", not "component_secret": in Lua, "component_secret = component_secret"
	-- would assign the local to itself and leave Prosody's option unset, and every handshake would fail.)
	component_secret = secret

	-- Trust the component to send stanzas from your users' addresses (user@example.com/phone). Without it Prosody
	-- closes the connection with <invalid-from/> at the first presence. This is what makes the component
	-- powerful; it is why the port is loopback-only and the secret must be strong.
	validate_from_addresses = false

	-- The component side of XEP-0356: it sends the component its permissions when it connects.
	modules_enabled = { "privilege" }

-- FOR PRODUCTION, nothing else in this file changes. Your prosody.cfg.lua keeps what a public server needs:
--   * TLS for clients: Prosody's default c2s_require_encryption = true, certificates under /etc/prosody/certs
--     (prosodyctl cert import /etc/letsencrypt/live), and allow_unencrypted_plain_auth left at false. The
--     integration tests switch c2s encryption off only in their own main config, never here.
--   * your real domain above, and a DNS SRV/A record for it (not for the component domain).
--   * the component port closed in your firewall as well, as a second line of defence.
