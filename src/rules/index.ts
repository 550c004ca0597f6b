/** The rule registry: every rule negdoctor knows, in catalog order (each category lists its own). */
import type { Rule } from '../model/rule-contract.js';
import { INPUT_RULES } from './catalog/input.js';
import { TERMINATION_RULES } from './catalog/termination.js';
import { WIRING_RULES } from './catalog/wiring.js';
import { LIVE_RULES } from './catalog/live.js';
import { CLOUD_RULES } from './catalog/cloud.js';
import { GATEWAY_RULES } from './catalog/gateway.js';
import { SYMPTOM_RULES } from './catalog/symptoms.js';

export const RULES: Rule[] = [...INPUT_RULES, ...TERMINATION_RULES, ...WIRING_RULES, ...LIVE_RULES, ...CLOUD_RULES, ...GATEWAY_RULES, ...SYMPTOM_RULES];

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
