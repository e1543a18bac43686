import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../core/index.js';
import {
  type Alert,
  analyzeRule,
  ConditionErrors,
  compileThresholdRule,
  isGroupSpec,
  parseEvent,
  type Rule,
  type RuleEvent,
  RulePipeline,
  type RuleUpdate,
  ruleUpdate,
  ThresholdFieldError,
} from '../../rules/index.js';

/**
 * One kind of run-time condition failure of a dry run: the condition's JSON Pointer in the rule
 * (`/stages/1/condition`, `/filter`, or `/field` for a threshold's value that is not a number; absent when the failure cannot be traced to one, e.g. a
 * non-bool result), the message (first line), how many evaluations failed so in the job, and,
 * for conditions that do not read `matched`, the index in the posted `events` of the first event
 * on which the condition fails with that message.
 *
 * @example
 * ```ts
 * const e: DryRunConditionError = { path: '/stages/0/condition', message: 'No such key: amount', count: 3, eventIndex: 1 };
 * ```
 */
export interface DryRunConditionError {
  readonly path?: string;
  readonly message: string;
  readonly count: number;
  readonly eventIndex?: number;
}

/**
 * The result of {@link dryRun}, bounded whatever the rule and the events: the first
 * {@link DRY_RUN_MAX_ALERTS} alerts by event time (and no more than {@link DRY_RUN_MAX_ALERT_CHARS}
 * characters of their JSON) with `alertCount`, the total, and `truncated` when some were left
 * out; the first {@link DRY_RUN_MAX_LISTED} refused sample events (index and reason) of
 * `invalidEventCount`; the engine's refusal of the rule if any; run-time condition failures, in
 * total (`conditionErrors`) and by condition and message (`conditionErrorDetails`, at most
 * {@link DRY_RUN_MAX_LISTED}).
 *
 * @example
 * ```ts
 * const r: DryRunResult = { alerts: [], alertCount: 0, truncated: false,
 *   invalidEvents: [{ index: 2, reason: 'ts is missing' }], invalidEventCount: 1,
 *   conditionErrors: 0, conditionErrorDetails: [] };
 * ```
 */
export interface DryRunResult {
  readonly alerts: Alert[];
  readonly alertCount: number;
  readonly truncated: boolean;
  readonly invalidEvents: { readonly index: number; readonly reason: string }[];
  readonly invalidEventCount: number;
  readonly rejected?: string;
  readonly conditionErrors: number;
  readonly conditionErrorDetails: DryRunConditionError[];
}

/** Most sample events in one dry run. */
export const DRY_RUN_MAX_EVENTS = 10_000;

/** Most alerts in a dry-run response (`alertCount` has the total, `truncated` says so). */
export const DRY_RUN_MAX_ALERTS = 100;

/** Most characters of alert JSON in a dry-run response (alerts carry their stages' events). */
export const DRY_RUN_MAX_ALERT_CHARS = 1024 * 1024;

/** Most refused events and condition error kinds listed in a dry-run response. */
export const DRY_RUN_MAX_LISTED = 100;

/**
 * Options of {@link dryRun}.
 *
 * @example
 * ```ts
 * await dryRun(rule, samples, { timeoutMs: 5_000 });
 * ```
 */
export interface DryRunOptions {
  /**
   * Cancels the job after this long (default: none). The job yields between batches, so this is
   * cooperative: a CPU-bound condition delays it. The service runs dry runs in a worker thread it
   * terminates instead (dry-run-runner.ts).
   */
  readonly timeoutMs?: number;
}

/**
 * Thrown by {@link dryRun} (and the worker runner) when a dry run cannot finish: too long, out of
 * memory. The service answers 422 with its message.
 *
 * @example
 * ```ts
 * throw new DryRunFailedError('the dry run took longer than 10000 ms');
 * ```
 */
export class DryRunFailedError extends Error {
  override readonly name = 'DryRunFailedError';
}

/**
 * Runs `rule` (a valid rule) over `samples` on a throwaway engine job, in the calling thread
 * (bounded: the end of the samples flushes event time, so `within` timeouts and absence rules
 * fire too). Events are sorted by timestamp first (ties keep their order), so samples need not be
 * in order and none is late. Then, for the details of condition failures, each condition that
 * does not read `matched` is tested on each valid sample to find the first event it fails on.
 *
 * @example
 * ```ts
 * const { alerts, alertCount } = await dryRun(rule, [{ type: 'login_failed', ts: 1, user: 'ann' }]);
 * ```
 */
export async function dryRun(
  rule: Rule,
  samples: readonly unknown[],
  options: DryRunOptions = {},
): Promise<DryRunResult> {
  const invalidEvents: { index: number; reason: string }[] = [];
  let invalidEventCount = 0;
  const events: { event: RuleEvent; index: number }[] = [];
  samples.forEach((s, index) => {
    const p = parseEvent(s);
    if (p.ok) events.push({ event: p.event, index });
    else if (invalidEventCount++ < DRY_RUN_MAX_LISTED) invalidEvents.push({ index, reason: p.reason });
  });
  const sorted = events.map((e) => e.event).sort((a, b) => (a.ts as number) - (b.ts as number));
  const sources = conditionSources(rule);
  const errors = new DryRunConditionErrors(sources);
  const env = new StreamExecutionEnvironment({ parallelism: 1, autoWatermarkInterval: 0 });
  const input = env.fromCollection(sorted).assignTimestampsAndWatermarks(
    WatermarkStrategy.forGenerator<RuleEvent>(() => ({
      onEvent: (_e, ts, out) => out.emitWatermark(ts - 1),
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e) => e.ts as number),
  );
  const updates = env.fromCollection<RuleUpdate>([ruleUpdate({ ...rule, status: 'active' })]);
  const { alerts, rejectedUpdates } = RulePipeline.alerts(input, updates, { errors });
  const out = new CollectSink<Alert>();
  const rejected = new CollectSink<string>();
  alerts.sinkTo(out);
  rejectedUpdates.map((r) => r.reason).sinkTo(rejected);
  const job = env.execute('dry-run');
  const timeoutMs = options.timeoutMs;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => void job.cancel(), timeoutMs);
  try {
    const result = await job;
    if (result.status !== 'FINISHED')
      throw new DryRunFailedError(`the dry run took longer than ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
  }
  const all = [...out.values].sort(
    (a, b) => a.eventTimeEnd - b.eventTimeEnd || (a.alertId < b.alertId ? -1 : 1),
  );
  const kept = boundedAlerts(all);
  return {
    alerts: kept,
    alertCount: all.length,
    truncated: kept.length < all.length,
    invalidEvents,
    invalidEventCount,
    ...(rejected.values[0] === undefined ? {} : { rejected: rejected.values[0] }),
    conditionErrors: errors.count(rule.id),
    conditionErrorDetails: errors.details(errors.total() > 0 ? probeConditions(rule, events) : new Map()),
  };
}

/** The first alerts within {@link DRY_RUN_MAX_ALERTS} and {@link DRY_RUN_MAX_ALERT_CHARS}. */
function boundedAlerts(all: readonly Alert[]): Alert[] {
  const kept: Alert[] = [];
  let chars = 0;
  for (const a of all) {
    if (kept.length >= DRY_RUN_MAX_ALERTS) break;
    chars += JSON.stringify(a).length + 1;
    if (chars > DRY_RUN_MAX_ALERT_CHARS) break;
    kept.push(a);
  }
  return kept;
}

/** Condition source -> the JSON Pointers of the rule's conditions with that source. */
function conditionSources(rule: Rule): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  const add = (path: string, source: string | undefined): void => {
    if (source === undefined) return;
    const paths = sources.get(source) ?? [];
    paths.push(path);
    sources.set(source, paths);
  };
  if (rule.kind === 'threshold') add('/filter', rule.filter);
  else {
    rule.stages.forEach((s, i) => {
      const stages = isGroupSpec(s)
        ? s.group.map((stage, j) => ({ stage, path: `/stages/${i}/group/${j}` }))
        : [{ stage: s, path: `/stages/${i}` }];
      for (const { stage, path } of stages) {
        add(`${path}/condition`, stage.condition);
        add(`${path}/until`, stage.until);
      }
    });
  }
  return sources;
}

/**
 * Where each condition of `rule` fails on the valid samples, tested one condition and one event
 * at a time (conditions that read `matched` with empty lists): message -> the conditions failing
 * so, in rule order, with the first failing sample's index for those that do not read `matched`.
 */
function probeConditions(
  rule: Rule,
  events: readonly { event: RuleEvent; index: number }[],
): Map<string, { path: string; eventIndex?: number }[]> {
  const found = new Map<string, { path: string; eventIndex?: number }[]>();
  let current: { path: string; index: number | undefined } | undefined;
  const probe = new (class extends ConditionErrors {
    override record(_ruleId: string, error: unknown): void {
      if (current === undefined) return;
      const message = firstLine(error);
      const paths = found.get(message) ?? [];
      if (paths.some((p) => p.path === current!.path)) return;
      paths.push(
        current.index === undefined
          ? { path: current.path }
          : { path: current.path, eventIndex: current.index },
      );
      found.set(message, paths);
    }
  })();
  const analyzed = analyzeRule(rule, { errors: probe });
  if (!analyzed.ok) return found;
  for (const [path, condition] of analyzed.analyzed.conditions) {
    const readsMatched = condition.matchedStages.length > 0;
    for (const { event, index } of events) {
      current = { path, index: readsMatched ? undefined : index };
      condition.test(event);
    }
  }
  // A threshold's field that is not a number on an event its filter accepts (ThresholdFieldError).
  if (rule.kind === 'threshold' && rule.aggregate !== 'count' && rule.field !== undefined) {
    const threshold = compileThresholdRule(rule, { errors: probe });
    for (const { event, index } of events) {
      current = undefined; // the filter's own failures were traced above
      if (!threshold.accepts(event)) continue;
      current = { path: '/field', index };
      threshold.valueOf(event);
    }
  }
  return found;
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * The condition error counter of a dry run's job: counts as {@link ConditionErrors} does, and
 * groups failures by message and condition. The recorder is told the rule, not the condition: a
 * failure is traced to a condition by the source a cel-js error carries (interpreted
 * conditions), else by the message, to the first condition that fails so when tested alone on
 * the samples ({@link probeConditions}).
 */
class DryRunConditionErrors extends ConditionErrors {
  private readonly kinds = new Map<string, { path?: string; message: string; count: number }>();

  constructor(private readonly sources: ReadonlyMap<string, readonly string[]>) {
    super();
  }

  override record(ruleId: string, error: unknown): void {
    super.record(ruleId, error);
    const input = (error as { node?: { input?: unknown } } | undefined)?.node?.input;
    const path =
      error instanceof ThresholdFieldError
        ? error.path
        : typeof input === 'string'
          ? this.sources.get(input)?.[0]
          : undefined;
    const message = firstLine(error);
    const key = `${path ?? ''}\n${message}`;
    const kind = this.kinds.get(key);
    if (kind !== undefined) kind.count++;
    else if (this.kinds.size < DRY_RUN_MAX_LISTED) {
      this.kinds.set(key, path === undefined ? { message, count: 1 } : { path, message, count: 1 });
    }
  }

  /** The kinds of failures, traced with `probed` ({@link probeConditions}) where needed. */
  details(
    probed: ReadonlyMap<string, readonly { path: string; eventIndex?: number }[]>,
  ): DryRunConditionError[] {
    return [...this.kinds.values()].map((kind) => {
      const candidates = probed.get(kind.message) ?? [];
      const hit = kind.path === undefined ? candidates[0] : candidates.find((c) => c.path === kind.path);
      if (hit === undefined) return { ...kind };
      return hit.eventIndex === undefined
        ? { path: hit.path, message: kind.message, count: kind.count }
        : { path: hit.path, message: kind.message, count: kind.count, eventIndex: hit.eventIndex };
    });
  }
}
