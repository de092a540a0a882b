"""Process entry point: uvicorn with JSON logs and a graceful, draining shutdown."""

import logging
import os
import signal
import socket
import threading
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from service import logs, tracing
from service.app import create_app

log = logging.getLogger("service")

# Idle keep-alive timeout: longer than any load balancer's in front (Google's 600 s is the longest), else 502s.
KEEP_ALIVE_SECONDS = 620


class DrainingServer(uvicorn.Server):
    """On the first SIGTERM/SIGINT, fail readiness for `drain_seconds`, then shut down.

    Kubernetes sends SIGTERM and removes the pod from the Service's endpoints at the same
    time, and the endpoint update takes a few seconds to reach every node. Serving on while
    /readyz reports 503 avoids refusing the connections that still arrive meanwhile. Uvicorn
    then stops accepting connections and waits for in-flight requests before exiting.
    A second signal stops at once.
    """

    def __init__(self, config: uvicorn.Config, app: Starlette, drain_seconds: float) -> None:
        super().__init__(config)
        self.app = app
        self.drain_seconds = drain_seconds

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.app.state.draining or self.drain_seconds <= 0:
            super().handle_exit(sig, frame)
            return
        self.app.state.draining = True
        log.info(
            "draining before shutdown",
            extra={"fields": {"signal": signal.Signals(sig).name, "drain_seconds": self.drain_seconds}},
        )
        timer = threading.Timer(self.drain_seconds, super().handle_exit, args=(sig, frame))
        timer.daemon = True
        timer.start()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        tracing.shutdown()


def server_config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=os.environ.get("HOST", "0.0.0.0"),  # every interface of the pod
        port=int(os.environ.get("PORT", "8080")),
        log_config=None,  # keep the JSON logging configured by main()
        access_log=False,  # MetricsMiddleware logs requests
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=int(os.environ.get("GRACEFUL_SHUTDOWN_SECONDS", "20")),
    )


def main() -> None:
    logs.configure(os.environ.get("LOG_LEVEL", "info"))
    tracing.configure()
    app = create_app()
    DrainingServer(server_config(app), app, float(os.environ.get("DRAIN_SECONDS", "5"))).run()
