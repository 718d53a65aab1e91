package io.offhook.app;

import io.offhook.admin.AdminCommands;
import io.offhook.admin.AdminRouter;
import io.offhook.admin.LiveBackend;
import io.offhook.admin.Publications;
import io.offhook.fallback.FallbackSessions;
import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappingReloader;
import io.offhook.metrics.MetricsServer;
import io.offhook.metrics.OffhookMetrics;
import io.offhook.presence.PresenceMapping;
import io.offhook.presence.PresenceMappings;
import io.offhook.publish.ChatPresence;
import io.offhook.publish.ChatPresenceListener;
import io.offhook.publish.EngineStats;
import io.offhook.publish.PresenceEngine;
import io.offhook.state.Snapshot;
import io.offhook.state.SnapshotFile;
import io.offhook.state.StateKeeper;
import io.offhook.tap.capture.LiveCapture;
import io.offhook.tap.hep.HepListener;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.pipeline.TapPipeline;
import io.offhook.tap.publish.PublicationStore;
import io.offhook.tap.publish.PublishConfig;
import io.offhook.tap.publish.PublishReceiver;
import io.offhook.tap.publish.StateCombiner;
import io.offhook.tap.publish.out.SipPublisher;
import io.offhook.tap.subscribe.DialogSubscribeClient;
import io.offhook.tap.subscribe.SubscribeConfig;
import io.offhook.tap.subscribe.SubscriberStats;
import io.offhook.tap.track.PhoneEventListener;
import io.offhook.tap.track.PhoneTracker;
import io.offhook.xmpp.stream.ComponentConnection;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;

/**
 * Starts Offhook's parts in dependency order and stops them in reverse: mapping, engine (with the login fallback,
 * whose sessions open as users need them), XMPP connection, then the SIP sources (HEP, capture, the PUBLISH
 * receiver); on stop the sources go first (no new events), then the engine takes down every presence it put up, the
 * login fallback logs its users off, and the connection sends the engine's last stanzas before it closes the stream.
 */
public final class Services implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Services.class);

    private final List<AutoCloseable> sources = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private MappingReloader mapping;
    private EngineLoop loop;
    private AdminRouter admin;
    private ComponentConnection connection;
    private FallbackSessions fallback;
    private HepListener hepListener;
    private PublishReceiver publishReceiver;
    /** Chat presence into SIP ({@code sip-publish.*}); null when off. */
    private SipPublisher sipPublisher;
    /** The SIP publications ({@code publish.listen}), or null. */
    private volatile PublicationStore publicationStore;
    /** The dialog-event subscriber, or null; set once, read by the mapping's reloads. */
    private volatile DialogSubscribeClient dialogSubscriber;
    private MetricsServer metricsServer;
    private boolean stopped;
    private EngineStats lastLogged;
    private long savedGatewayVersion;
    private Path gatewayStateFile;
    private StateKeeper state;

    private Services() {
    }

    /**
     * Starts everything. A problem that makes running pointless (a broken mapping file, a HEP port in use, a
     * mapping name nobody provides) is thrown; an XMPP server that is not up yet is not: the connection keeps
     * trying and says so in the log.
     */
    public static Services start(OffhookConfig config, Clock clock) throws Exception {
        Services s = new Services();
        try {
            s.startAll(config, clock);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void startAll(OffhookConfig config, Clock clock) throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "offhook-scheduler");
            t.setDaemon(true);
            return t;
        });
        PresenceMapping presenceMapping = PresenceMappings.load(config.presenceMapping(), config.presenceSettings(),
                pluginLoader(config));
        loop = new EngineLoop(config.engineQueue(), Duration.ofMillis(250));
        boolean subscribeMapped = config.dialogSubscribe().map(d -> d.users().isEmpty()).orElse(false);
        mapping = new MappingReloader(config.mappingFile(), config.numberPlan(), map -> {
            loop.mappingChanged(map);
            DialogSubscribeClient subscriber = dialogSubscriber;
            if (subscribeMapped && subscriber != null) {
                subscriber.setUsers(explicitSipAddresses(map));
            }
        }, scheduler, config.mappingPoll());
        IdentityMap initial = mapping.loadInitial();
        fallback = FallbackSessions.create(config.fallback(), config.component().serverDomain(), clock);
        if (config.fallback().credentials().file().isPresent()) {
            LOG.info("Login fallback: {} accounts in {}", config.fallback().credentials().size(),
                    config.fallback().credentials().file().get());
        }
        PresenceEngine engine = new PresenceEngine(config.engine(), presenceMapping, initial, loop.outbox(), clock,
                config.remote(), fallback);
        Optional<Snapshot> saved = config.stateFile().flatMap(file -> SnapshotFile.load(file, clock));
        saved.ifPresent(s -> engine.restorePublications(s.publications()));
        if (config.gatewayStateFile().isPresent()) {
            Path state = config.gatewayStateFile().get();
            gatewayStateFile = state;
            engine.restoreGatewaySubscribers(GatewayStateFile.load(state));
            scheduler.scheduleWithFixedDelay(() -> saveGateway(state), 2, 2, TimeUnit.SECONDS);
        }
        DropCounters drops = new DropCounters();
        // With SIP PUBLISH on, the tracker's events and the publications' meet in the combiner on their way to the
        // engine (the higher state per SIP address wins); without it, the tracker feeds the engine directly.
        StateCombiner combiner = config.publish().isPresent() || config.dialogSubscribe().isPresent()
                ? new StateCombiner(loop) : null;
        PhoneEventListener events = combiner != null ? combiner : loop;
        TapPipeline pipeline = TapPipeline.onClock(new PhoneTracker(config.tracker(), events, drops), drops, clock);
        PublicationStore publications = config.publish().isEmpty() ? null
                : new PublicationStore(config.publish().get(), combiner, clock);
        publicationStore = publications;
        // Admin IQs (XEP-0030/0050/0092 to the component's address) take their own thread; the rest go to the loop.
        admin = new AdminRouter(loop, new AdminCommands(config.engine().component(), config.adminJids(),
                new LiveBackend(loop::call, pipeline, drops, mapping, config.engine().defaultMode(),
                        () -> connection.stats(), () -> {
                            Latency.Snapshot l = loop.latency().snapshot();
                            return new LiveBackend.LoopCounters(loop.dropped(), l.count(), l.p50(), l.p99());
                        }, publications == null ? Publications.none() : Publications.of(publications)),
                AdminCommands.implementationVersion(), clock), packet -> connection.send(packet));
        connection = new ComponentConnection(config.component(), admin, clock);
        if (config.sipPublish().isPresent()) {
            // Before the engine runs: the publisher's thread takes every chat presence change from then on.
            sipPublisher = new SipPublisher(config.sipPublish().get().sip(), clock);
            sipPublisher.start();
            engine.chatPresenceListener(chatToSip(sipPublisher, config.sipPublish().get().users()));
        }
        loop.start(engine, packets -> connection.send(packets));
        if (saved.isPresent()) {
            StateKeeper.restore(loop::call, pipeline, saved.get(), config.stateFile().get(), clock);
        }
        if (config.stateFile().isPresent()) {
            state = new StateKeeper(config.stateFile().get(), pipeline, loop::call);
            long every = config.stateInterval().toMillis();
            scheduler.scheduleWithFixedDelay(state::saveIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
        mapping.start();
        connection.start();

        if (config.hep().isPresent()) {
            hepListener = new HepListener(config.hep().get(), pipeline, drops, clock);
            hepListener.start();
            sources.add(hepListener::close);
            LOG.info("HEP on {} udp:{} tcp:{}", config.hep().get().bindAddress(),
                    config.hep().get().udpEnabled() ? hepListener.udpPort() : "off",
                    config.hep().get().tcpEnabled() ? hepListener.tcpPort() : "off");
        }
        LongAdder captured = new LongAdder();
        if (config.capture().isPresent()) {
            LiveCapture capture = new LiveCapture(config.capture().get(), packet -> {
                captured.increment();
                pipeline.onPacket(packet);
            }, drops);
            capture.start();
            sources.add(capture::close);
            LOG.info("Capturing SIP on {} ({})", config.capture().get().interfaceName(),
                    config.capture().get().filter());
        }
        if (config.publish().isPresent()) {
            startPublish(config.publish().get(), publications, drops, clock);
        }
        if (config.dialogSubscribe().isPresent()) {
            startDialogSubscribe(config.dialogSubscribe().get(), combiner, clock);
        }
        scheduler.scheduleAtFixedRate(pipeline::tick, 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(() -> logProgress(drops), 60, 60, TimeUnit.SECONDS);
        if (config.metricsListen().isPresent()) {
            startMetrics(config, pipeline, drops, captured);
        }
    }

    /** The SIP PUBLISH receiver ({@code publish.*}); its publications expire on the scheduler's second ticks. */
    private void startPublish(PublishConfig publish, PublicationStore store, DropCounters drops, Clock clock)
            throws javax.sip.SipException {
        publishReceiver = new PublishReceiver(publish, store, drops, clock, System::nanoTime);
        publishReceiver.start();
        sources.add(publishReceiver::close);
        scheduler.scheduleAtFixedRate(() -> {
            try {
                store.tick();
            } catch (RuntimeException e) {
                // A failure must not end the ticks (a scheduled task that throws is never run again).
                LOG.warn("Expiring SIP publications failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Hands each published user's chat presence to the SIP publisher (its thread; never blocks the engine's). */
    private static ChatPresenceListener chatToSip(SipPublisher publisher, Set<JID> only) {
        return new ChatPresenceListener() {
            @Override
            public void changed(ChatPresence presence) {
                if (only.isEmpty() || only.contains(presence.user())) {
                    publisher.publish(presence.entity(), presence.state());
                }
            }

            @Override
            public void gone(JID user, String entity) {
                publisher.remove(entity);
            }
        };
    }

    /** The SIP presence publisher, or null when {@code sip-publish.target} is off. */
    public SipPublisher sipPublisher() {
        return sipPublisher;
    }

    /**
     * The dialog-event subscriber ({@code dialog-subscribe.*}): its NOTIFYs are one more source of the combiner;
     * it watches the configured users, or every explicit SIP address of the mapping (followed on reloads).
     */
    private void startDialogSubscribe(SubscribeConfig subscribe, StateCombiner combiner, Clock clock)
            throws javax.sip.SipException {
        DialogSubscribeClient client = new DialogSubscribeClient(subscribe, combiner.newSource(), clock);
        // Registered before it starts, so that a failed start is closed too; closed with the sources, first.
        sources.add(client::close);
        client.start();
        dialogSubscriber = client;
        client.setUsers(subscribe.users().isEmpty() ? explicitSipAddresses(mapping.current()) : subscribe.users());
    }

    /** The SIP addresses of the mapping's explicit pairs (rules are open-ended; numbers are not SIP addresses). */
    static List<String> explicitSipAddresses(IdentityMap map) {
        return map.named().keySet().stream().filter(a -> a.startsWith("sip:")).toList();
    }

    /** The metrics endpoint over the parts just started ({@code metrics.listen}). */
    private void startMetrics(OffhookConfig config, TapPipeline pipeline, DropCounters drops, LongAdder captured)
            throws IOException {
        Map<String, LongSupplier> bySource = new TreeMap<>();
        HepListener hep = hepListener;
        if (hep != null && config.hep().get().udpEnabled()) {
            bySource.put("hep_udp", hep::sipOverUdp);
        }
        if (hep != null && config.hep().get().tcpEnabled()) {
            bySource.put("hep_tcp", hep::sipOverTcp);
        }
        if (config.capture().isPresent()) {
            bySource.put("capture", captured::sum);
        }
        PublishReceiver publish = publishReceiver;
        if (publish != null) {
            bySource.put("publish", publish::received);
        }
        DialogSubscribeClient subscriber = dialogSubscriber;
        if (subscriber != null) {
            bySource.put("subscribe", subscriber::received);
        }
        OffhookMetrics metrics = new OffhookMetrics(new OffhookMetrics.Parts(bySource, pipeline::messages, drops,
                () -> pipeline.readTracker(t -> new OffhookMetrics.TrackerSize(t.userCount(), t.bindingCount(),
                        t.callCount())),
                timeout -> loop.call(PresenceEngine::stats, timeout), loop::dropped, connection::stats,
                connection::isConnected, loop::isRunning, mapping::stats, loop.histogram(),
                subscriber == null ? null : subscriber::stats, loop::slowWrites,
                publicationStore == null ? null : () -> publicationStore.size()), Duration.ofSeconds(1),
                sipPublisher == null ? null : sipPublisher::stats);
        metricsServer = MetricsServer.start(config.metricsListen().get(), metrics::scrape, metrics::health);
    }

    /** Saves the gateway subscriptions when they changed since the last save. */
    private void saveGateway(Path file) {
        try {
            long version = loop.call(PresenceEngine::gatewayVersion, Duration.ofSeconds(5));
            if (version == savedGatewayVersion) {
                return;
            }
            GatewayStateFile.save(file, loop.call(PresenceEngine::gatewaySubscribers, Duration.ofSeconds(5)));
            savedGatewayVersion = version;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warn("Could not save gateway subscriptions to {} (gateway.state-file): {}", file, e.toString());
        }
    }

    /** Once a minute, when anything happened: what the tap and the engine did, so operators see it working. */
    private void logProgress(DropCounters drops) {
        try {
            EngineStats s = loop.call(PresenceEngine::stats, Duration.ofSeconds(5));
            if (s.equals(lastLogged)) {
                return;
            }
            lastLogged = s;
            Latency.Snapshot l = loop.latency().snapshot();
            LOG.info("{} phone events ({} of unmapped SIP users), {} stanzas sent, {} users shown to {} "
                    + "recipients, {} roster reads ({} failed), {} gateway requests refused, {} echoes ignored; "
                    + "HEP-in to stanza-out p50 {} us, p99 {} us; drops {}; connection {}",
                    s.events(), s.unmapped(), s.stanzasSent(), s.users(), s.shown(), s.rosterRequests(),
                    s.rosterErrors(), s.subscriptionsDenied(), s.echoesIgnored(), l.p50(), l.p99(),
                    drops.snapshot(), connection.stats());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warn("Could not read the engine's counters: {}", e.toString());
        }
    }

    /** The HEP listener's UDP port (useful when the config asked for port 0), or -1. */
    public int hepUdpPort() {
        return hepListener == null ? -1 : hepListener.udpPort();
    }

    /** The HEP listener's TCP port, or -1. */
    public int hepTcpPort() {
        return hepListener == null ? -1 : hepListener.tcpPort();
    }

    /** The metrics endpoint's port (useful when the config asked for port 0), or -1 when it is off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.address().getPort();
    }

    /** The dialog-event subscriber's counters, when it runs. */
    public Optional<SubscriberStats> dialogSubscriptions() {
        DialogSubscribeClient subscriber = dialogSubscriber;
        return subscriber == null ? Optional.empty() : Optional.of(subscriber.stats());
    }

    /** The engine's thread, to read its state consistently. */
    public EngineLoop engine() {
        return loop;
    }

    /** The XMPP connection. */
    public ComponentConnection connection() {
        return connection;
    }

    /** The login fallback's sessions. */
    public FallbackSessions fallback() {
        return fallback;
    }

    /** Stops everything in reverse order; every presence put up is taken down first. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (metricsServer != null) {
            metricsServer.close();
        }
        for (AutoCloseable source : sources) {
            try {
                source.close();
            } catch (Exception e) {
                LOG.warn("Stopping a SIP source failed: {}", e.toString());
            }
        }
        List<Packet> last = List.of();
        if (loop != null && loop.isRunning() && gatewayStateFile != null) {
            saveGateway(gatewayStateFile);
        }
        if (loop != null && loop.isRunning() && state != null) {
            // After the sources stopped, before the engine takes its presences down: the next start shows them again.
            state.saveNow();
        }
        if (loop != null) {
            try {
                last = loop.stop(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fallback != null) {
            // After the engine: it tells the fallback nothing more. Before the component: independent of it.
            fallback.close(Duration.ofSeconds(5));
        }
        if (connection != null) {
            LOG.info("Taking down {} presences before disconnecting", last.size());
            connection.close(last, Duration.ofSeconds(5));
        }
        if (sipPublisher != null) {
            // After the engine (no more chat presence changes) and after the watchers saw the phone presences go:
            // removes the SIP publications, waiting at most 2 s.
            sipPublisher.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (mapping != null) {
            mapping.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private static ClassLoader pluginLoader(OffhookConfig config) throws IOException {
        ClassLoader loader = Plugins.loader(config.pluginDir(), Services.class.getClassLoader());
        if (loader != Services.class.getClassLoader()) {
            LOG.info("Plugins from {}: {}", config.pluginDir().orElseThrow(), ((URLClassLoader) loader).getURLs());
        }
        return loader;
    }
}
