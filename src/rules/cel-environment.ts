import { Environment } from '@marcbachmann/cel-js';
import { RULE_LIMITS } from './rule-limits.js';

/**
 * The CEL environment every rule condition is checked and parsed in (one, shared: parsing is
 * pure). Variables:
 *
 * - `e` (`map`): the event being tested, its fields as they are in the JSON (numbers are CEL
 *   `double`s, so write `e.amount * 2.0`; comparisons mix `int` and `double` freely);
 * - `ts` (`double`): the event's timestamp, epoch milliseconds;
 * - `matched` (`map`, pattern rules): stage name -> list of the events the partial match has
 *   taken for that stage so far.
 *
 * Helper functions on lists of numbers: `sum(list)`, `avg(list)`, `min(list)`, `max(list)` (all
 * `double`; `avg`/`min`/`max` of an empty list is an evaluation error, i.e. false). With the CEL
 * macros: `sum(matched.small.map(x, x.amount)) > 10.0`, `size(matched.fail) >= 3`,
 * `matched.login.exists(l, l.country != e.country)`.
 *
 * Structural limits (AST nodes, depth) bound the cost of parsing and evaluating hostile input.
 *
 * @example
 * ```ts
 * RULE_CEL.check('e.type == "login"').valid; // true
 * ```
 */
export const RULE_CEL: Environment = createRuleEnvironment();

function createRuleEnvironment(): Environment {
  const env = new Environment({
    limits: {
      maxAstNodes: RULE_LIMITS.maxConditionAstNodes,
      maxDepth: RULE_LIMITS.maxConditionDepth,
      maxListElements: 256,
      maxMapEntries: 256,
      maxCallArguments: 8,
    },
  })
    .registerVariable('e', 'map', { description: 'The event being tested.' })
    .registerVariable('ts', 'double', { description: 'The event timestamp, epoch milliseconds.' })
    .registerVariable('matched', 'map', {
      description: 'Stage name -> events already matched for it (pattern rules).',
    });
  env.registerFunction('sum(list): double', (l: unknown[]) => numbers(l, 'sum').reduce((a, b) => a + b, 0));
  env.registerFunction('avg(list): double', (l: unknown[]) => {
    const xs = nonEmpty(numbers(l, 'avg'), 'avg');
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  });
  env.registerFunction('min(list): double', (l: unknown[]) =>
    Math.min(...nonEmpty(numbers(l, 'min'), 'min')),
  );
  env.registerFunction('max(list): double', (l: unknown[]) =>
    Math.max(...nonEmpty(numbers(l, 'max'), 'max')),
  );
  return env;
}

function numbers(list: unknown[], fn: string): number[] {
  return list.map((x) => {
    if (typeof x === 'number') return x;
    if (typeof x === 'bigint') return Number(x);
    throw new Error(`${fn}() expects a list of numbers, got an element of type ${typeof x}`);
  });
}

function nonEmpty(xs: number[], fn: string): number[] {
  if (xs.length === 0) throw new Error(`${fn}() of an empty list`);
  return xs;
}
