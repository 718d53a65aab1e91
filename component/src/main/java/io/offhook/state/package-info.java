/**
 * Nothing lost across restarts: Offhook's state (registrations, calls, and the presences the component put up,
 * overlays with the user's own presence before the call) in one snapshot file ({@code state.file}), saved every
 * {@code state.interval} when anything changed and once more on a clean shutdown, and restored at start with what
 * expired meanwhile dropped.
 *
 * <p>Why: a restart (an upgrade, a crash, SIGKILL by the OOM killer) must not make every phone look offline until its
 * next REGISTER, nor forget that a user is on the phone, nor leave a presence shown by the old process up for ever.
 * The XMPP server keeps showing what a component sent after the component is gone, so the new process must know
 * what is out there.
 *
 * <p>The file ({@link io.offhook.state.SnapshotCodec}) is a small versioned binary format with a CRC-32 (ISO-HDLC,
 * as in zip and PNG) over all of it: a million registrations fit in tens of megabytes and load in well under a
 * second, strings round-trip exactly without escaping, and any damage is detected before anything is believed.
 * It is written the POSIX way to survive a crash at any instant ({@link io.offhook.state.SnapshotFile}): a temporary
 * file in the same folder, fsync, rename over the old one, fsync the folder. A file that is damaged, truncated or
 * of an unknown version is reported naming it, set aside as {@code FILE.bad-TIME} and ignored: Offhook starts empty
 * rather than refusing to run. Gateway subscriptions stay in their own file ({@code gateway.state-file}): they are
 * durable facts that must outlive a discarded snapshot, and are kept whether or not snapshots are on.
 */
package io.offhook.state;
