import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Finds `rules/schema.json` from this module's directory upwards, so the same code works from
 * `src/rules` (tests) and from `dist/src/rules` (the built service) without copying the file.
 */
function findSchemaFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'rules', 'schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('rules/schema.json not found above src/rules');
}

/**
 * The rule JSON Schema (2020-12), as shipped in `rules/schema.json`.
 *
 * @example
 * ```ts
 * RULE_SCHEMA.$id; // 'https://cep-rule-service.local/rules/schema.json'
 * ```
 */
export const RULE_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze(
  JSON.parse(readFileSync(findSchemaFile(), 'utf8')) as Record<string, unknown>,
);

// strictRequired is off: the kind-dependent `if/then` branches require properties declared at
// the top level, which that check cannot see. Every other strict check (unknown keywords,
// types, tuples, unions) is on. `verbose` puts the offending value into each error (`data`), for
// messages that name it (reserved names).
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });

/**
 * The compiled validator of {@link RULE_SCHEMA}, built once per process.
 *
 * @example
 * ```ts
 * if (!validateRuleSchema(json)) console.log(validateRuleSchema.errors);
 * ```
 */
export const validateRuleSchema: ValidateFunction = ajv.compile(RULE_SCHEMA);

/**
 * One validation error: a JSON Pointer (RFC 6901) to the offending value, or to the missing or
 * extra property, and a message.
 *
 * @example
 * ```ts
 * const e: RuleError = { path: '/stages/1/quantifier/from', message: 'must be integer' };
 * ```
 */
export interface RuleError {
  readonly path: string;
  readonly message: string;
}

/**
 * Turns ajv's errors into {@link RuleError}s: the path points at what is wrong (a missing
 * property's own path, not its parent's), `if` errors (which only repeat the branch's errors)
 * are dropped, a failing `oneOf` replaces the errors of its branches, a failing `not` (the
 * schema's refusal of the reserved names `__proto__`, `constructor`, `prototype` in field paths
 * and stage names) names the refused name instead of ajv's "must NOT be valid", and duplicates go.
 *
 * @example
 * ```ts
 * schemaErrors(validateRuleSchema.errors ?? []);
 * // [{ path: '/alert/severity', message: 'must be one of low, medium, high, critical' }]
 * ```
 */
export function schemaErrors(errors: readonly ErrorObject[]): RuleError[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const out: RuleError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (e.keyword !== 'oneOf' && oneOfs.some((p) => e.schemaPath.startsWith(`${p}/`))) continue;
    const error = toRuleError(e);
    const id = `${error.path}\n${error.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(error);
  }
  return out;
}

function toRuleError(e: ErrorObject): RuleError {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${pointerToken(String(p.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return {
        path: `${e.instancePath}/${pointerToken(String(p.additionalProperty))}`,
        message: 'is not a known property',
      };
    case 'unevaluatedProperties':
      return {
        path: `${e.instancePath}/${pointerToken(String(p.unevaluatedProperty))}`,
        message: 'is not a known property',
      };
    case 'not':
      return { path: e.instancePath, message: reservedNameMessage(e) };
    case 'false schema':
      return { path: e.instancePath, message: 'is not allowed here (for this kind of rule or quantifier)' };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'oneOf':
      return {
        path: e.instancePath,
        message: e.schemaPath.includes('duration')
          ? 'must be a positive integer of milliseconds (at most 366 days) or an ISO-8601 duration like "PT5M"'
          : (e.message ?? 'is invalid'),
      };
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

/** The names the schema refuses (`not`) in field paths and stage names. */
const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'];

/**
 * The message of a failing `not`: `field name "__proto__" is not allowed (…reserved)` for a field
 * path with a reserved segment, `stage name "constructor" …` for a stage name (the value is in
 * `e.data`: ajv runs with `verbose`).
 */
function reservedNameMessage(e: ErrorObject): string {
  const reserved = `${RESERVED_NAMES.slice(0, -1).join(', ')} and ${RESERVED_NAMES.at(-1)} are reserved`;
  const value: unknown = e.data;
  if (typeof value !== 'string') return `is not allowed (${reserved})`;
  const what = e.schemaPath.includes('stageName') ? 'stage name' : 'field name';
  const name = value.split('.').find((s) => RESERVED_NAMES.includes(s)) ?? value;
  return `${what} "${name}" is not allowed (${reserved})`;
}

/** Escapes a property name into a JSON Pointer token (RFC 6901). @example `pointerToken("a/b") // "a~1b"` */
function pointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
