import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

import { buildApp } from '../src/app.js';
import { loggerOptions } from '../src/logger.js';
import { NAME } from '../src/settings.js';
import { ENDPOINT_VARIABLES, configureTracing, resource, spanExporter } from '../src/tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

// node --test runs each test file in its own process: this registration stays in this file.
const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();

/** Sends the requests to a new app; returns their responses and "request" log lines. */
async function send(...requests) {
  const lines = [];
  const app = buildApp({ logger: loggerOptions({ level: 'info', stream: { write: (line) => lines.push(line) } }) });
  const responses = [];
  for (const request of requests) responses.push(await app.inject({ method: 'GET', ...request }));
  await app.close();
  const entries = lines.map((line) => JSON.parse(line)).filter((entry) => entry.message === 'request');
  return { responses, entries };
}

function assertValidIds(entry) {
  assert.match(entry.trace_id, /^[0-9a-f]{32}$/);
  assert.notEqual(entry.trace_id, '0'.repeat(32));
  assert.match(entry.span_id, /^[0-9a-f]{16}$/);
  assert.notEqual(entry.span_id, '0'.repeat(16));
}

describe('tracing', () => {
  beforeEach(() => exporter.reset());

  it('continues the trace of an incoming traceparent in the request log line', async () => {
    const { responses, entries } = await send({ url: '/', headers: { traceparent: TRACEPARENT } });
    assert.equal(responses[0].statusCode, 200);
    const [entry] = entries;
    assertValidIds(entry);
    assert.equal(entry.trace_id, TRACE_ID);
    assert.notEqual(entry.span_id, PARENT_SPAN_ID); // the service's own span, child of the caller's
    const [span] = exporter.getFinishedSpans();
    assert.equal(span.spanContext().traceId, TRACE_ID);
    assert.equal(span.spanContext().spanId, entry.span_id);
    assert.equal(span.parentSpanContext?.spanId, PARENT_SPAN_ID);
  });

  it('starts a new trace for a request without traceparent', async () => {
    const { entries } = await send({ url: '/' }, { url: '/' });
    assert.equal(entries.length, 2);
    entries.forEach(assertValidIds);
    assert.notEqual(entries[0].trace_id, entries[1].trace_id);
  });

  for (const traceparent of [
    'garbage',
    `00-${'0'.repeat(32)}-${PARENT_SPAN_ID}-01`, // all-zero trace id
    `00-${TRACE_ID}-${'0'.repeat(16)}-01`, // all-zero parent id
    `00-${TRACE_ID.toUpperCase()}-${PARENT_SPAN_ID}`, // upper case, no flags
    `ff-${TRACE_ID}-${PARENT_SPAN_ID}-01`, // forbidden version
  ]) {
    it(`ignores the invalid traceparent "${traceparent}"`, async () => {
      const { responses, entries } = await send({ url: '/', headers: { traceparent } });
      assert.equal(responses[0].statusCode, 200);
      assertValidIds(entries[0]);
      assert.notEqual(entries[0].trace_id, TRACE_ID);
      const [span] = exporter.getFinishedSpans();
      assert.equal(span.parentSpanContext, undefined);
    });
  }

  it('records one server span per request, named by route template', async () => {
    await send({ url: '/?name=x' }, { url: '/no/such/page' });
    const [hello, unmatched] = exporter.getFinishedSpans();
    assert.equal(exporter.getFinishedSpans().length, 2);
    assert.equal(hello.kind, SpanKind.SERVER);
    assert.equal(hello.name, 'GET /');
    assert.equal(hello.attributes['http.route'], '/');
    assert.equal(hello.attributes['http.response.status_code'], 200);
    // Unknown paths stay out of span names, which would otherwise grow without bound.
    assert.equal(unmatched.kind, SpanKind.SERVER);
    assert.equal(unmatched.name, 'GET');
    assert.equal(unmatched.attributes['http.route'], undefined);
    assert.equal(unmatched.attributes['http.response.status_code'], 404);
  });

  it('does not trace probes and scrapes', async () => {
    const { responses } = await send({ url: '/healthz' }, { url: '/readyz' }, { url: '/metrics' });
    assert.deepEqual(responses.map((response) => response.statusCode), [200, 200, 200]);
    assert.equal(exporter.getFinishedSpans().length, 0);
  });
});

describe('tracing configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('names the service after the project unless the environment does', () => {
    delete process.env.OTEL_SERVICE_NAME;
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=test';
    assert.equal(resource().attributes[ATTR_SERVICE_NAME], NAME);
    assert.equal(resource().attributes['deployment.environment.name'], 'test');

    process.env.OTEL_SERVICE_NAME = 'renamed';
    assert.equal(resource().attributes[ATTR_SERVICE_NAME], 'renamed');
  });

  it('exports spans only to a configured endpoint', () => {
    for (const name of ENDPOINT_VARIABLES) delete process.env[name];
    assert.equal(spanExporter(), undefined);
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
    assert.ok(spanExporter() instanceof OTLPTraceExporter);
  });

  it('can be disabled', () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    const messages = [];
    assert.equal(configureTracing({ info: (message) => messages.push(message) }), undefined);
    assert.match(messages[0], /disabled/);
  });
});
