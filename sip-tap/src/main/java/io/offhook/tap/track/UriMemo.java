package io.offhook.tap.track;

import java.util.Objects;
import java.util.function.Function;

/**
 * The result of one function of a URI ({@link Aor#of}, a device key) for the URIs seen recently: a direct-mapped
 * table of {@value #SLOTS} slots by the URI's hash, a new URI replacing whatever its slot held.
 *
 * <p>Why: a dialog's and a user's URIs come back in message after message, and mostly as the same String (the
 * scanner hands out the same String for the same bytes, its hash already computed). A hit costs that hash and an
 * identity or equality test instead of parsing the URI into a new String, whose hash the tracker's maps would then
 * compute again. Not thread-safe, as the tracker is not.
 */
final class UriMemo<T> {
    private static final int SLOTS = 1 << 10;

    private final Function<String, T> function;
    private final String[] uris = new String[SLOTS];
    private final Object[] results = new Object[SLOTS];

    UriMemo(Function<String, T> function) {
        this.function = Objects.requireNonNull(function, "function");
    }

    /** The function's result for {@code uri} (not null), computed afresh unless {@code uri} was seen recently. */
    @SuppressWarnings("unchecked")
    T apply(String uri) {
        int slot = uri.hashCode() & (SLOTS - 1);
        String seen = uris[slot];
        if (seen == uri || uri.equals(seen)) {
            return (T) results[slot];
        }
        T result = function.apply(uri);
        uris[slot] = uri;
        results[slot] = result;
        return result;
    }
}
