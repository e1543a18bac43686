let nextTagId = 0;

/**
 * Names a side output. Two tags are the same side output when their ids are equal.
 *
 * @example
 * ```ts
 * const late = new OutputTag<Event>('late');
 * const main = stream.process(new MyFn(late));
 * main.getSideOutput(late).print();
 * ```
 */
export class OutputTag<T> {
  /** Process-unique numeric handle used for routing on the hot path. */
  readonly index: number;
  declare readonly __type?: T;

  constructor(readonly id: string) {
    if (!id) throw new Error('OutputTag id must be a non-empty string');
    this.index = nextTagId++;
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
