/**
 * The component speaks the admins' protocol, so an operator needs nothing but an XMPP client: XEP-0030 service
 * discovery of the component's address (identity, features, and the command list), XEP-0092 software version,
 * XEP-0050 ad-hoc commands with XEP-0004 data forms for input and output (list users with their phone state, show
 * one user, clear a stuck state, reload the mapping, show counters), for the JIDs in {@code admin.jids} only.
 * XEP-0199 pings of the component's address are answered by the connection itself
 * ({@link io.offhook.xmpp.stream.ComponentConnection}), of other addresses by the engine.
 *
 * <p>Why over XMPP: the people who look after Offhook already run an XMPP client as themselves, and the server has
 * authenticated them (the {@code from} of what reaches the component is stamped by the server), so no second login,
 * port or password is needed. Why a thread of its own ({@link io.offhook.admin.AdminRouter}): a command reads the
 * engine through its loop and the tracker under the tap's lock, and neither the connection's reader nor the engine
 * thread may wait for that.
 */
package io.offhook.admin;
