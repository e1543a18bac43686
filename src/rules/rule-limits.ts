/**
 * Limits against hostile or runaway rule documents. Most are enforced by `rules/schema.json`
 * (sizes, counts) and repeated here for code and docs; the others are checked before the schema
 * (document size, JSON depth) or by the condition compiler (CEL AST size and depth). They keep the
 * cost of rejecting a bad document, and of running a good one, bounded.
 *
 * @example
 * ```ts
 * if (text.length > RULE_LIMITS.maxDocumentChars) reject();
 * ```
 */
export const RULE_LIMITS = Object.freeze({
  /** Characters of a rule document given as text to {@link parseRuleJson}. */
  maxDocumentChars: 256 * 1024,
  /** Nesting depth of the parsed JSON (a valid rule needs 6: rule > stages > group > stage > quantifier). */
  maxJsonDepth: 12,
  /** Stages in a rule, counting the stages inside groups. */
  maxStages: 32,
  /** Stages inside one group (schema). */
  maxGroupStages: 16,
  /** Characters of one CEL condition (schema). */
  maxConditionChars: 4096,
  /** Nodes of one parsed CEL condition. */
  maxConditionAstNodes: 512,
  /** Nesting depth of one parsed CEL condition. */
  maxConditionDepth: 32,
  /** Fields of a grouping key (schema). */
  maxKeyFields: 8,
  /** Characters of a field path; at most 4 segments of 64 (schema). */
  maxFieldPathChars: 128,
  /** Characters of an alert message template (schema). */
  maxMessageChars: 1024,
  /** Characters of a description (schema). */
  maxDescriptionChars: 2048,
  /** Fields copied into an alert (schema). */
  maxAlertFields: 32,
  /** Counts of `times`/`timesOrMore` (schema). */
  maxQuantifierCount: 1000,
  /** Longest duration (`within`, window size), 366 days (schema). */
  maxDurationMs: 366 * 24 * 3600 * 1000,
  /** Windows one event falls into (size / slide of a sliding window). */
  maxSlidesPerWindow: 1440,
  /** Errors returned by {@link validateRule} (ajv with allErrors can report many). */
  maxErrors: 50,
});
