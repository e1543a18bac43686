import type { Sink, SinkWriter } from '../../core/index.js';

/**
 * A sink that hands every record to a callback in this process (the pipeline's bridge to the
 * alert hub). The callback is shared by every parallel instance (functions are not copied).
 *
 * @example
 * ```ts
 * alerts.sinkTo(new CallbackSink((a) => hub.publish(a), () => hub.flush()));
 * ```
 */
export class CallbackSink<T> implements Sink<T> {
  constructor(
    private readonly onRecord: (value: T) => void,
    private readonly onFlush?: () => void | Promise<void>,
  ) {}

  createWriter(): SinkWriter<T> {
    const onRecord = this.onRecord;
    const onFlush = this.onFlush;
    return {
      write: (value) => onRecord(value),
      flush: () => onFlush?.(),
      close: () => {},
    };
  }
}
