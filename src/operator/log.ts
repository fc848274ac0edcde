// JSON logs (pino): fixed messages with key/value pairs; app and release ride on child loggers.
import { pino, type Logger } from 'pino';

export function makeLogger(name: string, level = process.env.DYNOKUBE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { component: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
