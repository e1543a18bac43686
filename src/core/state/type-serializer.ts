import { deserialize, serialize } from 'node:v8';

/**
 * Turns values into bytes for snapshots and exchanges across processes. State descriptors take one;
 * the default is {@link StructuredCloneSerializer}.
 */
export interface TypeSerializer<T> {
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
  /**
   * `true` when the bytes are V8's structured clone of the value: snapshots then keep values as
   * they are inside the key group's payload (serialized once with it) instead of one `serialize`
   * call and one nested byte array per value.
   */
  readonly structuredCloneable?: boolean;
  /**
   * A plain-data form of a value, for values that are not plain data themselves (class instances,
   * compiled parts) but have a cheap plain form: keyed-state snapshots then keep
   * `toCloneable(value)` inside the key group's payload, serialized once with it as for
   * `structuredCloneable`, and restore with {@link fromCloneable} (both or neither). One `serialize`
   * call per value costs about twice the value's share of one call for the whole key group.
   *
   * @example
   * ```ts
   * const s: TypeSerializer<Point> = { ...pointBytes, toCloneable: (p) => [p.x, p.y], fromCloneable: (d) => new Point(...(d as [number, number])) };
   * ```
   */
  toCloneable?(value: T): unknown;
  fromCloneable?(data: unknown): T;
}

/**
 * V8's structured-clone format (`node:v8`): handles Map, Set, Date, BigInt, typed arrays and
 * cycles; class instances come back as plain objects, so keep state values plain data or pass a
 * serializer of your own.
 */
export class StructuredCloneSerializer<T> implements TypeSerializer<T> {
  static readonly INSTANCE = new StructuredCloneSerializer<any>();
  readonly structuredCloneable = true;

  serialize(value: T): Uint8Array {
    return serialize(value);
  }

  deserialize(bytes: Uint8Array): T {
    return deserialize(bytes) as T;
  }
}

/** UTF-8 JSON; portable across Node versions and readable, for plain data. */
export class JsonSerializer<T> implements TypeSerializer<T> {
  static readonly INSTANCE = new JsonSerializer<any>();

  serialize(value: T): Uint8Array {
    return Buffer.from(JSON.stringify(value), 'utf8');
  }

  deserialize(bytes: Uint8Array): T {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }
}
