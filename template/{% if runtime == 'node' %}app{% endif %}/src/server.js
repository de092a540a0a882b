// Runs the service: JSON logs from the environment's settings and a graceful, draining shutdown.

import { constants } from 'node:os';

import { buildApp } from './app.js';
import { loggerOptions } from './logger.js';
import { configureTracing } from './tracing.js';

/**
 * Returns the handler for SIGTERM and SIGINT.
 *
 * Kubernetes sends SIGTERM and removes the pod from the Service's endpoints at the same time,
 * and the endpoint update takes a few seconds to reach every node. Serving on for
 * `drainSeconds` while /readyz reports 503 avoids refusing the connections that still arrive
 * meanwhile. The server then stops accepting connections and waits at most `graceSeconds` for
 * the requests in flight. A second signal stops at once.
 */
export function shutdownOnSignal(app, { drainSeconds, graceSeconds, exit = process.exit }) {
  return (signal) => {
    if (app.state.draining) {
      app.log.warn({ signal }, 'second signal: exiting at once');
      exit(128 + constants.signals[signal]);
      return;
    }
    app.state.draining = true;
    app.log.info({ signal, drain_seconds: drainSeconds }, 'draining before shutdown');
    const drain = setTimeout(async () => {
      const deadline = setTimeout(() => {
        app.log.warn({ grace_seconds: graceSeconds }, 'requests still in flight at the deadline; exiting');
        exit(0);
      }, graceSeconds * 1000);
      deadline.unref();
      await app.close();
      clearTimeout(deadline);
      app.log.info('stopped');
      exit(0);
    }, drainSeconds * 1000);
    drain.unref(); // the listening server keeps the process alive meanwhile
  };
}

function seconds(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds >= 0`);
  return value;
}

export async function serve() {
  const app = buildApp({
    logger: loggerOptions({ level: process.env.LOG_LEVEL ?? 'info', environment: process.env.ENVIRONMENT }),
  });
  const tracing = configureTracing(app.log);
  if (tracing) {
    // Spans still queued are exported before the process exits, if the collector answers.
    app.addHook('onClose', () =>
      tracing.shutdown().catch((err) => app.log.warn({ err }, 'spans lost at shutdown: export failed')),
    );
  }
  const onSignal = shutdownOnSignal(app, {
    drainSeconds: seconds('DRAIN_SECONDS', 5),
    graceSeconds: seconds('GRACEFUL_SHUTDOWN_SECONDS', 20),
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await app.listen({
    host: process.env.HOST ?? '0.0.0.0', // every interface of the pod
    port: Number(process.env.PORT ?? 8080),
  });
}
