/**
 * Metrics and health over HTTP, for Prometheus and for whatever checks that Offhook is up.
 *
 * <p>{@code GET /metrics} answers in the Prometheus text exposition format, version 0.0.4 (the format every
 * Prometheus-compatible scraper reads, and the basis of OpenMetrics 1.0): {@code # HELP} and {@code # TYPE} lines
 * before each family's samples, counters named {@code *_total}, the latency as a cumulative histogram with
 * {@code _bucket{le=...}}, {@code _sum} and {@code _count}; {@link io.offhook.metrics.TextFormat} writes it.
 * {@code GET /health} says whether Offhook can do its job: 200 {@code ok} while the XMPP component connection is
 * up and authenticated, 503 with a one-line reason while it is down or reconnecting.
 *
 * <p>Why this shape: operators of SIP and XMPP services already run Prometheus and Grafana (see
 * {@code etc/grafana-offhook.json}); a pull endpoint costs nothing while nobody scrapes, and needs no library:
 * the JDK's own HTTP server ({@code com.sun.net.httpserver}, module {@code jdk.httpserver}) serves it on one small
 * thread. It is off unless {@code metrics.listen} is set, and documented for loopback: it has no authentication
 * and answers anyone who can reach it. No metric carries a user's name or address.
 */
package io.offhook.metrics;
