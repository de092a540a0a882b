// Options for Fastify's logger: one JSON object per line on stdout, with the field names
// every log collector of this repository expects (time, level, message, service, environment).

import { NAME } from './settings.js';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export function loggerOptions({ level = 'info', environment, stream } = {}) {
  let name = level.toLowerCase();
  if (name === 'warning') name = 'warn';
  if (!LEVELS.has(name)) throw new Error(`LOG_LEVEL must be one of ${[...LEVELS].join(', ')}; got "${level}"`);
  return {
    level: name,
    messageKey: 'message',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: label }),
    },
    // Replaces pid and hostname: the pod name is added by the log collector.
    base: environment ? { service: NAME, environment } : { service: NAME },
    ...(stream && { stream }),
  };
}
