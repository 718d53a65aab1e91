/**
 * The tap against real servers on loopback: Kamailio 5.6 as registrar and stateful proxy (RFC 3261) mirroring every
 * message as HEPv3 (HEP/EEP, the Homer encapsulation protocol) to the tap's {@code HepListener}, and sipp user agents
 * placing real calls through it. The captures the unit tests replay were recorded from the same lab
 * ({@code integration-tests/lab}); these tests run the live path instead: sockets, threads and the system clock.
 *
 * <p>The component's tests add real XMPP servers: Prosody 0.12 and ejabberd 23.01 trusting Offhook as an external
 * component (XEP-0114) with XEP-0356 privileges, configured from the {@code etc/} files an admin copies, and real
 * XMPP clients (Smack, {@link io.offhook.it.Watcher}) whose received presence (RFC 6121) is what the tests assert.
 *
 * <p>One thin wrapper per external process ({@link io.offhook.it.Kamailio}, {@link io.offhook.it.Sipp}), each
 * stopped by its PID whatever happens; every port is picked free on 127.0.0.1 ({@link io.offhook.it.FreePorts}); and
 * every wait is a condition polled with a timeout ({@link io.offhook.it.Await}), never a sleep.
 */
package io.offhook.it;
