/**
 * The two presentation paths that act on the user's own account instead of adding presence of Offhook's own, both
 * through XEP-0356 (Privileged Entity) privileged IQs, which only Prosody's {@code mod_privilege}
 * ({@code urn:xmpp:privilege:2}, permission {@code iq}) offers; ejabberd 23.01 has no such permission.
 *
 * <ul>
 * <li><b>Remote control</b> (the paper's case b): XEP-0146 (Remote Controlling Clients) {@code rc#set-status}, a
 *     XEP-0050 (Ad-Hoc Commands) command with a XEP-0004 (Data Forms) form, sent on the user's behalf to each of the
 *     user's own online clients that advertise it (XEP-0030 disco#items on the commands node, XEP-0146 section 3).
 *     The client's own status becomes "on the phone" and is set back after the last call, unless the user changed
 *     it meanwhile. Clients that cannot be asked are left to the deployment's fallback mode.</li>
 * <li><b>User activity</b>: XEP-0108 {@code talking/on_the_phone}, published to the user's XEP-0163 (Personal
 *     Eventing Protocol) node during calls and replaced by an empty {@code <activity/>} after them (XEP-0108 section
 *     2.2), for clients that show activities (those with {@code +notify}).</li>
 * </ul>
 *
 * <p>Why privileged IQs: a plain IQ with a spoofed {@code from} reaches the client, but its answer goes to a session
 * that does not exist and is dropped; a privileged IQ comes from the user's bare JID and its answer comes back
 * wrapped to the component. Everything here is non-blocking: requests are bounded in number and time, answers and
 * timeouts are inputs like any other. The codecs are stateless; {@link io.offhook.remote.RemoteControl} holds the
 * state and produces the stanzas; the engine sends them.
 */
package io.offhook.remote;
