import { describe, expect, it } from 'vitest';
import { evaluateFirewallIngress, evaluateFirewallIngressWithPolicies } from '../../src/analysis/firewall/evaluate.js';
import type { FirewallTarget } from '../../src/analysis/firewall/match.js';
import type { FirewallPolicy } from '../../src/analysis/firewall/order.js';
import type { FirewallBlocked } from '../../src/analysis/firewall/verdict.js';
import { verifiedFixCommands, type BlockedPair, type FixEvidence } from '../../src/model/firewall-fix.js';
import type { GcpFirewall } from '../../src/snapshot/types.js';

const NODE: FirewallTarget = { tags: ['gke-prod-1a2b3c4d-node'], serviceAccount: 'gke-nodes@acme.iam.gserviceaccount.com', secureTags: [] };
const RANGES = ['130.211.0.0/22', '35.191.0.0/16'];

function evidence(firewalls: GcpFirewall[], policies?: FirewallPolicy[]): FixEvidence {
  return {
    firewalls,
    ...(policies ? { policies } : {}),
    network: 'prod-vpc',
    nodeTag: 'gke-prod-1a2b3c4d-node',
    evaluateIn: (rules, withPolicies, query) => (withPolicies ? evaluateFirewallIngressWithPolicies(withPolicies, rules, query) : evaluateFirewallIngress(rules, query)),
  };
}

function blockedPairs(ev: FixEvidence, port = 8080): BlockedPair[] {
  return RANGES.flatMap((range) => {
    const verdict = ev.evaluateIn(ev.firewalls, ev.policies, { sourceRange: range, port, target: NODE, network: 'prod-vpc' });
    return verdict.allowed ? [] : [{ range, port, target: NODE, verdict: verdict as FirewallBlocked }];
  });
}

const deny = (name: string, priority: number, sourceRanges = RANGES): GcpFirewall => ({ name, direction: 'INGRESS', priority, sourceRanges, denied: [{ IPProtocol: 'all' }] });
const allow = (name: string, priority: number, ports = ['8080']): GcpFirewall => ({ name, direction: 'INGRESS', priority, sourceRanges: RANGES, allowed: [{ IPProtocol: 'tcp', ports }], targetTags: ['gke-prod-1a2b3c4d-node'] });

describe('verifiedFixCommands', () => {
  it('gives a VPC allow a priority that beats the blocking deny and names it', () => {
    const ev = evidence([deny('deny-google', 900), allow('k8s-fw-l7--abc', 1000)]);
    const fix = verifiedFixCommands(ev, blockedPairs(ev), 'allow-gke-health-checks');
    expect(fix.commands).toEqual([
      'gcloud compute firewall-rules create allow-gke-health-checks --network prod-vpc --direction INGRESS --allow tcp:8080 --source-ranges 130.211.0.0/22,35.191.0.0/16 --target-tags gke-prod-1a2b3c4d-node --priority 899',
    ]);
    expect(fix.text).toContain('priority 899 beats deny rule "deny-google" at 900');
  });

  it('beats the strongest of several denies', () => {
    const ev = evidence([deny('deny-a', 900, ['130.211.0.0/22']), deny('deny-b', 500, ['35.191.0.0/16'])]);
    expect(verifiedFixCommands(ev, blockedPairs(ev), 'allow-hc').commands[0]).toMatch(/--priority 499$/);
  });

  it('prints no command when a priority-0 deny cannot be beaten, and says why', () => {
    const ev = evidence([deny('deny-p0', 0)]);
    const fix = verifiedFixCommands(ev, blockedPairs(ev), 'allow-hc');
    expect(fix.commands).toEqual([]);
    expect(fix.text).toMatch(/"deny-p0" has priority 0/);
  });

  it('adds a narrow allow on a free priority ahead of a catch-all policy deny, never goto_next', () => {
    const policy: FirewallPolicy = {
      name: '1234',
      type: 'HIERARCHY',
      rules: [
        { priority: 999, action: 'allow', direction: 'INGRESS', match: { srcIpRanges: ['10.0.0.0/8'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['22'] }] } },
        { priority: 998, action: 'allow', direction: 'INGRESS', match: { srcIpRanges: ['10.0.0.0/8'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['443'] }] } },
        { priority: 1000, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
      ],
    };
    const ev = evidence([allow('k8s-fw-l7--abc', 1000)], [policy]);
    const fix = verifiedFixCommands(ev, blockedPairs(ev), 'allow-hc');
    expect(fix.commands).toEqual([
      'gcloud compute firewall-policies rules create 997 --firewall-policy=1234 --action=allow --direction=INGRESS --src-ip-ranges=130.211.0.0/22,35.191.0.0/16 --layer4-configs=tcp:8080 --target-service-accounts=gke-nodes@acme.iam.gserviceaccount.com',
    ]);
    expect(fix.text).not.toMatch(/goto_next/);
  });

  it('fixes what a policy fix uncovers: a network policy allow behind a VPC deny that runs first', () => {
    // BEFORE: the org policy denies; once passed, a VPC deny at 700 still blocks: both are fixed, and verified together.
    const policy: FirewallPolicy = { name: '1234', type: 'HIERARCHY', rules: [{ priority: 100, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['35.191.0.0/16'], layer4Configs: [{ ipProtocol: 'all' }] } }] };
    const goto: FirewallPolicy = { name: '5678', type: 'HIERARCHY', rules: [{ priority: 100, action: 'goto_next', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } }] };
    const ev = evidence([deny('deny-vpc', 700), allow('k8s-fw-l7--abc', 1000)], [goto, policy]);
    const fix = verifiedFixCommands(ev, blockedPairs(ev), 'allow-hc');
    // The policy allow decides for 35.191.0.0/16 (allow ends evaluation); 130.211.0.0/22 needs the VPC allow.
    expect(fix.commands.some((c) => c.startsWith('gcloud compute firewall-policies rules create 99 --firewall-policy=1234'))).toBe(true);
    expect(fix.commands.some((c) => c.endsWith('--priority 699'))).toBe(true);
  });
});

describe('equal priorities in one policy', () => {
  it('deny wins over an allow of the same priority, whatever the input order', () => {
    for (const order of [0, 1]) {
      const rules = [
        { priority: 500, action: 'allow', direction: 'INGRESS' as const, match: { srcIpRanges: RANGES, layer4Configs: [{ ipProtocol: 'tcp' }] } },
        { priority: 500, action: 'deny', direction: 'INGRESS' as const, match: { srcIpRanges: RANGES, layer4Configs: [{ ipProtocol: 'tcp' }] } },
      ];
      if (order) rules.reverse();
      const verdict = evaluateFirewallIngressWithPolicies([{ name: 'p', type: 'HIERARCHY', rules }], [allow('a', 1000)], { sourceRange: RANGES[0]!, port: 8080, target: NODE });
      expect(verdict.allowed).toBe(false);
    }
  });
});
