import type { KafkaRecord } from '../kafka-port.js';
import type { TaskOutputRecord } from './task-output-record.js';

/**
 * Headers of a watermark control record in a repartition topic. Kafka Streams has no event time
 * across repartition topics; Flink has it inside its network stack. Here every upstream task
 * writes, in each of its transactions, its watermark and idleness to every partition of the
 * repartition topic, after the data records of that transaction.
 */
export const WATERMARK_HEADERS = {
  /** The upstream task's watermark (ms; `-Infinity` before its first). */
  watermark: 'cep.watermark',
  /** '1' while the upstream task is idle. */
  idle: 'cep.idle',
  /** Upstream task id (`<topic>-<partition>` of its input). */
  source: 'cep.source',
  /** How many upstream tasks write to this topic (the input's partition count). */
  sources: 'cep.sources',
} as const;

/** Where a task's watermark records go and who it is. */
export interface WatermarkRecordTarget {
  readonly topic: string;
  readonly partitions: number;
  /** The writing task (`<topic>-<partition>`). */
  readonly source: string;
  /** Number of upstream tasks (partitions of the writing tasks' input topic). */
  readonly sources: number;
}

/** One watermark record per partition of the target. @example `watermarkRecords(t, 1000, false)` */
export function watermarkRecords(
  target: WatermarkRecordTarget,
  watermark: number,
  idle: boolean,
): TaskOutputRecord[] {
  const headers = {
    [WATERMARK_HEADERS.watermark]: String(watermark),
    [WATERMARK_HEADERS.idle]: idle ? '1' : '0',
    [WATERMARK_HEADERS.source]: target.source,
    [WATERMARK_HEADERS.sources]: String(target.sources),
  };
  const out: TaskOutputRecord[] = [];
  for (let p = 0; p < target.partitions; p++) {
    out.push({ topic: target.topic, key: null, value: '', partition: p, headers });
  }
  return out;
}

/** Whether a record read from a repartition topic is a watermark record. */
export function isWatermarkRecord(record: KafkaRecord): boolean {
  return record.headers[WATERMARK_HEADERS.watermark] !== undefined;
}

/** What an {@link UpstreamWatermarks} tracker keeps per upstream task (snapshotted with the source). */
export interface UpstreamWatermark {
  readonly source: string;
  readonly watermark: number;
  readonly idle: boolean;
}

/**
 * The event time of a task that reads a repartition topic: the minimum watermark over the
 * upstream tasks, idle ones left out (Flink's status-aware valve across a network exchange).
 * Until every upstream task has reported, the minimum is unknown and nothing is emitted.
 *
 * @example
 * ```ts
 * const t = new UpstreamWatermarks();
 * t.observe(record); // a watermark record
 * t.current();       // { watermark: 1000, idle: false } once all upstream tasks reported
 * ```
 */
export class UpstreamWatermarks {
  private readonly bySource = new Map<string, UpstreamWatermark>();
  private expected = 0;

  constructor(restored: readonly UpstreamWatermark[] = [], expected = 0) {
    for (const w of restored) this.bySource.set(w.source, w);
    this.expected = expected;
  }

  /** Takes a watermark record into account. Malformed headers are ignored. */
  observe(record: KafkaRecord): void {
    const source = header(record, WATERMARK_HEADERS.source);
    const watermark = Number(header(record, WATERMARK_HEADERS.watermark));
    const sources = Number(header(record, WATERMARK_HEADERS.sources));
    if (source === undefined || Number.isNaN(watermark)) return;
    if (Number.isSafeInteger(sources) && sources > this.expected) this.expected = sources;
    const previous = this.bySource.get(source);
    this.bySource.set(source, {
      source,
      // A task restored from an older snapshot may repeat a lower watermark: never go back.
      watermark: Math.max(previous?.watermark ?? Number.NEGATIVE_INFINITY, watermark),
      idle: header(record, WATERMARK_HEADERS.idle) === '1',
    });
  }

  /**
   * The combined watermark (`undefined` while some upstream task has not reported yet); `idle`
   * when every upstream task is idle.
   */
  current(): { watermark: number; idle: boolean } | undefined {
    if (this.expected === 0 || this.bySource.size < this.expected) return undefined;
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const w of this.bySource.values()) {
      if (w.idle) continue;
      active++;
      if (w.watermark < min) min = w.watermark;
    }
    if (active === 0) return { watermark: Number.NEGATIVE_INFINITY, idle: true };
    return { watermark: min, idle: false };
  }

  /** Plain data for the source's snapshot. */
  snapshot(): { expected: number; sources: UpstreamWatermark[] } {
    return { expected: this.expected, sources: [...this.bySource.values()] };
  }
}

function header(record: KafkaRecord, name: string): string | undefined {
  const h = record.headers[name];
  return h === undefined ? undefined : h.toString();
}
