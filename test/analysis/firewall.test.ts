import { DEFAULT_HEALTH_CHECK_RANGES, DEFAULT_HEALTH_CHECK_RANGES_IPV6 } from '../../src/model/settings.js';
import { describe, expect, it } from 'vitest';
import {
  evaluateFirewallIngress,
  evaluateFirewallIngressWithPolicies,
  evaluateFirewallMatrix,
} from '../../src/analysis/firewall/evaluate.js';
import { isValidCidr } from '../../src/analysis/firewall/address-ranges.js';
import { networkName, type FirewallQuery, type FirewallTarget } from '../../src/analysis/firewall/match.js';
import type { FirewallPolicy } from '../../src/analysis/firewall/order.js';
import type { GcpFirewall } from '../../src/snapshot/types.js';

const NETWORK = 'https://www.googleapis.com/compute/v1/projects/acme/global/networks/prod-vpc';
const NODE: FirewallTarget = { tags: ['gke-prod-1a2b3c4d-node'], serviceAccount: 'gke-nodes@acme.iam.gserviceaccount.com' };

function rule(name: string, fields: Partial<GcpFirewall> = {}): GcpFirewall {
  return {
    name,
    network: NETWORK,
    direction: 'INGRESS',
    priority: 1000,
    sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'],
    allowed: [{ IPProtocol: 'tcp' }],
    ...fields,
  };
}

function query(sourceRange: string, port: number, extra: Partial<FirewallQuery> = {}): FirewallQuery {
  return { sourceRange, port, target: NODE, network: 'prod-vpc', ...extra };
}

describe('evaluateFirewallIngress: basics', () => {
  it('allows through a matching allow rule and names it', () => {
    const allow = rule('allow-hc');
    const verdict = evaluateFirewallIngress([allow], query('130.211.0.0/22', 8080));
    expect(verdict).toMatchObject({ allowed: true, rules: [allow] });
    expect(verdict.reason).toContain('"allow-hc" (priority 1000)');
    expect(verdict.reason).toContain('130.211.0.0/22');
    expect(verdict.reason).toContain('8080');
  });

  it('implied deny when no rule exists, with the whole range uncovered', () => {
    const verdict = evaluateFirewallIngress([], query('35.191.0.0/16', 8080));
    expect(verdict).toMatchObject({ allowed: false, uncovered: ['35.191.0.0/16'] });
    expect(verdict.allowed === false && verdict.blockedBy).toBeUndefined();
    expect(verdict.reason).toMatch(/35\.191\.0\.0\/16.*implied deny/);
  });

  it('lowest priority number wins', () => {
    const deny = rule('deny-900', { priority: 900, allowed: undefined, denied: [{ IPProtocol: 'tcp' }] });
    const allow = rule('allow-800', { priority: 800 });
    expect(evaluateFirewallIngress([deny, allow], query('130.211.0.0/22', 80))).toMatchObject({ allowed: true, rules: [allow] });
    const deny700 = { ...deny, name: 'deny-700', priority: 700 };
    expect(evaluateFirewallIngress([allow, deny700], query('130.211.0.0/22', 80))).toMatchObject({ allowed: false, blockedBy: deny700 });
  });

  it('absent priority means 1000', () => {
    const allow = rule('allow-default-priority', { priority: undefined });
    const deny = rule('deny-1001', { priority: 1001, allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    expect(evaluateFirewallIngress([deny, allow], query('130.211.0.0/22', 80)).allowed).toBe(true);
  });

  it('deny beats allow at equal priority, whatever the input order', () => {
    const allow = rule('allow', { priority: 500 });
    const deny = rule('deny', { priority: 500, allowed: undefined, denied: [{ IPProtocol: 'tcp', ports: ['8080'] }] });
    for (const rules of [
      [allow, deny],
      [deny, allow],
    ]) {
      const verdict = evaluateFirewallIngress(rules, query('130.211.0.0/22', 8080));
      expect(verdict).toMatchObject({ allowed: false, blockedBy: deny });
      expect(verdict.reason).toContain('"deny" (priority 500)');
    }
    // The deny is limited to 8080; other ports are still allowed.
    expect(evaluateFirewallIngress([allow, deny], query('130.211.0.0/22', 8081)).allowed).toBe(true);
  });

  it('ignores disabled rules', () => {
    const deny = rule('deny-disabled', { priority: 1, disabled: true, allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    const allowDisabled = rule('allow-disabled', { disabled: true });
    expect(evaluateFirewallIngress([deny, rule('allow')], query('35.191.0.0/16', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([allowDisabled], query('35.191.0.0/16', 80))).toMatchObject({ allowed: false, uncovered: ['35.191.0.0/16'] });
  });

  it('ignores egress rules (absent direction counts as ingress)', () => {
    const egressDeny = rule('egress-deny', { direction: 'EGRESS', priority: 1, allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    const egressAllow = rule('egress-allow', { direction: 'EGRESS' });
    expect(evaluateFirewallIngress([egressDeny, rule('allow')], query('35.191.0.0/16', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([egressAllow], query('35.191.0.0/16', 80)).allowed).toBe(false);
    expect(evaluateFirewallIngress([rule('no-direction', { direction: undefined })], query('35.191.0.0/16', 80)).allowed).toBe(true);
  });

  it('ignores rules on other networks, comparing by name', () => {
    const other = rule('other-net', { network: 'projects/acme/global/networks/default' });
    expect(evaluateFirewallIngress([other], query('35.191.0.0/16', 80)).allowed).toBe(false);
    expect(evaluateFirewallIngress([other], query('35.191.0.0/16', 80, { network: 'default' })).allowed).toBe(true);
    expect(evaluateFirewallIngress([other], query('35.191.0.0/16', 80, { network: undefined })).allowed).toBe(true);
    expect(networkName(NETWORK)).toBe('prod-vpc');
    expect(networkName('prod-vpc')).toBe('prod-vpc');
  });
});

describe('evaluateFirewallIngress: sources', () => {
  it('partial coverage: allow 35.191.0.0/17 only leaves 35.191.128.0/17 to the implied deny', () => {
    const half = rule('allow-half', { sourceRanges: ['35.191.0.0/17'] });
    const verdict = evaluateFirewallIngress([half], query('35.191.0.0/16', 8080));
    expect(verdict).toMatchObject({ allowed: false, uncovered: ['35.191.128.0/17'], partlyAllowedBy: [half] });
    expect(verdict.reason).toContain('35.191.128.0/17');
    expect(verdict.reason).toContain('"allow-half"');
    // The covered half on its own is allowed.
    expect(evaluateFirewallIngress([half], query('35.191.64.0/18', 8080)).allowed).toBe(true);
  });

  it('combines several allows that together cover the range', () => {
    const low = rule('allow-low', { sourceRanges: ['35.191.0.0/17'] });
    const high = rule('allow-high', { sourceRanges: ['35.191.128.0/17'], priority: 2000 });
    const verdict = evaluateFirewallIngress([high, low], query('35.191.0.0/16', 8080));
    expect(verdict).toMatchObject({ allowed: true, rules: [low, high] });
    expect(verdict.reason).toContain('"allow-low" (priority 1000) and "allow-high" (priority 2000)');
  });

  it('a deny hitting only an undecided part blocks the range; a deny behind an allow does not', () => {
    const low = rule('allow-low', { sourceRanges: ['35.191.0.0/17'], priority: 100 });
    const denyHigh = rule('deny-high', { sourceRanges: ['35.191.128.0/17'], priority: 200, allowed: undefined, denied: [{ IPProtocol: 'tcp' }] });
    const denyLow = rule('deny-low', { sourceRanges: ['35.191.0.0/18'], priority: 200, allowed: undefined, denied: [{ IPProtocol: 'tcp' }] });
    const all = rule('allow-all', { priority: 300 });
    expect(evaluateFirewallIngress([low, denyHigh, all], query('35.191.0.0/16', 80))).toMatchObject({
      allowed: false,
      blockedBy: denyHigh,
      blockedRanges: ['35.191.128.0/17'],
      partlyAllowedBy: [low],
      reason:
        'Traffic from 35.191.0.0/16 (35.191.128.0/17 of it) to tcp port 80 is blocked by deny rule "deny-high" (priority 200); "allow-low" (priority 100) allows only other parts.',
    });
    expect(evaluateFirewallIngress([low, denyLow, all], query('35.191.0.0/16', 80))).toMatchObject({ allowed: true, rules: [low, all] });
  });

  it('uncovered lists several CIDRs when holes are scattered', () => {
    const middle = rule('allow-middle', { sourceRanges: ['130.211.1.0/24', '130.211.2.0/24'] });
    expect(evaluateFirewallIngress([middle], query('130.211.0.0/22', 80))).toMatchObject({
      allowed: false,
      uncovered: ['130.211.0.0/24', '130.211.3.0/24'],
    });
  });

  it('a rule with only sourceTags or sourceServiceAccounts never matches a probe', () => {
    const tags = rule('from-tags', { sourceRanges: undefined, sourceTags: ['lb'] });
    const accounts = rule('from-sa', { sourceRanges: [], sourceServiceAccounts: ['lb@acme.iam.gserviceaccount.com'] });
    expect(evaluateFirewallIngress([tags, accounts], query('130.211.0.0/22', 80))).toMatchObject({ allowed: false, uncovered: ['130.211.0.0/22'] });
    const denyTags = rule('deny-tags', { sourceRanges: undefined, sourceTags: ['lb'], priority: 1, allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    expect(evaluateFirewallIngress([denyTags, rule('allow')], query('130.211.0.0/22', 80)).allowed).toBe(true);
  });

  it('a rule with both ranges and tags still matches by its ranges', () => {
    const both = rule('ranges-and-tags', { sourceTags: ['lb'] });
    expect(evaluateFirewallIngress([both], query('130.211.0.0/22', 80)).allowed).toBe(true);
  });

  it('a rule without any source is 0.0.0.0/0 (IPv4 only)', () => {
    const noSource = rule('no-source', { sourceRanges: undefined });
    expect(evaluateFirewallIngress([noSource], query('130.211.0.0/22', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([noSource], query('2600:2d00:1:b029::/64', 80)).allowed).toBe(false);
  });

  it('masks host bits and accepts single addresses', () => {
    expect(evaluateFirewallIngress([rule('a', { sourceRanges: ['35.191.7.7/16'] })], query('35.191.0.0/16', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([rule('a', { sourceRanges: ['35.191.0.0/16'] })], query('35.191.3.4', 80)).allowed).toBe(true);
  });

  it('honours destinationRanges only when the query names a destination', () => {
    const toPods = rule('to-pods', { destinationRanges: ['10.8.0.0/14'] });
    expect(evaluateFirewallIngress([toPods], query('130.211.0.0/22', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([toPods], query('130.211.0.0/22', 80, { destination: '10.9.1.5' })).allowed).toBe(true);
    expect(evaluateFirewallIngress([toPods], query('130.211.0.0/22', 80, { destination: '10.128.0.7' })).allowed).toBe(false);
  });

  it('throws on an invalid query range; isValidCidr tells in advance', () => {
    expect(() => evaluateFirewallIngress([], query('not-a-cidr', 80))).toThrow(/not-a-cidr/);
    expect(isValidCidr('130.211.0.0/22')).toBe(true);
    expect(isValidCidr('2600:2d00:1:1::/64')).toBe(true);
    expect(isValidCidr('10.0.0.1')).toBe(true);
    expect(isValidCidr('10.0.0.0/33')).toBe(false);
    expect(isValidCidr('10.1/8')).toBe(false);
    expect(isValidCidr('garbage')).toBe(false);
  });
});

describe('evaluateFirewallIngress: targets', () => {
  it('no targets means all instances', () => {
    expect(evaluateFirewallIngress([rule('all-instances')], query('35.191.0.0/16', 80, { target: { tags: [] } })).allowed).toBe(true);
  });

  it('target tags match when the node has any of them', () => {
    const tagged = rule('tagged', { targetTags: ['other', 'gke-prod-1a2b3c4d-node'] });
    expect(evaluateFirewallIngress([tagged], query('35.191.0.0/16', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([tagged], query('35.191.0.0/16', 80, { target: { tags: ['gke-staging-node'] } })).allowed).toBe(false);
  });

  it('target service accounts match the node service account', () => {
    const bySa = rule('by-sa', { targetServiceAccounts: ['gke-nodes@acme.iam.gserviceaccount.com'] });
    expect(evaluateFirewallIngress([bySa], query('35.191.0.0/16', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([bySa], query('35.191.0.0/16', 80, { target: { tags: NODE.tags } })).allowed).toBe(false);
    expect(
      evaluateFirewallIngress([bySa], query('35.191.0.0/16', 80, { target: { tags: [], serviceAccount: 'other@acme.iam.gserviceaccount.com' } })).allowed,
    ).toBe(false);
  });

  it('a deny targeting other nodes does not block', () => {
    const deny = rule('deny-others', { targetTags: ['bastion'], priority: 1, allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    expect(evaluateFirewallIngress([deny, rule('allow')], query('35.191.0.0/16', 80)).allowed).toBe(true);
  });
});

describe('evaluateFirewallIngress: protocols and ports', () => {
  it.each([
    ['all', undefined, true],
    ['tcp', undefined, true],
    ['TCP', undefined, true],
    ['6', undefined, true],
    ['udp', undefined, false],
    ['17', undefined, false],
    ['icmp', undefined, false],
  ])('protocol %s', (protocol, ports, allowed) => {
    const r = rule(`proto-${protocol}`, { allowed: [{ IPProtocol: protocol, ports }] });
    expect(evaluateFirewallIngress([r], query('130.211.0.0/22', 8080)).allowed).toBe(allowed);
  });

  it.each([
    [['8080'], true],
    [['80'], false],
    [['8000-8999'], true],
    [['30000-32767'], false],
    [['80', '443', '8080'], true],
    [[], true],
    [undefined, true],
  ])('ports %j for port 8080', (ports, allowed) => {
    const r = rule('ports', { allowed: [{ IPProtocol: 'tcp', ports }] });
    expect(evaluateFirewallIngress([r], query('130.211.0.0/22', 8080)).allowed).toBe(allowed);
  });

  it('range bounds are inclusive', () => {
    const nodePorts = rule('node-ports', { allowed: [{ IPProtocol: 'tcp', ports: ['30000-32767'] }] });
    expect(evaluateFirewallIngress([nodePorts], query('130.211.0.0/22', 30000)).allowed).toBe(true);
    expect(evaluateFirewallIngress([nodePorts], query('130.211.0.0/22', 32767)).allowed).toBe(true);
    expect(evaluateFirewallIngress([nodePorts], query('130.211.0.0/22', 32768)).allowed).toBe(false);
  });

  it('a udp deny does not block tcp; the query protocol can be changed', () => {
    const udpDeny = rule('udp-deny', { priority: 1, allowed: undefined, denied: [{ IPProtocol: 'udp' }] });
    expect(evaluateFirewallIngress([udpDeny, rule('allow')], query('130.211.0.0/22', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([udpDeny, rule('allow')], query('130.211.0.0/22', 80, { protocol: 'udp' })).allowed).toBe(false);
  });

  it('one rule with several protocol entries', () => {
    const multi = rule('multi', { allowed: [{ IPProtocol: 'udp', ports: ['8080'] }, { IPProtocol: 'tcp', ports: ['8080'] }] });
    expect(evaluateFirewallIngress([multi], query('130.211.0.0/22', 8080)).allowed).toBe(true);
  });
});

describe('evaluateFirewallIngress: GKE scenarios', () => {
  it('k8s-fw-l7--abc opening only the node-port range blocks NEG pod port 8080 and names the rule', () => {
    const l7 = rule('k8s-fw-l7--abc', {
      targetTags: ['gke-prod-1a2b3c4d-node'],
      allowed: [{ IPProtocol: 'tcp', ports: ['30000-32767'] }],
    });
    for (const range of DEFAULT_HEALTH_CHECK_RANGES) {
      const verdict = evaluateFirewallIngress([l7], query(range, 8080));
      expect(verdict).toMatchObject({ allowed: false, uncovered: [range], nearMisses: [l7] });
      expect(verdict.reason).toContain(range);
      expect(verdict.reason).toContain('8080');
      expect(verdict.reason).toContain('"k8s-fw-l7--abc" opens only tcp:30000-32767');
    }
  });

  it('a higher-priority deny on 35.191.0.0/16 blocks and is named; 130.211.0.0/22 still passes', () => {
    const l7 = rule('k8s-fw-l7--abc', { targetTags: ['gke-prod-1a2b3c4d-node'], allowed: [{ IPProtocol: 'tcp', ports: ['8080'] }] });
    const deny = rule('deny-google-probes', { priority: 900, sourceRanges: ['35.191.0.0/16'], allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    const blocked = evaluateFirewallIngress([l7, deny], query('35.191.0.0/16', 8080));
    expect(blocked).toMatchObject({ allowed: false, blockedBy: deny, blockedRanges: ['35.191.0.0/16'] });
    expect(blocked.reason).toBe('Traffic from 35.191.0.0/16 to tcp port 8080 is blocked by deny rule "deny-google-probes" (priority 900).');
    expect(evaluateFirewallIngress([l7, deny], query('130.211.0.0/22', 8080))).toMatchObject({ allowed: true, rules: [l7] });
  });

  it('a deny covering only part of the range names the part', () => {
    const deny = rule('deny-slice', { priority: 10, sourceRanges: ['35.191.200.0/24'], allowed: undefined, denied: [{ IPProtocol: 'tcp' }] });
    const verdict = evaluateFirewallIngress([deny, rule('allow')], query('35.191.0.0/16', 8080));
    expect(verdict).toMatchObject({ allowed: false, blockedBy: deny, blockedRanges: ['35.191.200.0/24'] });
    expect(verdict.reason).toContain('(35.191.200.0/24 of it)');
  });

  it('a Shared-VPC-style rule covering both ranges on all ports allows everything', () => {
    const shared = rule('host-project-allow-gfe-hc', {
      network: 'https://www.googleapis.com/compute/v1/projects/host-project/global/networks/prod-vpc',
      allowed: [{ IPProtocol: 'tcp' }],
    });
    const matrix = evaluateFirewallMatrix([shared], { sourceRanges: DEFAULT_HEALTH_CHECK_RANGES, ports: [80, 8080, 30080], targets: [NODE], network: NETWORK });
    expect(matrix).toHaveLength(6);
    expect(matrix.every((entry) => entry.verdict.allowed)).toBe(true);
  });
});

describe('evaluateFirewallIngress: IPv6', () => {
  it('IPv6 health-check ranges need IPv6 source ranges', () => {
    const v4Only = rule('v4');
    const v6 = rule('v6', { sourceRanges: [...DEFAULT_HEALTH_CHECK_RANGES_IPV6] });
    for (const range of DEFAULT_HEALTH_CHECK_RANGES_IPV6) {
      expect(evaluateFirewallIngress([v4Only], query(range, 8080))).toMatchObject({ allowed: false, uncovered: [range] });
      expect(evaluateFirewallIngress([v6], query(range, 8080))).toMatchObject({ allowed: true, rules: [v6] });
    }
    // IPv6 rules do not cover IPv4 probes.
    expect(evaluateFirewallIngress([v6], query('130.211.0.0/22', 8080)).allowed).toBe(false);
  });

  it('partial IPv6 coverage reports the uncovered half in RFC 5952 form', () => {
    const half = rule('v6-half', { sourceRanges: ['2600:2d00:1:b029::/65'] });
    expect(evaluateFirewallIngress([half], query('2600:2d00:1:b029::/64', 80))).toMatchObject({
      allowed: false,
      uncovered: ['2600:2d00:1:b029:8000::/65'],
    });
  });

  it('::/0 covers all IPv6 and an IPv6 deny blocks', () => {
    const any = rule('any-v6', { sourceRanges: ['::/0'] });
    const deny = rule('deny-v6', { priority: 1, sourceRanges: ['2600:2d00:1:1::/64'], allowed: undefined, denied: [{ IPProtocol: 'tcp' }] });
    expect(evaluateFirewallIngress([any], query('2600:2d00:1:1::/64', 80)).allowed).toBe(true);
    expect(evaluateFirewallIngress([any, deny], query('2600:2d00:1:1::/64', 80))).toMatchObject({ allowed: false, blockedBy: deny });
    expect(evaluateFirewallIngress([any, deny], query('2600:2d00:1:b029::/64', 80)).allowed).toBe(true);
  });
});

describe('evaluateFirewallMatrix', () => {
  it('evaluates ranges × ports × targets', () => {
    const l7 = rule('k8s-fw-l7--abc', { targetTags: ['gke-prod-1a2b3c4d-node'], allowed: [{ IPProtocol: 'tcp', ports: ['8080'] }] });
    const other: FirewallTarget = { tags: ['other-pool'] };
    const matrix = evaluateFirewallMatrix([l7], { sourceRanges: DEFAULT_HEALTH_CHECK_RANGES, ports: [8080, 9090], targets: [NODE, other], network: 'prod-vpc' });
    expect(matrix).toHaveLength(8);
    const allowed = matrix.filter((entry) => entry.verdict.allowed).map((entry) => `${entry.target.tags[0]} ${entry.port} ${entry.sourceRange}`);
    expect(allowed).toEqual(['gke-prod-1a2b3c4d-node 8080 130.211.0.0/22', 'gke-prod-1a2b3c4d-node 8080 35.191.0.0/16']);
  });
});

describe('evaluateFirewallIngressWithPolicies', () => {
  const hcRanges = [...DEFAULT_HEALTH_CHECK_RANGES];
  const policy = (name: string, rules: FirewallPolicy['rules']): FirewallPolicy => ({ name, rules });

  it('a hierarchical deny wins over a VPC allow', () => {
    const org = policy('org-policy', [{ priority: 100, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['35.191.0.0/16'], layer4Configs: [{ ipProtocol: 'all' }] } }]);
    const verdict = evaluateFirewallIngressWithPolicies([org], [rule('allow')], query('35.191.0.0/16', 80));
    expect(verdict).toMatchObject({ allowed: false, blockedByPolicyRule: { policy: org } });
    expect(verdict.reason).toContain('firewall policy "org-policy"');
  });

  it('a hierarchical allow decides before a VPC deny', () => {
    const org = policy('org-policy', [{ priority: 100, action: 'allow', direction: 'INGRESS', match: { srcIpRanges: hcRanges, layer4Configs: [{ ipProtocol: 'tcp' }] } }]);
    const vpcDeny = rule('vpc-deny', { priority: 0, allowed: undefined, denied: [{ IPProtocol: 'all' }] });
    const verdict = evaluateFirewallIngressWithPolicies([org], [vpcDeny], query('130.211.0.0/22', 80));
    expect(verdict).toMatchObject({ allowed: true, rules: [], policyRules: [{ policy: org }] });
  });

  it('goto_next passes to the next policy and then to VPC rules, skipping the rest of the policy', () => {
    const org = policy('org', [
      { priority: 10, action: 'goto_next', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
      { priority: 20, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
    ]);
    const folder = policy('folder', [{ priority: 10, action: 'goto_next', match: { srcIpRanges: hcRanges, layer4Configs: [{ ipProtocol: 'tcp', ports: ['80'] }] } }]);
    expect(evaluateFirewallIngressWithPolicies([org, folder], [rule('allow')], query('130.211.0.0/22', 80))).toMatchObject({ allowed: true, rules: [{ name: 'allow' }] });
    expect(evaluateFirewallIngressWithPolicies([org, folder], [], query('130.211.0.0/22', 80))).toMatchObject({ allowed: false, uncovered: ['130.211.0.0/22'] });
  });

  it('ignores disabled, egress, other-port and other-service-account policy rules', () => {
    const p = policy('p', [
      { priority: 1, action: 'deny', disabled: true, match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
      { priority: 2, action: 'deny', direction: 'EGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
      { priority: 3, action: 'deny', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['22'] }] } },
      { priority: 4, action: 'deny', targetServiceAccounts: ['other@acme.iam.gserviceaccount.com'], match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
    ]);
    expect(evaluateFirewallIngressWithPolicies([p], [rule('allow')], query('130.211.0.0/22', 80)).allowed).toBe(true);
  });

  it('a policy allow for part of the range combines with VPC rules', () => {
    const p = policy('p', [{ priority: 1, action: 'allow', match: { srcIpRanges: ['35.191.0.0/17'], layer4Configs: [{ ipProtocol: 'tcp' }] } }]);
    const rest = rule('allow-rest', { sourceRanges: ['35.191.128.0/17'] });
    const verdict = evaluateFirewallIngressWithPolicies([p], [rest], query('35.191.0.0/16', 80));
    expect(verdict).toMatchObject({ allowed: true, rules: [rest], policyRules: [{ policy: p }] });
    expect(evaluateFirewallIngressWithPolicies([p], [], query('35.191.0.0/16', 80))).toMatchObject({ allowed: false, uncovered: ['35.191.128.0/17'] });
  });

  it('with no policies it behaves like evaluateFirewallIngress', () => {
    const firewalls = [rule('allow', { sourceRanges: ['35.191.0.0/17'] })];
    expect(evaluateFirewallIngressWithPolicies([], firewalls, query('35.191.0.0/16', 80))).toEqual(evaluateFirewallIngress(firewalls, query('35.191.0.0/16', 80)));
  });
});

describe('Cloud NGFW evaluation order (hierarchical → system → VPC / network policies by enforcement order → implied deny)', () => {
  const hcRanges = [...DEFAULT_HEALTH_CHECK_RANGES];
  const all = [{ ipProtocol: 'all' }];
  const denyAll = (priority = 100): NonNullable<FirewallPolicy['rules']>[number] => ({ priority, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: all } });
  const allowHc = (priority = 100): NonNullable<FirewallPolicy['rules']>[number] => ({ priority, action: 'allow', direction: 'INGRESS', match: { srcIpRanges: hcRanges, layer4Configs: [{ ipProtocol: 'tcp' }] } });
  const gotoNextAll = (priority: number): NonNullable<FirewallPolicy['rules']>[number] => ({ priority, action: 'goto_next', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: all } });
  const org: FirewallPolicy = { name: '123456789', shortName: 'org-baseline', type: 'HIERARCHY', parent: 'organizations/123', rules: [gotoNextAll(2147483647)] };
  const folder: FirewallPolicy = { name: '987654321', shortName: 'team-folder', type: 'HIERARCHY', parent: 'folders/456', rules: [gotoNextAll(2147483647)] };
  const global = (rules: FirewallPolicy['rules'], priority = 1000): FirewallPolicy => ({ name: 'global-pol', type: 'NETWORK', priority, rules });
  const regional = (rules: FirewallPolicy['rules']): FirewallPolicy => ({ name: 'regional-pol', type: 'NETWORK_REGIONAL', priority: 1000, rules });
  const vpcAllow = rule('allow-hc');
  const q = query('35.191.0.0/16', 8080);

  it('default order (AFTER_CLASSIC_FIREWALL): a VPC allow decides before a global network policy deny', () => {
    const verdict = evaluateFirewallIngressWithPolicies([org, global([denyAll()])], [vpcAllow], q);
    expect(verdict).toMatchObject({ allowed: true, rules: [vpcAllow] });
    expect(evaluateFirewallIngressWithPolicies([org, global([denyAll()])], [vpcAllow], q, 'AFTER_CLASSIC_FIREWALL').allowed).toBe(true);
  });

  it('BEFORE_CLASSIC_FIREWALL: the global network policy deny decides before the VPC allow, and says so', () => {
    const g = global([denyAll(500)]);
    const verdict = evaluateFirewallIngressWithPolicies([org, g], [vpcAllow], q, 'BEFORE_CLASSIC_FIREWALL');
    expect(verdict).toMatchObject({ allowed: false, blockedByPolicyRule: { policy: g, rule: { priority: 500 }, beforeVpc: true } });
    expect(verdict.reason).toBe('rule priority 500 of global network firewall policy "global-pol" denies tcp port 8080 from 35.191.0.0/16 before any VPC rule is considered.');
  });

  it('regional policy: reached under BEFORE_CLASSIC_FIREWALL, behind a matching VPC allow under the default order', () => {
    const r = regional([denyAll(10)]);
    expect(evaluateFirewallIngressWithPolicies([r], [vpcAllow], q, 'BEFORE_CLASSIC_FIREWALL')).toMatchObject({ allowed: false, blockedByPolicyRule: { policy: r, beforeVpc: true } });
    expect(evaluateFirewallIngressWithPolicies([r], [vpcAllow], q)).toMatchObject({ allowed: true });
    // Without a VPC allow the default order still reaches the regional deny, after the VPC rules.
    const after = evaluateFirewallIngressWithPolicies([r], [], q);
    expect(after).toMatchObject({ allowed: false, blockedByPolicyRule: { policy: r } });
    expect(after.allowed === false && after.blockedByPolicyRule?.beforeVpc).toBeUndefined();
    expect(after.reason).not.toContain('before any VPC rule');
  });

  it('global network policies run before regional ones, whatever the input order', () => {
    const g = global([allowHc(10)]);
    const r = regional([denyAll(1)]);
    for (const order of ['AFTER_CLASSIC_FIREWALL', 'BEFORE_CLASSIC_FIREWALL'] as const) {
      expect(evaluateFirewallIngressWithPolicies([r, g], [], q, order)).toMatchObject({ allowed: true, policyRules: [{ policy: g }] });
    }
  });

  it('a global network policy allow with no VPC rule admits the traffic (default order)', () => {
    const g = global([allowHc()]);
    const verdict = evaluateFirewallIngressWithPolicies([g], [], q);
    expect(verdict).toMatchObject({ allowed: true, rules: [], policyRules: [{ policy: g }] });
    expect(verdict.reason).toContain('global network firewall policy "global-pol"');
  });

  it('hierarchical policies run org first, then folders, before everything else; a hierarchical deny names the policy', () => {
    const orgDeny: FirewallPolicy = { ...org, rules: [denyAll(1000), gotoNextAll(2147483647)] };
    const folderAllow: FirewallPolicy = { ...folder, rules: [allowHc(10)] };
    const verdict = evaluateFirewallIngressWithPolicies([orgDeny, folderAllow, global([allowHc(1)])], [vpcAllow], q, 'BEFORE_CLASSIC_FIREWALL');
    expect(verdict).toMatchObject({ allowed: false, blockedByPolicyRule: { policy: orgDeny, beforeVpc: true } });
    expect(verdict.reason).toBe(
      'rule priority 1000 of hierarchical firewall policy "org-baseline" (123456789, organizations/123) denies tcp port 8080 from 35.191.0.0/16 before any VPC rule is considered.',
    );
    // The folder's allow decides when the org passes on.
    expect(evaluateFirewallIngressWithPolicies([org, folderAllow], [], q)).toMatchObject({ allowed: true, policyRules: [{ policy: folderAllow }] });
  });

  it('goto_next in every hierarchical policy falls through to the VPC allow', () => {
    const verdict = evaluateFirewallIngressWithPolicies([org, folder], [vpcAllow], q);
    expect(verdict).toMatchObject({ allowed: true, rules: [vpcAllow] });
  });

  it('system policies run after hierarchical ones and before VPC rules', () => {
    const system: FirewallPolicy = { name: 'gke-system', type: 'SYSTEM_REGIONAL', rules: [denyAll(1)] };
    const folderAllow: FirewallPolicy = { ...folder, rules: [allowHc(10)] };
    expect(evaluateFirewallIngressWithPolicies([system, folderAllow], [], q)).toMatchObject({ allowed: true });
    expect(evaluateFirewallIngressWithPolicies([system], [vpcAllow], q)).toMatchObject({ allowed: false, blockedByPolicyRule: { policy: system, beforeVpc: true } });
  });

  it('network policies of one level run by association priority', () => {
    const first = { ...global([allowHc(100)], 10), name: 'first' };
    const second = { ...global([denyAll(1)], 20), name: 'second' };
    expect(evaluateFirewallIngressWithPolicies([second, first], [], q)).toMatchObject({ allowed: true, policyRules: [{ policy: first }] });
  });

  it('a disabled policy rule is skipped', () => {
    const g = global([{ ...denyAll(1), disabled: true }]);
    expect(evaluateFirewallIngressWithPolicies([g], [vpcAllow], q, 'BEFORE_CLASSIC_FIREWALL').allowed).toBe(true);
  });

  it('apply_security_profile_group admits the traffic (to inspection)', () => {
    const g = global([{ ...allowHc(5), action: 'apply_security_profile_group', securityProfileGroup: 'organizations/1/locations/global/securityProfileGroups/spg' }]);
    expect(evaluateFirewallIngressWithPolicies([g], [], q)).toMatchObject({ allowed: true, policyRules: [{ policy: g }] });
  });

  it('secure-tag targets are not guessed: unknown node tags → the rule is taken as not applying, and the verdict says so', () => {
    const g = global([{ ...allowHc(5), targetSecureTags: [{ name: 'tagValues/281484', state: 'EFFECTIVE' }] }]);
    const verdict = evaluateFirewallIngressWithPolicies([g], [], q);
    expect(verdict).toMatchObject({ allowed: false, uncovered: ['35.191.0.0/16'] });
    expect(verdict.unknowns).toEqual([
      'rule priority 5 of global network firewall policy "global-pol" (allow) targets secure tag tagValues/281484 (the secure tags bound to the nodes are not known); it was taken as not applying to the nodes',
    ]);
    // Known tags resolve it either way.
    expect(evaluateFirewallIngressWithPolicies([g], [], { ...q, target: { ...NODE, secureTags: ['tagValues/281484'] } })).toMatchObject({ allowed: true });
    const other = evaluateFirewallIngressWithPolicies([g], [], { ...q, target: { ...NODE, secureTags: [] } });
    expect(other.allowed).toBe(false);
    expect(other.unknowns).toBeUndefined();
  });

  it('address groups, FQDNs and geolocations are not expanded: only srcIpRanges count, and the verdict says so', () => {
    const g = global([{ priority: 7, action: 'deny', direction: 'INGRESS', match: { srcAddressGroups: ['projects/p/locations/global/addressGroups/bad'], srcRegionCodes: ['CN'], layer4Configs: all } }]);
    const verdict = evaluateFirewallIngressWithPolicies([g], [vpcAllow], q, 'BEFORE_CLASSIC_FIREWALL');
    expect(verdict.allowed).toBe(true);
    expect(verdict.unknowns?.[0]).toMatch(/also matches address groups and geolocations, which negdoctor cannot expand; only its srcIpRanges were taken/);
  });
});
