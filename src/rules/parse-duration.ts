import type { DurationSpec } from './rule.js';

// Days, hours, minutes, seconds only: years and months have no fixed length in milliseconds.
const ISO = /^P(?!$)(?:(\d{1,5})D)?(?:T(?=\d)(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,11}(?:\.\d{1,3})?)S)?)?$/;

/**
 * Converts a rule duration to milliseconds: an integer number of milliseconds as is, or an
 * ISO-8601 duration with days (`D`, 24 h), hours, minutes and seconds (up to 3 decimals). Returns
 * `undefined` for anything else (including zero and negative durations), so callers report it.
 *
 * @example
 * ```ts
 * parseDurationMs('PT5M');    // 300000
 * parseDurationMs('P1DT12H'); // 129600000
 * parseDurationMs(1500);      // 1500
 * parseDurationMs('5m');      // undefined
 * ```
 */
export function parseDurationMs(spec: DurationSpec): number | undefined {
  if (typeof spec === 'number') return Number.isSafeInteger(spec) && spec > 0 ? spec : undefined;
  if (typeof spec !== 'string') return undefined;
  const m = ISO.exec(spec);
  if (m === null) return undefined;
  const [, d, h, min, s] = m;
  const ms =
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Math.round(Number(s ?? 0) * 1000);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}
