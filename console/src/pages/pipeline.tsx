import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api, metricSum, metricsText, parseMetrics, type Sample } from '../api';

const POLL_MS = 2000;
const KEEP = 300; // samples: 10 minutes at 2 s

/** One scrape of /metrics (and /health/ready), with the rates since the previous one. */
export interface PipelinePoint {
  t: number; // seconds
  metrics: Map<string, Sample[]>;
  eventsInPerSec: number | null;
  alertsOutPerSec: number | null;
  watermarkLagSec: number | null;
  checkpointMs: number | null; // mean duration of the checkpoints completed since the last scrape
  checkpointAgeSec: number | null;
  health: HealthDetails | undefined;
}

interface HealthDetails {
  status: string;
  state?: string;
  restarts?: number;
  lastCheckpointId?: number;
  lastCheckpointAgeMs?: number;
  reason?: string;
  kafka?: unknown;
}

export interface PipelineHistory {
  points: PipelinePoint[];
  latest: PipelinePoint | undefined;
}

/** Polls /metrics and /health/ready every 2 s while the console is open (kept across pages). */
export function usePipelineHistory(): PipelineHistory {
  const [points, setPoints] = useState<PipelinePoint[]>([]);
  useEffect(() => {
    let prev: PipelinePoint | undefined;
    let stopped = false;
    const tick = async () => {
      const [text, health] = await Promise.all([
        metricsText().catch(() => ''),
        fetch('/health/ready')
          .then((r) => r.json() as Promise<{ status: string; details?: { pipeline?: HealthDetails } }>)
          .catch(() => undefined),
      ]);
      if (stopped) return;
      const m = parseMetrics(text);
      const t = Date.now() / 1000;
      const rate = (name: string) => {
        if (prev === undefined) return null;
        const d = metricSum(m, name) - metricSum(prev.metrics, name);
        return d >= 0 ? d / (t - prev.t) : null;
      };
      let checkpointMs: number | null = null;
      if (prev !== undefined) {
        const n =
          metricSum(m, 'checkpoint_duration_seconds_count') -
          metricSum(prev.metrics, 'checkpoint_duration_seconds_count');
        const s =
          metricSum(m, 'checkpoint_duration_seconds_sum') -
          metricSum(prev.metrics, 'checkpoint_duration_seconds_sum');
        checkpointMs = n > 0 ? (1000 * s) / n : (prev.checkpointMs ?? null);
      }
      const details = health?.details?.pipeline;
      const point: PipelinePoint = {
        t,
        metrics: m,
        eventsInPerSec: rate('events_in_total'),
        alertsOutPerSec: rate('alerts_out_total'),
        watermarkLagSec: m.has('cep_watermark_lag_seconds')
          ? metricSum(m, 'cep_watermark_lag_seconds')
          : null,
        checkpointMs,
        checkpointAgeSec:
          details?.lastCheckpointAgeMs === undefined ? null : details.lastCheckpointAgeMs / 1000,
        health: details === undefined ? undefined : { ...details, status: health?.status ?? 'unknown' },
      };
      prev = point;
      setPoints((p) => [...p, point].slice(-KEEP));
    };
    void tick();
    const timer = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return { points, latest: points.at(-1) };
}

/** A small uPlot time-series chart of `series` over `points`. */
function Chart({
  title,
  points,
  series,
}: {
  title: string;
  points: PipelinePoint[];
  series: { label: string; value: (p: PipelinePoint) => number | null; color: string }[];
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const data = [points.map((p) => p.t), ...series.map((s) => points.map(s.value))] as uPlot.AlignedData;
  useEffect(() => {
    plot.current = new uPlot(
      {
        width: 360,
        height: 160,
        legend: { show: true },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true }))],
        axes: [{}, { size: 50 }],
      },
      data,
      el.current!,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => plot.current?.setData(data), [points]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={el} />
    </figure>
  );
}

interface DeadLetter {
  at: number;
  source: string;
  reason: string;
  payload: unknown;
}

function fmt(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** Pipeline: rates, event time, checkpoints, Kafka lag, dead letters. */
export function PipelinePage({ history }: { history: PipelineHistory }) {
  const [dead, setDead] = useState<DeadLetter[]>([]);
  useEffect(() => {
    const load = () =>
      api<DeadLetter[]>('GET', '/events/dead-letters?limit=50')
        .then(setDead)
        .catch(() => undefined);
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  const p = history.latest;
  const m = p?.metrics ?? new Map<string, Sample[]>();
  // Per partition when the service reports it, else per group and topic.
  const perPartition = m.get('kafka_consumer_partition_lag_records') ?? [];
  const kafkaLag = perPartition.length > 0 ? perPartition : (m.get('kafka_consumer_lag_records') ?? []);
  const card = (label: string, value: string, id: string) => (
    <div class="stat" data-stat={id}>
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
  return (
    <section>
      <div class="toolbar">
        <h2>Pipeline</h2>
        <span class={`badge ${p?.health?.status === 'ok' ? 'ok' : 'bad'}`}>
          {p?.health === undefined ? 'unknown' : `${p.health.state ?? ''} · ${p.health.status}`}
        </span>
        {p?.health?.reason !== undefined && <span class="muted">{p.health.reason}</span>}
      </div>
      <div class="stats">
        {card('events/s in', fmt(p?.eventsInPerSec), 'events-in')}
        {card('alerts/s out', fmt(p?.alertsOutPerSec), 'alerts-out')}
        {card('watermark lag (s)', fmt(p?.watermarkLagSec), 'watermark-lag')}
        {card('last checkpoint age (s)', fmt(p?.checkpointAgeSec), 'checkpoint-age')}
        {card('checkpoint duration (ms)', fmt(p?.checkpointMs), 'checkpoint-ms')}
        {card('checkpoint size (KiB)', fmt(metricSum(m, 'checkpoint_size_bytes') / 1024), 'checkpoint-size')}
        {card('rules active', String(metricSum(m, 'rules_active')), 'rules-active')}
        {card('dead letters', String(metricSum(m, 'dead_letters_total')), 'dead-letters')}
      </div>
      {m.has('cep_watermark_seconds') && metricSum(m, 'cep_watermark_seconds') > 0 && (
        <p class="muted">
          Watermark {new Date(metricSum(m, 'cep_watermark_seconds') * 1000).toISOString()} (
          {fmt(p?.watermarkLagSec)} s behind the wall clock)
        </p>
      )}
      <div class="charts">
        <Chart
          title="events/s"
          points={history.points}
          series={[
            { label: 'in', value: (x) => x.eventsInPerSec, color: '#2563eb' },
            { label: 'alerts out', value: (x) => x.alertsOutPerSec, color: '#dc2626' },
          ]}
        />
        <Chart
          title="watermark lag (s)"
          points={history.points}
          series={[{ label: 'lag', value: (x) => x.watermarkLagSec, color: '#7c3aed' }]}
        />
        <Chart
          title="checkpoints"
          points={history.points}
          series={[
            { label: 'duration ms', value: (x) => x.checkpointMs, color: '#059669' },
            { label: 'age s', value: (x) => x.checkpointAgeSec, color: '#d97706' },
          ]}
        />
      </div>
      {kafkaLag.length > 0 && (
        <>
          <h3>Kafka consumer lag</h3>
          <table>
            <thead>
              <tr>
                <th>group</th>
                <th>topic</th>
                <th>partition</th>
                <th>records behind</th>
              </tr>
            </thead>
            <tbody>
              {kafkaLag.map((s) => (
                <tr key={`${s.labels.group}/${s.labels.topic}/${s.labels.partition ?? ''}`}>
                  <td>{s.labels.group}</td>
                  <td>{s.labels.topic}</td>
                  <td>{s.labels.partition ?? 'all'}</td>
                  <td>{s.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>Dead letters</h3>
      {dead.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <table class="dead-letters">
          <thead>
            <tr>
              <th>at</th>
              <th>source</th>
              <th>reason</th>
              <th>payload</th>
            </tr>
          </thead>
          <tbody>
            {dead.map((d, i) => (
              <tr key={i}>
                <td class="mono">{new Date(d.at).toISOString()}</td>
                <td>{d.source}</td>
                <td>{d.reason}</td>
                <td class="mono">{JSON.stringify(d.payload).slice(0, 200)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
