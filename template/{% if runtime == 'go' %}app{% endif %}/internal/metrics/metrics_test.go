package metrics

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	var r Registry
	requests := r.Counter("requests_total", "Requests.\nBy path \\ status.", "path", "status")
	duration := r.Histogram("duration_seconds", "Duration.", []float64{0.5, 0.1}, "path")
	requests.Inc("/", "200")
	requests.Inc("/", "200")
	requests.Inc("a\"b\\c\nd", "404")
	duration.Observe(0.1, "/")
	duration.Observe(0.3, "/")
	duration.Observe(2, "/")

	want := `# HELP requests_total Requests.\nBy path \\ status.
# TYPE requests_total counter
requests_total{path="/",status="200"} 2
requests_total{path="a\"b\\c\nd",status="404"} 1
# HELP duration_seconds Duration.
# TYPE duration_seconds histogram
duration_seconds_bucket{path="/",le="0.1"} 1
duration_seconds_bucket{path="/",le="0.5"} 2
duration_seconds_bucket{path="/",le="+Inf"} 3
duration_seconds_sum{path="/"} 2.4
duration_seconds_count{path="/"} 3
`
	var out strings.Builder
	if _, err := r.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestWithoutLabels(t *testing.T) {
	var r Registry
	r.Counter("up_total", "Up.").Inc()
	r.Histogram("size", "Size.", []float64{1}).Observe(1)
	r.Counter("unused_total", "Never incremented.", "code")

	want := `# HELP up_total Up.
# TYPE up_total counter
up_total 1
# HELP size Size.
# TYPE size histogram
size_bucket{le="1"} 1
size_bucket{le="+Inf"} 1
size_sum 1
size_count 1
# HELP unused_total Never incremented.
# TYPE unused_total counter
`
	var out strings.Builder
	_, _ = r.WriteTo(&out)
	if out.String() != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestWithBound(t *testing.T) {
	got := WithBound(DefaultBuckets, 0.3)
	want := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10}
	if !slices.Equal(got, want) {
		t.Errorf("WithBound(DefaultBuckets, 0.3) = %v, want %v", got, want)
	}
	if got := WithBound(DefaultBuckets, 0.5); !slices.Equal(got, DefaultBuckets) {
		t.Errorf("an existing bound is not repeated: %v", got)
	}
}

func TestServeHTTP(t *testing.T) {
	var r Registry
	r.Counter("hits_total", "Hits.").Inc()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "\nhits_total 1\n") {
		t.Errorf("body:\n%s", rec.Body.String())
	}
}

func TestWrongLabelCountPanics(t *testing.T) {
	var r Registry
	c := r.Counter("c_total", "C.", "a", "b")
	defer func() {
		if recover() == nil {
			t.Error("Inc with one label value for two labels did not panic")
		}
	}()
	c.Inc("x")
}
