package io.offhook.metrics;

import io.offhook.mapping.ReloadStats;
import io.offhook.metrics.TextFormat.Type;
import io.offhook.presence.PresentationMode;
import io.offhook.publish.EngineStats;
import io.offhook.tap.packet.DropCounters;
import io.offhook.tap.packet.DropReason;
import io.offhook.tap.publish.out.OutboundPublications;
import io.offhook.tap.publish.out.SipPublishStats;
import io.offhook.tap.subscribe.NotifyOutcome;
import io.offhook.tap.subscribe.SubscriberStats;
import io.offhook.tap.track.PhoneState;
import io.offhook.xmpp.stream.ConnectionStats;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Offhook's metrics and health, read from its parts at each scrape (nothing is kept here but the scrape error
 * count): the tap's counters, the engine's view (read on the engine's own thread, with a short timeout), the XMPP
 * connection's and the mapping's stats, and the latency histogram. The metric names are listed in README
 * "Metrics and health" and used by {@code etc/grafana-offhook.json}.
 *
 * <p>A scrape never blocks longer than the engine timeout: when the engine does not answer in time (a full queue),
 * the engine's families are left out of that scrape and {@code offhook_scrape_errors_total} counts it.
 */
public final class OffhookMetrics {
    private static final Logger LOG = LogManager.getLogger(OffhookMetrics.class);

    /** Reads the engine's counters on the engine's thread. */
    @FunctionalInterface
    public interface EngineProbe {
        /** The engine's stats, or an exception when it does not answer within {@code timeout}. */
        EngineStats read(Duration timeout) throws InterruptedException, TimeoutException;
    }

    /**
     * What the tap's tracker holds now.
     *
     * @param users SIP users with a binding or a call
     * @param bindings registered devices
     * @param dialogs calls held, recently ended ones included
     */
    public record TrackerSize(int users, int bindings, int dialogs) {
    }

    /**
     * Where the numbers come from.
     *
     * @param sipBySource per source label ({@code hep_udp}, {@code hep_tcp}, {@code capture}), its SIP messages;
     *        only the sources that run
     * @param sipScanned SIP messages framed successfully, duplicates included
     * @param drops the tap's drops by reason
     * @param tracker the tracker's size, read between two packets
     * @param engine the engine's stats
     * @param engineQueueDropped phone events dropped because the engine's queue was full
     * @param connection the XMPP connection's stats
     * @param connected whether the XMPP link is up and authenticated
     * @param engineRunning whether the engine's thread runs
     * @param mapping how the mapping file's reloads went
     * @param latency HEP-in to stanza-out
     * @param subscriptions the dialog-event subscriber's counters, or {@code null} when it is off
     * @param engineSlowWrites writes to the XMPP server that took so long the tap stopped writing itself
     * @param publications SIP publications held ({@code publish.listen}), or {@code null} when it is off
     */
    public record Parts(Map<String, LongSupplier> sipBySource, LongSupplier sipScanned, DropCounters drops,
                        Supplier<TrackerSize> tracker, EngineProbe engine, LongSupplier engineQueueDropped,
                        Supplier<ConnectionStats> connection, BooleanSupplier connected,
                        BooleanSupplier engineRunning, Supplier<ReloadStats> mapping, LatencyHistogram latency,
                        Supplier<SubscriberStats> subscriptions, LongSupplier engineSlowWrites,
                        LongSupplier publications) {
        /** Nothing is null; the sources are copied. */
        public Parts {
            sipBySource = Map.copyOf(sipBySource);
            for (Object o : List.of(sipScanned, drops, tracker, engine, engineQueueDropped, connection, connected,
                    engineRunning, mapping, latency, engineSlowWrites)) {
                Objects.requireNonNull(o, "part");
            }
        }

        /** Without the dialog-event subscriber, slow writes and publications. */
        public Parts(Map<String, LongSupplier> sipBySource, LongSupplier sipScanned, DropCounters drops,
                     Supplier<TrackerSize> tracker, EngineProbe engine, LongSupplier engineQueueDropped,
                     Supplier<ConnectionStats> connection, BooleanSupplier connected, BooleanSupplier engineRunning,
                     Supplier<ReloadStats> mapping, LatencyHistogram latency) {
            this(sipBySource, sipScanned, drops, tracker, engine, engineQueueDropped, connection, connected,
                    engineRunning, mapping, latency, null, () -> 0, null);
        }
    }

    private final Parts parts;
    private final Duration engineTimeout;
    private final AtomicLong scrapeErrors = new AtomicLong();
    /** Chat presence into SIP, or null when off. */
    private final Supplier<SipPublishStats> sipPublish;

    /** @param engineTimeout how long a scrape waits for the engine's thread */
    public OffhookMetrics(Parts parts, Duration engineTimeout) {
        this(parts, engineTimeout, null);
    }

    /** @param sipPublish the SIP presence publisher's stats ({@code sip-publish.*}), or null when it is off */
    public OffhookMetrics(Parts parts, Duration engineTimeout, Supplier<SipPublishStats> sipPublish) {
        this.parts = Objects.requireNonNull(parts, "parts");
        this.engineTimeout = Objects.requireNonNull(engineTimeout, "engineTimeout");
        this.sipPublish = sipPublish;
    }

    /** Up while the XMPP link is up and authenticated and the engine runs; otherwise why not. */
    public Health health() {
        if (!parts.engineRunning().getAsBoolean()) {
            return Health.down("presence engine not running");
        }
        if (parts.connected().getAsBoolean()) {
            return Health.ok();
        }
        ConnectionStats c = parts.connection().get();
        String last = c.lastError().isEmpty() ? "" : ": " + c.lastError();
        return Health.down(c.connects() == 0 ? "XMPP link not up yet, connecting" + last
                : "XMPP link down, reconnecting" + last);
    }

    /** Every metric, in the text format. */
    public String scrape() {
        TextFormat out = new TextFormat();
        tap(out);
        EngineStats engine = null;
        try {
            engine = parts.engine().read(engineTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scrapeErrors.incrementAndGet();
        } catch (TimeoutException | RuntimeException e) {
            scrapeErrors.incrementAndGet();
            LOG.debug("The engine did not answer the scrape: {}", e.toString());
        }
        if (engine != null) {
            engine(out, engine);
        }
        out.family("offhook_engine_queue_dropped_total", Type.COUNTER,
                "Phone events dropped because the engine's queue was full (engine.queue).")
                .sample(parts.engineQueueDropped().getAsLong());
        out.family("offhook_engine_slow_writes_total", Type.COUNTER,
                "Writes to the XMPP server over 1 ms; each makes phone events wait for the engine's thread instead "
                        + "of the tap's writing at once, so that a lagging server never stops the tap reading.")
                .sample(parts.engineSlowWrites().getAsLong());
        if (parts.publications() != null) {
            out.family("offhook_sip_publications", Type.GAUGE,
                    "SIP publications (PUBLISH to publish.listen) held, each until it is removed or expires.")
                    .sample(parts.publications().getAsLong());
        }
        xmpp(out);
        mapping(out);
        if (sipPublish != null) {
            sipPublish(out, sipPublish.get());
        }
        if (parts.subscriptions() != null) {
            subscriptions(out, parts.subscriptions().get());
        }
        LatencyHistogram.Snapshot l = parts.latency().snapshot();
        out.family("offhook_event_to_stanza_seconds", Type.HISTOGRAM,
                "From a SIP message's arrival at the tap to the presence stanzas it caused written to the XMPP "
                        + "connection.")
                .histogram(l.boundsSeconds(), l.cumulative(), l.sumMicros() / 1e6);
        out.family("offhook_scrape_errors_total", Type.COUNTER,
                "Scrapes that left out the engine's metrics because its thread did not answer in time.")
                .sample(scrapeErrors.get());
        return out.text();
    }

    private static void sipPublish(TextFormat out, SipPublishStats s) {
        out.family("offhook_sip_publish_answers_total", Type.COUNTER,
                "Answers to the PUBLISH requests of chat presence into SIP, by outcome (server_down: none, 408 or 5xx).");
        for (OutboundPublications.Outcome o : OutboundPublications.Outcome.values()) {
            out.sample(s.answers().getOrDefault(o, 0L), "outcome", o.name().toLowerCase(Locale.ROOT));
        }
        out.family("offhook_sip_publish_server_down", Type.GAUGE,
                "1 while the SIP presence server is taken to be down (backing off), else 0.")
                .sample(s.serverDown() ? 1 : 0);
        out.family("offhook_sip_publish_server_down_total", Type.COUNTER,
                "How often the SIP presence server went down.").sample(s.timesDown());
        out.family("offhook_sip_publish_users", Type.GAUGE, "Users whose chat presence is published into SIP.")
                .sample(s.users());
        out.family("offhook_sip_publish_dropped_total", Type.COUNTER,
                "Chat presence updates dropped because sip-publish.max-users were held.").sample(s.dropped());
    }

    private void tap(TextFormat out) {
        out.family("offhook_sip_messages_total", Type.COUNTER, "SIP messages the tap received, by source.");
        for (Map.Entry<String, LongSupplier> e : parts.sipBySource().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            out.sample(e.getValue().getAsLong(), "source", e.getKey());
        }
        out.family("offhook_sip_scanned_total", Type.COUNTER,
                "SIP messages the tap could read (duplicates included; the others are dropped as sip_malformed or "
                        + "sip_too_large).")
                .sample(parts.sipScanned().getAsLong());
        out.family("offhook_sip_dropped_total", Type.COUNTER,
                "Input the tap did not use, by reason: parse errors (sip_malformed, hep_*), senders not allowed, "
                        + "duplicates of mirrored messages (not an error), and more.");
        for (DropReason r : DropReason.values()) {
            out.sample(parts.drops().get(r), "reason", label(r));
        }
        TrackerSize size = parts.tracker().get();
        out.family("offhook_sip_users", Type.GAUGE, "SIP users (addresses of record) with a registration or a call, "
                + "mapped or not.").sample(size.users());
        out.family("offhook_sip_bindings", Type.GAUGE, "Registered SIP devices (contact bindings).")
                .sample(size.bindings());
        out.family("offhook_sip_dialogs", Type.GAUGE,
                "Calls the tap tracks, recently ended ones included (kept a while to recognise late messages).")
                .sample(size.dialogs());
    }

    private static void engine(TextFormat out, EngineStats s) {
        out.family("offhook_phone_events_total", Type.COUNTER, "Phone state events from the tap to the engine.")
                .sample(s.events());
        out.family("offhook_phone_events_unmapped_total", Type.COUNTER,
                "Phone events of SIP users the mapping file does not name (ignored: opt-in).").sample(s.unmapped());
        out.family("offhook_users", Type.GAUGE,
                "Mapped users the engine holds state for, by their phone state over all their devices and calls.");
        for (PhoneState state : PhoneState.values()) {
            out.sample(s.usersByState().getOrDefault(state, 0), "state", label(state));
        }
        out.family("offhook_calls", Type.GAUGE, "Calls in progress of mapped users, by state.");
        for (PhoneState state : List.of(PhoneState.DIALING, PhoneState.RINGING, PhoneState.ON_THE_PHONE,
                PhoneState.ON_HOLD)) {
            out.sample(s.callsByState().getOrDefault(state, 0), "state", label(state));
        }
        out.family("offhook_presences_shown", Type.GAUGE,
                "Presences Offhook shows now (one per sender and recipient).").sample(s.shown());
        out.family("offhook_presence_stanzas_total", Type.COUNTER,
                "Presence stanzas the engine sent, by the user's presentation mode.");
        for (PresentationMode mode : PresentationMode.values()) {
            out.sample(s.presenceByMode().getOrDefault(mode, 0L), "mode", mode.configName());
        }
        out.family("offhook_engine_stanzas_total", Type.COUNTER,
                "Stanzas of every kind the engine sent (presence, roster requests, IQ replies).")
                .sample(s.stanzasSent());
        out.family("offhook_roster_requests_total", Type.COUNTER, "Roster reads (XEP-0356) sent.")
                .sample(s.rosterRequests());
        out.family("offhook_roster_errors_total", Type.COUNTER,
                "Roster reads answered with an error or not at all.").sample(s.rosterErrors());
        out.family("offhook_echoes_ignored_total", Type.COUNTER,
                "Presence the server forwarded back that was Offhook's own.").sample(s.echoesIgnored());
        out.family("offhook_gateway_subscriptions_denied_total", Type.COUNTER,
                "Gateway subscriptions and probes refused (not a contact of the user).")
                .sample(s.subscriptionsDenied());
        out.family("offhook_presence_mapping_failures_total", Type.COUNTER,
                "Times the presence mapping failed and the default one was used.").sample(s.mappingFailures());
    }

    private void xmpp(TextFormat out) {
        ConnectionStats c = parts.connection().get();
        out.family("offhook_xmpp_up", Type.GAUGE,
                "1 while the XMPP component connection is up and authenticated, else 0.")
                .sample(parts.connected().getAsBoolean() ? 1 : 0);
        out.family("offhook_xmpp_connect_attempts_total", Type.COUNTER, "XMPP connection attempts.")
                .sample(c.connectAttempts());
        out.family("offhook_xmpp_connects_total", Type.COUNTER,
                "XMPP handshakes the server accepted; every one after the first is a reconnect.")
                .sample(c.connects());
        out.family("offhook_xmpp_disconnects_total", Type.COUNTER, "Accepted XMPP streams that ended.")
                .sample(c.disconnects());
        out.family("offhook_xmpp_auth_failures_total", Type.COUNTER,
                "XMPP handshakes the server refused (secret, component name, trust).").sample(c.authFailures());
        out.family("offhook_xmpp_pings_sent_total", Type.COUNTER, "XEP-0199 pings sent to the server.")
                .sample(c.pingsSent());
        out.family("offhook_xmpp_pings_failed_total", Type.COUNTER,
                "Pings not answered in time (each one dropped the connection).").sample(c.pingsFailed());
        out.family("offhook_xmpp_stanzas_total", Type.COUNTER, "Stanzas over the XMPP connection, by direction.")
                .sample(c.stanzasIn(), "direction", "in").sample(c.stanzasOut(), "direction", "out");
        out.family("offhook_xmpp_oversize_stanzas_total", Type.COUNTER,
                "Stanzas from the server over the size limit (each one dropped the connection).")
                .sample(c.oversizeStanzas());
    }

    private void mapping(TextFormat out) {
        ReloadStats m = parts.mapping().get();
        out.family("offhook_mapping_loads_total", Type.COUNTER, "Good loads of the mapping file, the first included.")
                .sample(m.loads());
        out.family("offhook_mapping_reload_failures_total", Type.COUNTER,
                "Edits of the mapping file that could not be used (the last good mapping stays).")
                .sample(m.failures());
        out.family("offhook_mapping_failing", Type.GAUGE,
                "1 while the mapping file as it is now cannot be used, else 0.").sample(m.failing() ? 1 : 0);
    }

    private static void subscriptions(TextFormat out, SubscriberStats s) {
        out.family("offhook_dialog_subscriptions", Type.GAUGE,
                "Dialog-event subscriptions (dialog-subscribe.*): accepted and running, or waiting to be made "
                        + "(after a failure, or for their turn at start).")
                .sample(s.active(), "state", "active").sample(s.waiting(), "state", "waiting");
        out.family("offhook_dialog_subscription_failures_total", Type.COUNTER,
                "Dialog subscriptions that failed or ended and were made again (refused, unanswered, terminated by "
                        + "the PBX, expired, state lost).").sample(s.failures());
        out.family("offhook_dialog_notifies_total", Type.COUNTER, "NOTIFYs received, by what became of them.");
        for (NotifyOutcome o : NotifyOutcome.values()) {
            out.sample(s.notifies().getOrDefault(o, 0L), "outcome", o.label());
        }
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
