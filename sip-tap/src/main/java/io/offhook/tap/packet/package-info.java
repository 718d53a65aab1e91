/**
 * The unit of work between the tap's sources and its SIP reader: one SIP message with the time and the addresses
 * it was seen with, and the counters every source reports its drops to.
 */
package io.offhook.tap.packet;
