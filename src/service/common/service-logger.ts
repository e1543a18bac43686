import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { ServiceConfig } from '../config/service-config.js';

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * The service's logger: Nest's `ConsoleLogger`, by default one JSON object per line
 * (`{"level","pid","timestamp","message","context"}`, for log collectors), or Nest's coloured
 * text with `LOG_FORMAT=text`; levels up to `LOG_LEVEL`.
 *
 * A failure while the app boots (a locked `DATA_DIR`, Kafka unreachable) is not logged here with
 * its stack: `createApp` rethrows it and `npm start` prints one line and exits 1 (the stack is
 * still logged at `LOG_LEVEL=debug`).
 *
 * @example
 * ```ts
 * const logger = new ServiceLogger({ logLevel: 'log', logFormat: 'json' });
 * logger.log('hello', 'Main'); // {"level":"log","pid":1,"timestamp":…,"message":"hello","context":"Main"}
 * ```
 */
export class ServiceLogger extends ConsoleLogger {
  private readonly debugEnabled: boolean;

  constructor(config: Pick<ServiceConfig, 'logLevel' | 'logFormat'>) {
    const json = config.logFormat === 'json';
    super({
      logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
      json,
      colors: !json && process.stdout.isTTY === true,
    });
    this.debugEnabled = LEVELS.indexOf(config.logLevel) >= LEVELS.indexOf('debug');
  }

  override error(message: unknown, ...rest: unknown[]): void {
    // Nest's ExceptionHandler logs a boot failure with its stack before rethrowing it.
    if (rest.at(-1) === 'ExceptionHandler' && !this.debugEnabled) return;
    super.error(message, ...rest);
  }
}
