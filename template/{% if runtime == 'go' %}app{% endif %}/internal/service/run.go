package service

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// Shutdown times, read from DRAIN_SECONDS and GRACEFUL_SHUTDOWN_SECONDS.
type Shutdown struct {
	// How long /readyz fails before the server stops accepting connections.
	Drain time.Duration
	// How long requests in flight then have to finish.
	Grace time.Duration
}

// Idle keep-alive timeout: longer than any load balancer's in front (Google's 600 s is the longest), else 502s.
const idleTimeout = 620 * time.Second

// ErrSecondSignal is returned when a second signal cut the shutdown short.
var ErrSecondSignal = errors.New("stopped at once by a second signal")

// Run serves s on listener until the first signal, then shuts down without losing requests.
//
// Kubernetes sends SIGTERM and removes the pod from the Service's endpoints at the same time,
// and the endpoint update takes a few seconds to reach every node. Serving on for the drain
// time while /readyz reports 503 avoids refusing the connections that still arrive meanwhile.
// Then the server stops accepting connections and waits for the requests in flight. A second
// signal stops at once.
func Run(listener net.Listener, s *Service, log *slog.Logger, shutdown Shutdown, signals <-chan os.Signal) error {
	server := newServer(s, log)
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	log.Info("started", "address", listener.Addr().String())

	var sig os.Signal
	select {
	case err := <-served:
		return err
	case sig = <-signals:
	}
	s.Drain()
	log.Info("draining before shutdown", "signal", sig.String(), "drain_seconds", shutdown.Drain.Seconds())

	select {
	case <-time.After(shutdown.Drain):
	case sig = <-signals:
		return stopAtOnce(server, log, sig)
	}

	ctx, cancel := context.WithTimeout(context.Background(), shutdown.Grace)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- server.Shutdown(ctx) }()
	select {
	case err := <-stopped:
		if errors.Is(err, context.DeadlineExceeded) {
			log.Warn("requests still in flight after the graceful shutdown time: closing their connections",
				"graceful_shutdown_seconds", shutdown.Grace.Seconds())
			_ = server.Close()
		} else if err != nil {
			return err
		}
	case sig = <-signals:
		return stopAtOnce(server, log, sig)
	}
	log.Info("stopped")
	return nil
}

func newServer(s *Service, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Without it, idle connections time out after ReadTimeout, or never if that is zero.
		IdleTimeout: idleTimeout,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func stopAtOnce(server *http.Server, log *slog.Logger, sig os.Signal) error {
	log.Warn("second signal: stopping at once", "signal", sig.String())
	_ = server.Close()
	return ErrSecondSignal
}
