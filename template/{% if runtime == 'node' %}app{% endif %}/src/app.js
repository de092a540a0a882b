// The Fastify application: routes, request metrics and request logs.

import Fastify, { LogController } from 'fastify';

import { UNMATCHED, duration, methodLabel, registry, requests } from './metrics.js';
import { NAME } from './settings.js';
import { traceRequests } from './tracing.js';

// Probes and scrapes are logged at debug level only and get no span; they are counted like any
// request.
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

// Idle keep-alive timeout: longer than any load balancer's in front (Google's 600 s is the longest), else 502s.
export const KEEP_ALIVE_TIMEOUT_SECONDS = 620;

// Fastify's own per-request lines give way to the single "request" line of the onResponse hook
// below; its error lines stay.
class RequestLogs extends LogController {
  incomingRequest() {}
  requestCompleted() {}
  routeNotFound() {}
}

export function buildApp({ logger = false } = {}) {
  const app = Fastify({
    logger,
    logController: new RequestLogs(),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_SECONDS * 1000, // Fastify's default: 72 s
  });

  // Set on SIGTERM (server.js): /readyz then fails so the pod leaves the Service's endpoints
  // while it still serves the requests already routed to it.
  app.decorate('state', { draining: false });

  // First, so that the hooks and handlers after it run in the request's span.
  traceRequests(app, { untracedRoutes: QUIET_ROUTES });

  app.addHook('onResponse', async (request, reply) => {
    const method = methodLabel(request.method);
    const route = request.routeOptions.url ?? UNMATCHED;
    const status = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    requests.inc({ method, route, status: String(status) });
    duration.observe({ method, route }, elapsedMs / 1000);
    const quiet = QUIET_ROUTES.has(route) && status < 500;
    request.log[quiet ? 'debug' : 'info'](
      { method, path: request.url.split('?')[0], route, status, duration_ms: Number(elapsedMs.toFixed(3)) },
      'request',
    );
  });

  // While draining, each answer closes its connection: the client's next request goes through
  // the Service to another pod, and the shutdown does not wait for idle keep-alive connections.
  app.addHook('onSend', async (request, reply) => {
    if (app.state.draining) reply.header('connection', 'close');
  });

  app.get('/', async () => ({ service: NAME, message: 'hello' }));

  // Liveness: the process serves HTTP. No dependency checks, so that a failing
  // dependency never makes Kubernetes restart every replica at once.
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    if (app.state.draining) return reply.code(503).send({ status: 'draining' });
    return { status: 'ready' };
  });

  app.get('/metrics', async (request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  return app;
}
