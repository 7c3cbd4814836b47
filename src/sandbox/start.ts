import type { LogLevel } from '../config';
import { createLogger, type Logger } from '../log';

/** Placeholder replaced by the sandbox issue. */
export async function startSandbox(opts: { port: number; logLevel: LogLevel }): Promise<{ stop(): Promise<void>; logger: Logger }> {
  const logger = createLogger({ level: opts.logLevel, secrets: [] });
  logger.warn('sandbox not available yet');
  return { stop: async () => undefined, logger };
}
