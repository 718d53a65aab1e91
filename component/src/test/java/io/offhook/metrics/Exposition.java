package io.offhook.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, written from the format's description (not from our
 * writer), for tests: it parses line by line and throws {@link IllegalArgumentException} naming the line for
 * anything a scraper would reject or that breaks the format's rules: a sample before its family's TYPE, HELP or
 * TYPE twice, a family's samples not together, a series twice, a bad name, label or escape, a counter that is
 * negative, histogram buckets that are not cumulative, do not end in +Inf, or whose +Inf differs from _count.
 */
final class Exposition {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(NaN|Inf|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One family: its type, help and samples in order. */
    record Family(String name, String type, String help, List<Sample> samples) {
        /** The value of the sample with exactly these labels (name, value pairs), if any. */
        Optional<Double> value(String... labels) {
            return series(name, labels);
        }

        /** The value of the series {@code sampleName} (e.g. a histogram's {@code _count}) with these labels. */
        Optional<Double> series(String sampleName, String... labels) {
            Map<String, String> want = new TreeMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                want.put(labels[i], labels[i + 1]);
            }
            return samples.stream().filter(s -> s.name().equals(sampleName) && s.labels().equals(want))
                    .map(Sample::value).findFirst();
        }
    }

    private Exposition() {
    }

    /** Parses and checks {@code text}; returns the families by name, in order. */
    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text must end with a line feed");
        }
        Map<String, String> types = new HashMap<>();
        Map<String, String> helps = new HashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        Set<String> finished = new HashSet<>();
        Set<String> series = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.isEmpty()) {
                throw new IllegalArgumentException(where + "empty line");
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    requireName(name, where);
                    if (!name.equals(current)) {
                        if (current != null) {
                            finished.add(current);
                        }
                        if (finished.contains(name)) {
                            throw new IllegalArgumentException(where + "family " + name + " appears again");
                        }
                        current = name;
                    }
                    if (parts[1].equals("TYPE")) {
                        if (parts.length != 4 || !TYPES.contains(parts[3])) {
                            throw new IllegalArgumentException(where + "bad type");
                        }
                        if (samples.containsKey(name) && !samples.get(name).isEmpty()) {
                            throw new IllegalArgumentException(where + "TYPE after samples");
                        }
                        if (types.put(name, parts[3]) != null) {
                            throw new IllegalArgumentException(where + "TYPE twice");
                        }
                    } else {
                        String help = parts.length == 4 ? parts[3] : "";
                        unescape(help, false, where);
                        if (helps.put(name, help) != null) {
                            throw new IllegalArgumentException(where + "HELP twice");
                        }
                    }
                    samples.computeIfAbsent(name, k -> new ArrayList<>());
                }
                continue;
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name(), types);
            if (!types.containsKey(family)) {
                throw new IllegalArgumentException(where + "sample before its family's TYPE");
            }
            if (!family.equals(current)) {
                throw new IllegalArgumentException(where + "sample outside its family's block (" + current + ")");
            }
            if (!series.add(s.name() + s.labels())) {
                throw new IllegalArgumentException(where + "series appears twice");
            }
            samples.get(family).add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
            String name = e.getKey();
            String type = types.get(name);
            if (type == null) {
                throw new IllegalArgumentException("family " + name + " has HELP but no TYPE");
            }
            Family f = new Family(name, type, helps.getOrDefault(name, ""), List.copyOf(e.getValue()));
            check(f);
            out.put(name, f);
        }
        return out;
    }

    private static String familyOf(String sampleName, Map<String, String> types) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if ("histogram".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return sampleName;
    }

    private static void check(Family f) {
        switch (f.type()) {
            case "counter" -> {
                for (Sample s : f.samples()) {
                    if (!(s.value() >= 0)) {
                        throw new IllegalArgumentException(f.name() + ": counter sample " + s + " is negative or NaN");
                    }
                }
            }
            case "histogram" -> checkHistogram(f);
            default -> {
                // gauges may be anything
            }
        }
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new HashMap<>();
        Map<Map<String, String>, Double> sums = new HashMap<>();
        for (Sample s : f.samples()) {
            if (s.name().equals(f.name() + "_bucket")) {
                Map<String, String> rest = new TreeMap<>(s.labels());
                if (rest.remove("le") == null) {
                    throw new IllegalArgumentException(f.name() + ": bucket without le: " + s);
                }
                buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(s.labels(), s.value());
            } else if (s.name().equals(f.name() + "_sum")) {
                sums.put(s.labels(), s.value());
            } else {
                throw new IllegalArgumentException(f.name() + ": not a histogram series: " + s);
            }
        }
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException(f.name() + ": histogram without buckets");
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : buckets.entrySet()) {
            double previousLe = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            List<Sample> list = e.getValue();
            for (Sample b : list) {
                double le = parseFloat(b.labels().get("le"), f.name() + " le");
                if (!(le > previousLe)) {
                    throw new IllegalArgumentException(f.name() + ": le not ascending at " + b);
                }
                if (b.value() < previousCount) {
                    throw new IllegalArgumentException(f.name() + ": buckets not cumulative at " + b);
                }
                previousLe = le;
                previousCount = b.value();
            }
            if (!"+Inf".equals(list.get(list.size() - 1).labels().get("le"))) {
                throw new IllegalArgumentException(f.name() + ": the last bucket is not le=\"+Inf\"");
            }
            Double count = counts.get(e.getKey());
            if (count == null || sums.get(e.getKey()) == null) {
                throw new IllegalArgumentException(f.name() + ": _count or _sum missing for " + e.getKey());
            }
            if (count != previousCount) {
                throw new IllegalArgumentException(f.name() + ": +Inf bucket " + previousCount + " != _count "
                        + count);
            }
        }
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(name, where);
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "label without '='");
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches()) {
                    throw new IllegalArgumentException(where + "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "label value not quoted");
                }
                int j = eq + 2;
                StringBuilder raw = new StringBuilder();
                while (true) {
                    if (j >= line.length()) {
                        throw new IllegalArgumentException(where + "label value not closed");
                    }
                    char c = line.charAt(j);
                    if (c == '\\') {
                        if (j + 1 >= line.length()) {
                            throw new IllegalArgumentException(where + "escape at the end");
                        }
                        raw.append(c).append(line.charAt(j + 1));
                        j += 2;
                    } else if (c == '"') {
                        break;
                    } else {
                        raw.append(c);
                        j++;
                    }
                }
                if (labels.put(label, unescape(raw.toString(), true, where)) != null) {
                    throw new IllegalArgumentException(where + "label " + label + " twice");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException(where + "expected ',' or '}' after a label");
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException(where + "no space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2) {
            throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
        }
        if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
            throw new IllegalArgumentException(where + "bad timestamp");
        }
        return new Sample(name, labels, parseFloat(rest[0], where));
    }

    private static double parseFloat(String v, String where) {
        Matcher m = FLOAT.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(where + " not a number: '" + v + "'");
        }
        if (v.endsWith("NaN")) {
            return Double.NaN;
        }
        if (v.endsWith("Inf")) {
            return v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(v);
    }

    private static void requireName(String name, String where) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
    }

    /** Undoes the format's escapes: \\ and \n everywhere, \" in label values; any other escape is an error. */
    private static String unescape(String s, boolean labelValue, String where) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                if (labelValue && (c == '"' || c == '\n')) {
                    throw new IllegalArgumentException(where + "unescaped " + c);
                }
                out.append(c);
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new IllegalArgumentException(where + "lone backslash");
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case '"' -> {
                    if (!labelValue) {
                        throw new IllegalArgumentException(where + "\\\" is only an escape in label values");
                    }
                    out.append('"');
                }
                default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
            }
        }
        return out.toString();
    }
}
