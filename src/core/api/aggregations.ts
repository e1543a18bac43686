/**
 * Reducers behind the rolling aggregations of `KeyedStream` (`sum`, `min`, `max`, `minBy`,
 * `maxBy`), with Flink's semantics: `sum`/`min`/`max` update one field and keep the other fields
 * of the first record of the key; `minBy`/`maxBy` keep the whole record that holds the extreme
 * (the first one on ties unless `first` is false).
 */

/** A field name (dotted path allowed), an array index, or nothing for streams of numbers. */
export type FieldExpression = string | number | undefined;

function getter(field: FieldExpression): (v: any) => number {
  if (field === undefined) return (v) => v;
  if (typeof field === 'number') return (v) => v[field];
  if (!field.includes('.')) return (v) => v[field];
  const path = field.split('.');
  return (v) => {
    let x = v;
    for (const p of path) x = x?.[p];
    return x;
  };
}

/** A shallow copy of `record` with `field` set to `value` (records of other keys are never shared). */
function withField(record: any, field: FieldExpression, value: number): any {
  if (field === undefined) return value;
  if (Array.isArray(record)) {
    const copy = record.slice();
    copy[field as number] = value;
    return copy;
  }
  if (typeof field === 'string' && field.includes('.')) {
    const [head, ...rest] = field.split('.');
    return { ...record, [head!]: withField(record[head!], rest.join('.'), value) };
  }
  return { ...record, [field]: value };
}

/** Builds the reducer of a rolling aggregation. */
export function aggregationReducer<T>(
  kind: 'sum' | 'min' | 'max',
  field: FieldExpression,
): (a: T, b: T) => T {
  const get = getter(field);
  switch (kind) {
    case 'sum':
      return (a, b) => withField(a, field, get(a) + get(b));
    case 'min':
      return (a, b) => (get(b) < get(a) ? withField(a, field, get(b)) : a);
    case 'max':
      return (a, b) => (get(b) > get(a) ? withField(a, field, get(b)) : a);
  }
}

/** Builds the reducer of `minBy`/`maxBy`, by field or by selector. */
export function byReducer<T>(
  kind: 'minBy' | 'maxBy',
  fieldOrSelector: FieldExpression | ((value: T) => number | string),
  first: boolean,
): (a: T, b: T) => T {
  const get = typeof fieldOrSelector === 'function' ? fieldOrSelector : getter(fieldOrSelector);
  const sign = kind === 'minBy' ? 1 : -1;
  return (a, b) => {
    const va = get(a);
    const vb = get(b);
    if (va === vb) return first ? a : b;
    return (vb < va ? 1 : -1) * sign > 0 ? b : a;
  };
}
