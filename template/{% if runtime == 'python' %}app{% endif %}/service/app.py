"""The ASGI application: routes and middleware."""

import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from service import settings, tracing
from service.metrics import METHODS, QUIET_ROUTES, UNMATCHED, MetricsMiddleware, route_of

log = logging.getLogger("service")

# Probes and scrapes get no span: they would outnumber the traces of real requests.
UNTRACED_URLS = os.environ.get(
    "OTEL_PYTHON_ASGI_EXCLUDED_URLS",
    r"^https?://[^/]+(" + "|".join(re.escape(route) for route in QUIET_ROUTES) + ")$",
)


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"service": settings.NAME, "message": "hello"})


async def healthz(request: Request) -> JSONResponse:
    # Liveness: the process serves HTTP. No dependency checks, so that a failing
    # dependency never makes Kubernetes restart every replica at once.
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    if request.app.state.draining:
        return JSONResponse({"status": "draining"}, status_code=503)
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    log.info("started")
    yield
    log.info("stopped")


def create_app(tracer_provider: TracerProvider | None = None) -> Starlette:
    """The application; its server spans go to `tracer_provider`, by default the global one."""
    routes = [
        Route("/", hello, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]

    def span_details(scope: Scope) -> tuple[str, dict[str, str]]:
        # Named by route template, not path, so that span names stay few.
        method = scope.get("method") if scope.get("method") in METHODS else "HTTP"
        route = route_of(routes, scope)
        if route == UNMATCHED:
            return method, {}
        return f"{method} {route}", {HTTP_ROUTE: route}

    middleware = [Middleware(MetricsMiddleware, routes=routes)]
    # With the SDK disabled, the middleware would still pass the caller's span off as the
    # request's own in the logs.
    if not tracing.disabled():
        # Outermost, so that the request log line of MetricsMiddleware is in the span.
        tracing_middleware = Middleware(
            OpenTelemetryMiddleware,
            excluded_urls=UNTRACED_URLS,
            default_span_details=span_details,
            tracer_provider=tracer_provider,
            exclude_spans=["receive", "send"],
        )
        middleware.insert(0, tracing_middleware)
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    # Set by the server on SIGTERM: /readyz then fails so the pod leaves the Service's
    # endpoints while it still serves the requests already routed to it.
    app.state.draining = False
    return app
