import type { Evictor } from '../windows/evictor.js';
import type { Trigger } from '../windows/trigger.js';
import type { Window } from '../windows/window.js';
import type { WindowAssigner } from '../windows/window-assigner.js';
import type { Collector } from './collector.js';
import type { DataStream, KeyExpression, SingleOutputStreamOperator } from './data-stream.js';
import { toCallable } from './functions.js';
import type { CoGroupFunction, FlatJoinFunction, JoinFunction } from './join-functions.js';

/** An element of either input, tagged with its side, as the co-group window sees it. */
export interface TaggedUnion<T1, T2> {
  readonly side: 1 | 2;
  readonly one?: T1;
  readonly two?: T2;
}

function keyOf<T, K>(key: KeyExpression<T, K>): (v: T) => K {
  return typeof key === 'function' ? key : (v: T) => (v as any)[key] as K;
}

/**
 * Two streams grouped by key and window (Flink's `CoGroupedStreams`):
 * `a.coGroup(b).where(k1).equalTo(k2).window(assigner).apply(fn)`. Both inputs are tagged,
 * unioned and keyed, so the window's event time is the minimum of both inputs' watermarks.
 */
export class CoGroupedStreams<T1, T2> {
  /** @internal use `stream.coGroup(other)` */
  constructor(
    readonly input1: DataStream<T1>,
    readonly input2: DataStream<T2>,
  ) {}

  where<K>(key1: KeyExpression<T1, K>): {
    equalTo(key2: KeyExpression<T2, K>): CoGroupedWhereEqual<T1, T2, K>;
  } {
    return { equalTo: (key2) => new CoGroupedWhereEqual(this.input1, this.input2, keyOf(key1), keyOf(key2)) };
  }
}

/** Keys chosen; pick the window next. */
export class CoGroupedWhereEqual<T1, T2, K> {
  /** @internal */
  constructor(
    readonly input1: DataStream<T1>,
    readonly input2: DataStream<T2>,
    readonly key1: (v: T1) => K,
    readonly key2: (v: T2) => K,
  ) {}

  window<W extends Window>(assigner: WindowAssigner<any, W>): CoGroupedWindow<T1, T2, K, W> {
    return new CoGroupedWindow(this, assigner);
  }
}

/** Keys and window chosen; optionally a trigger, evictor, lateness; then the function. */
export class CoGroupedWindow<T1, T2, K, W extends Window> {
  private windowTrigger: Trigger<any, W> | undefined;
  private windowEvictor: Evictor<any, W> | undefined;
  private lateness = 0;

  /** @internal */
  constructor(
    private readonly keys: CoGroupedWhereEqual<T1, T2, K>,
    private readonly assigner: WindowAssigner<any, W>,
  ) {}

  trigger(trigger: Trigger<any, W>): this {
    this.windowTrigger = trigger;
    return this;
  }

  evictor(evictor: Evictor<any, W>): this {
    this.windowEvictor = evictor;
    return this;
  }

  allowedLateness(ms: number): this {
    this.lateness = ms;
    return this;
  }

  /** Calls `fn` once per key and window with both sides' elements (either may be empty). */
  apply<OUT>(fn: CoGroupFunction<T1, T2, OUT>): SingleOutputStreamOperator<OUT> {
    const coGroup = toCallable<(a: T1[], b: T2[], out: Collector<OUT>) => void>(fn, 'coGroup');
    const { input1, input2, key1, key2 } = this.keys;
    const tagged1 = input1
      .map((v: T1): TaggedUnion<T1, T2> => ({ side: 1, one: v }))
      .name('Map(tag input 1)')
      .setParallelism(input1.getParallelism());
    const tagged2 = input2
      .map((v: T2): TaggedUnion<T1, T2> => ({ side: 2, two: v }))
      .name('Map(tag input 2)')
      .setParallelism(input2.getParallelism());
    let windowed = tagged1
      .union(tagged2)
      .keyBy((t: TaggedUnion<T1, T2>) => (t.side === 1 ? key1(t.one as T1) : key2(t.two as T2)))
      .window(this.assigner);
    if (this.windowTrigger) windowed = windowed.trigger(this.windowTrigger);
    if (this.windowEvictor) windowed = windowed.evictor(this.windowEvictor);
    if (this.lateness > 0) windowed = windowed.allowedLateness(this.lateness);
    return windowed
      .apply<OUT>((_key, _window, elements, out) => {
        const first: T1[] = [];
        const second: T2[] = [];
        for (const t of elements) {
          if (t.side === 1) first.push(t.one as T1);
          else second.push(t.two as T2);
        }
        coGroup(first, second, out);
      })
      .name('CoGroup');
  }
}

/**
 * An inner join of two streams by key within windows (Flink's `JoinedStreams`):
 * `a.join(b).where(k1).equalTo(k2).window(assigner).apply(joinFn)`. Every pair of elements with
 * equal keys in the same window is joined once.
 */
export class JoinedStreams<T1, T2> {
  /** @internal use `stream.join(other)` */
  constructor(
    readonly input1: DataStream<T1>,
    readonly input2: DataStream<T2>,
  ) {}

  where<K>(key1: KeyExpression<T1, K>): { equalTo(key2: KeyExpression<T2, K>): JoinedWhereEqual<T1, T2, K> } {
    return {
      equalTo: (key2) =>
        new JoinedWhereEqual(new CoGroupedWhereEqual(this.input1, this.input2, keyOf(key1), keyOf(key2))),
    };
  }
}

/** Join keys chosen; pick the window next. */
export class JoinedWhereEqual<T1, T2, K> {
  /** @internal */
  constructor(private readonly keys: CoGroupedWhereEqual<T1, T2, K>) {}

  window<W extends Window>(assigner: WindowAssigner<any, W>): JoinedWindow<T1, T2, K, W> {
    return new JoinedWindow(this.keys.window(assigner));
  }
}

/** Join keys and window chosen; then the join function. */
export class JoinedWindow<T1, T2, K, W extends Window> {
  /** @internal */
  constructor(private readonly coGrouped: CoGroupedWindow<T1, T2, K, W>) {}

  trigger(trigger: Trigger<any, W>): this {
    this.coGrouped.trigger(trigger);
    return this;
  }

  evictor(evictor: Evictor<any, W>): this {
    this.coGrouped.evictor(evictor);
    return this;
  }

  allowedLateness(ms: number): this {
    this.coGrouped.allowedLateness(ms);
    return this;
  }

  /** One result per matching pair. */
  apply<OUT>(fn: JoinFunction<T1, T2, OUT>): SingleOutputStreamOperator<OUT> {
    const join = toCallable<(a: T1, b: T2) => OUT>(fn, 'join');
    return this.coGrouped.apply<OUT>((first, second, out) => {
      for (const a of first) for (const b of second) out.collect(join(a, b));
    });
  }

  /** Any number of results per matching pair. */
  flatApply<OUT>(fn: FlatJoinFunction<T1, T2, OUT>): SingleOutputStreamOperator<OUT> {
    const join = toCallable<(a: T1, b: T2, out: Collector<OUT>) => void>(fn, 'join');
    return this.coGrouped.apply<OUT>((first, second, out) => {
      for (const a of first) for (const b of second) join(a, b, out);
    });
  }
}
