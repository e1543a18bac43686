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
  /**
   * Refuse events whose timestamp is more than this many milliseconds ahead of the wall clock
   * (`now()`). Unset (the default) accepts any time up to year 9999. A service sets it because
   * one event far in the future would move event time there and make every later event late.
   */
  readonly maxAheadMs?: number;
  /** The wall clock for `maxAheadMs`, epoch ms (default `Date.now`). */
  readonly now?: () => number;
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
 * ISO-8601 strings are `YYYY-MM-DDThh:mm[:ss[.fff…]]` followed by `Z` or `±hh:mm`; every field
 * must exist on the calendar: `2026-02-30`, month 13, hour 24, minute or second 60 and offsets
 * beyond ±23:59 are refused, never rolled over into the next day or month as `Date.parse` does.
 * Digits after the milliseconds are truncated. With `maxAheadMs`, a timestamp more than that
 * far ahead of `now()` is refused too.
 *
 * @example
 * ```ts
 * parseEvent({ type: 'login', ts: '2026-01-01T00:00:00Z' });
 * // { ok: true, event: { type: 'login', ts: 1767225600000 } }
 * parseEvent({ ts: 1 }); // { ok: false, reason: 'type must be a non-empty string' }
 * parseEvent({ type: 'x', ts: '2100-01-01T00:00:00Z' }, { maxAheadMs: 300_000 });
 * // { ok: false, reason: 'ts is 2100-01-01T00:00:00.000Z, more than 300000 ms ahead of the wall clock' }
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
  if (ts === 'no such time') {
    return {
      ok: false,
      reason: `${tsField} ${JSON.stringify(raw[tsField])} is not a time on the calendar (no such day, hour, minute, second or offset)`,
    };
  }
  if (ts === undefined) {
    return {
      ok: false,
      reason: `${tsField} must be epoch milliseconds (a non-negative integer) or an ISO-8601 date-time with a zone`,
    };
  }
  if (options.maxAheadMs !== undefined) {
    const now = (options.now ?? Date.now)();
    if (ts - now > options.maxAheadMs) {
      return {
        ok: false,
        reason: `${tsField} is ${new Date(ts).toISOString()}, more than ${options.maxAheadMs} ms ahead of the wall clock`,
      };
    }
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

/** `YYYY-MM-DDThh:mm[:ss[.fraction]]` and a zone, `Z` or `±hh:mm`. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch ms of a timestamp; `undefined` when it has neither form, `'no such time'` when it has the
 * ISO-8601 form but names a day, hour, minute, second or offset that does not exist.
 */
function toEpochMs(v: unknown): number | 'no such time' | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && v <= MAX_TS ? v : undefined;
  // A zone is required: a local time would depend on the machine's time zone.
  if (typeof v !== 'string' || v.length > 40) return undefined;
  const m = ISO_DATE_TIME.exec(v);
  if (m === null) return undefined;
  const field = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [
    field(1),
    field(2),
    field(3),
    field(4),
    field(5),
    field(6),
  ];
  // Checked field by field: Date.parse and Date.UTC roll 2026-02-30 over to March 2nd.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return 'no such time';
  if (hour > 23 || minute > 59 || second > 59) return 'no such time';
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    if (field(10) > 23 || field(11) > 59) return 'no such time';
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (field(10) * 60 + field(11));
  }
  if (year < 1970) return undefined; // Date.UTC reads years 0-99 as 1900-1999
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return ms >= 0 && ms <= MAX_TS ? ms : undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
