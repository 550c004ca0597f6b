import type { Rule } from '../../model/rule-contract.js';
import readinessGateStuck from '../readiness-gate-stuck.js';
import rolloutStuck from '../rollout-stuck.js';
import endpointsliceDegraded from '../endpointslice-degraded.js';
import negStatusMissing from '../neg-status-missing.js';
import ingressNoAddress from '../ingress-no-address.js';
import ingressSyncErrors from '../ingress-sync-errors.js';
import nodeZoneMissing from '../node-zone-missing.js';
import podsSingleZone from '../pods-single-zone.js';

/** SPEC §5 "Live cluster", in catalog order. */
export const LIVE_RULES = [
  readinessGateStuck,
  rolloutStuck,
  endpointsliceDegraded,
  negStatusMissing,
  ingressNoAddress,
  ingressSyncErrors,
  nodeZoneMissing,
  podsSingleZone,
] as Rule[];
