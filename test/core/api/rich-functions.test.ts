import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  AbstractRichFunction,
  type Collector,
  CollectSink,
  JobExecutionError,
  type KeyedProcessContext,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type OpenContext,
  type ProcessContext,
  ProcessFunction,
  StreamExecutionEnvironment,
  type TaskInfo,
  ValueStateDescriptor,
} from '../../../src/core/index.js';

type LifecycleEvent =
  | { kind: 'open'; subtask: number }
  | { kind: 'record'; subtask: number; value: number }
  | { kind: 'close'; subtask: number; count: number };

describe('open / close lifecycle', () => {
  it('open runs once per parallel instance before any record, close once after the last', async () => {
    // Function objects are copied per instance, so the log lives outside them.
    const log: LifecycleEvent[] = [];
    class Lifecycle extends AbstractRichFunction {
      private opened = false;
      private count = 0;
      override open(): void {
        if (this.opened) throw new Error('opened twice');
        this.opened = true;
        log.push({ kind: 'open', subtask: this.getRuntimeContext().getIndexOfThisSubtask() });
      }
      map(v: number): number {
        if (!this.opened) throw new Error('record before open');
        this.count++;
        log.push({ kind: 'record', subtask: this.getRuntimeContext().getIndexOfThisSubtask(), value: v });
        return v;
      }
      override close(): void {
        log.push({
          kind: 'close',
          subtask: this.getRuntimeContext().getIndexOfThisSubtask(),
          count: this.count,
        });
      }
    }
    const n = 3000;
    const fn = new Lifecycle();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const out = await env
      .fromSequence(0, n - 1)
      .setParallelism(1)
      .rebalance()
      .map(fn)
      .executeAndCollect();
    expect(out).toHaveLength(n);

    for (const subtask of [0, 1, 2]) {
      const mine = log.map((e, i) => ({ e, i })).filter(({ e }) => e.subtask === subtask);
      const opens = mine.filter(({ e }) => e.kind === 'open');
      const closes = mine.filter(({ e }) => e.kind === 'close');
      const records = mine.filter(({ e }) => e.kind === 'record');
      expect(opens).toHaveLength(1);
      expect(closes).toHaveLength(1);
      expect(records.length).toBe(n / 3);
      expect(opens[0]!.i).toBeLessThan(records[0]!.i);
      expect(closes[0]!.i).toBeGreaterThan(records[records.length - 1]!.i);
      // Each instance counted only its own records: the counter field is per instance.
      expect((closes[0]!.e as { count: number }).count).toBe(n / 3);
    }
    // Every instance is opened before any record flows anywhere.
    const firstRecord = log.findIndex((e) => e.kind === 'record');
    expect(log.slice(0, firstRecord).filter((e) => e.kind === 'open')).toHaveLength(3);
    // The object passed to map() is a template: it was never opened or used itself.
    expect((fn as unknown as { opened: boolean }).opened).toBe(false);
    expect((fn as unknown as { count: number }).count).toBe(0);
  });

  it('fields assigned in open() are per instance', async () => {
    const buckets: number[][] = [];
    class Bucket extends AbstractRichFunction {
      private seen!: number[];
      override open(): void {
        this.seen = [];
        buckets.push(this.seen);
      }
      map(v: number): number {
        this.seen.push(v);
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
    await env.fromSequence(1, 400).map(new Bucket()).executeAndCollect();
    expect(buckets).toHaveLength(4);
    expect(buckets.map((b) => b.length)).toEqual([100, 100, 100, 100]);
    expect(buckets.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('mutable fields initialised in the constructor are not shared across parallel instances', async () => {
    // In Flink every parallel instance deserializes its own copy of the function, so a buffer
    // created in a field initializer is private to the instance.
    const sizes: number[] = [];
    class Buffering extends AbstractRichFunction {
      private readonly buffer: number[] = [];
      map(v: number): number {
        this.buffer.push(v);
        return v;
      }
      override close(): void {
        sizes.push(this.buffer.length);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
    await env.fromSequence(1, 400).map(new Buffering()).executeAndCollect();
    expect(sizes).toEqual([100, 100, 100, 100]);
  });

  it('waits for an async open() before sending records to the function', async () => {
    const events: string[] = [];
    class SlowOpen extends AbstractRichFunction {
      private ready = false;
      override async open(): Promise<void> {
        events.push('open-start');
        await nextTurn();
        await nextTurn();
        this.ready = true;
        events.push('open-end');
      }
      map(v: number): number {
        if (!this.ready) throw new Error('record before async open finished');
        events.push(`r${v}`);
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env.fromElements(1, 2, 3).map(new SlowOpen()).executeAndCollect();
    expect(out).toEqual([1, 2, 3]);
    expect(events).toEqual(['open-start', 'open-end', 'r1', 'r2', 'r3']);
  });

  it('close is called also when the job fails', async () => {
    const closed: number[] = [];
    class Failing extends AbstractRichFunction {
      map(v: number): number {
        if (v === 50) throw new Error('boom at 50');
        return v;
      }
      override close(): void {
        closed.push(this.getRuntimeContext().getIndexOfThisSubtask());
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.fromSequence(0, 99).map(new Failing()).sinkTo(new CollectSink());
    await expect(env.execute()).rejects.toBeInstanceOf(JobExecutionError);
    expect(closed.sort()).toEqual([0, 1]);
  });

  it('a failing open() fails the job with that error as cause', async () => {
    const boom = new Error('cannot connect');
    class BadOpen extends AbstractRichFunction {
      override open(): void {
        throw boom;
      }
      map(v: number): number {
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.fromElements(1).map(new BadOpen()).sinkTo(new CollectSink());
    const err = await env.execute().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobExecutionError);
    expect((err as Error).cause).toBe(boom);
  });
});

describe('RuntimeContext task info', () => {
  it('reports index, parallelism, max parallelism, task name and job name', async () => {
    const infos: { info: TaskInfo; openInfo: TaskInfo; job: string }[] = [];
    class Info extends AbstractRichFunction {
      private openInfo!: TaskInfo;
      override open(ctx: OpenContext): void {
        this.openInfo = ctx.taskInfo;
        const rc = this.getRuntimeContext();
        infos.push({ info: rc.getTaskInfo(), openInfo: this.openInfo, job: rc.getJobName() });
        expect(rc.getIndexOfThisSubtask()).toBe(rc.getTaskInfo().indexOfThisSubtask);
        expect(rc.getNumberOfParallelSubtasks()).toBe(rc.getTaskInfo().numberOfParallelSubtasks);
        expect(rc.getMaxNumberOfParallelSubtasks()).toBe(rc.getTaskInfo().maxNumberOfParallelSubtasks);
      }
      map(v: number): number {
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2, maxParallelism: 64 });
    env.fromSequence(1, 10).map(new Info()).setParallelism(3).name('info-mapper').sinkTo(new CollectSink());
    await env.execute('task-info job');

    expect(infos).toHaveLength(3);
    expect(infos.map((i) => i.info.indexOfThisSubtask).sort()).toEqual([0, 1, 2]);
    for (const { info, openInfo, job } of infos) {
      expect(info.numberOfParallelSubtasks).toBe(3);
      expect(info.maxNumberOfParallelSubtasks).toBe(64);
      expect(info.taskName).toBe('info-mapper');
      expect(info.attemptNumber).toBe(0);
      expect(openInfo).toEqual(info);
      expect(job).toBe('task-info job');
    }
  });

  it('an operator-level max parallelism overrides the environment one', async () => {
    const maxes: number[] = [];
    class Max extends AbstractRichFunction {
      override open(): void {
        maxes.push(this.getRuntimeContext().getMaxNumberOfParallelSubtasks());
      }
      map(v: number): number {
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.fromSequence(1, 10).map(new Max()).setMaxParallelism(16).sinkTo(new CollectSink());
    await env.execute();
    expect(maxes).toEqual([16, 16]);
  });

  it('getRuntimeContext() before the function is deployed throws a clear error', () => {
    class Early extends AbstractRichFunction {}
    expect(() => new Early().getRuntimeContext()).toThrow(/runtime context has not been initialized/);
  });
});

describe('keyed state outside keyed streams', () => {
  it('getState in a rich map on a non-keyed stream fails the job with a clear error', async () => {
    class NotKeyed extends AbstractRichFunction {
      override open(): void {
        this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
      }
      map(v: number): number {
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.fromElements(1, 2).map(new NotKeyed()).name('not-keyed-map').sinkTo(new CollectSink());
    const err = await env.execute().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobExecutionError);
    const msg = ((err as Error).cause as Error).message;
    expect(msg).toMatch(/Keyed state 'count' can only be used on a keyed stream/);
    expect(msg).toContain('not-keyed-map');
  });

  it('getListState in a ProcessFunction on a non-keyed stream fails too', async () => {
    class NotKeyed extends ProcessFunction<number, number> {
      processElement(v: number, _ctx: ProcessContext, out: Collector<number>): void {
        this.getRuntimeContext().getListState(new ListStateDescriptor<number>('xs')).add(v);
        out.collect(v);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.fromElements(1).process(new NotKeyed()).sinkTo(new CollectSink());
    await expect(env.execute()).rejects.toThrow(/can only be used on a keyed stream/);
  });

  it('the same function works after keyBy', async () => {
    class Counting extends KeyedProcessFunction<number, number, [number, number]> {
      processElement(v: number, ctx: KeyedProcessContext<number>, out: Collector<[number, number]>): void {
        const s = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
        s.update((s.value() ?? 0) + 1);
        out.collect([ctx.getCurrentKey(), s.value()!]);
        void v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const out = await env
      .fromElements(1, 2, 1, 1, 2)
      .keyBy((n) => n)
      .process(new Counting())
      .executeAndCollect();
    expect(out.filter((t) => t[0] === 1).map((t) => t[1])).toEqual([1, 2, 3]);
    expect(out.filter((t) => t[0] === 2).map((t) => t[1])).toEqual([1, 2]);
  });
});

describe('operator state', () => {
  it('list state from getOperatorStateStore() is per instance and usable on non-keyed streams', async () => {
    const finalLists = new Map<number, number[]>();
    class Remember extends AbstractRichFunction {
      private seen!: ListState<number>;
      override open(): void {
        this.seen = this.getRuntimeContext()
          .getOperatorStateStore()
          .getListState(new ListStateDescriptor<number>('seen'));
      }
      map(v: number): number {
        this.seen.add(v);
        return v;
      }
      override close(): void {
        finalLists.set(this.getRuntimeContext().getIndexOfThisSubtask(), [...this.seen.get()]);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const out = await env.fromSequence(0, 899).map(new Remember()).executeAndCollect();
    expect(out).toHaveLength(900);
    expect([...finalLists.keys()].sort()).toEqual([0, 1, 2]);
    const all = [...finalLists.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 900 }, (_, i) => i));
    for (const list of finalLists.values()) {
      expect(list).toHaveLength(300);
      // Appended in arrival order: each sequence reader emits its range ascending.
      expect(list).toEqual([...list].sort((a, b) => a - b));
    }
  });

  it('update() replaces the list and the same descriptor name gives the same state', async () => {
    const results: number[][] = [];
    class Replace extends AbstractRichFunction {
      override open(): void {
        const store = this.getRuntimeContext().getOperatorStateStore();
        const a = store.getListState(new ListStateDescriptor<number>('xs'));
        a.add(1);
        a.add(2);
        const b = store.getListState(new ListStateDescriptor<number>('xs'));
        b.update([7, 8, 9]);
        results.push([...a.get()]);
      }
      map(v: number): number {
        return v;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    await env.fromElements(1).map(new Replace()).executeAndCollect();
    expect(results).toEqual([[7, 8, 9]]);
  });
});
