/**
 * The {@code offhook} program: one process that runs the SIP tap and the XMPP component from one config file.
 * {@link io.offhook.app.Main} is thin; {@link io.offhook.app.Services} starts the parts in dependency order and
 * stops them in reverse, taking down every presence the component put up before it disconnects;
 * {@link io.offhook.app.EngineLoop} is the one thread the presence engine runs on, so each user's stanzas leave in
 * the order their causes happened, whatever threads the sources use.
 */
package io.offhook.app;
