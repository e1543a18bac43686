import { jsonDepth } from './json-depth.js';

/**
 * An event as rules see it: a plain JSON object with a non-empty `type` string, a timestamp
 * field (default `ts`, epoch milliseconds after {@link parseEvent}) and any other fields. An
 * optional `id` string makes alert ids independent of timestamps.
 *
 * @example
 * ```ts
 * const e: RuleEvent = { type: 'login', ts: 1_700_000_000_000, user: 'ann', country: 'FR' };
 * ```
 */
export interface RuleEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * Options of {@link parseEvent}.
 *
 * @example
 * ```ts
 * parseEvent(json, { timestampField: 'occurredAt' });
 * ```
 */
export interface EventOptions {
  /** The field holding the event time (default `'ts'`). */
  readonly timestampField?: string;
  /** Longest JSON text accepted by {@link parseEventJson} (default 64 KiB). */
  readonly maxChars?: number;
  /** Deepest nesting accepted (default 16). */
  readonly maxDepth?: number;
}

/**
 * What {@link parseEvent} returns: the event, or why it is refused (to dead-letter it with).
 *
 * @example
 * ```ts
 * const r = parseEvent(json);
 * if (!r.ok) deadLetter(json, r.reason);
 * ```
 */
export type ParsedEvent =
  | { readonly ok: true; readonly event: RuleEvent }
  | { readonly ok: false; readonly reason: string };

/** Default name of the timestamp field. @example `event[DEFAULT_TIMESTAMP_FIELD]` */
export const DEFAULT_TIMESTAMP_FIELD = 'ts';

// Earliest and latest accepted event times: years 1970..9999. Outside it is surely a unit mistake
// (seconds instead of milliseconds would pass, but microseconds would not).
const MAX_TS = 253_402_300_799_999;

/**
 * Validates the minimum an event needs and normalizes its timestamp: a plain object, a non-empty
 * `type` string (at most 256 characters), a timestamp that is either epoch milliseconds (a
 * non-negative safe integer) or an ISO-8601 date-time string with a zone (converted to epoch
 * milliseconds, so conditions and windows always see a number), nesting no deeper than
 * `maxDepth`. The returned event is a shallow copy; the input is not changed.
 *
 * @example
 * ```ts
 * parseEvent({ type: 'login', ts: '2026-01-01T00:00:00Z' });
 * // { ok: true, event: { type: 'login', ts: 1767225600000 } }
 * parseEvent({ ts: 1 }); // { ok: false, reason: 'type must be a non-empty string' }
 * ```
 */
export function parseEvent(value: unknown, options: EventOptions = {}): ParsedEvent {
  const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'event must be a JSON object' };
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.type !== 'string' || raw.type.length === 0) {
    return { ok: false, reason: 'type must be a non-empty string' };
  }
  if (raw.type.length > 256) return { ok: false, reason: 'type must be at most 256 characters' };
  if (!Object.hasOwn(raw, tsField)) return { ok: false, reason: `${tsField} is missing` };
  const ts = toEpochMs(raw[tsField]);
  if (ts === undefined) {
    return {
      ok: false,
      reason: `${tsField} must be epoch milliseconds (a non-negative integer) or an ISO-8601 date-time with a zone`,
    };
  }
  const maxDepth = options.maxDepth ?? 16;
  if (jsonDepth(raw, maxDepth + 1) > maxDepth) {
    return { ok: false, reason: `event nests deeper than ${maxDepth} levels` };
  }
  return { ok: true, event: { ...raw, [tsField]: ts } as RuleEvent };
}

/**
 * {@link parseEvent} on JSON text, with a size limit; invalid JSON is a reason too.
 *
 * @example
 * ```ts
 * parseEventJson('{"type":"login","ts":1}'); // { ok: true, event: { type: 'login', ts: 1 } }
 * parseEventJson('{');                        // { ok: false, reason: 'invalid JSON: ...' }
 * ```
 */
export function parseEventJson(text: string, options: EventOptions = {}): ParsedEvent {
  const max = options.maxChars ?? 64 * 1024;
  if (text.length > max) return { ok: false, reason: `event is longer than ${max} characters` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `invalid JSON: ${(e as Error).message}` };
  }
  return parseEvent(value, options);
}

/**
 * The event time of an event parsed by {@link parseEvent}: its timestamp field as a number.
 *
 * @example
 * ```ts
 * env.fromCollection(events).assignTimestampsAndWatermarks(
 *   WatermarkStrategy.forMonotonousTimestamps<RuleEvent>().withTimestampAssigner((e) => eventTimeOf(e)));
 * ```
 */
export function eventTimeOf(event: RuleEvent, timestampField = DEFAULT_TIMESTAMP_FIELD): number {
  return event[timestampField] as number;
}

function toEpochMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && v <= MAX_TS ? v : undefined;
  // A zone is required: a local time would depend on the machine's time zone.
  if (typeof v === 'string' && v.length <= 40 && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const ms = Date.parse(v);
    return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TS ? ms : undefined;
  }
  return undefined;
}
