"""JSON logs on stdout: one object per line, ready for any log collector."""

import json
import logging
import os
import sys
from datetime import UTC, datetime

from opentelemetry import trace

from service import settings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": settings.NAME,
        }
        environment = os.environ.get("ENVIRONMENT")
        if environment:
            entry["environment"] = environment
        # Structured fields: logger.info("...", extra={"fields": {...}})
        entry.update(getattr(record, "fields", {}))
        # Within a request: its server span, which links the line to the request's trace.
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = trace.format_trace_id(span.trace_id)
            entry["span_id"] = trace.format_span_id(span.span_id)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
