/**
 * The tap's command line: {@code replay} reads capture files and prints each user's state changes as JSON lines
 * (RFC 8259 text, one object per line) on stdout, and a summary of what was dropped on stderr.
 */
package io.offhook.tap.cli;
