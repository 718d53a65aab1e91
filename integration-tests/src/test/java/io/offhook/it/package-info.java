/**
 * The tap against real servers on loopback: Kamailio 5.6 as registrar and stateful proxy (RFC 3261) mirroring every
 * message as HEPv3 (HEP/EEP, the Homer encapsulation protocol) to the tap's {@code HepListener}, and sipp user agents
 * placing real calls through it. The captures the unit tests replay were recorded from the same lab
 * ({@code integration-tests/lab}); these tests run the live path instead: sockets, threads and the system clock.
 *
 * <p>One thin wrapper per external process ({@link io.offhook.it.Kamailio}, {@link io.offhook.it.Sipp}), each
 * stopped by its PID whatever happens; every port is picked free on 127.0.0.1 ({@link io.offhook.it.FreePorts}); and
 * every wait is a condition polled with a timeout ({@link io.offhook.it.Await}), never a sleep.
 */
package io.offhook.it;
