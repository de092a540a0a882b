// Traces of the HTTP server, configured by the standard OTEL_* environment variables.
//
// Each request runs in a server span that continues the trace of a valid W3C `traceparent`
// header. Spans are exported over OTLP (HTTP/protobuf) only when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; the SDK itself reads OTEL_TRACES_SAMPLER(_ARG), the
// exporter's headers and timeout.

import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  diag,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

import { NAME } from './settings.js';

export const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];

export function tracingDisabled() {
  return (process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
}

export function resource() {
  // The service name is only a default: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
  return defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
}

/** The OTLP exporter, which reads its endpoint, headers and timeout from the environment. */
export function spanExporter() {
  return ENDPOINT_VARIABLES.some((name) => process.env[name]) ? new OTLPTraceExporter() : undefined;
}

/**
 * Registers the process's tracer provider and W3C propagator; returns the provider, to be shut
 * down last, or undefined when OTEL_SDK_DISABLED is set. Without it, requests get no trace context.
 */
export function configureTracing(log) {
  if (tracingDisabled()) {
    log.info('tracing disabled by OTEL_SDK_DISABLED');
    return undefined;
  }
  // The SDK's own problems, such as failed exports, go to the service's log.
  diag.setLogger(
    { error: (m) => log.error(m), warn: (m) => log.warn(m), info() {}, debug() {}, verbose() {} },
    DiagLogLevel.WARN,
  );
  const exporter = spanExporter();
  const provider = new NodeTracerProvider({
    resource: resource(),
    spanProcessors: exporter ? [new BatchSpanProcessor(exporter)] : [],
  });
  provider.register();
  log.info(exporter ? 'exporting spans over OTLP/HTTP' : 'spans are not exported: no OTLP endpoint is set');
  return provider;
}

/**
 * Runs each request in a server span named by its route template, and adds the span's ids to
 * the request's log lines. Requests for `untracedRoutes` get no span.
 */
export function traceRequests(app, { untracedRoutes = new Set() } = {}) {
  const tracer = trace.getTracer('service');
  app.decorateRequest('span', null);

  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url; // undefined for unknown paths
    if (untracedRoutes.has(route)) {
      done();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const attributes = { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: request.url.split('?')[0] };
    if (route) attributes[ATTR_HTTP_ROUTE] = route;
    // Unknown paths stay out of span names, which would otherwise grow without bound.
    const name = route ? `${request.method} ${route}` : request.method;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    const ids = span.spanContext();
    if (!isSpanContextValid(ids)) {
      done(); // no tracer provider: tracing is off
      return;
    }
    request.span = span;
    request.log = request.log.child({ trace_id: ids.traceId, span_id: ids.spanId });
    reply.log = request.log;
    // The rest of the request, handler included, runs with this span as the active one.
    context.with(trace.setSpan(parent, span), done);
  });

  app.addHook('onResponse', async (request, reply) => {
    const { span } = request;
    if (!span) return;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    request.span = null;
  });

  app.addHook('onRequestAbort', async (request) => {
    const { span } = request;
    if (!span) return;
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted by the client' });
    span.end();
    request.span = null;
  });
}
