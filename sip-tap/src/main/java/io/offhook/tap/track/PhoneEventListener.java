package io.offhook.tap.track;

/** Receives the tracker's events, in order, on the thread that fed the tracker. */
@FunctionalInterface
public interface PhoneEventListener {
    void onEvent(PhoneEvent event);
}
