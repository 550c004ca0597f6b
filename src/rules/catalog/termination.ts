import type { Rule } from '../../model/rule-contract.js';
import prestopHookMissing from '../prestop-hook-missing.js';
import prestopExceedsGracePeriod from '../prestop-exceeds-grace-period.js';
import terminationGracePeriodShort from '../termination-grace-period-short.js';
import minReadySecondsShort from '../min-ready-seconds-short.js';
import maxUnavailableNonzero from '../max-unavailable-nonzero.js';
import singleReplicaBackend from '../single-replica-backend.js';
import zoneSpreadMissing from '../zone-spread-missing.js';

/** SPEC §5 "Termination and rollout", in catalog order. */
export const TERMINATION_RULES = [
  prestopHookMissing,
  prestopExceedsGracePeriod,
  terminationGracePeriodShort,
  minReadySecondsShort,
  maxUnavailableNonzero,
  singleReplicaBackend,
  zoneSpreadMissing,
] as Rule[];
