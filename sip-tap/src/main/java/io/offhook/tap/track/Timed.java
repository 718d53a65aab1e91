package io.offhook.tap.track;

/** Something the tracker forgets at a deadline: a binding at its expiry, a call after silence or its tombstone. */
abstract class Timed {
    /** When this must next be looked at, microseconds; {@link Long#MAX_VALUE} when never. */
    abstract long deadline();
}
