import { randomUUID } from 'node:crypto';
import type { CompletedCheckpoint } from '../../../checkpoint/completed-checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../checkpoint/snapshot-format.js';
import type { KafkaPort, KafkaRecord } from '../kafka-port.js';

/** Headers of a changelog snapshot record. */
export const CHANGELOG_HEADERS = { offset: 'input.offset', checkpoint: 'checkpoint.id' } as const;

/**
 * A task's snapshot as a changelog record value: 4-byte big-endian length of the checkpoint
 * manifest (JSON), the manifest, then the data (all encoded operator snapshots). Full snapshot.
 */
export function encodeSnapshotValue(checkpoint: CompletedCheckpoint): Buffer {
  const { data, metadata } = encodeCheckpoint(checkpoint);
  const meta = Buffer.from(JSON.stringify(metadata), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(meta.byteLength, 0);
  return Buffer.concat([head, meta, data]);
}

/** The restored snapshot of a task. */
export interface RestoredTaskSnapshot {
  readonly checkpoint: CompletedCheckpoint;
  /** The input offset committed with it. */
  readonly offset: number;
  /** Changelog offset of the record. */
  readonly changelogOffset: number;
}

export function decodeSnapshotRecord(record: KafkaRecord): RestoredTaskSnapshot {
  const value = record.value;
  if (value === null) throw new Error(`changelog record ${record.partition}@${record.offset} has no value`);
  const length = value.readUInt32BE(0);
  const meta = value.subarray(4, 4 + length).toString('utf8');
  const data = new Uint8Array(value.subarray(4 + length));
  const offset = Number(headerString(record, CHANGELOG_HEADERS.offset));
  if (!Number.isSafeInteger(offset)) {
    throw new Error(`changelog record ${record.partition}@${record.offset} has no input offset header`);
  }
  return {
    checkpoint: decodeCheckpoint(meta, data, `kafka:${record.topic}/${record.partition}@${record.offset}`),
    offset,
    changelogOffset: record.offset,
  };
}

function headerString(record: KafkaRecord, name: string): string | undefined {
  const h = record.headers[name];
  return h === undefined ? undefined : h.toString();
}

/** Options of {@link readLatestSnapshot}. */
export interface ReadSnapshotOptions {
  readonly port: KafkaPort;
  readonly changelogTopic: string;
  readonly partition: number;
  /** Key of the task's snapshot records. */
  readonly key: string;
  /** Key and value of the marker the new owner committed after fencing: read up to it. */
  readonly markerKey: string;
  readonly marker: string;
  /** Prefix of the throwaway consumer group. */
  readonly groupPrefix: string;
  readonly timeoutMs?: number;
}

/**
 * Reads one partition of the changelog with read_committed from the beginning up to the marker
 * the caller committed right after fencing the partition's previous producer, and returns the
 * latest snapshot record of `key` before it (undefined: no snapshot yet). The marker makes "read
 * to the end" exact: kafkajs does not hand over batches that hold only control or aborted records,
 * so an end offset alone cannot be waited for. kafkajs has no manual assignment: the read goes
 * through a throwaway consumer group (never committed, so the broker drops it when empty) that
 * pauses the other partitions.
 */
export async function readLatestSnapshot(
  options: ReadSnapshotOptions,
): Promise<RestoredTaskSnapshot | undefined> {
  const o = options;
  const consumer = o.port.consumer({
    groupId: `${o.groupPrefix}-restore-${randomUUID()}`,
    maxWaitTimeMs: 100,
  });
  let latest: KafkaRecord | undefined;
  try {
    return await new Promise<RestoredTaskSnapshot | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`restoring ${o.key} from ${o.changelogTopic} timed out`)),
        o.timeoutMs ?? 60_000,
      );
      const done = (error: unknown, value?: RestoredTaskSnapshot): void => {
        clearTimeout(timer);
        if (error !== undefined) reject(error);
        else resolve(value);
      };
      consumer.onCrash((error) => done(error));
      consumer.onAssignment((assignment) => {
        for (const tp of assignment) {
          const others = tp.partitions.filter((p) => p !== o.partition);
          if (others.length > 0) consumer.pause([{ topic: tp.topic, partitions: others }]);
        }
      });
      (async () => {
        await consumer.connect();
        await consumer.subscribe([o.changelogTopic], true);
        await consumer.run(async (batch) => {
          if (batch.partition !== o.partition) return;
          for (const r of batch.records) {
            const key = r.key?.toString('utf8');
            if (key === o.key) latest = r;
            else if (key === o.markerKey && r.value?.toString('utf8') === o.marker) {
              try {
                done(undefined, latest === undefined ? undefined : decodeSnapshotRecord(latest));
              } catch (error) {
                done(error);
              }
              return;
            }
          }
        });
      })().catch((error: unknown) => done(error));
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
