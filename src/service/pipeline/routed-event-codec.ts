import type { KafkaRecord, KafkaSinkMessage } from '../../core/connectors/kafka/index.js';
import { type RoutedEvent, routeKeyOf } from '../../rules/index.js';

/**
 * The repartition topic's record format: key `routeKeyOf`, value `{"key":…,"event":…}`, and the
 * rule's JSON in the header `rule`. The router emits one routed event per (event, rule), all
 * sharing the event object and each rule version's object, so their JSON is made once per object
 * (weak caches): with N rules, one stringify of the event instead of N, and none of the rule. The
 * evaluator keeps the parsed rule of each distinct rule JSON (rules are few), so it parses only
 * the value per record.
 *
 * @example
 * ```ts
 * const codec = new RoutedEventCodec();
 * codec.decode(recordOf(codec.encode(routed))); // deep-equal to routed
 * ```
 */
export class RoutedEventCodec {
  private readonly ruleJson = new WeakMap<object, string>();
  private readonly eventJson = new WeakMap<object, string>();
  /** Evaluator side: rule JSON -> parsed rule (bounded: a replaced version's entry is dropped). */
  private readonly rules = new Map<string, RoutedEvent['rule']>();

  encode(r: RoutedEvent): KafkaSinkMessage {
    let rule = this.ruleJson.get(r.rule);
    if (rule === undefined) {
      rule = JSON.stringify(r.rule);
      this.ruleJson.set(r.rule, rule);
    }
    let event = this.eventJson.get(r.event);
    if (event === undefined) {
      event = JSON.stringify(r.event);
      this.eventJson.set(r.event, event);
    }
    return {
      key: routeKeyOf(r),
      value: `{"key":${JSON.stringify(r.key)},"event":${event}}`,
      headers: { [RULE_HEADER]: rule },
    };
  }

  decode(record: KafkaRecord): RoutedEvent {
    const header = record.headers[RULE_HEADER];
    if (header === undefined) throw new Error('routed record without its rule header');
    const ruleText = header.toString();
    let rule = this.rules.get(ruleText);
    if (rule === undefined) {
      rule = JSON.parse(ruleText) as RoutedEvent['rule'];
      for (const [json, r] of this.rules) if (r.id === rule.id) this.rules.delete(json);
      this.rules.set(ruleText, rule);
    }
    const value = JSON.parse(record.value?.toString('utf8') ?? 'null') as Pick<RoutedEvent, 'key' | 'event'>;
    return { rule, key: value.key, event: value.event };
  }
}

/** Header of a routed record holding its rule's JSON. */
const RULE_HEADER = 'cep.rule';
