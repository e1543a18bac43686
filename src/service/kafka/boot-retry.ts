import { isFencedError, isRetriableKafkaError } from '../../core/connectors/kafka/index.js';

/**
 * Names of kafkajs errors that a cluster which is starting, or whose topics and coordinators
 * were just created, answers with for a while: no broker listening yet, metadata not loaded,
 * requests timing out. kafkajs retries them a few times itself, then gives up with one of them
 * (or `KafkaJSNumberOfRetriesExceeded` wrapping one).
 */
const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSRequestTimeoutError',
  'KafkaJSLockTimeout',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSGroupCoordinatorNotFound',
]);

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/**
 * Whether an error met while booting against Kafka may go away by itself: connection refused
 * while the broker starts, `UNKNOWN_TOPIC_OR_PARTITION` or `LEADER_NOT_AVAILABLE` right after a
 * topic was created, group or transaction coordinators loading or not available yet, timeouts.
 * A missing topic with `KAFKA_CREATE_TOPICS=false`, a misconfigured topic and fencing are not.
 *
 * @example
 * ```ts
 * isRetriableBootError(Object.assign(new Error('x'), { type: 'COORDINATOR_LOAD_IN_PROGRESS' })); // true
 * ```
 */
export function isRetriableBootError(error: unknown): boolean {
  if (isFencedError(error)) return false;
  if (isRetriableKafkaError(error)) return true;
  return causes(error).some((e) => {
    const o = e as { name?: unknown; code?: unknown; retriable?: unknown };
    return (
      (typeof o.name === 'string' && TRANSIENT_NAMES.has(o.name)) ||
      (typeof o.code === 'string' && TRANSIENT_CODES.has(o.code)) ||
      o.retriable === true
    );
  });
}

/** `error` and its causes (`cause`, kafkajs' `originalError` and `retriableError`). */
function causes(error: unknown): object[] {
  const out: object[] = [];
  const seen = new Set<unknown>();
  for (let queue: unknown[] = [error]; queue.length > 0; ) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    out.push(e);
    const o = e as { cause?: unknown; originalError?: unknown; retriableError?: unknown; errors?: unknown };
    queue.push(o.cause, o.originalError, o.retriableError);
    if (Array.isArray(o.errors)) queue.push(...o.errors);
  }
  return out;
}

/** One line for an error and its innermost distinct cause. @example `describeError(e)` */
export function describeError(error: unknown): string {
  const all = causes(error).filter((e): e is Error => e instanceof Error);
  const first = all[0];
  if (first === undefined) return String(error);
  const type = (first as { type?: unknown }).type;
  const head = `${first.name}: ${first.message}${typeof type === 'string' && !first.message.includes(type) ? ` (${type})` : ''}`;
  const last = all[all.length - 1];
  return last !== undefined && last !== first && !head.includes(last.message)
    ? `${head} <- ${last.name}: ${last.message}`
    : head;
}

/**
 * Thrown by {@link bootRetry} when a step still fails with a retriable error at the deadline
 * (`KAFKA_BOOT_TIMEOUT_MS`); its message names the step, the time waited and the last error.
 *
 * @example
 * ```ts
 * new KafkaBootTimeoutError('connecting to 127.0.0.1:9092', 60_000, cause).message;
 * // 'Kafka not ready after 60000 ms (KAFKA_BOOT_TIMEOUT_MS), connecting to 127.0.0.1:9092: KafkaJSConnectionError: …'
 * ```
 */
export class KafkaBootTimeoutError extends Error {
  override readonly name = 'KafkaBootTimeoutError';
  constructor(step: string, waitedMs: number, cause: unknown) {
    super(`Kafka not ready after ${waitedMs} ms (KAFKA_BOOT_TIMEOUT_MS), ${step}: ${describeError(cause)}`, {
      cause,
    });
  }
}

/**
 * The boot's deadline and log, shared by every step of one boot.
 *
 * @example
 * ```ts
 * const boot: BootClock = { startedAt: Date.now(), deadline: Date.now() + 60_000, warn: (m) => logger.warn(m) };
 * ```
 */
export interface BootClock {
  readonly startedAt: number;
  /** Epoch ms after which a retriable failure is final. */
  readonly deadline: number;
  /** Where each retry is logged. */
  readonly warn: (message: string) => void;
  /** Replaceable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/**
 * Runs one boot `step`, retrying it with exponential backoff (250 ms doubling to 5 s, never past
 * the deadline) while it fails with an error {@link isRetriableBootError} accepts, logging each
 * retry. Other errors are thrown at once; a retriable one still there at the deadline becomes a
 * {@link KafkaBootTimeoutError}. `step` gets the attempt number (0 first) and should undo its own
 * partial work before it throws.
 *
 * @example
 * ```ts
 * await bootRetry('connecting to the cluster', clock, () => admin.connect());
 * ```
 */
export async function bootRetry<T>(
  step: string,
  clock: BootClock,
  operation: (attempt: number) => Promise<T>,
): Promise<T> {
  const sleep = clock.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isRetriableBootError(error)) throw error;
      const now = Date.now();
      if (now >= clock.deadline) {
        throw new KafkaBootTimeoutError(step, now - clock.startedAt, error);
      }
      const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
      const delay = Math.max(
        1,
        Math.min(clock.deadline - now, Math.round(base / 2 + (Math.random() * base) / 2)),
      );
      clock.warn(
        `${step}: ${describeError(error)}; retry ${attempt + 1} in ${delay} ms (${Math.ceil((clock.deadline - now) / 1000)} s left of KAFKA_BOOT_TIMEOUT_MS)`,
      );
      await sleep(delay);
    }
  }
}
