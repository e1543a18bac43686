import { defineRuleChangesTest } from './rule-changes-scenario.js';
import { startService } from './service-harness.js';

// Rule changes while events flow, embedded mode (the scenario: rule-changes-scenario.ts).
defineRuleChangesTest('embedded', startService);
