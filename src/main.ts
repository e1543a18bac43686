/**
 * Service entry point. Until the NestJS rule service lands, `npm start` runs a small job on the
 * embedded streaming engine (word count with event time) and exits, proving the build works on a
 * fresh machine.
 */
import { StreamExecutionEnvironment, WatermarkStrategy } from './core/index.js';

const lines = [
  { ts: 1_000, text: 'card declined card declined' },
  { ts: 2_000, text: 'login failed login failed login ok' },
  { ts: 3_000, text: 'payout requested' },
];

const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
const counts = await env
  .fromCollection(lines)
  .assignTimestampsAndWatermarks(
    WatermarkStrategy.forMonotonousTimestamps<(typeof lines)[number]>().withTimestampAssigner((l) => l.ts),
  )
  .flatMap<{ word: string; n: number }>((line, out) => {
    for (const word of line.text.split(' ')) out.collect({ word, n: 1 });
  })
  .keyBy((w) => w.word)
  .sum('n')
  .executeAndCollect('demo word count');

const finals = new Map<string, number>();
for (const { word, n } of counts) finals.set(word, n);
console.log(
  'cep-rule-service: the HTTP rule service arrives with its own issue; the streaming core ran a demo job:',
);
for (const [word, n] of [...finals].sort()) console.log(`  ${word.padEnd(10)} ${n}`);
