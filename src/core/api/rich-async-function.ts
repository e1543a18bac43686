import type { AsyncFunctionObject, AsyncResult, ResultFuture } from './async-function.js';
import { AbstractRichFunction } from './rich-function.js';

/**
 * Base class for async functions with a lifecycle (Flink's `RichAsyncFunction`): create clients
 * in `open`, release them in `close`. Each parallel instance gets its own copy of the object.
 *
 * @example
 * ```ts
 * class ScoreLookup extends RichAsyncFunction<Payment, [Payment, number]> {
 *   private client!: ScoreClient;
 *   override open() { this.client = new ScoreClient(process.env.SCORES_URL); }
 *   override close() { return this.client.close(); }
 *   async asyncInvoke(p: Payment) { return [[p, await this.client.score(p.account)] as [Payment, number]]; }
 * }
 * AsyncDataStream.unorderedWait(payments, new ScoreLookup(), Duration.ofSeconds(1), 50);
 * ```
 */
export abstract class RichAsyncFunction<IN, OUT>
  extends AbstractRichFunction
  implements AsyncFunctionObject<IN, OUT>
{
  abstract asyncInvoke(input: IN, resultFuture: ResultFuture<OUT>): AsyncResult<OUT>;
}
