import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../src/core/index.js';
import {
  type Alert,
  type Rule,
  type RuleEvent,
  RulePipeline,
  type RulePipelineOptions,
  type RuleUpdate,
  ruleUpdate,
  validateRule,
} from '../../src/rules/index.js';

export const rulesDir = resolve(import.meta.dirname, '../../rules');

/** The example rule `rules/<name>.json`, validated (throws with the errors otherwise). */
export function loadExample(name: string): Rule {
  const json = JSON.parse(readFileSync(join(rulesDir, `${name}.json`), 'utf8')) as unknown;
  const v = validateRule(json);
  if (!v.ok) throw new Error(`${name}: ${JSON.stringify(v.errors)}`);
  return v.rule;
}

/** Watermark = the highest timestamp seen minus `delay` (events in order: exact). */
export function punctuated(delay = 1): WatermarkStrategy<RuleEvent> {
  return WatermarkStrategy.forGenerator<RuleEvent>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        if (ts > max) max = ts;
        out.emitWatermark(max - delay);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e) => e.ts as number);
}

/**
 * Runs the whole rules pipeline (router, DynamicCEP, threshold evaluator) in a real job over a
 * bounded stream: the updates are a bounded collection, so every operator's event time waits
 * for them (all rules apply to all events), and the end of input flushes time to +inf.
 */
export async function runRules(
  rules: readonly (Rule | RuleUpdate)[],
  events: readonly RuleEvent[],
  parallelism = 2,
  options: RulePipelineOptions = {},
): Promise<{ alerts: Alert[]; rejected: string[] }> {
  const env = new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
  const input = env
    .fromCollection([...events])
    .setParallelism(1)
    .assignTimestampsAndWatermarks(punctuated())
    .setParallelism(1);
  const updates = env.fromCollection<RuleUpdate>(
    rules.map((r) => ('definition' in r || 'deleted' in r ? (r as RuleUpdate) : ruleUpdate(r as Rule))),
  );
  const { alerts, rejectedUpdates } = RulePipeline.alerts(input, updates, options);
  const rejected = new CollectSink<string>();
  rejectedUpdates.map((r) => `${r.update.id} v${r.update.version}: ${r.reason}`).sinkTo(rejected);
  const out = await alerts.executeAndCollect();
  return {
    alerts: [...out].sort((a, b) => a.eventTimeEnd - b.eventTimeEnd || (a.alertId < b.alertId ? -1 : 1)),
    rejected: rejected.values,
  };
}

let seq = 0;
/** An event; `at` in seconds from an arbitrary epoch, for readability. */
export function ev(type: string, at: number, fields: Record<string, unknown> = {}): RuleEvent {
  return { type, ts: T0 + at * 1000, id: `e${++seq}`, ...fields };
}

export const T0 = Date.UTC(2026, 0, 1);
export const MIN = 60;
export const HOUR = 3600;
export const DAY = 86400;
