import io
import json
import logging
import re

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id
from starlette.testclient import TestClient

from service import settings, tracing
from service.app import create_app
from service.logs import JsonFormatter

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"


@pytest.fixture
def exporter():
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter):
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def client(provider):
    with TestClient(create_app(tracer_provider=provider)) as client:
        yield client


@pytest.fixture
def request_logs():
    """The "request" log lines written meanwhile, as parsed JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("service.http")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lambda: [e for e in map(json.loads, stream.getvalue().splitlines()) if e["message"] == "request"]
    logger.removeHandler(handler)
    logger.setLevel(level)


def assert_valid_ids(entry):
    assert re.fullmatch(r"[0-9a-f]{32}", entry["trace_id"]) and entry["trace_id"] != "0" * 32, entry
    assert re.fullmatch(r"[0-9a-f]{16}", entry["span_id"]) and entry["span_id"] != "0" * 16, entry


def test_request_log_continues_the_incoming_trace(client, exporter, request_logs):
    assert client.get("/", headers={"traceparent": TRACEPARENT}).status_code == 200
    [entry] = request_logs()
    assert entry["trace_id"] == TRACE_ID
    assert_valid_ids(entry)
    assert entry["span_id"] != PARENT_SPAN_ID  # the service's own span, child of the caller's
    [span] = exporter.get_finished_spans()
    assert format_trace_id(span.context.trace_id) == TRACE_ID
    assert format_span_id(span.context.span_id) == entry["span_id"]
    assert format_span_id(span.parent.span_id) == PARENT_SPAN_ID


def test_request_without_traceparent_starts_a_trace(client, request_logs):
    client.get("/")
    client.get("/")
    first, second = request_logs()
    assert_valid_ids(first)
    assert_valid_ids(second)
    assert first["trace_id"] != second["trace_id"]


@pytest.mark.parametrize(
    "traceparent",
    [
        "garbage",
        f"00-{'0' * 32}-{PARENT_SPAN_ID}-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
        f"00-{TRACE_ID.upper()}-{PARENT_SPAN_ID}",  # upper case, no flags
        f"ff-{TRACE_ID}-{PARENT_SPAN_ID}-01",  # forbidden version
    ],
)
def test_invalid_traceparent_starts_a_new_trace(client, exporter, request_logs, traceparent):
    response = client.get("/", headers={"traceparent": traceparent})
    assert response.status_code == 200
    [entry] = request_logs()
    assert_valid_ids(entry)
    assert entry["trace_id"] not in (TRACE_ID, "0" * 32)
    [span] = exporter.get_finished_spans()
    assert span.parent is None


def test_one_server_span_per_request_named_by_route(client, exporter):
    client.get("/")
    client.get("/no/such/page")
    hello, unmatched = exporter.get_finished_spans()
    assert {hello.kind, unmatched.kind} == {SpanKind.SERVER}
    assert hello.name == "GET /"
    assert hello.attributes["http.route"] == "/"
    assert hello.attributes["http.status_code"] == 200
    # Unknown paths stay out of span names, which would otherwise grow without bound.
    assert unmatched.name == "GET"
    assert "http.route" not in unmatched.attributes
    assert unmatched.attributes["http.status_code"] == 404


def test_probes_and_scrapes_are_not_traced(client, exporter):
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200
    assert exporter.get_finished_spans() == ()


def test_service_name_defaults_to_the_project(monkeypatch):
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
    attributes = tracing.resource().attributes
    assert attributes[SERVICE_NAME] == settings.NAME
    assert attributes["deployment.environment.name"] == "test"

    monkeypatch.setenv("OTEL_SERVICE_NAME", "renamed")
    assert tracing.resource().attributes[SERVICE_NAME] == "renamed"


def test_spans_are_exported_only_to_a_configured_endpoint(monkeypatch):
    for name in tracing.ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert tracing.span_exporter() is None
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert isinstance(tracing.span_exporter(), OTLPSpanExporter)


def test_disabled_sdk_traces_nothing(monkeypatch, provider, exporter, request_logs):
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    with TestClient(create_app(tracer_provider=provider)) as client:
        assert client.get("/", headers={"traceparent": TRACEPARENT}).status_code == 200
    [entry] = request_logs()
    assert "trace_id" not in entry and "span_id" not in entry
    assert exporter.get_finished_spans() == ()
