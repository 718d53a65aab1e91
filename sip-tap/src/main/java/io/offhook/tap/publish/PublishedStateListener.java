package io.offhook.tap.publish;

/** Receives the {@link PublicationStore}'s changes, in order, on the thread that changed the store. */
@FunctionalInterface
public interface PublishedStateListener {
    void onPublished(PublishedChange change);
}
