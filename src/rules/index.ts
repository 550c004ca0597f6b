/** The rule registry: every rule negdoctor knows, in catalog order. */
import type { Rule } from './define-rule.js';
import yamlSyntax from './yaml-syntax.js';
import manifestInvalid from './manifest-invalid.js';
import prestopHookMissing from './prestop-hook-missing.js';
import prestopExceedsGracePeriod from './prestop-exceeds-grace-period.js';
import terminationGracePeriodShort from './termination-grace-period-short.js';
import minReadySecondsShort from './min-ready-seconds-short.js';
import maxUnavailableNonzero from './max-unavailable-nonzero.js';
import singleReplicaBackend from './single-replica-backend.js';
import zoneSpreadMissing from './zone-spread-missing.js';

export const RULES: Rule[] = [
  yamlSyntax,
  manifestInvalid,
  prestopHookMissing,
  prestopExceedsGracePeriod,
  terminationGracePeriodShort,
  minReadySecondsShort,
  maxUnavailableNonzero,
  singleReplicaBackend,
  zoneSpreadMissing,
] as Rule[];

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
