import { KafkaMissingTopicsError } from './kafka-errors.js';
import type { KafkaAdminPort } from './kafka-port.js';

/** An internal topic the job owns (dead-letter, changelog, repartition): created when missing. */
export interface InternalTopic {
  readonly name: string;
  readonly partitions: number;
  /** `cleanup.policy=compact` (changelogs) instead of delete. */
  readonly compacted?: boolean;
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/** What {@link ensureTopics} checks and creates. */
export interface EnsureTopicsRequest {
  /** User topics: must exist, never created. */
  readonly required?: readonly string[];
  /** Internal topics: created with their partitions and cleanup policy when missing. */
  readonly internal?: readonly InternalTopic[];
}

/**
 * Checks that the user topics exist (throws {@link KafkaMissingTopicsError} naming all missing
 * ones) and creates the missing internal topics. Returns the partition count of every topic named.
 *
 * @example
 * ```ts
 * await ensureTopics(admin, {
 *   required: ['orders'],
 *   internal: [{ name: 'cep-orders-dlq', partitions: 1 }, { name: 'cep-state-changelog', partitions: 4, compacted: true }],
 * });
 * ```
 */
export async function ensureTopics(
  admin: KafkaAdminPort,
  request: EnsureTopicsRequest,
): Promise<Map<string, number>> {
  const required = request.required ?? [];
  const internal = request.internal ?? [];
  const found = await admin.describeTopics(required);
  const missing = required.filter((t) => !found.has(t));
  if (missing.length > 0) throw new KafkaMissingTopicsError(missing);
  if (internal.length > 0) {
    await admin.createTopics(
      internal.map((t) => ({
        name: t.name,
        partitions: t.partitions,
        ...(t.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}),
        configs: { ...(t.compacted ? { 'cleanup.policy': 'compact' } : {}), ...t.configs },
      })),
    );
  }
  const all = await admin.describeTopics([...required, ...internal.map((t) => t.name)]);
  return all;
}
