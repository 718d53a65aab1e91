package io.offhook.fallback;

import io.offhook.config.Settings;
import io.offhook.presence.PresentationMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The login fallback's settings (keys {@code fallback.*}, documented in {@code etc/offhook.conf}).
 *
 * @param credentials the accounts of {@code fallback.credentials-file}; {@link Credentials#none()} when it is not
 *     set, which makes login mode unavailable
 * @param resource the sessions' resource: {@code presence.resource}, the same as the component's phone resource
 * @param combineFormat how the user's own status text and the phone's are joined when the user's own dnd/xa
 *     outranks the phone ({@code presence.combine-format}, as in the component modes)
 * @param priority the sessions' presence priority, -128 to 127 ({@code fallback.priority}); negative so that the
 *     session never receives the user's messages (RFC 6121 section 8.5.2)
 * @param concurrentLogins at most this many logins or logoffs run at once ({@code fallback.concurrent-logins})
 * @param backoff the waits between a user's failed attempts ({@code fallback.retry-min}, {@code fallback.retry-max})
 * @param connectTimeout how long connecting and each answer of the server during login may take
 *     ({@code fallback.connect-timeout})
 */
public record FallbackSettings(Credentials credentials, String resource, String combineFormat, int priority,
                               int concurrentLogins, Duration retryMin, Duration retryMax, Duration connectTimeout) {
    /** Config key of the credentials file. */
    public static final String KEY_CREDENTIALS_FILE = "fallback.credentials-file";
    /** Config key of {@link #priority()}. */
    public static final String KEY_PRIORITY = "fallback.priority";
    /** Config key of {@link #concurrentLogins()}. */
    public static final String KEY_CONCURRENT_LOGINS = "fallback.concurrent-logins";
    /** Config key of {@link #retryMin()}. */
    public static final String KEY_RETRY_MIN = "fallback.retry-min";
    /** Config key of {@link #retryMax()}. */
    public static final String KEY_RETRY_MAX = "fallback.retry-max";
    /** Config key of {@link #connectTimeout()}. */
    public static final String KEY_CONNECT_TIMEOUT = "fallback.connect-timeout";
    /** Every key, for the config's list of known keys. */
    public static final List<String> KEYS = List.of(KEY_CREDENTIALS_FILE, KEY_PRIORITY, KEY_CONCURRENT_LOGINS,
            KEY_RETRY_MIN, KEY_RETRY_MAX, KEY_CONNECT_TIMEOUT);

    /** Default of {@link #priority()}. */
    public static final int DEFAULT_PRIORITY = -1;
    /** Default of {@link #concurrentLogins()}. */
    public static final int DEFAULT_CONCURRENT_LOGINS = 8;
    /** Default of {@link #retryMin()}. */
    public static final Duration DEFAULT_RETRY_MIN = Duration.ofSeconds(5);
    /** Default of {@link #retryMax()}. */
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofMinutes(5);
    /** Default of {@link #connectTimeout()}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Checks every value; the message of the exception names the key. */
    public FallbackSettings {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(combineFormat, "combineFormat");
        if (resource == null || resource.isBlank()) {
            throw new IllegalArgumentException("presence.resource: must not be empty");
        }
        if (priority < -128 || priority > 127) {
            throw new IllegalArgumentException(KEY_PRIORITY + ": " + priority + " is not a priority from -128 to 127");
        }
        if (concurrentLogins < 1) {
            throw new IllegalArgumentException(KEY_CONCURRENT_LOGINS + ": must be at least 1");
        }
        new Backoff(retryMin, retryMax);
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException(KEY_CONNECT_TIMEOUT + ": must be positive");
        }
    }

    /** The documented defaults, with these credentials and resource. */
    public static FallbackSettings defaults(Credentials credentials, String resource) {
        return new FallbackSettings(credentials, resource, "{own} ({phone})", DEFAULT_PRIORITY,
                DEFAULT_CONCURRENT_LOGINS, DEFAULT_RETRY_MIN, DEFAULT_RETRY_MAX, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Reads the {@code fallback.*} keys and the credentials file they name; every problem is recorded in
     * {@code s}, each naming its key (and the credentials file's line).
     *
     * @param resource the value of {@code presence.resource}
     * @param combineFormat the value of {@code presence.combine-format}
     * @param defaultMode the value of {@code presence.mode}: {@code login} needs a credentials file
     * @return the settings, or empty when a value was bad (the problem is recorded)
     */
    public static Optional<FallbackSettings> from(Settings s, String resource, String combineFormat,
                                                  PresentationMode defaultMode) {
        Optional<Path> file = s.path(KEY_CREDENTIALS_FILE);
        int priority = s.integer(KEY_PRIORITY, DEFAULT_PRIORITY, -128, 127);
        int concurrent = s.integer(KEY_CONCURRENT_LOGINS, DEFAULT_CONCURRENT_LOGINS, 1, 1000);
        Duration retryMin = s.duration(KEY_RETRY_MIN, DEFAULT_RETRY_MIN);
        Duration retryMax = s.duration(KEY_RETRY_MAX, DEFAULT_RETRY_MAX);
        Duration timeout = s.duration(KEY_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
        Credentials credentials = Credentials.none();
        boolean good = true;
        if (file.isPresent()) {
            try {
                credentials = CredentialsFile.load(file.get());
            } catch (CredentialsException e) {
                e.problems().forEach(p -> s.problem(KEY_CREDENTIALS_FILE, p));
                good = false;
            }
        } else if (defaultMode == PresentationMode.LOGIN) {
            s.problem("presence.mode", "login needs " + KEY_CREDENTIALS_FILE + " (the file with the users' "
                    + "passwords)");
        }
        if (retryMax.compareTo(retryMin) < 0) {
            s.problem(KEY_RETRY_MAX, retryMax.toMillis() + " ms is less than " + KEY_RETRY_MIN + " ("
                    + retryMin.toMillis() + " ms)");
            good = false;
        }
        if (resource.isBlank()) {
            good = false; // presence.resource reports it
        }
        return good ? Optional.of(new FallbackSettings(credentials, resource, combineFormat, priority, concurrent,
                retryMin, retryMax, timeout)) : Optional.empty();
    }

    /** The waits between a user's failed attempts. */
    Backoff backoff() {
        return new Backoff(retryMin, retryMax);
    }
}
