import http.server
import json
import logging
import signal
import threading
import time

import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from service import settings
from service.app import create_app
from service.client import main as run_client
from service.logs import JsonFormatter
from service.server import DrainingServer, server_config


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


def samples(client, name):
    text = client.get("/metrics").text
    return [s for family in text_string_to_metric_families(text) for s in family.samples if s.name == name]


def request_count(client, route, status):
    return sum(
        s.value
        for s in samples(client, "http_requests_total")
        if s.labels["route"] == route and s.labels["status"] == status and s.labels["method"] == "GET"
    )


def test_hello(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"service": settings.NAME, "message": "hello"}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_fails_while_draining(app, client):
    assert client.get("/readyz").status_code == 200
    app.state.draining = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "draining"}
    assert client.get("/healthz").status_code == 200


def test_metrics_count_requests_by_route_template(client):
    before = request_count(client, "/", "200")
    client.get("/")
    assert request_count(client, "/", "200") == before + 1

    before = request_count(client, "unmatched", "404")
    assert client.get("/no/such/page").status_code == 404
    assert request_count(client, "unmatched", "404") == before + 1


def test_metrics_exposition(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    bounds = {float(s.labels["le"]) for s in samples(client, "http_request_duration_seconds_bucket")}
    assert settings.SLO_LATENCY_SECONDS in bounds


def test_sigterm_drains_then_stops(app):
    server = DrainingServer(uvicorn.Config(app), app, drain_seconds=0.05)
    server.handle_exit(signal.SIGTERM, None)
    assert app.state.draining
    assert not server.should_exit
    deadline = time.monotonic() + 5
    while not server.should_exit and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.should_exit


def test_idle_connections_outlive_the_load_balancers(app):
    # A load balancer that reuses a keep-alive connection the service has closed answers 502; Google's
    # keeps idle connections for 600 s, and uvicorn's default closes them after 5 s.
    assert server_config(app).timeout_keep_alive >= 600


def test_logs_are_json():
    record = logging.LogRecord("service", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"status": 200}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "request"
    assert entry["level"] == "info"
    assert entry["status"] == 200
    assert entry["service"] == settings.NAME


class OnlyReadyz(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/readyz" else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OnlyReadyz)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_client_probe(upstream):
    assert run_client(["probe", f"{upstream}/readyz"]) == 0
    assert run_client(["probe", f"{upstream}/other"]) == 1
    assert run_client(["probe"]) == 2


def test_client_traffic_fails_when_nothing_answers(upstream, capsys):
    assert run_client(["traffic", f"{upstream}/readyz", "0.2", "50"]) == 0
    assert run_client(["traffic", f"{upstream}/other", "0.2", "50"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 requests answered, ")
