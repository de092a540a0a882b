package service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void counterExposition() {
        Metrics metrics = new Metrics();
        Metrics.Counter counter = metrics.counter("jobs_total", "Jobs run.", "queue");
        counter.inc("b");
        counter.inc("a");
        counter.inc("a");
        assertEquals(2, counter.value("a"));
        assertEquals(
                "# HELP jobs_total Jobs run.\n"
                        + "# TYPE jobs_total counter\n"
                        + "jobs_total{queue=\"a\"} 2\n"
                        + "jobs_total{queue=\"b\"} 1\n",
                metrics.render());
    }

    @Test
    void histogramExposition() {
        Metrics metrics = new Metrics();
        Metrics.Histogram histogram = metrics.histogram("wait_seconds", "Time waited.", new double[] {1, 0.5}, "queue");
        histogram.observe(0.5, "a"); // on a bound: counted in that bucket
        histogram.observe(0.75, "a");
        histogram.observe(3, "a");
        assertEquals(
                "# HELP wait_seconds Time waited.\n"
                        + "# TYPE wait_seconds histogram\n"
                        + "wait_seconds_bucket{queue=\"a\",le=\"0.5\"} 1\n"
                        + "wait_seconds_bucket{queue=\"a\",le=\"1.0\"} 2\n"
                        + "wait_seconds_bucket{queue=\"a\",le=\"+Inf\"} 3\n"
                        + "wait_seconds_sum{queue=\"a\"} 4.25\n"
                        + "wait_seconds_count{queue=\"a\"} 3\n",
                metrics.render());
    }

    @Test
    void bucketsIncludeTheSloOnce() {
        double[] withSlo = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 0.25};
        Metrics.Histogram histogram = new Metrics().histogram("h", "h", withSlo);
        assertArrayEquals(Metrics.DEFAULT_BUCKETS, histogram.bounds());
    }

    @Test
    void escaping() {
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escapeLabelValue("a\\b\"c\nd"));
        assertEquals("a\\\\b\"c\\nd", Metrics.escapeHelp("a\\b\"c\nd"));

        Metrics metrics = new Metrics();
        metrics.counter("c_total", "Line one\nline two.", "path").inc("/a\"b");
        assertEquals(
                "# HELP c_total Line one\\nline two.\n"
                        + "# TYPE c_total counter\n"
                        + "c_total{path=\"/a\\\"b\"} 1\n",
                metrics.render());
    }

    @Test
    void labelValuesMustMatchLabelNames() {
        Metrics.Counter counter = new Metrics().counter("c_total", "c", "a", "b");
        assertThrows(IllegalArgumentException.class, () -> counter.inc("only one"));
    }
}
