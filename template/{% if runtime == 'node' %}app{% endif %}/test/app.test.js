import assert from 'node:assert/strict';
import { describe, it, beforeEach, afterEach } from 'node:test';

import { buildApp } from '../src/app.js';
import { loggerOptions } from '../src/logger.js';
import { shutdownOnSignal } from '../src/server.js';
import { NAME, SLO_LATENCY_SECONDS } from '../src/settings.js';

// Samples of one metric from the text exposition, as { labels, value }.
async function samples(app, name) {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  const pattern = new RegExp(`^${name}\\{(.*)\\} (\\S+)$`);
  return response.body.split('\n').flatMap((line) => {
    const match = pattern.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    return [{ labels, value: Number(match[2]) }];
  });
}

async function requestCount(app, route, status) {
  const matching = (await samples(app, 'http_requests_total')).filter(
    ({ labels }) => labels.method === 'GET' && labels.route === route && labels.status === status,
  );
  return matching.reduce((sum, { value }) => sum + value, 0);
}

describe('service', () => {
  let app;
  beforeEach(() => {
    app = buildApp();
  });
  afterEach(() => app.close());

  it('says hello', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { service: NAME, message: 'hello' });
  });

  it('is alive', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  it('is not ready while draining, but still alive', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    app.state.draining = true;
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { status: 'draining' });
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });

  it('counts requests by route template, unknown paths as unmatched', async () => {
    let before = await requestCount(app, '/', '200');
    await app.inject({ method: 'GET', url: '/?name=x' });
    assert.equal(await requestCount(app, '/', '200'), before + 1);

    before = await requestCount(app, 'unmatched', '404');
    assert.equal((await app.inject({ method: 'GET', url: '/no/such/page' })).statusCode, 404);
    assert.equal(await requestCount(app, 'unmatched', '404'), before + 1);
  });

  it('keeps idle connections open longer than any load balancer in front', () => {
    // A load balancer that reuses a keep-alive connection the service has closed answers 502;
    // Google's keeps idle connections for 600 s.
    assert.ok(app.server.keepAliveTimeout >= 600_000, `keepAliveTimeout ${app.server.keepAliveTimeout} ms`);
  });

  it('exposes Prometheus text with the SLO threshold as a bucket', async () => {
    await app.inject({ method: 'GET', url: '/' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'], /^text\/plain/);
    const bounds = (await samples(app, 'http_request_duration_seconds_bucket')).map(({ labels }) => Number(labels.le));
    assert.ok(bounds.includes(SLO_LATENCY_SECONDS), `no le="${SLO_LATENCY_SECONDS}" bucket`);
    assert.doesNotMatch(response.body, /_created/);
  });
});

describe('logs', () => {
  it('are one JSON object per line with the agreed field names', async () => {
    const lines = [];
    const stream = { write: (line) => lines.push(line) };
    const app = buildApp({ logger: loggerOptions({ level: 'info', environment: 'test', stream }) });
    await app.inject({ method: 'GET', url: '/' });
    await app.inject({ method: 'GET', url: '/healthz' }); // logged at debug only
    await app.close();

    const entries = lines.map((line) => JSON.parse(line));
    const requests = entries.filter((entry) => entry.message === 'request');
    assert.equal(requests.length, 1);
    const [entry] = requests;
    assert.equal(entry.level, 'info');
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(entry.service, NAME);
    assert.equal(entry.environment, 'test');
    assert.equal(entry.method, 'GET');
    assert.equal(entry.path, '/');
    assert.equal(entry.route, '/');
    assert.equal(entry.status, 200);
    assert.equal(typeof entry.duration_ms, 'number');
  });

  it('reject an unknown level', () => {
    assert.throws(() => loggerOptions({ level: 'loud' }), /LOG_LEVEL/);
  });
});

describe('shutdown', () => {
  it('drains, then closes the server and exits 0', async () => {
    const app = buildApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const exited = new Promise((resolve) => {
      // a drain long enough for the request below to arrive before the server closes, on a busy machine too
      const onSignal = shutdownOnSignal(app, { drainSeconds: 2, graceSeconds: 5, exit: resolve });
      onSignal('SIGTERM');
    });
    const url = `http://127.0.0.1:${app.server.address().port}/readyz`;
    const response = await fetch(url);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { status: 'draining' });

    assert.equal(await exited, 0);
    assert.equal(app.server.listening, false);
  });

  it('lets a request in flight finish', async () => {
    const app = buildApp();
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { done: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = fetch(`http://127.0.0.1:${app.server.address().port}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = new Promise((resolve) => {
      shutdownOnSignal(app, { drainSeconds: 0, graceSeconds: 5, exit: resolve })('SIGTERM');
    });
    const response = await slow;
    assert.deepEqual(await response.json(), { done: true });
    assert.equal(response.headers.get('connection'), 'close');
    assert.equal(await exited, 0);
  });

  it('exits at once on a second signal', () => {
    const app = buildApp();
    const codes = [];
    const onSignal = shutdownOnSignal(app, { drainSeconds: 60, graceSeconds: 5, exit: (code) => codes.push(code) });
    onSignal('SIGTERM');
    onSignal('SIGINT');
    assert.equal(codes.length, 1);
    assert.notEqual(codes[0], 0);
  });
});
