import { describe, expect, it } from 'vitest';
import {
  AsyncDataStream,
  type AsyncFunction,
  type DataStream,
  type ResultFuture,
  RichAsyncFunction,
  type SingleOutputStreamOperator,
  StreamExecutionEnvironment,
} from '../../../src/core/index.js';

/** The forms an async function may take all type-check and infer the output type. */
describe('AsyncFunction forms', () => {
  it('infers the output type from each form', async () => {
    const env = new StreamExecutionEnvironment();
    const words: DataStream<string> = env.fromElements('a', 'bb');
    const byPromise: SingleOutputStreamOperator<number> = AsyncDataStream.orderedWait(
      words,
      async (w: string) => [w.length],
      0,
    );
    const byCallback: SingleOutputStreamOperator<number> = AsyncDataStream.orderedWait(
      byPromise,
      (n: number, rf: ResultFuture<number>) => rf.complete([n + 1]),
      0,
    );
    class AsyncCallbackStyle extends RichAsyncFunction<number, number> {
      async asyncInvoke(n: number, rf: ResultFuture<number>): Promise<void> {
        await Promise.resolve();
        rf.complete([n * 10]);
      }
    }
    const fn: AsyncFunction<number, number> = new AsyncCallbackStyle();
    const out = await AsyncDataStream.orderedWait(byCallback, fn, 0).executeAndCollect();
    expect(out).toEqual([20, 30]);
  });
});
