/**
 * Benchmarks of the tap (run by hand, never in the test suite): JMH throughput of the whole path against the same
 * path on JAIN-SIP's parser, and the heap each binding and dialog costs. See BENCHMARKS.md for the commands.
 */
package io.offhook.tap.bench;
