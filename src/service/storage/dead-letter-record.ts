/**
 * An input the service refused, with why: kept in the `dead-letters` topic and counted.
 *
 * @example
 * ```ts
 * const d: DeadLetterRecord = { at: Date.now(), source: 'http', reason: 'ts is missing', payload: { type: 'x' } };
 * ```
 */
export interface DeadLetterRecord {
  /** When it was refused (epoch ms, processing time). */
  readonly at: number;
  /** Where it came from (`http` ingest, later `kafka`). */
  readonly source: string;
  readonly reason: string;
  /** The refused input (truncated to 4 KiB of JSON when larger). */
  readonly payload: unknown;
}
