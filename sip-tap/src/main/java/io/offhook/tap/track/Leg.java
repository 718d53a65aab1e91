package io.offhook.tap.track;

import java.util.EnumMap;
import java.util.Map;

/**
 * One dialog of a call (RFC 3261 section 12): the caller's INVITE may fork into several early dialogs, one per
 * To-tag, of which at most one is answered. The lifecycle is the explicit transition table below; anything not in it
 * leaves the state as it is, which is what makes duplicated and re-ordered messages harmless.
 */
final class Leg {

    /** The dialog states (RFC 3261 section 12: early, confirmed; plus the end). */
    enum State { EARLY, CONFIRMED, TERMINATED }

    /** What the tracker saw that concerns one leg. */
    enum Input {
        /** 1xx with a To-tag to the initial INVITE. */
        PROVISIONAL,
        /** 2xx to the initial INVITE. */
        ANSWER,
        /** Final non-2xx to the initial INVITE (486, 487, 603, ...). */
        REJECT,
        /** CANCEL of the initial INVITE. */
        CANCEL,
        /** BYE in the dialog. */
        BYE,
        /** A re-INVITE or UPDATE with both tags after the initial transaction: only a confirmed dialog has one. */
        REINVITE,
        /** Another leg of the same INVITE was answered (RFC 3261 section 16.7 step 10: the proxy cancels the rest). */
        ANSWERED_ELSEWHERE,
        /** Nothing heard for longer than the configured timeout. */
        TIMEOUT
    }

    private static final Map<State, Map<Input, State>> TABLE = new EnumMap<>(State.class);

    static {
        transition(State.EARLY, Input.PROVISIONAL, State.EARLY);
        transition(State.EARLY, Input.ANSWER, State.CONFIRMED);
        transition(State.EARLY, Input.REINVITE, State.CONFIRMED);
        transition(State.EARLY, Input.REJECT, State.TERMINATED);
        transition(State.EARLY, Input.CANCEL, State.TERMINATED);
        transition(State.EARLY, Input.BYE, State.TERMINATED);
        transition(State.EARLY, Input.ANSWERED_ELSEWHERE, State.TERMINATED);
        transition(State.EARLY, Input.TIMEOUT, State.TERMINATED);
        // A confirmed dialog ends only by BYE or silence: a late 1xx, a CANCEL that crossed the 200, or the 487 of
        // another fork change nothing.
        transition(State.CONFIRMED, Input.BYE, State.TERMINATED);
        transition(State.CONFIRMED, Input.TIMEOUT, State.TERMINATED);
        // TERMINATED is final: late copies never revive a call.
    }

    private static void transition(State from, Input input, State to) {
        TABLE.computeIfAbsent(from, s -> new EnumMap<>(Input.class)).put(input, to);
    }

    /** The state after {@code input} in {@code state}; the same state when the table has no entry. */
    static State next(State state, Input input) {
        Map<Input, State> row = TABLE.get(state);
        State to = row == null ? null : row.get(input);
        return to == null ? state : to;
    }

    /** The state a leg first seen through {@code input} starts in (lost messages before it included). */
    static State initial(Input input) {
        return switch (input) {
            case PROVISIONAL -> State.EARLY;
            case ANSWER, REINVITE -> State.CONFIRMED;
            default -> State.TERMINATED;
        };
    }

    final String toTag;
    User callee;
    State state;
    /** The call is on hold: the description in effect of either side says so ({@link #describe}). */
    boolean held;
    /** What each side's session description (RFC 3264) says, in effect and offered. */
    private final Side callerSide = new Side();
    private final Side calleeSide = new Side();

    /** One side's session description in effect, and its re-INVITE or UPDATE whose offer waits for its 2xx. */
    private static final class Side {
        boolean holds;
        /** CSeq of the offer waiting for its 2xx, -1 for none, and whether it holds. */
        long offerCseq = -1;
        boolean offerHolds;
        /** CSeq of the last re-INVITE or UPDATE answered 2xx: an offer re-ordered after its 2xx takes effect. */
        long acceptedCseq = -1;
    }

    Leg(String toTag, User callee, State state) {
        this.toTag = toTag;
        this.callee = callee;
        this.state = state;
    }

    /**
     * A session description of one side is in effect: in a 2xx, in an ACK (the answer to a 2xx's offer), or an
     * accepted offer. Hold (RFC 3264 section 8.4: sendonly, recvonly, inactive; RFC 2543: c=0.0.0.0) of either side
     * holds the call: the answer to an RFC 2543 hold is an ordinary sendrecv description.
     */
    void describe(boolean byCallee, boolean holds) {
        side(byCallee).holds = holds;
        held = callerSide.holds || calleeSide.holds;
    }

    /**
     * An offer in a side's re-INVITE or UPDATE: in effect once accepted by a 2xx, never if refused (RFC 3261 section
     * 14.1, RFC 3311 section 5.2: "as if no re-INVITE had been issued"). Glare's 491s leave the call as it was.
     */
    void offer(boolean byCallee, long cseq, boolean holds) {
        Side side = side(byCallee);
        if (cseq == side.acceptedCseq) {
            describe(byCallee, holds); // its 2xx came first
        } else {
            side.offerCseq = cseq;
            side.offerHolds = holds;
        }
    }

    /** The final response to a side's re-INVITE or UPDATE with {@code cseq}: a 2xx puts its offer in effect. */
    void settle(boolean byCallee, long cseq, boolean accepted) {
        Side side = side(byCallee);
        if (accepted) {
            side.acceptedCseq = cseq;
        }
        if (side.offerCseq == cseq) {
            side.offerCseq = -1;
            if (accepted) {
                describe(byCallee, side.offerHolds);
            }
        }
    }

    private Side side(boolean byCallee) {
        return byCallee ? calleeSide : callerSide;
    }

    boolean live() {
        return state != State.TERMINATED;
    }
}
