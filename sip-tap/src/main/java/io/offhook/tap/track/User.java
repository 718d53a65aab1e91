package io.offhook.tap.track;

import java.util.ArrayList;
import java.util.List;

/** One address of record: its registered devices, the calls it takes part in, and the state last reported. */
final class User {
    final String aor;
    /** Registered devices as a linked list: one device is the common case and costs no array. */
    Binding bindings;
    List<Call> calls;
    PhoneState reported = PhoneState.OFFLINE;

    User(String aor) {
        this.aor = aor;
    }

    boolean registered() {
        return bindings != null;
    }

    boolean idle() {
        return bindings == null && (calls == null || calls.isEmpty());
    }

    void attach(Call call) {
        if (calls == null) {
            calls = new ArrayList<>(2);
        }
        if (!calls.contains(call)) {
            calls.add(call);
        }
    }

    /** How many of the user's calls are not answered yet. */
    int unanswered() {
        int n = 0;
        if (calls != null) {
            for (Call c : calls) {
                if (!c.answered()) {
                    n++;
                }
            }
        }
        return n;
    }

    void detach(Call call) {
        if (calls != null) {
            calls.remove(call);
            if (calls.isEmpty()) {
                calls = null;
            }
        }
    }

    /** The aggregate over all devices and calls: the highest of them. */
    PhoneState aggregate() {
        PhoneState s = registered() ? PhoneState.AVAILABLE : PhoneState.OFFLINE;
        if (calls != null) {
            for (Call c : calls) {
                s = s.max(c.stateOf(this));
                if (s == PhoneState.ON_THE_PHONE) {
                    break; // the highest there is
                }
            }
        }
        return s;
    }

    Binding binding(String deviceKey) {
        for (Binding b = bindings; b != null; b = b.next) {
            if (b.hasKey(deviceKey)) {
                return b;
            }
        }
        return null;
    }

    void addBinding(Binding b) {
        b.next = bindings;
        bindings = b;
    }

    void removeBinding(Binding gone) {
        Binding prev = null;
        for (Binding b = bindings; b != null; prev = b, b = b.next) {
            if (b == gone) {
                if (prev == null) {
                    bindings = b.next;
                } else {
                    prev.next = b.next;
                }
                b.next = null;
                return;
            }
        }
    }
}
