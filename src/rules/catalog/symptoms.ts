import type { Rule } from '../../model/rule-contract.js';
import lbErrorsAtPodTermination from '../lb-errors-at-pod-termination.js';
import backendKeepaliveShorterThanLb from '../backend-keepalive-shorter-than-lb.js';
import backendTimeoutExceeded from '../backend-timeout-exceeded.js';
import lbNoHealthyBackend from '../lb-no-healthy-backend.js';
import healthCheckProbeFailing from '../health-check-probe-failing.js';
import backendReturned5xx from '../backend-returned-5xx.js';

/** SPEC §5 "Symptoms (L: load balancer request logs and health-check logs)", in catalog order. */
export const SYMPTOM_RULES = [
  lbErrorsAtPodTermination,
  backendKeepaliveShorterThanLb,
  backendTimeoutExceeded,
  lbNoHealthyBackend,
  healthCheckProbeFailing,
  backendReturned5xx,
] as Rule[];
