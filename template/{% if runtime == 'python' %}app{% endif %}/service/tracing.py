"""Traces of the HTTP server, configured by the standard OTEL_* environment variables.

Each request runs in a server span (see app.py) that continues the trace of an incoming W3C
`traceparent` header. Spans are exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT
or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are read by the SDK itself.
"""

import logging
import os

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from service import settings

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")

log = logging.getLogger("service")


def disabled() -> bool:
    """True when OTEL_SDK_DISABLED turns tracing off: requests then get no span at all."""
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def resource() -> Resource:
    # The service name is only a default: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
    return Resource.create({SERVICE_NAME: settings.NAME}).merge(OTELResourceDetector().detect())


def span_exporter() -> SpanExporter | None:
    """The OTLP exporter, which reads its endpoint, headers and timeout from the environment."""
    if any(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        return OTLPSpanExporter()
    return None


def configure() -> None:
    """Installs the process's tracer provider. Without it, requests get no trace context."""
    if disabled():
        log.info("tracing disabled by OTEL_SDK_DISABLED")
        return
    provider = TracerProvider(resource=resource())
    exporter = span_exporter()
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
        log.info("exporting spans over OTLP/HTTP")
    else:
        log.info("spans are not exported: no OTLP endpoint is set")
    trace.set_tracer_provider(provider)


def shutdown() -> None:
    """Exports the spans still queued, waiting at most the exporter's timeout.

    The provider registers the same as an exit handler, but uvicorn ends the process with the
    signal it received once it has stopped, and exit handlers do not run then.
    """
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()
