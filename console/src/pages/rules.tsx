import type { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type Alert,
  type ApiError,
  api,
  metricSum,
  type Rule,
  type RuleError,
  type RuleVersion,
} from '../api';
import { createRuleEditor, type ServerVerdict, setEditorText } from '../editor';
import type { PipelinePoint } from './pipeline';

const TEMPLATE = {
  id: 'my-rule',
  version: 1,
  status: 'active',
  kind: 'pattern',
  description: 'A login from a new device, then a payout above 500 within 10 minutes',
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login" && e.newDevice == true' },
    { name: 'payout', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: { severity: 'high', message: 'payout of {{payout.amount}} after a new-device login for {{key}}' },
};

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

interface DryRunResult {
  alerts: Alert[];
  alertCount: number;
  truncated: boolean;
  invalidEvents: { index: number; reason: string }[];
  invalidEventCount: number;
  rejected?: string;
  conditionErrors: number;
  conditionErrorDetails: { path?: string; message: string; count: number; eventIndex?: number }[];
  warnings?: RuleError[];
}

/** Sample events that a rule's conditions would likely take: types, key fields, compared numbers. */
export function sampleEvents(rule: Partial<Rule> & Record<string, unknown>): Record<string, unknown>[] {
  const base: Record<string, unknown> = {};
  for (const [i, path] of (rule.key ?? []).entries()) setPath(base, path, `k${i + 1}`);
  const fromCondition = (cond: unknown): Record<string, unknown> => {
    const e: Record<string, unknown> = structuredClone(base);
    if (typeof cond !== 'string') return { ...e, type: 'event' };
    e.type = /e\.type\s*==\s*"([^"]+)"/.exec(cond)?.[1] ?? 'event';
    for (const m of cond.matchAll(/e\.([\w.]+)\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?|true|false)/g)) {
      const [, field, op, raw] = m;
      if (field === 'type') continue;
      const v = raw === 'true' ? true : raw === 'false' ? false : Number(raw);
      setPath(
        e,
        field!,
        typeof v === 'number' ? (op === '>' ? v + 1 : op === '<' ? v - 1 : v) : op === '==' ? v : !v,
      );
    }
    return e;
  };
  const out: Record<string, unknown>[] = [];
  if (rule.kind === 'threshold') {
    const compare = rule.compare as { value?: number } | undefined;
    const n = Math.min(Math.max(Math.ceil((compare?.value ?? 3) + 1), 1), 50);
    for (let i = 0; i < n; i++) out.push(fromCondition(rule.filter));
  } else {
    const stages = ((rule.stages as Record<string, unknown>[] | undefined) ?? []).flatMap((s) =>
      Array.isArray(s.group) ? (s.group as Record<string, unknown>[]) : [s],
    );
    for (const s of stages) {
      if (s.contiguity === 'notNext' || s.contiguity === 'notFollowedBy') continue;
      const q = s.quantifier as { type?: string; from?: number } | undefined;
      const times = q?.type === 'oneOrMore' ? 1 : Math.min(q?.from ?? 1, 20);
      for (let i = 0; i < times; i++) out.push(fromCondition(s.condition));
    }
  }
  const t0 = Date.now() - 60_000;
  return out.map((e, i) => ({ ...e, ts: t0 + i * 1000 }));
}

function setPath(o: Record<string, unknown>, path: string, v: unknown): void {
  const parts = path.split('.');
  let cur = o;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = v;
}

function Errors({ errors, kind }: { errors: RuleError[]; kind: 'error' | 'warning' }) {
  if (errors.length === 0) return null;
  return (
    <ul class={`problems ${kind}s`}>
      {errors.map((e) => (
        <li key={`${e.path} ${e.message}`} data-path={e.path}>
          <code>{e.path === '' ? '(document)' : e.path}</code> {e.message}
        </li>
      ))}
    </ul>
  );
}

/** Rules: the list with actions, the editor, the dry-run panel. */
export function RulesPage({ metrics }: { metrics: PipelinePoint | undefined }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [listError, setListError] = useState<string>();
  const [text, setText] = useState(pretty(TEMPLATE));
  const [verdict, setVerdict] = useState<ServerVerdict>();
  const [saveMessage, setSaveMessage] = useState<{ ok: boolean; text: string; errors?: RuleError[] }>();
  const [events, setEvents] = useState('');
  const [dryRun, setDryRun] = useState<DryRunResult>();
  const [dryRunError, setDryRunError] = useState<{ text: string; errors?: RuleError[] }>();
  const editorEl = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorView | undefined>(undefined);

  const [lastHour, setLastHour] = useState<Map<string, number>>();
  const [history, setHistory] = useState<{ id: string; versions: RuleVersion[] }>();
  const showHistory = (id: string) =>
    api<RuleVersion[]>('GET', `/rules/${encodeURIComponent(id)}/versions`)
      .then((versions) => setHistory({ id, versions }))
      .catch((e: Error) => setListError(e.message));
  const load = () =>
    Promise.all([
      api<Rule[]>('GET', '/rules').then((r) => {
        setRules(r.sort((a, b) => a.id.localeCompare(b.id)));
        setListError(undefined);
      }),
      // Alerts of the last hour by event time (the most recent 1000), counted by rule.
      api<Alert[]>('GET', `/alerts?from=${Date.now() - 3_600_000}&limit=1000`).then((alerts) => {
        const counts = new Map<string, number>();
        for (const a of alerts) counts.set(a.ruleId, (counts.get(a.ruleId) ?? 0) + 1);
        setLastHour(counts);
      }),
    ]).catch((e: Error) => setListError(e.message));

  useEffect(() => {
    void load();
    const timer = setInterval(load, 5000);
    editor.current = createRuleEditor(editorEl.current!, text, setVerdict, setText);
    return () => {
      clearInterval(timer);
      editor.current?.destroy();
    };
  }, []);

  const edit = (r: Rule, bump: boolean) => {
    const next = bump ? { ...r, version: r.version + 1 } : r;
    setEditorText(editor.current!, pretty(next));
    setSaveMessage(undefined);
    editorEl.current?.scrollIntoView({ block: 'nearest' });
  };

  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setListError(undefined);
    } catch (e) {
      const err = e as ApiError;
      setListError(`${what}: ${err.message}`);
    }
    await load();
  };

  const save = async () => {
    let doc: Rule;
    try {
      doc = JSON.parse(text) as Rule;
    } catch (e) {
      setSaveMessage({ ok: false, text: `not JSON: ${String(e)}` });
      return;
    }
    const exists = rules.some((r) => r.id === doc.id);
    try {
      const stored = exists
        ? await api<Rule>('PUT', `/rules/${encodeURIComponent(doc.id)}`, doc)
        : await api<Rule>('POST', '/rules', doc);
      setSaveMessage({ ok: true, text: `saved ${stored.id} version ${stored.version}` });
      edit(stored, true);
      setSaveMessage({ ok: true, text: `saved ${stored.id} version ${stored.version}` });
    } catch (e) {
      const err = e as ApiError;
      setSaveMessage({ ok: false, text: err.message, errors: err.body?.errors });
    }
    await load();
  };

  const runDry = async () => {
    setDryRun(undefined);
    setDryRunError(undefined);
    try {
      const rule = JSON.parse(text) as unknown;
      const sample = events.trim() === '' ? [] : (JSON.parse(events) as unknown);
      setDryRun(await api<DryRunResult>('POST', '/rules/dry-run', { rule, events: sample }));
    } catch (e) {
      const err = e as ApiError;
      setDryRunError({ text: err.message, errors: err.body?.errors });
    }
  };

  const generate = () => {
    try {
      setEvents(pretty(sampleEvents(JSON.parse(text) as Rule)));
    } catch (e) {
      setDryRunError({ text: `the rule is not JSON: ${String(e)}` });
    }
  };

  const m = metrics?.metrics;
  // A labelled counter with no sample yet is absent from the scrape: 0 once metrics were read.
  const perRule = (name: string, id: string) =>
    m === undefined || m.size === 0 ? '–' : String(metricSum(m, name, 'rule', id));
  const current = verdict?.text === text ? verdict : undefined;

  return (
    <section class="rules">
      <div class="toolbar">
        <h2>Rules</h2>
        <button type="button" onClick={() => edit({ ...(TEMPLATE as unknown as Rule) }, false)}>
          New rule
        </button>
        {listError !== undefined && <span class="error">{listError}</span>}
      </div>
      <table class="rule-list">
        <thead>
          <tr>
            <th>id</th>
            <th>status</th>
            <th>version</th>
            <th>kind</th>
            <th>key</th>
            <th title="alerts whose event time lies in the last hour (and, in brackets, alerts_out_total since the service started)">
              alerts 1 h (total)
            </th>
            <th title="cep_condition_errors_total since the service started">condition errors</th>
            <th title="cep_partial_matches now">partial matches</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id} data-rule={r.id}>
              <td>
                <strong>{r.id}</strong>
                {r.description !== undefined && <div class="muted small">{r.description}</div>}
              </td>
              <td>
                <span class={`badge ${r.status}`} data-status={r.status}>
                  {r.status}
                </span>
              </td>
              <td>{r.version}</td>
              <td>{r.kind}</td>
              <td>{r.key.join(', ')}</td>
              <td data-col="alerts">
                {lastHour === undefined ? '–' : (lastHour.get(r.id) ?? 0)}{' '}
                <span class="muted">({perRule('alerts_out_total', r.id)})</span>
              </td>
              <td data-col="condition-errors">{perRule('cep_condition_errors_total', r.id)}</td>
              <td>{r.kind === 'pattern' ? perRule('cep_partial_matches', r.id) : ''}</td>
              <td class="actions">
                <button type="button" onClick={() => edit(r, true)}>
                  Edit
                </button>
                <button type="button" data-action="history" onClick={() => void showHistory(r.id)}>
                  History
                </button>
                <button
                  type="button"
                  data-action="toggle"
                  onClick={() =>
                    act(r.status === 'active' ? 'pause' : 'resume', () =>
                      api('PATCH', `/rules/${encodeURIComponent(r.id)}/status`, {
                        status: r.status === 'active' ? 'paused' : 'active',
                        ifVersion: r.version,
                      }),
                    )
                  }
                >
                  {r.status === 'active' ? 'Pause' : 'Resume'}
                </button>
                <button
                  type="button"
                  data-action="delete"
                  class="danger"
                  onClick={() => {
                    if (confirm(`Delete rule ${r.id} (version ${r.version})?`)) {
                      void act('delete', () =>
                        api('DELETE', `/rules/${encodeURIComponent(r.id)}?ifVersion=${r.version}`),
                      );
                    }
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {history !== undefined && (
        <div class="history" data-history={history.id}>
          <h3>
            Versions of {history.id}{' '}
            <button type="button" onClick={() => setHistory(undefined)}>
              Close
            </button>
          </h3>
          <table>
            <thead>
              <tr>
                <th>version</th>
                <th>written</th>
                <th>status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {history.versions.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>{v.version}</td>
                  <td>{new Date(v.at).toISOString()}</td>
                  <td>{v.deleted === true ? 'deleted' : v.status}</td>
                  <td>
                    {v.rule !== undefined && (
                      <button type="button" onClick={() => edit(v.rule!, false)}>
                        Open in the editor
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="editor-grid">
        <div>
          <h3>Rule editor</h3>
          <p class="muted small">
            rules/schema.json completes (Ctrl-Space) and explains (hover); the service's /rules/validate
            judges as you type.
          </p>
          <div class="editor" ref={editorEl} />
          <div
            class="verdict"
            data-verdict={
              current === undefined
                ? 'pending'
                : current.errors.length === 0 && current.syntax === undefined
                  ? 'valid'
                  : 'invalid'
            }
          >
            {current === undefined && <span class="muted">checking…</span>}
            {current?.syntax !== undefined && <span class="error">JSON: {current.syntax}</span>}
            {current !== undefined && current.syntax === undefined && current.errors.length === 0 && (
              <span class="ok">valid</span>
            )}
            <Errors errors={current?.errors ?? []} kind="error" />
            <Errors errors={current?.warnings ?? []} kind="warning" />
          </div>
          <div class="toolbar">
            <button type="button" class="primary" data-action="save" onClick={save}>
              Save
            </button>
            {saveMessage !== undefined && (
              <span class={saveMessage.ok ? 'ok' : 'error'} data-save={saveMessage.ok ? 'ok' : 'failed'}>
                {saveMessage.text}
              </span>
            )}
          </div>
          {saveMessage?.errors !== undefined && <Errors errors={saveMessage.errors} kind="error" />}
        </div>
        <div class="dry-run">
          <h3>Dry run</h3>
          <p class="muted small">
            Runs the editor's rule over these events on a throwaway job; nothing is saved.
          </p>
          <textarea
            name="events"
            rows={12}
            placeholder='[{"type": "login", "user": "ann", "ts": 1000}]'
            value={events}
            onInput={(e) => setEvents((e.target as HTMLTextAreaElement).value)}
          />
          <div class="toolbar">
            <button type="button" onClick={generate}>
              Generate samples
            </button>
            <button type="button" class="primary" data-action="dry-run" onClick={runDry}>
              Run
            </button>
          </div>
          {dryRunError !== undefined && (
            <div class="error">
              {dryRunError.text}
              <Errors errors={dryRunError.errors ?? []} kind="error" />
            </div>
          )}
          {dryRun !== undefined && (
            <div class="dry-run-result" data-alerts={dryRun.alertCount}>
              <p>
                <strong>{dryRun.alertCount}</strong> alert{dryRun.alertCount === 1 ? '' : 's'}
                {dryRun.truncated && ' (first ones shown)'} · {dryRun.invalidEventCount} refused event
                {dryRun.invalidEventCount === 1 ? '' : 's'} · {dryRun.conditionErrors} condition error
                {dryRun.conditionErrors === 1 ? '' : 's'}
              </p>
              {dryRun.rejected !== undefined && (
                <p class="error">rejected by the engine: {dryRun.rejected}</p>
              )}
              <ul>
                {dryRun.alerts.map((a) => (
                  <li key={a.alertId}>
                    <span class={`badge sev-${a.severity}`}>{a.severity}</span> {a.message}
                  </li>
                ))}
              </ul>
              {dryRun.invalidEvents.length > 0 && (
                <ul class="problems errors">
                  {dryRun.invalidEvents.map((e) => (
                    <li key={e.index}>
                      event {e.index}: {e.reason}
                    </li>
                  ))}
                </ul>
              )}
              {dryRun.conditionErrorDetails.length > 0 && (
                <ul class="problems errors">
                  {dryRun.conditionErrorDetails.map((e) => (
                    <li key={`${e.path} ${e.message}`}>
                      <code>{e.path ?? '(condition)'}</code> {e.message} ×{e.count}
                      {e.eventIndex !== undefined && ` (first on event ${e.eventIndex})`}
                    </li>
                  ))}
                </ul>
              )}
              <Errors errors={dryRun.warnings ?? []} kind="warning" />
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
