package service;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.DoubleStream;

/**
 * Counters and histograms with labels, written in the Prometheus text exposition format
 * (version 0.0.4), which Prometheus and every compatible agent scrapes.
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The Prometheus client libraries' default buckets, in seconds. */
    static final double[] DEFAULT_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    };

    // Series are written in label order, so that two scrapes list them alike.
    private static final Comparator<List<String>> LABEL_ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int order = a.get(i).compareTo(b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return 0;
    };

    private final List<Family> families = new CopyOnWriteArrayList<>();

    Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(name, help, labelNames));
    }

    Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        return register(new Histogram(name, help, buckets, labelNames));
    }

    private <T extends Family> T register(T family) {
        families.add(family);
        return family;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        for (Family family : families) {
            out.append("# HELP ").append(family.name).append(' ').append(escapeHelp(family.help)).append('\n');
            out.append("# TYPE ").append(family.name).append(' ').append(family.type()).append('\n');
            family.write(out);
        }
        return out.toString();
    }

    static String escapeHelp(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String escapeLabelValue(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Writes `name{a="x",b="y"} value`; `extra` is one more label name and value, or nothing. */
    private static void sample(StringBuilder out, String name, List<String> names, List<String> values,
            String value, String... extra) {
        out.append(name);
        if (!names.isEmpty() || extra.length > 0) {
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                label(out, i > 0, names.get(i), values.get(i));
            }
            if (extra.length > 0) {
                label(out, !names.isEmpty(), extra[0], extra[1]);
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private static void label(StringBuilder out, boolean comma, String name, String value) {
        if (comma) {
            out.append(',');
        }
        out.append(name).append("=\"").append(escapeLabelValue(value)).append('"');
    }

    private abstract static class Family {
        final String name;
        final String help;
        final List<String> labelNames;

        Family(String name, String help, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.labelNames = List.of(labelNames);
        }

        abstract String type();

        abstract void write(StringBuilder out);

        List<String> key(String[] labelValues) {
            if (labelValues.length != labelNames.size()) {
                throw new IllegalArgumentException(name + " takes the labels " + labelNames);
            }
            return List.of(labelValues);
        }
    }

    static final class Counter extends Family {
        private final ConcurrentNavigableMap<List<String>, LongAdder> series = new ConcurrentSkipListMap<>(LABEL_ORDER);

        private Counter(String name, String help, String[] labelNames) {
            super(name, help, labelNames);
        }

        void inc(String... labelValues) {
            series.computeIfAbsent(key(labelValues), k -> new LongAdder()).increment();
        }

        long value(String... labelValues) {
            LongAdder value = series.get(key(labelValues));
            return value == null ? 0 : value.sum();
        }

        @Override
        String type() {
            return "counter";
        }

        @Override
        void write(StringBuilder out) {
            for (Map.Entry<List<String>, LongAdder> entry : series.entrySet()) {
                sample(out, name, labelNames, entry.getKey(), Long.toString(entry.getValue().sum()));
            }
        }
    }

    static final class Histogram extends Family {
        private final double[] bounds;
        private final ConcurrentNavigableMap<List<String>, Series> series = new ConcurrentSkipListMap<>(LABEL_ORDER);

        private Histogram(String name, String help, double[] buckets, String[] labelNames) {
            super(name, help, labelNames);
            this.bounds = DoubleStream.of(buckets).sorted().distinct().toArray();
            if (bounds.length == 0 || !Double.isFinite(bounds[0]) || !Double.isFinite(bounds[bounds.length - 1])) {
                throw new IllegalArgumentException(name + " needs finite bucket bounds; +Inf is always added");
            }
        }

        double[] bounds() {
            return bounds.clone();
        }

        void observe(double value, String... labelValues) {
            series.computeIfAbsent(key(labelValues), k -> new Series(bounds.length)).observe(bounds, value);
        }

        @Override
        String type() {
            return "histogram";
        }

        @Override
        void write(StringBuilder out) {
            for (Map.Entry<List<String>, Series> entry : series.entrySet()) {
                Series snapshot = entry.getValue().snapshot();
                long cumulative = 0;
                for (int i = 0; i < bounds.length; i++) {
                    cumulative += snapshot.counts[i];
                    sample(out, name + "_bucket", labelNames, entry.getKey(), Long.toString(cumulative),
                            "le", Double.toString(bounds[i]));
                }
                String count = Long.toString(snapshot.count);
                sample(out, name + "_bucket", labelNames, entry.getKey(), count, "le", "+Inf");
                sample(out, name + "_sum", labelNames, entry.getKey(), Double.toString(snapshot.sum));
                sample(out, name + "_count", labelNames, entry.getKey(), count);
            }
        }

        /** Observations of one label set; counts[i] holds those in (bounds[i-1], bounds[i]]. */
        private static final class Series {
            private final long[] counts;
            private double sum;
            private long count;

            Series(int buckets) {
                counts = new long[buckets];
            }

            synchronized void observe(double[] bounds, double value) {
                int bucket = Arrays.binarySearch(bounds, value);
                if (bucket < 0) {
                    bucket = -bucket - 1; // the first bound above the value
                }
                if (bucket < counts.length) {
                    counts[bucket]++;
                }
                sum += value;
                count++;
            }

            synchronized Series snapshot() {
                Series copy = new Series(counts.length);
                System.arraycopy(counts, 0, copy.counts, 0, counts.length);
                copy.sum = sum;
                copy.count = count;
                return copy;
            }
        }
    }
}
