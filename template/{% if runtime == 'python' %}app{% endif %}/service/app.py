"""The ASGI application: routes and middleware."""

import contextlib
import logging
from collections.abc import AsyncIterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service import settings
from service.metrics import MetricsMiddleware

log = logging.getLogger("service")


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


def create_app() -> Starlette:
    routes = [
        Route("/", hello, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(MetricsMiddleware, routes=routes)],
        lifespan=lifespan,
    )
    # Set by the server on SIGTERM: /readyz then fails so the pod leaves the Service's
    # endpoints while it still serves the requests already routed to it.
    app.state.draining = False
    return app
