package io.offhook.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A parsed config file with typed, validating getters. Getters never throw: a bad value is recorded as a problem
 * naming file, line and key, and the default is returned so that every problem is found in one pass;
 * {@link #check()} then throws them all, together with the keys nobody asked for.
 */
public final class Settings {
    private record Entry(String value, int line) {
    }

    private final String source;
    private final Path baseDir;
    private final Map<String, Entry> entries;
    private final Set<String> read = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    private Settings(String source, Path baseDir, Map<String, Entry> entries, List<String> problems) {
        this.source = source;
        this.baseDir = baseDir;
        this.entries = entries;
        this.problems.addAll(problems);
    }

    /** Reads a config file; relative paths in it are resolved against its folder. */
    public static Settings load(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Path dir = file.toAbsolutePath().getParent();
            return parse(in, file.toString(), dir);
        }
    }

    /** Parses config text; {@code baseDir} resolves relative paths. */
    public static Settings parse(String text, String source, Path baseDir) {
        try {
            return parse(new StringReader(text), source, baseDir);
        } catch (IOException e) {
            throw new IllegalStateException("reading a string", e);
        }
    }

    private static Settings parse(Reader in, String source, Path baseDir) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        BufferedReader lines = new BufferedReader(in);
        String line;
        int number = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0) {
                problems.add(source + ":" + number + ": expected 'key = value', got '" + t + "'");
                continue;
            }
            String key = t.substring(0, eq).strip();
            String value = stripComment(t.substring(eq + 1)).strip();
            Entry before = entries.put(key, new Entry(value, number));
            if (before != null) {
                problems.add(source + ":" + number + ": " + key + " is set twice (also on line " + before.line()
                        + ")");
            }
        }
        return new Settings(source, baseDir, entries, problems);
    }

    /** A value's trailing {@code " # comment"}; a '#' without a space before it is part of the value. */
    private static String stripComment(String value) {
        int hash = value.indexOf(" #");
        return hash >= 0 ? value.substring(0, hash) : value;
    }

    /** Where the file came from, for messages. */
    public String source() {
        return source;
    }

    /** A string, or the default when the key is absent or empty. */
    public String string(String key, String fallback) {
        String v = raw(key);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** A string that must be set. */
    public String required(String key) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            problems.add(where(key) + key + " must be set");
            return "";
        }
        return v;
    }

    /** An optional string: empty when absent or empty. */
    public Optional<String> optional(String key) {
        String v = raw(key);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** An integer within {@code [min, max]}. */
    public int integer(String key, int fallback, int min, int max) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(where(key) + key + ": '" + v + "' is not a whole number from " + min + " to " + max);
        return fallback;
    }

    /** true/false (also yes/no). */
    public boolean bool(String key, boolean fallback) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> {
                return true;
            }
            case "false", "no" -> {
                return false;
            }
            default -> {
                problems.add(where(key) + key + ": '" + v + "' is not true or false");
                return fallback;
            }
        }
    }

    /** A duration such as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}; must be positive. */
    public Duration duration(String key, Duration fallback) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        Duration d = parseDuration(v);
        if (d == null || d.isZero() || d.isNegative()) {
            problems.add(where(key) + key + ": '" + v + "' is not a positive duration (e.g. 250ms, 10s, 5m, 2h)");
            return fallback;
        }
        return d;
    }

    static Duration parseDuration(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 9) {
            return null;
        }
        long n = Long.parseLong(s.substring(0, i));
        return switch (s.substring(i).strip()) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> null;
        };
    }

    /** A value converted by {@code parse}, whose IllegalArgumentException message becomes the problem. */
    public <T> T parsed(String key, T fallback, Function<String, T> parse) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            problems.add(where(key) + key + ": " + e.getMessage());
            return fallback;
        }
    }

    /** A comma-separated list; empty when absent. */
    public List<String> list(String key) {
        String v = raw(key);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    /** A path, resolved against the config file's folder when relative. */
    public Optional<Path> path(String key) {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(baseDir == null ? Path.of(value.get()) : baseDir.resolve(value.get()));
        } catch (InvalidPathException e) {
            String problem = where(key) + key + ": '" + value.get().replace('\0', '?') + "' is not a path ("
                    + e.getReason() + ")";
            if (!problems.contains(problem)) { // a key may be asked for as a path more than once
                problems.add(problem);
            }
            return Optional.empty();
        }
    }

    /**
     * A secret read from the file a key names. The file must not be readable by group or others; its content,
     * stripped, must not be empty. The secret is never part of a message.
     */
    public String secretFile(String key) {
        Optional<Path> file = path(key);
        if (file.isEmpty()) {
            if (optional(key).isEmpty()) { // else path() has said what is wrong with it
                problems.add(where(key) + key + " must name a file holding the secret (chmod 600)");
            }
            return "";
        }
        Path f = file.get();
        try {
            if (readableByOthers(f)) {
                problems.add(where(key) + key + ": " + f + " is readable by others; chmod 600 it (it holds a secret)");
                return "";
            }
            String secret = Files.readString(f, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                problems.add(where(key) + key + ": " + f + " is empty");
            }
            return secret;
        } catch (java.nio.file.NoSuchFileException e) {
            problems.add(where(key) + key + ": " + f + " does not exist (create it with the secret, chmod 600)");
            return "";
        } catch (IOException e) {
            problems.add(where(key) + key + ": cannot read " + f + " (" + e.getMessage() + ")");
            return "";
        } catch (UnsupportedOperationException e) {
            problems.add(where(key) + key + ": cannot check the permissions of " + f);
            return "";
        }
    }

    /**
     * Whether the group or others may read {@code file}: a file holding a secret must not be (chmod 600 or 400).
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws UnsupportedOperationException when the file system has no POSIX permissions to check
     */
    public static boolean readableByOthers(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
    }

    /** Every entry whose key starts with {@code prefix}, marked as read. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                read.add(e.getKey());
                out.put(e.getKey(), e.getValue().value());
            }
        }
        return out;
    }

    /** Records a problem found while combining values (e.g. two keys that contradict each other). */
    public void problem(String key, String message) {
        problems.add(where(key) + key + ": " + message);
    }

    /** Throws every problem found so far, and every key that was set but never read (a typo, most likely). */
    public void check(Collection<String> knownKeys) throws ConfigException {
        List<String> all = new ArrayList<>(problems);
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (!read.contains(e.getKey())) {
                all.add(source + ":" + e.getValue().line() + ": unknown key '" + e.getKey() + "'"
                        + suggestion(e.getKey(), knownKeys));
            }
        }
        if (!all.isEmpty()) {
            throw new ConfigException(all);
        }
    }

    private static String suggestion(String key, Collection<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            if (Math.abs(key.length() - k.length()) >= bestDistance) {
                continue; // the distance is at least the difference in length: a long typo costs nothing here
            }
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private String raw(String key) {
        read.add(key);
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    private String where(String key) {
        Entry e = entries.get(key);
        return e == null ? source + ": " : source + ":" + e.line() + ": ";
    }
}
