// Package metrics keeps counters and histograms in memory and writes them in the Prometheus
// text exposition format, which is all that the /metrics endpoint needs.
package metrics

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefaultBuckets are the Prometheus default histogram bounds, in seconds.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// WithBound returns buckets with bound added, sorted and without duplicates.
func WithBound(buckets []float64, bound float64) []float64 {
	bounds := append(slices.Clone(buckets), bound)
	slices.Sort(bounds)
	return slices.Compact(bounds)
}

// Registry holds metric families and writes them in the order they were created. Create
// them all before serving: adding one is not safe while the registry is written.
type Registry struct {
	families []*family
}

// Counter is a monotonically increasing count per combination of label values.
type Counter struct{ *family }

// Histogram counts observations per bucket, and their sum, per combination of label values.
type Histogram struct{ *family }

type family struct {
	name, help, kind string
	labels           []string
	bounds           []float64 // histograms only, ascending, without +Inf

	mu     sync.Mutex
	series map[string]*series
}

type series struct {
	labelValues []string
	count       uint64
	sum         float64
	buckets     []uint64 // observations per bound, not cumulative; the last one is +Inf
}

// Counter creates a counter named name with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	return &Counter{r.add(&family{name: name, help: help, kind: "counter", labels: labels})}
}

// Histogram creates a histogram named name with the given upper bounds and label names.
func (r *Registry) Histogram(name, help string, bounds []float64, labels ...string) *Histogram {
	bounds = slices.Clone(bounds)
	slices.Sort(bounds)
	return &Histogram{r.add(&family{name: name, help: help, kind: "histogram", labels: labels, bounds: bounds})}
}

func (r *Registry) add(f *family) *family {
	f.series = map[string]*series{}
	r.families = append(r.families, f)
	return f
}

// Inc adds one to the series of the given label values.
func (c *Counter) Inc(labelValues ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.get(labelValues).count++
}

// Observe records value in the series of the given label values.
func (h *Histogram) Observe(value float64, labelValues ...string) {
	i, _ := slices.BinarySearch(h.bounds, value) // first bound >= value, or len(bounds) for +Inf
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.get(labelValues)
	s.count++
	s.sum += value
	s.buckets[i]++
}

// get returns the series of labelValues, creating it on first use; f.mu must be held.
func (f *family) get(labelValues []string) *series {
	if len(labelValues) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(labelValues)))
	}
	key := strings.Join(labelValues, "\xff")
	s, ok := f.series[key]
	if !ok {
		s = &series{labelValues: slices.Clone(labelValues)}
		if f.kind == "histogram" {
			s.buckets = make([]uint64, len(f.bounds)+1)
		}
		f.series[key] = s
	}
	return s
}

// WriteTo writes every family in the text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	for _, f := range r.families {
		f.write(&buf)
	}
	return buf.WriteTo(w)
}

// ServeHTTP answers a Prometheus scrape.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	_, _ = r.WriteTo(w)
}

func (f *family) write(buf *bytes.Buffer) {
	fmt.Fprintf(buf, "# HELP %s %s\n# TYPE %s %s\n", f.name, helpEscaper.Replace(f.help), f.name, f.kind)
	f.mu.Lock()
	defer f.mu.Unlock()
	byLabels := func(a, b *series) int { return slices.Compare(a.labelValues, b.labelValues) }
	for _, s := range slices.SortedFunc(maps.Values(f.series), byLabels) {
		labels := f.labelPairs(s.labelValues)
		if f.kind == "counter" {
			sample(buf, f.name, labels, "", strconv.FormatUint(s.count, 10))
			continue
		}
		var cumulative uint64
		for i, n := range s.buckets {
			cumulative += n
			le := math.Inf(1)
			if i < len(f.bounds) {
				le = f.bounds[i]
			}
			sample(buf, f.name+"_bucket", labels, `le="`+formatFloat(le)+`"`, strconv.FormatUint(cumulative, 10))
		}
		sample(buf, f.name+"_sum", labels, "", formatFloat(s.sum))
		sample(buf, f.name+"_count", labels, "", strconv.FormatUint(s.count, 10))
	}
}

// labelPairs renders `name="value",...` for the family's labels.
func (f *family) labelPairs(values []string) string {
	pairs := make([]string, len(values))
	for i, v := range values {
		pairs[i] = f.labels[i] + `="` + labelEscaper.Replace(v) + `"`
	}
	return strings.Join(pairs, ",")
}

func sample(buf *bytes.Buffer, name, labels, extra, value string) {
	buf.WriteString(name)
	if labels != "" && extra != "" {
		labels += ","
	}
	if labels+extra != "" {
		buf.WriteString("{" + labels + extra + "}")
	}
	buf.WriteString(" " + value + "\n")
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)
