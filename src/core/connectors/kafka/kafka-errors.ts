/**
 * Errors of the Kafka connectors and the classification of client errors (by Kafka protocol error
 * name, which every client reports one way or another).
 */

/**
 * A transactional producer was fenced: another producer with the same transactional id started
 * (a newer instance of the same sink subtask), so this one must stop. Not retriable: the task
 * fails and restarts from its checkpoint.
 *
 * @example
 * ```ts
 * try { await txn.commit(); } catch (e) { if (e instanceof KafkaProducerFencedError) throw e; }
 * ```
 */
export class KafkaProducerFencedError extends Error {
  override readonly name = 'KafkaProducerFencedError';
  constructor(
    readonly transactionalId: string,
    options?: { cause?: unknown },
  ) {
    super(`transactional producer ${transactionalId} was fenced by a newer instance`, options);
  }
}

/**
 * User topics a job needs are missing (they are never created implicitly).
 *
 * @example
 * ```ts
 * await ensureTopics(admin, { required: ['orders'] }); // throws KafkaMissingTopicsError: ... orders
 * ```
 */
export class KafkaMissingTopicsError extends Error {
  override readonly name = 'KafkaMissingTopicsError';
  constructor(readonly topics: readonly string[]) {
    super(
      `Kafka topic(s) missing: ${topics.join(', ')} (create them first; user topics are not auto-created)`,
    );
  }
}

/** Protocol errors worth retrying a transactional step for (kafkajs #1068, #430, #296). */
const RETRIABLE_TYPES = new Set([
  'CONCURRENT_TRANSACTIONS',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

const FENCED_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/**
 * The Kafka error names found on `error` and its causes (`type` fields, as kafkajs sets them).
 *
 * @example
 * ```ts
 * kafkaErrorTypes(Object.assign(new Error('x'), { type: 'CONCURRENT_TRANSACTIONS' })); // ['CONCURRENT_TRANSACTIONS']
 * ```
 */
export function kafkaErrorTypes(error: unknown): string[] {
  const types: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const o = e as { type?: unknown; cause?: unknown; originalError?: unknown; retriableError?: unknown };
    if (typeof o.type === 'string') types.push(o.type);
    visit(o.cause);
    visit(o.originalError);
    visit(o.retriableError);
  };
  visit(error);
  return types;
}

/**
 * Whether `error` means the producer was fenced.
 *
 * @example
 * ```ts
 * if (isFencedError(e)) throw new KafkaProducerFencedError(id, { cause: e });
 * ```
 */
export function isFencedError(error: unknown): boolean {
  if (error instanceof KafkaProducerFencedError) return true;
  return kafkaErrorTypes(error).some((t) => FENCED_TYPES.has(t));
}

/**
 * Whether a failed transactional step may succeed when tried again (CONCURRENT_TRANSACTIONS right
 * after a commit, coordinator moves, leader changes, timeouts). Fencing is never retriable.
 *
 * @example
 * ```ts
 * isRetriableKafkaError(Object.assign(new Error(), { type: 'CONCURRENT_TRANSACTIONS' })); // true
 * ```
 */
export function isRetriableKafkaError(error: unknown): boolean {
  if (isFencedError(error)) return false;
  const types = kafkaErrorTypes(error);
  if (types.some((t) => RETRIABLE_TYPES.has(t))) return true;
  const o = error as { retriable?: unknown; name?: unknown } | null;
  return (
    o !== null &&
    typeof o === 'object' &&
    (o.retriable === true ||
      o.name === 'KafkaJSNumberOfRetriesExceeded' ||
      o.name === 'KafkaJSConnectionError')
  );
}
