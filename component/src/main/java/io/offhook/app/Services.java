package io.offhook.app;

import io.offhook.mapping.IdentityMap;
import io.offhook.mapping.MappingReloader;
import io.offhook.presence.PresenceMapping;
import io.offhook.presence.PresenceMappings;
import io.offhook.publish.EngineStats;
import io.offhook.publish.PresenceEngine;
import io.offhook.tap.capture.LiveCapture;
import io.offhook.tap.hep.HepListener;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.pipeline.TapPipeline;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.xmpp.packet.Packet;

/**
 * Starts Offhook's parts in dependency order and stops them in reverse: mapping, engine, XMPP connection, then
 * the SIP sources; on stop the sources go first (no new events), then the engine takes down every presence it put
 * up, and the connection sends those stanzas before it closes the stream.
 */
public final class Services implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Services.class);

    private final List<AutoCloseable> sources = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private MappingReloader mapping;
    private EngineLoop loop;
    private ComponentConnection connection;
    private HepListener hepListener;
    private boolean stopped;
    private EngineStats lastLogged;
    private long savedGatewayVersion;
    private Path gatewayStateFile;

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
        mapping = new MappingReloader(config.mappingFile(), config.numberPlan(), loop::mappingChanged, scheduler,
                config.mappingPoll());
        IdentityMap initial = mapping.loadInitial();
        PresenceEngine engine = new PresenceEngine(config.engine(), presenceMapping, initial, loop.outbox(), clock,
                config.remote());
        if (config.gatewayStateFile().isPresent()) {
            Path state = config.gatewayStateFile().get();
            gatewayStateFile = state;
            engine.restoreGatewaySubscribers(GatewayStateFile.load(state));
            scheduler.scheduleWithFixedDelay(() -> saveGateway(state), 2, 2, TimeUnit.SECONDS);
        }
        connection = new ComponentConnection(config.component(), loop, clock);
        loop.start(engine, packets -> connection.send(packets));
        mapping.start();
        connection.start();

        DropCounters drops = new DropCounters();
        TapPipeline pipeline = TapPipeline.onClock(new PhoneTracker(config.tracker(), loop, drops), drops, clock);
        if (config.hep().isPresent()) {
            hepListener = new HepListener(config.hep().get(), pipeline, drops, clock);
            hepListener.start();
            sources.add(hepListener::close);
            LOG.info("HEP on {} udp:{} tcp:{}", config.hep().get().bindAddress(),
                    config.hep().get().udpEnabled() ? hepListener.udpPort() : "off",
                    config.hep().get().tcpEnabled() ? hepListener.tcpPort() : "off");
        }
        if (config.capture().isPresent()) {
            LiveCapture capture = new LiveCapture(config.capture().get(), pipeline, drops);
            capture.start();
            sources.add(capture::close);
            LOG.info("Capturing SIP on {} ({})", config.capture().get().interfaceName(),
                    config.capture().get().filter());
        }
        scheduler.scheduleAtFixedRate(pipeline::tick, 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(() -> logProgress(drops), 60, 60, TimeUnit.SECONDS);
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

    /** The engine's thread, to read its state consistently. */
    public EngineLoop engine() {
        return loop;
    }

    /** The XMPP connection. */
    public ComponentConnection connection() {
        return connection;
    }

    /** Stops everything in reverse order; every presence put up is taken down first. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
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
        if (loop != null) {
            try {
                last = loop.stop(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (connection != null) {
            LOG.info("Taking down {} presences before disconnecting", last.size());
            connection.close(last, Duration.ofSeconds(5));
        }
        if (mapping != null) {
            mapping.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private static ClassLoader pluginLoader(OffhookConfig config) throws IOException {
        ClassLoader parent = Services.class.getClassLoader();
        if (config.pluginDir().isEmpty() || !Files.isDirectory(config.pluginDir().get())) {
            return parent;
        }
        List<URL> jars = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(config.pluginDir().get(), "*.jar")) {
            for (Path jar : dir) {
                try {
                    jars.add(jar.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IOException("plugins.dir: cannot use " + jar, e);
                }
            }
        }
        jars.sort((a, b) -> a.toString().compareTo(b.toString()));
        LOG.info("Plugins from {}: {}", config.pluginDir().get(), jars);
        return new URLClassLoader(jars.toArray(new URL[0]), parent);
    }
}
