/**
 * The replay timeline: each user's phone state over a capture, drawn as swim lanes in one self-contained HTML file
 * (HTML Living Standard, SVG 1.1 inline), so an operator can check a capture by eye instead of reading JSON lines.
 *
 * <p>A {@link io.offhook.tap.timeline.TimelineRecorder} sits beside the tracker: it sees each SIP message go in and
 * the events that message produced, and keeps both, bounded. {@link io.offhook.tap.timeline.TimelineHtml} writes
 * the page: lanes, marks and axis are SVG made here, the data behind them travels as JSON (RFC 8259) in a
 * {@code <script type="application/json">} data block, and a small script adds hover and zoom.
 *
 * <p>Everything taken from SIP is attacker-controlled (a display name is whatever the caller typed): text is escaped
 * for the context it lands in, the JSON block holds no {@code <} at all, and a Content-Security-Policy lets only the
 * page's own script and style run, and nothing be fetched.
 */
package io.offhook.tap.timeline;
