import type { Rule } from '../../model/rule-contract.js';
import negAnnotationInvalid from '../neg-annotation-invalid.js';
import negAnnotationMissing from '../neg-annotation-missing.js';
import ingressServiceMissing from '../ingress-service-missing.js';
import ingressServicePortMismatch from '../ingress-service-port-mismatch.js';
import serviceTargetPortMismatch from '../service-target-port-mismatch.js';
import serviceSelectorNoMatch from '../service-selector-no-match.js';
import readinessProbeMissing from '../readiness-probe-missing.js';
import healthCheckNotInferred from '../health-check-not-inferred.js';
import readinessInitialDelayIgnored from '../readiness-initial-delay-ignored.js';
import networkPolicyBlocksHealthChecks from '../network-policy-blocks-health-checks.js';
import backendconfigInvalid from '../backendconfig-invalid.js';
import ingressRuleInvalid from '../ingress-rule-invalid.js';
import appProtocolInvalid from '../app-protocol-invalid.js';
import internalIngressMisconfigured from '../internal-ingress-misconfigured.js';
import frontendconfigMissing from '../frontendconfig-missing.js';
import connectionDrainingMissing from '../connection-draining-missing.js';

/** SPEC §5 "Service, Ingress and health-check wiring", in catalog order. */
export const WIRING_RULES = [
  negAnnotationInvalid,
  negAnnotationMissing,
  ingressServiceMissing,
  ingressServicePortMismatch,
  serviceTargetPortMismatch,
  serviceSelectorNoMatch,
  readinessProbeMissing,
  healthCheckNotInferred,
  readinessInitialDelayIgnored,
  networkPolicyBlocksHealthChecks,
  backendconfigInvalid,
  ingressRuleInvalid,
  appProtocolInvalid,
  internalIngressMisconfigured,
  frontendconfigMissing,
  connectionDrainingMissing,
] as Rule[];
