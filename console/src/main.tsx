import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { type Alert, api, followAlerts, onKeyRequest, provideKey } from './api';
import { AlertsPage } from './pages/alerts';
import { PipelinePage, usePipelineHistory } from './pages/pipeline';
import { RulesPage } from './pages/rules';

type Page = 'rules' | 'alerts' | 'pipeline';

function pageOf(hash: string): Page {
  const p = hash.replace(/^#\/?/, '');
  return p === 'alerts' || p === 'pipeline' ? p : 'rules';
}

/** The alert feed of the whole console: recent alerts, then the live stream (kept across pages). */
function useAlertFeed(): { alerts: Alert[]; live: boolean; note: string | undefined } {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [live, setLive] = useState(false);
  const [note, setNote] = useState<string>();
  const seen = useRef(new Set<string>());
  useEffect(() => {
    // The recent alerts first (newest first), then whatever the stream brings.
    api<Alert[]>('GET', '/alerts?limit=200')
      .then((recent) => {
        const fresh = recent.filter((a) => !seen.current.has(a.alertId));
        for (const a of fresh) seen.current.add(a.alertId);
        setAlerts((a) => [...a, ...fresh].sort((x, y) => y.eventTimeEnd - x.eventTimeEnd).slice(0, 1000));
      })
      .catch(() => undefined);
  }, []);
  useEffect(
    () =>
      followAlerts((f) => {
        if (f.kind === 'open') {
          setLive(true);
          setNote(undefined);
        } else if (f.kind === 'closed') {
          setLive(false);
          setNote(f.error === undefined ? 'stream ended, reconnecting' : `reconnecting: ${f.error}`);
        } else if (f.kind === 'gap') {
          setNote('some alerts are no longer held by the service (gap)');
        } else if (f.kind === 'alert' && !seen.current.has(f.alert.alertId)) {
          seen.current.add(f.alert.alertId);
          setAlerts((a) => [f.alert, ...a].slice(0, 1000));
        }
      }),
    [],
  );
  return { alerts, live, note };
}

function KeyDialog() {
  const [asking, setAsking] = useState(false);
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => onKeyRequest(setAsking), []);
  useEffect(() => {
    if (asking) input.current?.focus();
  }, [asking]);
  if (!asking) return null;
  return (
    <div class="modal">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim() !== '') provideKey(key.trim());
          setKey('');
        }}
      >
        <h2>API key</h2>
        <p>
          This service requires its API key (<code>API_KEY</code>, or <code>API_READ_KEY</code> to read only).
          It is kept for this tab only.
        </p>
        <input
          type="password"
          name="api-key"
          ref={input}
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Use key</button>
      </form>
    </div>
  );
}

function App() {
  const [page, setPage] = useState<Page>(pageOf(location.hash));
  useEffect(() => {
    const on = () => setPage(pageOf(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const feed = useAlertFeed();
  const pipeline = usePipelineHistory();
  const tab = (p: Page, label: string) => (
    <a href={`#/${p}`} class={page === p ? 'active' : ''} data-page={p}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <strong>CEP rule service</strong>
        <nav>
          {tab('rules', 'Rules')}
          {tab('alerts', `Alerts${feed.alerts.length > 0 ? ` (${feed.alerts.length})` : ''}`)}
          {tab('pipeline', 'Pipeline')}
        </nav>
        <span class={`live ${feed.live ? 'on' : 'off'}`} title={feed.note ?? 'alert stream connected'}>
          {feed.live ? '● live' : '○ offline'}
        </span>
        <a class="docs" href="/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
      </header>
      <main>
        {page === 'rules' && <RulesPage metrics={pipeline.latest} />}
        {page === 'alerts' && <AlertsPage alerts={feed.alerts} live={feed.live} note={feed.note} />}
        {page === 'pipeline' && <PipelinePage history={pipeline} />}
      </main>
      <KeyDialog />
    </>
  );
}

render(<App />, document.getElementById('app')!);
