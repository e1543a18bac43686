import { useMemo, useState } from 'preact/hooks';
import type { Alert } from '../api';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** `[["user","ann"]]` -> `user=ann`. */
export function keyLabel(key: string): string {
  try {
    return (JSON.parse(key) as [string, unknown][]).map(([f, v]) => `${f}=${String(v)}`).join(', ');
  } catch {
    return key;
  }
}

function time(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

function AlertItem({ alert }: { alert: Alert }) {
  const [open, setOpen] = useState(false);
  const stages = Object.entries(alert.stages ?? {});
  return (
    <li class={`alert sev-${alert.severity}`} data-rule={alert.ruleId} data-alert={alert.alertId}>
      <button type="button" class="summary" onClick={() => setOpen(!open)} aria-expanded={open}>
        <span class={`badge sev-${alert.severity}`}>{alert.severity}</span>
        <span class="rule">{alert.ruleId}</span>
        <span class="key">{keyLabel(alert.key)}</span>
        <span class="message">{alert.message}</span>
        <span class="when">{time(alert.eventTimeEnd)}</span>
      </button>
      {open && (
        <div class="details">
          <p>
            {alert.kind} · rule version {alert.version} · event time {time(alert.eventTimeStart)} →{' '}
            {time(alert.eventTimeEnd)}
            {alert.value !== undefined && ` · value ${alert.value} over ${alert.count} events`}
          </p>
          {Object.keys(alert.fields ?? {}).length > 0 && <pre>{JSON.stringify(alert.fields, null, 1)}</pre>}
          {stages.length === 0 && <p class="muted">no matched events (threshold alert)</p>}
          {stages.map(([stage, events]) => (
            <div class="stage" key={stage} data-stage={stage}>
              <h4>
                {stage} <span class="muted">({events.length})</span>
              </h4>
              <table>
                <tbody>
                  {events.map((e, i) => (
                    <tr key={i}>
                      <td class="mono">{typeof e.ts === 'number' ? time(e.ts) : String(e.ts)}</td>
                      <td class="mono">{JSON.stringify(e)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </div>
      )}
    </li>
  );
}

/** Alerts: the live feed (recent ones, then the stream), filtered by rule, severity and key. */
export function AlertsPage({ alerts, live, note }: { alerts: Alert[]; live: boolean; note?: string }) {
  const [rule, setRule] = useState('');
  const [severity, setSeverity] = useState('');
  const [key, setKey] = useState('');
  const rules = useMemo(() => [...new Set(alerts.map((a) => a.ruleId))].sort(), [alerts]);
  const shown = alerts.filter(
    (a) =>
      (rule === '' || a.ruleId === rule) &&
      (severity === '' || a.severity === severity) &&
      (key === '' || keyLabel(a.key).toLowerCase().includes(key.toLowerCase())),
  );
  return (
    <section>
      <div class="toolbar">
        <h2>Alerts</h2>
        <select name="rule" value={rule} onChange={(e) => setRule((e.target as HTMLSelectElement).value)}>
          <option value="">all rules</option>
          {rules.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <select
          name="severity"
          value={severity}
          onChange={(e) => setSeverity((e.target as HTMLSelectElement).value)}
        >
          <option value="">any severity</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input
          name="key"
          placeholder="key contains…"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <span class="muted">
          {shown.length} of {alerts.length} · {live ? 'live' : (note ?? 'connecting')}
        </span>
      </div>
      {alerts.length === 0 && (
        <p class="muted">
          No alerts yet. New ones appear here as the service emits them (Server-Sent Events).
        </p>
      )}
      <ul class="alerts">
        {shown.map((a) => (
          <AlertItem key={a.alertId} alert={a} />
        ))}
      </ul>
    </section>
  );
}
