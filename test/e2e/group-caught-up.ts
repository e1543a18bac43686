import { testKafka } from '../integration/kafka/kafka-test-client.js';
import type { TopicRecord } from './topic-records.js';

/**
 * Per partition, the offset after the last of `records` that `counts`: what a consumer group
 * that processed all of them has committed at least.
 *
 * @example
 * ```ts
 * offsetsAfter(routed.records, (r) => r.headers['cep.watermark'] === undefined);
 * ```
 */
export function offsetsAfter(
  records: readonly TopicRecord[],
  counts: (r: TopicRecord) => boolean = () => true,
): Map<number, number> {
  const after = new Map<number, number>();
  for (const r of records) {
    if (counts(r)) after.set(r.partition, Math.max(after.get(r.partition) ?? 0, r.offset + 1));
  }
  return after;
}

/**
 * Waits until consumer group `groupId` has committed, on every partition of `topic` named in
 * `targets`, at least the offset given there. Resolves with how long it took.
 *
 * @example
 * ```ts
 * await waitForGroupOffsets('app-router', 'app-events', offsetsAfter(events.records), 30_000);
 * ```
 */
export async function waitForGroupOffsets(
  groupId: string,
  topic: string,
  targets: ReadonlyMap<number, number>,
  timeoutMs: number,
): Promise<number> {
  const admin = testKafka('e2e-group-offsets').admin();
  await admin.connect();
  const started = Date.now();
  try {
    for (;;) {
      const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
      const at = (p: number): number => Number(committed.find((c) => c.partition === p)?.offset ?? -1);
      const behind = [...targets].filter(([p, offset]) => at(p) < offset);
      if (behind.length === 0) return Date.now() - started;
      if (Date.now() - started > timeoutMs) {
        const lag = behind.map(([p, offset]) => `p${p}: ${at(p)} < ${offset}`);
        throw new Error(`group ${groupId} on ${topic} behind after ${timeoutMs} ms (${lag.join(', ')})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
