import { isRetriableKafkaError } from './kafka-errors.js';

/** How {@link retryWithBackoff} retries. */
export interface RetryOptions {
  /** Attempts after the first (default 8). */
  readonly retries?: number;
  /** First delay in ms (default 100), doubled per attempt up to `maxDelayMs` (default 5000), with jitter. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Default: {@link isRetriableKafkaError}. */
  readonly isRetriable?: (error: unknown) => boolean;
  /** Called before each retry (logging, metrics, tests). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Replaceable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying it with exponential backoff while it fails with a retriable Kafka
 * error (e.g. CONCURRENT_TRANSACTIONS, which brokers return right after a commit: kafkajs #1068,
 * #430). Other errors, and the last retriable one, are thrown. `attempt` counts from 0.
 *
 * @example
 * ```ts
 * await retryWithBackoff(async () => { const t = await producer.beginTransaction(); ... await t.commit(); });
 * ```
 */
export async function retryWithBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 8;
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const retriable = options.isRetriable ?? isRetriableKafkaError;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= retries || !retriable(error)) throw error;
      const base = Math.min(max, initial * 2 ** attempt);
      const delay = Math.round(base / 2 + Math.random() * (base / 2));
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
