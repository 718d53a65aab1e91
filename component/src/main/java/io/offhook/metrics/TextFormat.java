package io.offhook.metrics;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the Prometheus text exposition format 0.0.4: per family one {@code # HELP} and one {@code # TYPE} line,
 * then its samples. It refuses what a scraper would reject (a bad name, a family written twice, a sample outside
 * its family, labels given as an odd list), so a mistake fails in tests instead of at 3 a.m. in Prometheus.
 * Label values and help texts are escaped as the format says. Not thread-safe: one per scrape.
 */
public final class TextFormat {
    /** The {@code Content-Type} of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** The type of a family, as its {@code # TYPE} line names it. */
    public enum Type {
        COUNTER, GAUGE, HISTOGRAM;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final StringBuilder out = new StringBuilder(8192);
    private final Set<String> families = new HashSet<>();
    private String family;
    private Type type;

    /**
     * Starts a family: writes its HELP and TYPE lines. Counter names end in {@code _total} (the convention the
     * format's clients follow); histogram names must not end in {@code _bucket}, {@code _sum} or {@code _count}.
     *
     * @throws IllegalArgumentException for a bad or repeated name
     */
    public TextFormat family(String name, Type type, String help) {
        Objects.requireNonNull(type, "type");
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: '" + name + "'");
        }
        if (type == Type.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        if (type == Type.HISTOGRAM && (name.endsWith("_bucket") || name.endsWith("_sum")
                || name.endsWith("_count"))) {
            throw new IllegalArgumentException("a histogram's name has no suffix of its series: " + name);
        }
        if (!families.add(name)) {
            throw new IllegalArgumentException("family written twice: " + name);
        }
        family = name;
        this.type = type;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.text()).append('\n');
        return this;
    }

    /**
     * A sample of the current counter or gauge.
     *
     * @param labels label names and values, alternating: {@code "source", "hep_udp"}
     */
    public TextFormat sample(double value, String... labels) {
        if (type == null || type == Type.HISTOGRAM) {
            throw new IllegalStateException("a sample needs a counter or gauge family first");
        }
        line(family, labels, value);
        return this;
    }

    /** The samples of the current histogram family: cumulative buckets ending in +Inf, then sum and count. */
    public TextFormat histogram(List<BigDecimal> bounds, List<Long> cumulative, double sum) {
        if (type != Type.HISTOGRAM) {
            throw new IllegalStateException("histogram samples need a histogram family first");
        }
        if (cumulative.size() != bounds.size() + 1) {
            throw new IllegalArgumentException(bounds.size() + " bounds need " + (bounds.size() + 1) + " counts");
        }
        for (int i = 0; i < bounds.size(); i++) {
            line(family + "_bucket", new String[] {"le", bounds.get(i).toPlainString()}, cumulative.get(i));
        }
        long count = cumulative.get(bounds.size());
        line(family + "_bucket", new String[] {"le", "+Inf"}, count);
        line(family + "_sum", new String[0], sum);
        line(family + "_count", new String[0], count);
        return this;
    }

    /** The text written so far. */
    public String text() {
        return out.toString();
    }

    private void line(String name, String[] labels, double value) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come as name, value pairs: " + List.of(labels));
        }
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (!LABEL_NAME.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                    throw new IllegalArgumentException("not a label name: '" + labels[i] + "'");
                }
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escapeLabelValue(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    /** A value as the format writes it: whole numbers without a fraction, {@code NaN}, {@code +Inf}, {@code -Inf}. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** In a label value, backslash, double quote and line feed are escaped. */
    static String escapeLabelValue(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** In help text, backslash and line feed are escaped. */
    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
