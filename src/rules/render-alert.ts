import { createHash } from 'node:crypto';
import type { Alert } from './alert.js';
import { readFieldPath } from './field-path.js';
import type { AlertTemplate, Rule } from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';

/** Longest rendered message: templates are bounded, but values put into them are not. */
const MAX_MESSAGE_CHARS = 4096;
const MAX_VALUE_CHARS = 256;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;

/**
 * The placeholders every alert message can use ({@link builtinValue}).
 *
 * @example
 * ```ts
 * BUILTIN_PLACEHOLDERS.includes('key'); // true
 * ```
 */
export const BUILTIN_PLACEHOLDERS: readonly string[] = Object.freeze([
  'ruleId',
  'version',
  'severity',
  'key',
]);

/**
 * The placeholders threshold alerts add ({@link renderThresholdAlert}).
 *
 * @example
 * ```ts
 * THRESHOLD_PLACEHOLDERS.includes('value'); // true
 * ```
 */
export const THRESHOLD_PLACEHOLDERS: readonly string[] = Object.freeze([
  'value',
  'count',
  'windowStart',
  'windowEnd',
]);

/**
 * The placeholder paths of a message template, in order, as {@link renderMessage} finds them.
 *
 * @example
 * ```ts
 * placeholdersOf('payout of {{ payout.amount }} for {{key}}'); // ['payout.amount', 'key']
 * ```
 */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Options of {@link renderAlert}.
 *
 * @example
 * ```ts
 * renderAlert(rule, match, key, { timedOut: true }); // uses rule.timeoutAlert
 * ```
 */
export interface RenderOptions {
  /** A partial match that timed out: rendered with the rule's `timeoutAlert`, kind `timeout`. */
  readonly timedOut?: boolean;
  readonly timestampField?: string;
}

/**
 * Renders the alert of a pattern match (`Map<stage, events>` as CEP emits it, or a record).
 * Message placeholders are looked up, never evaluated: `{{ruleId}}`, `{{version}}`,
 * `{{severity}}`, `{{key}}` (as `field=value, ...`), `{{stage.field.path}}` (from the stage's
 * latest event; `{{stage}}` alone is its event count), `{{field.path}}` (from the match's latest
 * event). Unknown placeholders render empty; values are cut at 256 characters, the message at 4096.
 * `fields` copies each listed path from the latest event that has it.
 *
 * @example
 * ```ts
 * const alert = renderAlert(rule, new Map([['fail', fails], ['ok', [success]]]), '[["user","ann"]]');
 * alert.message; // 'ann: 3 failures then a success from 10.0.0.9'
 * ```
 */
export function renderAlert(
  rule: Rule,
  match: ReadonlyMap<string, readonly RuleEvent[]> | Readonly<Record<string, readonly RuleEvent[]>>,
  key: string,
  options: RenderOptions = {},
): Alert {
  const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
  const stages: Record<string, readonly RuleEvent[]> = {};
  const entries: [string, readonly RuleEvent[]][] =
    match instanceof Map ? [...match.entries()] : Object.entries(match);
  for (const [name, events] of entries) stages[name] = [...events];
  const all = Object.values(stages)
    .flat()
    .sort((a, b) => timeOf(a, tsField) - timeOf(b, tsField));
  const timedOut = options.timedOut === true && rule.kind === 'pattern' && rule.timeoutAlert !== undefined;
  const template: AlertTemplate = timedOut && rule.kind === 'pattern' ? rule.timeoutAlert! : rule.alert;
  const kind = options.timedOut === true ? 'timeout' : 'match';
  const latest = all[all.length - 1];
  const message = renderMessage(template.message, (path) => {
    const builtin = builtinValue(rule, key, template, path);
    if (builtin !== undefined) return builtin;
    const dot = path.indexOf('.');
    const head = dot === -1 ? path : path.slice(0, dot);
    if (Object.hasOwn(stages, head)) {
      const events = stages[head]!;
      if (dot === -1) return events.length;
      return readFieldPath(events[events.length - 1], path.slice(dot + 1));
    }
    return readFieldPath(latest, path);
  });
  const idParts = entries.map(([name, events]) => [
    name,
    events.map((e: RuleEvent) => [
      typeof e.id === 'string' || typeof e.id === 'number' ? e.id : null,
      timeOf(e, tsField),
    ]),
  ]);
  return {
    alertId: alertIdOf([rule.id, rule.version, key, kind, idParts]),
    kind,
    ruleId: rule.id,
    version: rule.version,
    key,
    severity: template.severity,
    message,
    stages,
    fields: copyFields(template.fields ?? [], all),
    eventTimeStart: all.length > 0 ? timeOf(all[0]!, tsField) : 0,
    eventTimeEnd: latest !== undefined ? timeOf(latest, tsField) : 0,
  };
}

/**
 * @internal Replaces `{{path}}` placeholders using `lookup`; nothing in the template is executed.
 *
 * @example
 * ```ts
 * renderMessage('sum {{value}}', (p) => (p === 'value' ? 12 : undefined)); // 'sum 12'
 * ```
 */
export function renderMessage(template: string, lookup: (path: string) => unknown): string {
  const out = template.replace(PLACEHOLDER, (_m, path: string) => formatValue(lookup(path)));
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…` : out;
}

/**
 * @internal The built-in placeholders every alert has.
 *
 * @example
 * ```ts
 * builtinValue(rule, '[["user","ann"]]', rule.alert, 'key'); // 'user=ann'
 * ```
 */
export function builtinValue(rule: Rule, key: string, template: AlertTemplate, path: string): unknown {
  switch (path) {
    case 'ruleId':
      return rule.id;
    case 'version':
      return rule.version;
    case 'severity':
      return template.severity;
    case 'key':
      return readableKey(key);
    default:
      return undefined;
  }
}

/**
 * @internal A deterministic id: the first 32 hex digits of the SHA-256 of the parts' JSON.
 *
 * @example
 * ```ts
 * alertIdOf(['rule', 1, 'key', 'match', []]) === alertIdOf(['rule', 1, 'key', 'match', []]); // true
 * ```
 */
export function alertIdOf(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * @internal Copies each path from the latest event that has it (events in time order).
 *
 * @example
 * ```ts
 * copyFields(['ip'], [{ type: 'a', ip: '1' }, { type: 'b' }]); // { ip: '1' }
 * ```
 */
export function copyFields(paths: readonly string[], events: readonly RuleEvent[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const path of paths) {
    for (let i = events.length - 1; i >= 0; i--) {
      const v = readFieldPath(events[i], path);
      if (v !== undefined) {
        fields[path] = v;
        break;
      }
    }
  }
  return fields;
}

function readableKey(key: string): string {
  try {
    const pairs = JSON.parse(key) as [string, unknown][];
    return pairs.map(([f, v]) => `${f}=${String(v)}`).join(', ');
  } catch {
    return key;
  }
}

function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

function timeOf(e: RuleEvent, tsField: string): number {
  const t = e[tsField];
  return typeof t === 'number' ? t : 0;
}

/**
 * Renders the alert of a threshold rule whose window passed. Placeholders: the built-ins,
 * `{{value}}` (the aggregate), `{{count}}` (events counted), `{{windowStart}}`, `{{windowEnd}}`
 * (epoch ms, end exclusive) and `{{field.path}}` from the window's latest event; `fields` are
 * copied from that event. No events are listed (`stages` is empty): the evaluator keeps none.
 *
 * @example
 * ```ts
 * renderThresholdAlert(rule, key, { start: 0, end: 86_400_000, value: 12000, count: 4, last: event });
 * ```
 */
export function renderThresholdAlert(
  rule: Rule,
  key: string,
  window: { start: number; end: number; value: number; count: number; last: RuleEvent },
  /** 0 for a window's first firing; n for its n-th late re-firing (`allowedLateness`): its own id. */
  lateFiring = 0,
): Alert {
  const template = rule.alert;
  const extra: Record<string, unknown> = {
    value: window.value,
    count: window.count,
    windowStart: window.start,
    windowEnd: window.end,
  };
  const message = renderMessage(template.message, (path) => {
    const builtin = builtinValue(rule, key, template, path);
    if (builtin !== undefined) return builtin;
    if (Object.hasOwn(extra, path)) return extra[path];
    return readFieldPath(window.last, path);
  });
  return {
    alertId: alertIdOf(
      lateFiring === 0
        ? [rule.id, rule.version, key, 'threshold', window.start, window.end]
        : [rule.id, rule.version, key, 'threshold', window.start, window.end, `late-${lateFiring}`],
    ),
    kind: 'threshold',
    ruleId: rule.id,
    version: rule.version,
    key,
    severity: template.severity,
    message,
    stages: {},
    fields: copyFields(template.fields ?? [], [window.last]),
    eventTimeStart: window.start,
    eventTimeEnd: window.end,
    value: window.value,
    count: window.count,
  };
}
