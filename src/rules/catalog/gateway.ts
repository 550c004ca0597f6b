import type { Rule } from '../../model/rule-contract.js';
import routeNotAttached from '../route-not-attached.js';
import routeBackendUnresolved from '../route-backend-unresolved.js';
import gatewayHealthCheckDefault from '../gateway-health-check-default.js';
import gatewayPolicyInvalid from '../gateway-policy-invalid.js';
import gatewayBackendconfigIgnored from '../gateway-backendconfig-ignored.js';
import gatewayClassInvalid from '../gateway-class-invalid.js';
import gatewayNotProgrammed from '../gateway-not-programmed.js';
import gatewayListenerInvalid from '../gateway-listener-invalid.js';

/** GKE Gateway API (issue 11): routes, backends, policies, classes and the Gateway's own status. */
export const GATEWAY_RULES = [
  routeNotAttached,
  routeBackendUnresolved,
  gatewayHealthCheckDefault,
  gatewayPolicyInvalid,
  gatewayBackendconfigIgnored,
  gatewayClassInvalid,
  gatewayNotProgrammed,
  gatewayListenerInvalid,
] as Rule[];
