// Prometheus metrics of the HTTP server, recorded by Fastify hooks (see app.js).

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { SLO_LATENCY_SECONDS } from './settings.js';

// Prometheus' usual latency buckets, plus the SLO threshold as an exact boundary.
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const requests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests handled, by method, route template and status code.',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});

export const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time to handle an HTTP request, by method and route template.',
  labelNames: ['method', 'route'],
  buckets: [...new Set([...DEFAULT_BUCKETS, SLO_LATENCY_SECONDS])].sort((a, b) => a - b),
  registers: [registry],
});

// Label values stay bounded: unknown methods and paths are folded into one value each.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const UNMATCHED = 'unmatched';

export function methodLabel(method) {
  return METHODS.has(method) ? method : 'other';
}
