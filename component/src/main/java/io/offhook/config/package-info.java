/**
 * The one config file: {@code key = value} lines with {@code #} comments (the syntax of Java properties files
 * without escapes or continuation lines, so what an operator sees is what is read). Values are typed and validated
 * at start; every error names the file, the line and the key, all errors are reported at once, and keys nobody
 * reads are errors too, so a typo cannot silently fall back to a default. Secrets are read from files of their own
 * that only their owner may read, and never appear in messages.
 */
package io.offhook.config;
