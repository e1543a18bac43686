import type { KafkaRecord, KafkaSinkMessage } from '../../core/connectors/kafka/index.js';
import type { GroupedEvent, RuleRef } from '../../rules/index.js';

/**
 * The repartition topic's record format: key = the grouping key, value
 * `{"key":…,"refs":[["rule-id",version],…],"event":…}`. One record per (event, distinct
 * grouping), naming the rules by id and version, never carrying their JSON: the evaluator
 * resolves them in its own rule table (and waits for a version it has not read yet). An event
 * routed to several groupings is stringified once (a weak cache on the event object).
 *
 * @example
 * ```ts
 * const codec = new RoutedEventCodec();
 * codec.decode(recordOf(codec.encode(grouped))); // deep-equal to grouped
 * ```
 */
export class RoutedEventCodec {
  private readonly eventJson = new WeakMap<object, string>();
  /**
   * Decoded refs, one object per (id, version): the evaluator resolves refs by identity (see
   * `RuleGroupOperator`), as it does for the ones the router hands out in embedded mode.
   * Bounded: past the limit it starts afresh.
   */
  private readonly interned = new Map<string, RuleRef>();

  encode(g: GroupedEvent): KafkaSinkMessage {
    let event = this.eventJson.get(g.event);
    if (event === undefined) {
      event = JSON.stringify(g.event);
      this.eventJson.set(g.event, event);
    }
    let refs = '';
    for (let i = 0; i < g.refs.length; i++) {
      const r = g.refs[i]!;
      refs += `${i === 0 ? '' : ','}[${JSON.stringify(r.id)},${r.version}]`;
    }
    return { key: g.key, value: `{"key":${JSON.stringify(g.key)},"refs":[${refs}],"event":${event}}` };
  }

  decode(record: KafkaRecord): GroupedEvent {
    const value = JSON.parse(record.value?.toString('utf8') ?? 'null') as {
      key?: unknown;
      refs?: unknown;
      event?: unknown;
    } | null;
    if (
      value === null ||
      typeof value.key !== 'string' ||
      !Array.isArray(value.refs) ||
      typeof value.event !== 'object' ||
      value.event === null
    ) {
      throw new Error('malformed routed record');
    }
    const refs: RuleRef[] = value.refs.map((r: unknown) => {
      if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'number')
        throw new Error('malformed rule reference');
      return this.intern(r[0], r[1]);
    });
    return { key: value.key, refs, event: value.event as GroupedEvent['event'] };
  }

  private intern(id: string, version: number): RuleRef {
    const k = `${version}\u0000${id}`;
    let ref = this.interned.get(k);
    if (ref === undefined) {
      if (this.interned.size >= 100_000) this.interned.clear();
      ref = { id, version };
      this.interned.set(k, ref);
    }
    return ref;
  }
}
