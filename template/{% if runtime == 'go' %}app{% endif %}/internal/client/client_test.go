package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer server.Close()

	if err := Probe(t.Context(), server.URL); err != nil {
		t.Errorf("200: %v", err)
	}
	status.Store(http.StatusServiceUnavailable)
	if err := Probe(t.Context(), server.URL); err == nil {
		t.Error("503 is not a successful probe")
	}
	server.Close()
	if err := Probe(t.Context(), server.URL); err == nil {
		t.Error("a refused connection is not a successful probe")
	}
}

func TestTraffic(t *testing.T) {
	var calls atomic.Int64
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer server.Close()

	answered, failed := Traffic(t.Context(), server.URL, 500*time.Millisecond, 20)
	if total := answered + failed; total < 8 || total > 12 {
		t.Errorf("%d requests in 0.5 s at 20 per second", total)
	}
	if answered == 0 || failed == 0 || answered+failed != int(calls.Load()) {
		t.Errorf("answered %d, failed %d, served %d", answered, failed, calls.Load())
	}
}

func TestTrafficStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	answered, failed := Traffic(ctx, "http://127.0.0.1:1/", time.Minute, 1)
	if time.Since(start) > Timeout {
		t.Errorf("Traffic ran %v after its context ended", time.Since(start))
	}
	if answered != 0 || failed > 1 {
		t.Errorf("answered %d, failed %d", answered, failed)
	}
}
