package io.offhook.tap.track;

import java.util.ArrayList;
import java.util.List;

/** One address of record: its registered devices, the calls it takes part in, and the state last reported. */
final class User {
    private static final Binding[] NO_BINDINGS = new Binding[0];

    final String aor;
    Binding[] bindings = NO_BINDINGS;
    List<Call> calls;
    PhoneState reported = PhoneState.OFFLINE;

    User(String aor) {
        this.aor = aor;
    }

    boolean registered() {
        return bindings.length > 0;
    }

    boolean idle() {
        return bindings.length == 0 && (calls == null || calls.isEmpty());
    }

    void attach(Call call) {
        if (calls == null) {
            calls = new ArrayList<>(2);
        }
        if (!calls.contains(call)) {
            calls.add(call);
        }
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
            }
        }
        return s;
    }

    Binding binding(String deviceKey) {
        for (Binding b : bindings) {
            if (b.deviceKey.equals(deviceKey)) {
                return b;
            }
        }
        return null;
    }
}
