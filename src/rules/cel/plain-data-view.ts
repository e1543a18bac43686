/**
 * Events as plain data for the cel-js interpreter. cel-js decides a value's CEL type from its
 * `constructor` property, so a JSON object with its own field named `constructor` (e.g.
 * `{"type":"payout","constructor":1}`) is an "Unsupported type" there, and every condition on
 * such an event would fail: a way to slip past detection. {@link plainDataView} hands the
 * interpreter an equivalent value in which each such object is a `Map` (what cel-js reads as a
 * map by its entries). Other odd names (`__proto__` from `JSON.parse`, `toString`, `valueOf`,
 * `hasOwnProperty`, …) need nothing: cel-js reads own keys only.
 *
 * @example
 * ```ts
 * plainDataView({ type: 'payout', constructor: 1 }); // Map { 'type' => 'payout', 'constructor' => 1 }
 * const e = { type: 'login' };
 * plainDataView(e) === e; // true: no copy when none is needed
 * ```
 *
 * @packageDocumentation
 */

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;

/**
 * `value` itself when no object in it has an own `constructor` key (one walk, no copy), else a
 * copy in which those objects are `Map`s (in `Object.keys` order) and the objects and arrays
 * above them are copied.
 *
 * @example
 * ```ts
 * plainDataView({ a: [{ constructor: 'x' }] }); // { a: [Map { 'constructor' => 'x' }] }
 * ```
 */
export function plainDataView<T>(value: T): T {
  return needsView(value) ? (toView(value) as T) : value;
}

function needsView(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (isArray(v)) {
    for (const x of v) if (needsView(x)) return true;
    return false;
  }
  if (v instanceof Map) {
    for (const x of v.values()) if (needsView(x)) return true;
    return false;
  }
  if (hasOwn(v, 'constructor')) return true;
  for (const k of Object.keys(v)) if (needsView((v as Record<string, unknown>)[k])) return true;
  return false;
}

function toView(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || !needsView(v)) return v;
  if (isArray(v)) return v.map(toView);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, toView(x)]));
  const o = v as Record<string, unknown>;
  if (hasOwn(o, 'constructor')) return new Map(Object.keys(o).map((k) => [k, toView(o[k])]));
  // A null-prototype copy: a `__proto__` key stays an ordinary own key.
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(o)) out[k] = toView(o[k]);
  return out;
}
