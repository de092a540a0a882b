package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer collects log lines written from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newService(t *testing.T) (*Service, *syncBuffer) {
	t.Helper()
	var logs syncBuffer
	handler := slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})
	return New(slog.New(handler)), &logs
}

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func assertJSON(t *testing.T, rec *httptest.ResponseRecorder, status int, want map[string]string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status %d, want %d", rec.Code, status)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("body %v, want %v", body, want)
	}
}

// sample returns the value of the exposition line that starts with series, or -1.
func sample(t *testing.T, s *Service, series string) float64 {
	t.Helper()
	for line := range strings.Lines(get(t, s, "GET", "/metrics").Body.String()) {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	return -1
}

func TestHello(t *testing.T) {
	s, _ := newService(t)
	assertJSON(t, get(t, s, "GET", "/"), http.StatusOK, map[string]string{"service": Name, "message": "hello"})
}

func TestHealthz(t *testing.T) {
	s, _ := newService(t)
	assertJSON(t, get(t, s, "GET", "/healthz"), http.StatusOK, map[string]string{"status": "ok"})
}

func TestReadyzFailsWhileDraining(t *testing.T) {
	s, _ := newService(t)
	assertJSON(t, get(t, s, "GET", "/readyz"), http.StatusOK, map[string]string{"status": "ready"})
	s.Drain()
	assertJSON(t, get(t, s, "GET", "/readyz"), http.StatusServiceUnavailable, map[string]string{"status": "draining"})
	assertJSON(t, get(t, s, "GET", "/healthz"), http.StatusOK, map[string]string{"status": "ok"})
}

func TestMetricsCountRequestsByRouteTemplate(t *testing.T) {
	s, _ := newService(t)
	get(t, s, "GET", "/")
	get(t, s, "GET", "/")
	get(t, s, "HEAD", "/healthz")
	if code := get(t, s, "GET", "/no/such/page").Code; code != http.StatusNotFound {
		t.Errorf("unknown path: %d", code)
	}
	if code := get(t, s, "POST", "/healthz").Code; code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d", code)
	}
	get(t, s, "BREW", "/")

	for series, want := range map[string]float64{
		`http_requests_total{method="GET",route="/",status="200"}`:               2,
		`http_requests_total{method="HEAD",route="/healthz",status="200"}`:       1,
		`http_requests_total{method="GET",route="unmatched",status="404"}`:       1,
		`http_requests_total{method="POST",route="/healthz",status="405"}`:       1,
		`http_requests_total{method="other",route="/",status="405"}`:             1,
		`http_request_duration_seconds_count{method="GET",route="/"}`:            2,
		`http_request_duration_seconds_bucket{method="GET",route="/",le="+Inf"}`: 2,
	} {
		if got := sample(t, s, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

func TestMetricsExposition(t *testing.T) {
	s, _ := newService(t)
	get(t, s, "GET", "/")
	rec := get(t, s, "GET", "/metrics")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	body := rec.Body.String()
	for _, line := range []string{
		"# TYPE http_requests_total counter",
		"# TYPE http_request_duration_seconds histogram",
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("no %q in\n%s", line, body)
		}
	}
	slo := strconv.FormatFloat(SLOLatencySeconds, 'g', -1, 64)
	if sample(t, s, `http_request_duration_seconds_bucket{method="GET",route="/",le="`+slo+`"}`) != 1 {
		t.Errorf("no bucket at the latency objective le=%q in\n%s", slo, body)
	}
	if strings.Contains(body, "_created") {
		t.Errorf("*_created series in\n%s", body)
	}
}

func TestRequestLogs(t *testing.T) {
	s, logs := newService(t)
	get(t, s, "GET", "/?q=1")
	get(t, s, "GET", "/healthz")

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", logs.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("not JSON: %s", lines[0])
	}
	for key, want := range map[string]any{"level": "INFO", "msg": "request", "method": "GET", "path": "/", "route": "/", "status": 200.0} {
		if entry[key] != want {
			t.Errorf("%s = %v, want %v in %s", key, entry[key], want, lines[0])
		}
	}
	if _, ok := entry["duration_ms"].(float64); !ok {
		t.Errorf("no duration_ms in %s", lines[0])
	}
	if !strings.Contains(lines[1], `"level":"DEBUG"`) {
		t.Errorf("probes are logged at debug level: %s", lines[1])
	}
}

func TestPanicIsA500(t *testing.T) {
	s, logs := newService(t)
	s.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	assertJSON(t, get(t, s, "GET", "/boom"), http.StatusInternalServerError, map[string]string{"error": "internal server error"})
	if sample(t, s, `http_requests_total{method="GET",route="/boom",status="500"}`) != 1 {
		t.Error("the failed request is not counted as a 500")
	}
	if !strings.Contains(logs.String(), `"msg":"request failed"`) {
		t.Errorf("the failure is not logged: %s", logs.String())
	}
}

// TestIdleConnectionsOutliveTheLoadBalancers: a load balancer that reuses a keep-alive connection
// the service has closed answers 502, and Google's keeps idle connections for 600 s.
func TestIdleConnectionsOutliveTheLoadBalancers(t *testing.T) {
	s, _ := newService(t)
	server := newServer(s, slog.New(slog.DiscardHandler))
	idle := server.IdleTimeout
	if idle == 0 {
		idle = server.ReadTimeout // net/http's fallback; zero then means never
	}
	if idle < 600*time.Second {
		t.Errorf("idle connections time out after %v (0: never), want IdleTimeout of 600 s or more", idle)
	}
}

// TestShutdown: SIGTERM fails /readyz while serving on, lets the request in flight finish,
// then Run returns nil (exit 0).
func TestShutdown(t *testing.T) {
	s, logs := newService(t)
	arrived, release := make(chan struct{}), make(chan struct{})
	s.mux.HandleFunc("GET /slow", func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + listener.Addr().String()
	signals := make(chan os.Signal, 2)
	done := make(chan error, 1)
	go func() {
		done <- Run(listener, s, slog.New(slog.NewJSONHandler(logs, nil)), Shutdown{Drain: 300 * time.Millisecond, Grace: 5 * time.Second}, signals)
	}()

	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		slow <- string(body)
	}()
	<-arrived

	signals <- syscall.SIGTERM
	waitFor(t, func() bool { return strings.Contains(logs.String(), "draining") })
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("the server stopped serving while draining: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining: %d", resp.StatusCode)
	}

	time.Sleep(500 * time.Millisecond) // past the drain time: shutting down, /slow still in flight
	select {
	case err := <-done:
		t.Fatalf("Run returned before the request in flight finished: %v", err)
	default:
	}
	close(release)
	if body := <-slow; body != "done" {
		t.Errorf("request in flight: %q", body)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the last request")
	}
}

func TestSecondSignalStopsAtOnce(t *testing.T) {
	s, _ := newService(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	signals := make(chan os.Signal, 2)
	done := make(chan error, 1)
	go func() {
		done <- Run(listener, s, slog.New(slog.DiscardHandler), Shutdown{Drain: time.Minute, Grace: time.Minute}, signals)
	}()
	signals <- syscall.SIGTERM
	signals <- syscall.SIGINT
	select {
	case err := <-done:
		if !errors.Is(err, ErrSecondSignal) {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a second signal did not stop Run")
	}
}

func waitFor(t *testing.T, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
