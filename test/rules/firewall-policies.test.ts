/**
 * What the firewall findings say on the policy fixtures: the deciding policy
 * and rule, "before any VPC rule is considered" when that is the order, the
 * gcloud fix, and what was unknown. (rules.fixtures.test.ts checks where
 * they fire; this checks that they name the right cause.)
 */
import { describe, expect, it } from 'vitest';
import { listCases, runCase } from '../harness.js';

const cases = await listCases();

async function messages(ruleId: string, name: string): Promise<string[]> {
  const fixture = cases.find((c) => c.ruleId === ruleId && c.name === name);
  if (!fixture) throw new Error(`no fixture ${ruleId}/${name}`);
  const result = await runCase(fixture);
  return result.findings.map((f) => f.message);
}

describe('firewall-health-check-blocked names the deciding policy rule', () => {
  it('hierarchical deny: policy short name, id and parent, priority, action, port, range, order and a narrow fix (never goto_next on the deny)', async () => {
    const [message] = await messages('firewall-health-check-blocked', 'hierarchical-deny-before-vpc-allow');
    expect(message).toContain(
      'rule priority 1000 of hierarchical firewall policy "org-baseline" (283746501928, organizations/123456789012) denies tcp port 8080 from 35.191.0.0/16 before any VPC rule is considered.',
    );
    expect(message).toContain('`gcloud compute firewall-policies rules create 999 --firewall-policy=283746501928 --action=allow --direction=INGRESS --src-ip-ranges=35.191.0.0/16 --layer4-configs=tcp:8080 --target-service-accounts=gke-nodes@shop-prod.iam.gserviceaccount.com`');
    expect(message).not.toContain('goto_next');
    expect(message).not.toContain('not collected');
  });

  it('BEFORE_CLASSIC_FIREWALL: the global network policy deny comes before the VPC allow', async () => {
    const [message] = await messages('firewall-health-check-blocked', 'before-classic-network-policy-deny');
    expect(message).toContain('global network firewall policy "shop-global-policy" denies tcp port 8080 from 130.211.0.0/22 or 35.191.0.0/16 before any VPC rule is considered');
    expect(message).toContain('--global-firewall-policy');
  });

  it('regional policy under BEFORE_CLASSIC_FIREWALL: the regional fix names the region', async () => {
    const [message] = await messages('firewall-health-check-blocked', 'regional-policy-deny-before-classic');
    expect(message).toContain('regional network firewall policy "shop-us-central1-policy"');
    expect(message).toContain('--firewall-policy-region=us-central1');
  });

  it('secure-tag target: says the target could not be resolved and how it was taken', async () => {
    const [message] = await messages('firewall-health-check-blocked', 'secure-tag-target-unresolved');
    expect(message).toContain('targets secure tag tagValues/281479203847561 (the secure tags bound to the nodes are not known); it was taken as not applying to the nodes');
  });

  it('without collected policies the finding says only VPC rules were judged, and how to give them', async () => {
    const [message] = await messages('firewall-health-check-blocked', 'higher-priority-deny');
    expect(message).toContain('hierarchical and network firewall policies were not collected and not evaluated (the gcloud JSON dumps among the inputs hold none of it; give `gcloud compute networks get-effective-firewalls default --format=json`); only VPC firewall rules were judged');
  });
});

describe('the proxy-only subnet rules', () => {
  it('firewall-proxy-subnet-blocked names the load balancer, the subnet range and the fix', async () => {
    const [message] = await messages('firewall-proxy-subnet-blocked', 'proxy-range-blocked-health-checks-open');
    expect(message).toContain('The proxies of Ingress shop/web-internal connect to Service shop/web port 80 (pod port 8080) from the proxy-only subnet (proxy-only-us-central1 10.100.0.0/23)');
    expect(message).toContain('`gcloud compute firewall-rules create allow-proxy-only-subnet --network default --direction INGRESS --allow tcp:8080 --source-ranges 10.100.0.0/23 --target-tags gke-shop-prod-1a2b3c4d-node`');
  });

  it('proxy-only-subnet-missing tells BACKUP-only from missing, with the matching command', async () => {
    const [backup] = await messages('proxy-only-subnet-missing', 'backup-only');
    expect(backup).toContain('Only BACKUP proxy-only subnets exist there');
    expect(backup).toContain('`gcloud compute networks subnets update proxy-only-backup --region=us-central1 --role=ACTIVE`');
    const [missing] = await messages('proxy-only-subnet-missing', 'cross-region-gateway-with-regional-subnet');
    expect(missing).toContain('purpose GLOBAL_MANAGED_PROXY in region us-central1 of network default');
    expect(missing).toContain('--purpose=GLOBAL_MANAGED_PROXY --role=ACTIVE --region=us-central1 --network=default');
  });
});

describe('node secure tags', () => {
  it('come from node pool resourceManagerTags in tagValues/N form (and survive the cluster mapping); otherwise they stay unknown', async () => {
    const { mapCluster } = await import('../../src/collectors/gcp/map.js');
    const { nodeTargets } = await import('../../src/model/firewall-context.js');
    const raw = {
      name: 'shop-prod',
      nodePools: [
        { name: 'tagged', config: { tags: ['web'], resourceManagerTags: { tags: { 'tagKeys/111': 'tagValues/281479203847561' } } } },
        { name: 'named-tags', config: { resourceManagerTags: { tags: { '123456789012/env': 'prod' } } } },
        { name: 'plain', config: { tags: ['web'] } },
      ],
    };
    const cluster = mapCluster(raw);
    expect(cluster.nodePools?.[0]?.config?.resourceManagerTags).toEqual({ tags: { 'tagKeys/111': 'tagValues/281479203847561' } });
    const targets = nodeTargets(cluster, []);
    expect(targets.map((t) => [t.pools, t.target.secureTags ?? 'unknown'])).toEqual([
      [['tagged'], ['tagValues/281479203847561']],
      [['named-tags'], 'unknown'],
      [['plain'], 'unknown'],
    ]);
  });
});
