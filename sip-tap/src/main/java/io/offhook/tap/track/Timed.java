package io.offhook.tap.track;

/**
 * Something the tracker looks at again at a deadline: a binding at its expiry, a call after silence or its
 * tombstone. Each sits in the timer queue at most once by itself ({@link #queued}), ordered by
 * {@link #scheduledAt}; when its deadline moves later it is simply re-queued when the old time comes, and when it
 * moves earlier a {@link Reminder} is queued for it. No per-entry object in the common case.
 */
abstract class Timed {
    long scheduledAt;
    boolean queued;

    /** When this must next be looked at, microseconds; {@link Long#MAX_VALUE} when never. */
    abstract long deadline();

    /** An extra, earlier look at {@code target}: its deadline moved before the time it is queued for. */
    static final class Reminder extends Timed {
        final Timed target;

        Reminder(Timed target, long at) {
            this.target = target;
            this.scheduledAt = at;
        }

        @Override
        long deadline() {
            return target.deadline();
        }
    }
}
