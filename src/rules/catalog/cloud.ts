import type { Rule } from '../../model/rule-contract.js';
import legacyNetwork from '../legacy-network.js';
import clusterNotVpcNative from '../cluster-not-vpc-native.js';
import httpLoadBalancingDisabled from '../http-load-balancing-disabled.js';
import firewallHealthCheckBlocked from '../firewall-health-check-blocked.js';
import backendUnhealthy from '../backend-unhealthy.js';
import negEndpointsOutOfSync from '../neg-endpoints-out-of-sync.js';
import negZoneMissing from '../neg-zone-missing.js';
import orphanedNeg from '../orphaned-neg.js';
import proxyOnlySubnetMissing from '../proxy-only-subnet-missing.js';
import firewallProxySubnetBlocked from '../firewall-proxy-subnet-blocked.js';

/** SPEC §5 "Google Cloud", in catalog order. */
export const CLOUD_RULES = [legacyNetwork, clusterNotVpcNative, httpLoadBalancingDisabled, firewallHealthCheckBlocked, backendUnhealthy, negEndpointsOutOfSync, negZoneMissing, orphanedNeg, proxyOnlySubnetMissing, firewallProxySubnetBlocked] as Rule[];
