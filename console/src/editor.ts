/**
 * The rule editor: CodeMirror 6 with JSON, completion and hover from rules/schema.json
 * (codemirror-json-schema), JSON syntax errors at once, and the service's own verdict
 * (POST /rules/validate: the schema, CEL conditions, everything the service checks) as
 * diagnostics at each error's JSON Pointer, while the user types.
 */
import { autocompletion } from '@codemirror/autocomplete';
import { json, jsonLanguage, jsonParseLinter } from '@codemirror/lang-json';
import { syntaxTree } from '@codemirror/language';
import { type Diagnostic, linter, lintGutter } from '@codemirror/lint';
import type { EditorState } from '@codemirror/state';
import { EditorView, hoverTooltip } from '@codemirror/view';
import type { SyntaxNode } from '@lezer/common';
import { basicSetup } from 'codemirror';
import { jsonCompletion, jsonSchemaHover, stateExtensions } from 'codemirror-json-schema';
import ruleSchema from '../../rules/schema.json';
import { api, type RuleError } from './api';

export interface ServerVerdict {
  /** The document the verdict is about. */
  text: string;
  /** Errors and warnings (JSON Pointers), or the JSON syntax error. */
  errors: RuleError[];
  warnings: RuleError[];
  syntax?: string;
}

const VALUES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

/**
 * Where JSON Pointer `pointer` is in the document (from the syntax tree): the value's range; for a
 * pointer that goes past what the document has (a missing property), the key of the deepest
 * property on the way (or the first character of the deepest value).
 */
export function rangeOfPointer(state: EditorState, pointer: string): { from: number; to: number } {
  const doc = (n: SyntaxNode) => state.doc.sliceString(n.from, n.to);
  let value = children(syntaxTree(state).topNode).find((c) => VALUES.has(c.name));
  if (value === undefined) return { from: 0, to: Math.min(1, state.doc.length) };
  let key: SyntaxNode | undefined;
  const tokens =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
  for (const token of tokens) {
    let next: SyntaxNode | undefined;
    let nextKey: SyntaxNode | undefined;
    if (value.name === 'Object') {
      for (const prop of children(value).filter((c) => c.name === 'Property')) {
        const name = prop.getChild('PropertyName');
        let text: unknown;
        try {
          text = name === null ? undefined : JSON.parse(doc(name));
        } catch {
          text = undefined;
        }
        if (text === token) {
          nextKey = name ?? undefined;
          next = children(prop).find((c) => VALUES.has(c.name));
        }
      }
    } else if (value.name === 'Array' && /^\d+$/.test(token)) {
      next = children(value).filter((c) => VALUES.has(c.name))[Number(token)];
    }
    if (next === undefined) {
      if (nextKey !== undefined) return { from: nextKey.from, to: nextKey.to };
      return key !== undefined ? { from: key.from, to: key.to } : { from: value.from, to: value.from + 1 };
    }
    value = next;
    key = nextKey;
  }
  return { from: value.from, to: value.to };
}

/**
 * Creates the editor in `parent` with `doc`; `onVerdict` receives the service's verdict after each
 * change (debounced).
 */
export function createRuleEditor(
  parent: HTMLElement,
  doc: string,
  onVerdict: (v: ServerVerdict) => void,
  onChange: (text: string) => void,
): EditorView {
  const parseLinter = jsonParseLinter();
  const serverLinter = linter(
    async (view): Promise<Diagnostic[]> => {
      const text = view.state.doc.toString();
      const syntax = parseLinter(view);
      if (syntax.length > 0) {
        onVerdict({ text, errors: [], warnings: [], syntax: syntax[0]!.message });
        return syntax;
      }
      let verdict: { valid: boolean; errors?: RuleError[]; warnings?: RuleError[] };
      try {
        verdict = await api('POST', '/rules/validate', JSON.parse(text));
      } catch (e) {
        return [{ from: 0, to: 0, severity: 'warning', message: `validation unavailable: ${String(e)}` }];
      }
      // The document may have changed while the service answered: a later run replaces this one.
      if (view.state.doc.toString() !== text) return [];
      const errors = verdict.errors ?? [];
      const warnings = verdict.warnings ?? [];
      onVerdict({ text, errors, warnings });
      const diagnostic = (e: RuleError, severity: 'error' | 'warning'): Diagnostic => ({
        ...rangeOfPointer(view.state, e.path),
        severity,
        source: e.path === '' ? 'rule' : e.path,
        message: e.message,
      });
      return [...errors.map((e) => diagnostic(e, 'error')), ...warnings.map((w) => diagnostic(w, 'warning'))];
    },
    { delay: 300 },
  );
  return new EditorView({
    parent,
    doc,
    extensions: [
      basicSetup,
      json(),
      jsonLanguage.data.of({ autocomplete: jsonCompletion() }),
      autocompletion(),
      hoverTooltip(jsonSchemaHover()),
      stateExtensions(ruleSchema as never),
      serverLinter,
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
}

/** Replaces the editor's document. */
export function setEditorText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
