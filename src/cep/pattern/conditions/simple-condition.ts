/**
 * A condition that looks only at the event being tested (Flink's `SimpleCondition`). Every simple
 * condition is also an {@link IterativeCondition}: it simply ignores the context.
 *
 * @example
 * ```ts
 * const isError: SimpleCondition<LogLine> = (line) => line.level === 'ERROR';
 * Pattern.begin<LogLine>('error').where(isError);
 * ```
 */
export type SimpleCondition<E> = (event: E) => boolean;
