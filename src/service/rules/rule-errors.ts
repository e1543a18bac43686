import type { RuleError } from '../../rules/index.js';

const RESERVED = ['__proto__', 'constructor', 'prototype'];

/**
 * Rewords the schema's generic `must NOT be valid` (ajv's message for a failing `not`: the
 * schema's refusal of field paths and stage names `__proto__`, `constructor`, `prototype`) into
 * what was wrong, reading the offending value from the posted document `json`. Other errors are
 * kept as they are.
 *
 * @example
 * ```ts
 * clarifyRuleErrors({ key: ['__proto__'] }, [{ path: '/key/0', message: 'must NOT be valid' }]);
 * // [{ path: '/key/0', message: 'field name "__proto__" is not allowed (__proto__, constructor and prototype are reserved)' }]
 * ```
 */
export function clarifyRuleErrors(json: unknown, errors: readonly RuleError[]): RuleError[] {
  return errors.map((e) => {
    if (e.message !== 'must NOT be valid') return e;
    const value = valueAt(json, e.path);
    const what = /\/stages\/\d+\/name$/.test(e.path) ? 'stage name' : 'field name';
    const name =
      typeof value === 'string' ? (value.split('.').find((s) => RESERVED.includes(s)) ?? value) : undefined;
    return {
      path: e.path,
      message:
        name === undefined
          ? `is not allowed (${RESERVED.join(', ')} are reserved names)`
          : `${what} "${name}" is not allowed (__proto__, constructor and prototype are reserved)`,
    };
  });
}

/** The value at JSON Pointer `pointer` in `doc` (own properties only), or undefined. */
function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let v: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, token)) return undefined;
    v = (v as Record<string, unknown>)[token];
  }
  return v;
}
