package io.offhook.app;

import io.offhook.config.ConfigException;
import io.offhook.config.Settings;
import io.offhook.fallback.FallbackSettings;
import io.offhook.mapping.NumberPlan;
import io.offhook.metrics.MetricsServer;
import io.offhook.presence.PresentationMode;
import io.offhook.publish.EngineSettings;
import io.offhook.publish.GatewayPolicy;
import io.offhook.remote.Fallback;
import io.offhook.remote.RemoteSettings;
import io.offhook.tap.capture.LiveCaptureConfig;
import io.offhook.tap.hep.HepConfig;
import io.offhook.tap.publish.PublishConfig;
import io.offhook.tap.publish.PublisherCredentials;
import io.offhook.tap.publish.out.SipPublishConfig;
import io.offhook.tap.subscribe.DigestCredentials;
import io.offhook.tap.subscribe.SubscribeConfig;
import io.offhook.tap.track.TrackerConfig;
import io.offhook.xmpp.stream.ComponentSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xmpp.packet.JID;

/**
 * Everything {@code offhook} reads from its config file, typed and validated; {@link #from} reports every problem
 * at once, each naming the file, line and key. The keys, their defaults and their meaning are documented in
 * {@code etc/offhook.conf}; {@link #KEYS} lists them, and a test keeps the two in step.
 *
 * @param component the XEP-0114 connection (the secret is not printed by its {@code toString})
 * @param engine how presence is shown
 * @param presenceMapping the {@link io.offhook.presence.PresenceMapping} name ({@code presence.mapping})
 * @param presenceSettings every {@code presence.*} entry, for the mapping to configure itself
 * @param pluginDir where jars with mappings of one's own are looked for ({@code plugins.dir})
 * @param mappingFile the identity mapping file ({@code mapping.file})
 * @param mappingPoll how often the mapping file is checked for changes ({@code mapping.reload-interval})
 * @param numberPlan how telephone numbers are normalised to E.164
 * @param hep the HEP listener, empty when {@code hep.listen = off}
 * @param capture live capture, empty unless {@code capture.interface} is set
 * @param tracker the tap's tracker settings
 * @param engineQueue inputs that may wait for the engine ({@code engine.queue})
 * @param gatewayStateFile where gateway subscriptions are kept across restarts ({@code gateway.state-file});
 *     empty keeps them in memory only
 * @param metricsListen where {@code GET /metrics} and {@code GET /health} are served ({@code metrics.listen});
 *     empty when off
 * @param adminJids the bare JIDs allowed to run the XEP-0050 admin commands ({@code admin.jids}); empty: nobody
 * @param remote remote control and user activity ({@code remote-control.*}, {@code activity.*})
 * @param fallback the per-user login fallback ({@code fallback.*}; login mode is unavailable without
 *     {@code fallback.credentials-file})
 * @param stateFile where registrations, calls and shown presences are kept across restarts ({@code state.file});
 *     empty: not kept
 * @param stateInterval how often the state is saved when it changed ({@code state.interval})
 * @param publish the SIP PUBLISH receiver ({@code publish.*}), empty when {@code publish.listen = off}
 * @param sipPublish chat presence into SIP ({@code sip-publish.*}), empty when {@code sip-publish.target} is off
 * @param dialogSubscribe the dialog-event subscriber ({@code dialog-subscribe.*}), empty when
 *     {@code dialog-subscribe.target} is empty
 */
public record OffhookConfig(ComponentSettings component, EngineSettings engine, String presenceMapping,
                            Map<String, String> presenceSettings, Optional<Path> pluginDir, Path mappingFile,
                            Duration mappingPoll, NumberPlan numberPlan, Optional<HepConfig> hep,
                            Optional<LiveCaptureConfig> capture, TrackerConfig tracker, int engineQueue,
                            Optional<Path> gatewayStateFile, Optional<InetSocketAddress> metricsListen,
                            Set<JID> adminJids, RemoteSettings remote, FallbackSettings fallback,
                            Optional<Path> stateFile, Duration stateInterval, Optional<PublishConfig> publish,
                            Optional<SipPublish> sipPublish,
                            Optional<SubscribeConfig> dialogSubscribe) {

    /**
     * Chat presence into SIP ({@code sip-publish.*}).
     *
     * @param sip where and how to publish
     * @param users whose chat presence is published: empty for every mapped user
     */
    public record SipPublish(SipPublishConfig sip, Set<JID> users) {
        /** Copies the set. */
        public SipPublish {
            java.util.Objects.requireNonNull(sip, "sip");
            users = Set.copyOf(users);
        }
    }

    /** Every key the file may set (besides {@code presence.*} keys a mapping of one's own reads). */
    public static final List<String> KEYS = List.of(
            "xmpp.host", "xmpp.port", "xmpp.component.domain", "xmpp.component.secret-file", "xmpp.server-domain",
            "xmpp.connect-timeout", "xmpp.ping-interval", "xmpp.ping-timeout", "xmpp.retry-max",
            "xmpp.auth-retry-max",
            "presence.mode", "presence.resource", "presence.mapping", "presence.combine-format",
            "presence.show-idle", "presence.priority.idle", "presence.priority.in-call",
            "presence.idle.show", "presence.idle.text", "presence.dialing.show", "presence.dialing.text",
            "presence.ringing.show", "presence.ringing.text", "presence.on-the-phone.show",
            "presence.on-the-phone.text", "presence.on-hold.show", "presence.on-hold.text",
            "plugins.dir",
            "roster.refresh", "roster.timeout", "roster.max-in-flight",
            "gateway.subscribers", "gateway.state-file",
            "remote-control.fallback", "remote-control.timeout", "remote-control.max-in-flight",
            "remote-control.retries", "activity.default",
            "mapping.file", "mapping.reload-interval", "mapping.country-code", "mapping.national-prefix",
            "mapping.international-prefix",
            "hep.listen", "hep.transports", "hep.allow", "hep.auth-key-file",
            "capture.interface", "capture.filter",
            "tap.asserted-identity", "tap.ring-timeout", "tap.call-silence-timeout", "tap.max-calls",
            "tap.max-ringing-per-user",
            "engine.queue",
            MetricsServer.KEY_LISTEN, "admin.jids",
            FallbackSettings.KEY_CREDENTIALS_FILE, FallbackSettings.KEY_PRIORITY,
            FallbackSettings.KEY_CONCURRENT_LOGINS, FallbackSettings.KEY_RETRY_MIN, FallbackSettings.KEY_RETRY_MAX,
            FallbackSettings.KEY_CONNECT_TIMEOUT, "state.file", "state.interval",
            "publish.listen", "publish.transports", "publish.allow", "publish.auth-file", "publish.auth-realm",
            "publish.min-expires", "publish.max-expires", "publish.max-publications", "publish.max-body",
            "publish.rate-limit", "publish.busy-is-on-the-phone",
            "sip-publish.target", "sip-publish.transport", "sip-publish.listen", "sip-publish.expires",
            "sip-publish.timeout", "sip-publish.backoff-min", "sip-publish.backoff-max", "sip-publish.users",
            "sip-publish.max-users",
            "dialog-subscribe.target", "dialog-subscribe.transport", "dialog-subscribe.listen",
            "dialog-subscribe.from", "dialog-subscribe.expires", "dialog-subscribe.users",
            "dialog-subscribe.rate-limit", "dialog-subscribe.retry-min", "dialog-subscribe.retry-max",
            "dialog-subscribe.auth-user", "dialog-subscribe.auth-password-file");

    /** Reads and validates; throws every problem at once. */
    public static OffhookConfig from(Settings s) throws ConfigException {
        String domain = s.required("xmpp.component.domain");
        JID componentJid = s.parsed("xmpp.component.domain", null, OffhookConfig::domainJid);
        int dot = domain.indexOf('.');
        String serverDomain = s.string("xmpp.server-domain", dot > 0 ? domain.substring(dot + 1) : domain);
        String secret = s.secretFile("xmpp.component.secret-file");
        String host = s.string("xmpp.host", "127.0.0.1");
        int port = s.integer("xmpp.port", 5347, 1, 65535);
        Duration connectTimeout = s.duration("xmpp.connect-timeout", Duration.ofSeconds(5));
        Duration pingInterval = s.duration("xmpp.ping-interval", Duration.ofSeconds(10));
        Duration pingTimeout = s.duration("xmpp.ping-timeout", Duration.ofSeconds(5));
        Duration retryMax = s.duration("xmpp.retry-max", Duration.ofSeconds(2));
        Duration authRetryMax = s.duration("xmpp.auth-retry-max", Duration.ofSeconds(60));
        ComponentSettings component = null;
        if (!secret.isEmpty()) {
            // (An unreadable secret is already among the problems.)
            try {
                component = new ComponentSettings(host, port, domain, secret, serverDomain, connectTimeout,
                        pingInterval, pingTimeout, Duration.ofMillis(250), retryMax, authRetryMax, 1_000_000);
            } catch (IllegalArgumentException e) {
                // ComponentSettings names the key in its message.
                s.problem("xmpp.component.domain", e.getMessage());
            }
        }

        PresentationMode mode = s.parsed("presence.mode", PresentationMode.RESOURCE, PresentationMode::parse);
        String resource = s.string("presence.resource", "phone");
        String mappingName = s.string("presence.mapping", "default");
        String combine = s.string("presence.combine-format", "{own} ({phone})");
        if (!combine.contains("{own}") || !combine.contains("{phone}")) {
            s.problem("presence.combine-format", "'" + combine + "' must contain {own} and {phone}");
        }
        Map<String, String> presence = s.withPrefix("presence.");
        if (mappingName.equals("default")) {
            for (String key : presence.keySet()) {
                if (!KEYS.contains(key)) {
                    s.problem(key, "unknown key for the default presence mapping");
                }
            }
        }
        GatewayPolicy gateway = s.parsed("gateway.subscribers", GatewayPolicy.CONTACTS,
                v -> GatewayPolicy.valueOf(v.toUpperCase(Locale.ROOT)));
        EngineSettings engine = null;
        if (componentJid != null) {
            try {
                engine = new EngineSettings(componentJid, resource, mode, combine,
                        s.duration("roster.refresh", Duration.ofMinutes(5)),
                        s.duration("roster.timeout", Duration.ofSeconds(10)),
                        s.integer("roster.max-in-flight", 64, 1, 10_000), gateway);
            } catch (IllegalArgumentException e) {
                s.problem("presence.resource", e.getMessage());
            }
        }

        Path mappingFile = s.path("mapping.file").orElse(null);
        if (mappingFile == null) {
            s.problem("mapping.file", "must name the identity mapping file (see etc/users.map)");
        }
        Duration mappingPoll = s.duration("mapping.reload-interval", Duration.ofSeconds(2));
        NumberPlan plan = numberPlan(s);

        Optional<HepConfig> hep = hep(s);
        Optional<LiveCaptureConfig> capture = s.optional("capture.interface")
                .map(i -> LiveCaptureConfig.of(i, s.string("capture.filter", LiveCaptureConfig.DEFAULT_FILTER)));
        if (capture.isEmpty()) {
            s.string("capture.filter", "");
        }
        Optional<PublishConfig> publish = publish(s);
        Optional<SipPublish> sipPublish = sipPublish(s);
        Optional<SubscribeConfig> dialogSubscribe = dialogSubscribe(s);
        if (hep.isEmpty() && capture.isEmpty() && publish.isEmpty() && dialogSubscribe.isEmpty()) {
            s.problem("hep.listen", "off, and no capture.interface, publish.listen or dialog-subscribe.target either: "
                    + "Offhook would see no SIP");
        }
        TrackerConfig tracker = TrackerConfig.DEFAULTS
                .withUseAssertedIdentity(s.bool("tap.asserted-identity", false))
                .withRingTimeout(s.duration("tap.ring-timeout", TrackerConfig.DEFAULTS.ringTimeout()))
                .withCallSilenceTimeout(s.duration("tap.call-silence-timeout",
                        TrackerConfig.DEFAULTS.callSilenceTimeout()))
                .withMaxCalls(s.integer("tap.max-calls", TrackerConfig.DEFAULTS.maxCalls(), 100, 50_000_000))
                .withMaxRingingPerUser(s.integer("tap.max-ringing-per-user",
                        TrackerConfig.DEFAULTS.maxRingingPerUser(), 1, 100_000));
        int queue = s.integer("engine.queue", 100_000, 1_000, 10_000_000);
        Optional<Path> plugins = s.path("plugins.dir");
        Optional<Path> gatewayState = s.path("gateway.state-file");
        Optional<InetSocketAddress> metrics = s.parsed(MetricsServer.KEY_LISTEN, Optional.empty(),
                MetricsServer::parseListen);
        Set<JID> admins = adminJids(s);
        RemoteSettings remote = remote(s);
        FallbackSettings fallback = FallbackSettings.from(s, resource, combine, mode).orElse(null);
        Optional<Path> stateFile = s.path("state.file");
        Duration stateInterval = s.duration("state.interval", Duration.ofSeconds(5));
        s.check(KEYS);
        return new OffhookConfig(component, engine, mappingName, presence, plugins, mappingFile, mappingPoll, plan,
                hep, capture, tracker, queue, gatewayState, metrics, admins, remote, fallback, stateFile,
                stateInterval, publish, sipPublish, dialogSubscribe);
    }

    /**
     * {@code dialog-subscribe.*}: the dialog-event subscriber. Every key is read (and so checked) even when it is
     * off, so a typo is reported before anyone switches it on.
     */
    private static Optional<SubscribeConfig> dialogSubscribe(Settings s) {
        String target = s.string("dialog-subscribe.target", "");
        String transport = s.string("dialog-subscribe.transport", "udp").toLowerCase(Locale.ROOT);
        String listen = s.string("dialog-subscribe.listen", "127.0.0.1:" + SubscribeConfig.DEFAULT_PORT);
        Optional<String> from = s.optional("dialog-subscribe.from");
        Duration expires = s.duration("dialog-subscribe.expires", SubscribeConfig.DEFAULT_EXPIRES);
        List<String> users = s.list("dialog-subscribe.users");
        int rate = s.integer("dialog-subscribe.rate-limit", 20, 1, 10_000);
        Duration retryMin = s.duration("dialog-subscribe.retry-min", Duration.ofSeconds(1));
        Duration retryMax = s.duration("dialog-subscribe.retry-max", Duration.ofMinutes(5));
        Optional<String> authUser = s.optional("dialog-subscribe.auth-user");
        String password = authUser.isPresent() ? s.secretFile("dialog-subscribe.auth-password-file") : "";
        if (authUser.isEmpty() && s.optional("dialog-subscribe.auth-password-file").isPresent()) {
            s.problem("dialog-subscribe.auth-user", "must be set with dialog-subscribe.auth-password-file");
        }
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            s.problem("dialog-subscribe.transport", "'" + transport + "' is neither udp nor tcp");
        }
        if (target.isBlank()) {
            return Optional.empty();
        }
        SubscribeConfig.Target t;
        try {
            t = SubscribeConfig.Target.parse(target);
        } catch (IllegalArgumentException e) {
            s.problem("dialog-subscribe.target", e.getMessage());
            return Optional.empty();
        }
        int colon = listen.lastIndexOf(':');
        String portText = colon < 0 ? "" : listen.substring(colon + 1);
        if (colon <= 0 || portText.isEmpty() || portText.length() > 5
                || !portText.chars().allMatch(Character::isDigit)) {
            s.problem("dialog-subscribe.listen", "'" + listen + "' is not ADDRESS:PORT");
            return Optional.empty();
        }
        String key = "dialog-subscribe.target";
        try {
            SubscribeConfig c = SubscribeConfig.of(t.host(), t.port(), transport.equals("tcp"),
                    listen.substring(0, colon).replace("[", "").replace("]", ""), Integer.parseInt(portText));
            key = "dialog-subscribe.from";
            if (from.isPresent()) {
                c = c.withFrom(from.get());
            }
            key = "dialog-subscribe.expires";
            c = c.withExpires(expires);
            key = "dialog-subscribe.users";
            c = c.withUsers(users);
            key = "dialog-subscribe.retry-min";
            c = c.withRate(rate).withRetry(retryMin, retryMax);
            key = "dialog-subscribe.auth-user";
            if (authUser.isPresent() && !password.isEmpty()) {
                c = c.withCredentials(new DigestCredentials(authUser.get(), password));
            }
            return Optional.of(c);
        } catch (IllegalArgumentException e) {
            s.problem(e.getMessage() != null && e.getMessage().startsWith("listen") ? "dialog-subscribe.listen" : key,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code admin.jids}: bare JIDs of people (user@domain), each checked; a bad one is a problem naming it. */
    private static Set<JID> adminJids(Settings s) {
        Set<JID> admins = new LinkedHashSet<>();
        for (String text : s.list("admin.jids")) {
            try {
                JID jid = new JID(text);
                if (jid.getNode() == null || jid.getResource() != null) {
                    s.problem("admin.jids", "'" + text + "' is not a bare JID of a person such as admin@example.com");
                } else {
                    admins.add(jid);
                }
            } catch (IllegalArgumentException e) {
                s.problem("admin.jids", "'" + text + "' is not a valid JID (" + e.getMessage() + ")");
            }
        }
        return Set.copyOf(admins);
    }

    private static JID domainJid(String domain) {
        JID jid = new JID(domain);
        if (jid.getNode() != null || jid.getResource() != null) {
            throw new IllegalArgumentException("'" + domain + "' must be a plain domain such as phone.example.com");
        }
        return jid;
    }

    private static RemoteSettings remote(Settings s) {
        RemoteSettings d = RemoteSettings.DEFAULTS;
        Fallback fallback = s.parsed("remote-control.fallback", d.fallback(), Fallback::parse);
        Duration timeout = s.duration("remote-control.timeout", d.timeout());
        if (timeout.compareTo(Duration.ofSeconds(120)) >= 0) {
            s.problem("remote-control.timeout", timeout.toSeconds()
                    + " s is not below Prosody's own 120 s limit for privileged IQs");
        }
        int inFlight = s.integer("remote-control.max-in-flight", d.maxInFlight(), 1, 10_000);
        int retries = s.integer("remote-control.retries", d.retries(), 0, 100);
        boolean activity = s.bool("activity.default", d.activityDefault());
        // (Each value is already checked: positive duration, integers within their bounds.)
        return new RemoteSettings(fallback, timeout, inFlight, retries, activity);
    }

    private static NumberPlan numberPlan(Settings s) {
        try {
            return new NumberPlan(s.optional("mapping.country-code"), s.optional("mapping.national-prefix"),
                    s.optional("mapping.international-prefix"));
        } catch (IllegalArgumentException e) {
            // NumberPlan names the value; which of the three keys is wrong its message says.
            s.problem("mapping.country-code", e.getMessage());
            return NumberPlan.NONE;
        }
    }

    /**
     * {@code publish.*}: the SIP PUBLISH receiver. Every key is read (and so checked) even when it is off, so a typo
     * is reported before anyone switches it on.
     */
    private static Optional<PublishConfig> publish(Settings s) {
        PublishConfig d = PublishConfig.defaults();
        String listen = s.string("publish.listen", "off");
        List<String> transports = s.list("publish.transports");
        List<String> allow = s.list("publish.allow");
        Optional<Path> authFile = s.path("publish.auth-file");
        String realm = s.string("publish.auth-realm", d.realm());
        Duration min = s.duration("publish.min-expires", d.minExpires());
        Duration max = s.duration("publish.max-expires", d.maxExpires());
        int maxPublications = s.integer("publish.max-publications", d.maxPublications(), 1, 10_000_000);
        int maxBody = s.integer("publish.max-body", d.maxBodyBytes(), PublishConfig.MIN_BODY_LIMIT,
                PublishConfig.MAX_BODY_LIMIT);
        int rate = s.integer("publish.rate-limit", d.ratePerSecond(), 1, 1_000_000);
        boolean busy = s.bool("publish.busy-is-on-the-phone", d.busyIsOnThePhone());
        PublisherCredentials credentials = PublisherCredentials.none();
        if (authFile.isPresent()) {
            try {
                credentials = PublisherCredentials.load(authFile.get());
                if (credentials.isEmpty()) {
                    s.problem("publish.auth-file", authFile.get() + " names no publisher (lines 'user = password')");
                }
            } catch (IOException e) {
                s.problem("publish.auth-file", "cannot read " + authFile.get() + " (" + e + ")");
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                s.problem("publish.auth-file", String.valueOf(e.getMessage()));
            }
        }
        if (listen.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            s.problem("publish.listen", "'" + listen + "' is not ADDRESS:PORT (or off)");
            return Optional.empty();
        }
        String portText = listen.substring(colon + 1);
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
            s.problem("publish.listen", "'" + listen + "' is not ADDRESS:PORT (or off)");
            return Optional.empty();
        }
        for (String t : transports) {
            if (!t.equalsIgnoreCase("udp") && !t.equalsIgnoreCase("tcp")) {
                s.problem("publish.transports", "'" + t + "' is neither udp nor tcp");
            }
        }
        if (allow.size() == 1 && allow.get(0).equalsIgnoreCase("any")) {
            allow = List.of();
            if (credentials.isEmpty()) {
                s.problem("publish.allow", "'any' needs publish.auth-file: otherwise anyone could publish");
                return Optional.empty();
            }
        } else if (allow.isEmpty()) {
            allow = d.allowList();
        }
        if (min.toMillis() % 1000 != 0 || max.toMillis() % 1000 != 0) {
            s.problem(min.toMillis() % 1000 != 0 ? "publish.min-expires" : "publish.max-expires",
                    "must be whole seconds (SIP's Expires counts seconds)");
            return Optional.empty();
        }
        try {
            PublishConfig c = d.withListen(listen.substring(0, colon).replace("[", "").replace("]", ""),
                            Integer.parseInt(portText))
                    .withAccess(allow, credentials, realm)
                    .withExpires(min, max)
                    .withLimits(maxPublications, maxBody, rate)
                    .withBusyIsOnThePhone(busy);
            if (!transports.isEmpty()) {
                c = c.withTransports(transports.stream().anyMatch("udp"::equalsIgnoreCase),
                        transports.stream().anyMatch("tcp"::equalsIgnoreCase));
            }
            return Optional.of(c);
        } catch (IllegalArgumentException e) {
            String key = e.getMessage() != null && e.getMessage().contains("xpires") ? "publish.max-expires"
                    : e.getMessage() != null && e.getMessage().contains("allow") ? "publish.allow"
                    : e.getMessage() != null && e.getMessage().contains("realm") ? "publish.auth-realm"
                    : e.getMessage() != null && e.getMessage().contains("udp") ? "publish.transports"
                    : "publish.listen";
            s.problem(key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@code sip-publish.*}: chat presence into SIP. Every key is read (and so checked) even when it is off.
     */
    private static Optional<SipPublish> sipPublish(Settings s) {
        String target = s.string("sip-publish.target", "off").trim();
        String transport = s.string("sip-publish.transport", "udp");
        String listen = s.string("sip-publish.listen", "127.0.0.1:5062");
        Duration expires = s.duration("sip-publish.expires", Duration.ofHours(1));
        Duration timeout = s.duration("sip-publish.timeout", Duration.ofSeconds(8));
        Duration backoffMin = s.duration("sip-publish.backoff-min", Duration.ofSeconds(1));
        Duration backoffMax = s.duration("sip-publish.backoff-max", Duration.ofMinutes(1));
        int maxUsers = s.integer("sip-publish.max-users", 100_000, 1, 10_000_000);
        Set<JID> users = new LinkedHashSet<>();
        List<String> listed = s.list("sip-publish.users");
        if (!(listed.isEmpty() || listed.size() == 1 && listed.get(0).equalsIgnoreCase("all"))) {
            for (String text : listed) {
                try {
                    JID jid = new JID(text);
                    if (jid.getNode() == null || jid.getResource() != null) {
                        s.problem("sip-publish.users", "'" + text + "' is not a bare JID such as alice@example.com");
                    } else {
                        users.add(jid);
                    }
                } catch (IllegalArgumentException e) {
                    s.problem("sip-publish.users", "'" + text + "' is not a valid JID (" + e.getMessage() + ")");
                }
            }
        }
        if (!transport.equalsIgnoreCase("udp") && !transport.equalsIgnoreCase("tcp")) {
            s.problem("sip-publish.transport", "'" + transport + "' is neither udp nor tcp");
            return Optional.empty();
        }
        if (expires.toMillis() % 1000 != 0 || expires.getSeconds() < 60 || expires.getSeconds() > 86_400) {
            s.problem("sip-publish.expires", "must be whole seconds from 60 s to 1 day, not " + expires.toSeconds()
                    + " s");
            return Optional.empty();
        }
        if (timeout.toMillis() < 1000 || timeout.toMinutes() > 5) {
            s.problem("sip-publish.timeout", "must be 1 s to 5 min");
            return Optional.empty();
        }
        if (backoffMin.toMillis() < 100 || backoffMax.compareTo(backoffMin) < 0) {
            s.problem(backoffMin.toMillis() < 100 ? "sip-publish.backoff-min" : "sip-publish.backoff-max",
                    "backoff-min must be at least 100 ms and backoff-max at least backoff-min");
            return Optional.empty();
        }
        int listenColon = listen.lastIndexOf(':');
        int listenPort = listenColon > 0 ? port(listen.substring(listenColon + 1)) : -1;
        if (listenPort < 1) {
            s.problem("sip-publish.listen", "'" + listen + "' is not ADDRESS:PORT with a port of 1 to 65535");
            return Optional.empty();
        }
        if (target.isEmpty() || target.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        String hostPort = target.replaceFirst("(?i)^sips?:", "");
        int semi = hostPort.indexOf(';');
        if (semi >= 0) {
            hostPort = hostPort.substring(0, semi);
        }
        int colon = hostPort.lastIndexOf(':');
        int targetPort = colon > 0 ? port(hostPort.substring(colon + 1)) : -1;
        if (colon < 0 && !hostPort.isEmpty() && !hostPort.contains("@")) {
            targetPort = 5060;
            colon = hostPort.length();
        }
        if (targetPort < 1 || hostPort.contains("@")) {
            s.problem("sip-publish.target", "'" + target + "' is not HOST:PORT or sip:HOST:PORT (or off)");
            return Optional.empty();
        }
        try {
            return Optional.of(new SipPublish(new SipPublishConfig(
                    hostPort.substring(0, colon).replace("[", "").replace("]", ""), targetPort, transport,
                    listen.substring(0, listenColon).replace("[", "").replace("]", ""), listenPort, expires,
                    timeout, backoffMin, backoffMax, maxUsers), users));
        } catch (IllegalArgumentException e) {
            s.problem("sip-publish.target", e.getMessage());
            return Optional.empty();
        }
    }

    /** A port number 1..65535, or -1. */
    private static int port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int p = Integer.parseInt(text);
        return p >= 1 && p <= 65535 ? p : -1;
    }

    private static Optional<HepConfig> hep(Settings s) {
        String listen = s.string("hep.listen", "127.0.0.1:9060");
        List<String> transports = s.list("hep.transports");
        List<String> allow = s.list("hep.allow");
        Optional<Path> keyFile = s.path("hep.auth-key-file");
        String key = keyFile.isPresent() ? s.secretFile("hep.auth-key-file") : null;
        if (listen.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            s.problem("hep.listen", "'" + listen + "' is not ADDRESS:PORT (or off)");
            return Optional.empty();
        }
        HepConfig hep = HepConfig.defaults();
        try {
            hep = hep.withBindAddress(listen.substring(0, colon).replace("[", "").replace("]", ""))
                    .withPort(Integer.parseInt(listen.substring(colon + 1)));
            if (!transports.isEmpty()) {
                for (String t : transports) {
                    if (!t.equalsIgnoreCase("udp") && !t.equalsIgnoreCase("tcp")) {
                        s.problem("hep.transports", "'" + t + "' is neither udp nor tcp");
                    }
                }
                hep = hep.withUdp(transports.stream().anyMatch("udp"::equalsIgnoreCase))
                        .withTcp(transports.stream().anyMatch("tcp"::equalsIgnoreCase));
            }
            hep = hep.withAllowList(allow);
            if (key != null && !key.isEmpty()) {
                hep = hep.withAuthKey(key);
            }
        } catch (IllegalArgumentException e) {
            s.problem("hep.listen", e.getMessage());
            return Optional.empty();
        }
        return Optional.of(hep);
    }
}
