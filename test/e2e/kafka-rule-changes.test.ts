import { defineRuleChangesTest } from '../service/rule-changes-scenario.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';

// Rule changes while events flow, Kafka mode on the real broker (the scenario:
// test/service/rule-changes-scenario.ts). One partition per topic, so that "every event posted
// after the barrier sees the change" holds as in the embedded mode.
defineRuleChangesTest('Kafka mode', (env) => startKafkaService(uniqueApp('rc'), env));
