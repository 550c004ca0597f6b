/** Settings that are not about one rule: they describe the cluster the manifests are for. */
export interface Settings {
  /** GKE version of the target cluster; container-native LB is the Ingress default from 1.17. */
  gkeVersion?: string;
  /** Source ranges of Google's health checkers (firewall and NetworkPolicy rules must admit them). */
  healthCheckRanges: string[];
  /** IPv6 health-check ranges, checked for IPv6 endpoints. */
  healthCheckRangesIpv6: string[];
  /** Whether the cluster uses Shared VPC (container-native LB is then not the default). */
  sharedVpc?: boolean;
}

export const DEFAULT_HEALTH_CHECK_RANGES = ['130.211.0.0/22', '35.191.0.0/16'];
export const DEFAULT_HEALTH_CHECK_RANGES_IPV6 = ['2600:2d00:1:b029::/64', '2600:2d00:1:1::/64'];

export function defaultSettings(): Settings {
  return {
    healthCheckRanges: [...DEFAULT_HEALTH_CHECK_RANGES],
    healthCheckRangesIpv6: [...DEFAULT_HEALTH_CHECK_RANGES_IPV6],
  };
}
