"""HTTP service: hello endpoint, health probes and Prometheus metrics."""
