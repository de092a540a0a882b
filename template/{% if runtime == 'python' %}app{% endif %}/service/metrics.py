"""Prometheus metrics of the HTTP server, recorded by an ASGI middleware."""

import logging
import time

from prometheus_client import Counter, Histogram, disable_created_metrics
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import settings

# The *_created series only add cardinality; rate() and histogram_quantile() do not use them.
disable_created_metrics()

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests handled, by method, route template and status code.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to handle an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=sorted({*Histogram.DEFAULT_BUCKETS, settings.SLO_LATENCY_SECONDS}),
)

# Label values stay bounded: unknown methods and paths are folded into one value each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
# Probes and scrapes are logged at debug level only; they are counted like any request.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

log = logging.getLogger("service.http")


def route_of(routes: list[BaseRoute], scope: Scope) -> str:
    for route in routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            return getattr(route, "path", UNMATCHED)
    return UNMATCHED


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        method = scope["method"] if scope["method"] in METHODS else "other"
        route = route_of(self.routes, scope)
        status = 500  # reported when the application fails before responding

        async def send_and_record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_and_record_status)
        finally:
            elapsed = time.perf_counter() - start
            REQUESTS.labels(method, route, str(status)).inc()
            DURATION.labels(method, route).observe(elapsed)
            quiet = route in QUIET_ROUTES and status < 500
            log.log(
                logging.DEBUG if quiet else logging.INFO,
                "request",
                extra={
                    "fields": {
                        "method": method,
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                    }
                },
            )
