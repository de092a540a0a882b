// Package client is the client mode of the service's own image, which has no shell or curl:
// `helm test` probes the service with it and a progressive rollout's analysis sends test
// traffic with it.
package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Timeout bounds each request.
const Timeout = 5 * time.Second

var httpClient = &http.Client{Timeout: Timeout}

// Probe returns nil if a GET of url answers 200 within Timeout.
func Probe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body) // lets the connection be reused
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// Traffic probes url perSecond times a second for duration, or until ctx ends, and counts the
// requests answered 200 and the others. Requests overlap when the service is slow, so the
// rate holds; the ones in flight at the end are waited for.
func Traffic(ctx context.Context, url string, duration time.Duration, perSecond float64) (answered, failed int) {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	ticker := time.NewTicker(time.Duration(float64(time.Second) / perSecond))
	defer ticker.Stop()

	var ok, bad atomic.Int64
	var requests sync.WaitGroup
	for ctx.Err() == nil {
		requests.Go(func() {
			// not ctx: a request started before the end may finish after it
			if Probe(context.WithoutCancel(ctx), url) == nil {
				ok.Add(1)
			} else {
				bad.Add(1)
			}
		})
		select {
		case <-ctx.Done():
		case <-ticker.C:
		}
	}
	requests.Wait()
	return int(ok.Load()), int(bad.Load())
}
