/**
 * `negdoctor scan` against the fakes, once per firewall-policy and
 * proxy-only-subnet variant: the verdicts of the fixtures, reached through
 * the real collectors (Compute clients → fake getEffectiveFirewalls and
 * subnetworks endpoints) and the built CLI. Service shop/cart (port 80 →
 * pod port 8080) is the subject: the fixture's VPC rules let the health
 * checks reach it.
 */
import { describe, expect, it } from 'vitest';
import type { GcpFakeState, RawResource } from '../fakes/gcp-server.js';
import type { FakeKubeObject } from '../fakes/kube-server.js';
import { gcpState, runCliAsync, startFakes, type JsonReport, notEvaluatedBesidesLogs } from './live-harness.js';

const T = 120_000;
const HC = ['130.211.0.0/22', '35.191.0.0/16'];

function policyRule(priority: number, action: string, ranges: string[], extra: RawResource = {}): RawResource {
  return { priority, action, direction: 'INGRESS', disabled: false, kind: 'compute#firewallPolicyRule', match: { srcIpRanges: ranges, layer4Configs: [{ ipProtocol: 'all' }] }, ...extra };
}

const gotoNext = policyRule(2147483647, 'goto_next', ['0.0.0.0/0']);

function variant(edit: (state: GcpFakeState) => void): GcpFakeState {
  const state = gcpState();
  edit(state);
  return state;
}

function setOrder(state: GcpFakeState, order: string): void {
  const network = state.networks!.find((n) => n.name === 'default')!;
  network.networkFirewallPolicyEnforcementOrder = order;
}

const internalIngress: FakeKubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'cart-internal', namespace: 'shop', uid: '5b0c1d2e-0000-4000-8000-00000000ca47', annotations: { 'kubernetes.io/ingress.class': 'gce-internal' } },
  spec: { defaultBackend: { service: { name: 'cart', port: { number: 80 } } } },
};

async function scan(options: { gcpState: GcpFakeState; extraObjects?: FakeKubeObject[] }): Promise<JsonReport> {
  const fakes = await startFakes(options);
  try {
    const run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as JsonReport;
  } finally {
    await fakes.close();
  }
}

function about(report: JsonReport, ruleId: string, needle: string): string[] {
  return report.findings.filter((f) => f.ruleId === ruleId && f.message.includes(needle)).map((f) => f.message);
}

const cartHc = (report: JsonReport) => about(report, 'firewall-health-check-blocked', 'Service shop/cart');

describe('scan: the effective firewall decides the health-check verdict', () => {
  it('baseline: policies collected, none blocks shop/cart', { timeout: T }, async () => {
    const report = await scan({ gcpState: gcpState() });
    expect(notEvaluatedBesidesLogs(report.notEvaluated)).toEqual([]);
    expect(cartHc(report)).toEqual([]);
  });

  it('a hierarchical deny before the VPC allow fires and names the policy', { timeout: T }, async () => {
    const report = await scan({
      gcpState: variant((s) => {
        s.firewallPolicies = [{ name: '381947265019', shortName: 'org-baseline', type: 'HIERARCHY', rules: [policyRule(1000, 'deny', ['35.191.0.0/16']), gotoNext] }];
      }),
    });
    const [message] = cartHc(report);
    expect(message).toContain('rule priority 1000 of hierarchical firewall policy "org-baseline" (381947265019) denies tcp port 8080 from 35.191.0.0/16 before any VPC rule is considered');
  });

  it('a hierarchical goto_next falls through to the VPC allow: silent', { timeout: T }, async () => {
    const report = await scan({
      gcpState: variant((s) => {
        s.firewallPolicies = [{ name: '381947265019', type: 'HIERARCHY', rules: [policyRule(10, 'goto_next', HC), policyRule(20, 'deny', ['0.0.0.0/0'])] }];
      }),
    });
    expect(cartHc(report)).toEqual([]);
  });

  it('BEFORE_CLASSIC_FIREWALL: a regional network policy deny ahead of the VPC allow fires; the same deny under the default order is silent', { timeout: T }, async () => {
    const regionalDeny: RawResource = { name: 'cart-lockdown', type: 'NETWORK_REGIONAL', region: 'us-central1', priority: 1000, rules: [policyRule(100, 'deny', HC), gotoNext] };
    const before = await scan({
      gcpState: variant((s) => {
        setOrder(s, 'BEFORE_CLASSIC_FIREWALL');
        s.firewallPolicies = [regionalDeny];
      }),
    });
    const [message] = cartHc(before);
    expect(message).toContain('regional network firewall policy "cart-lockdown" denies tcp port 8080 from 130.211.0.0/22 or 35.191.0.0/16 before any VPC rule is considered');
    expect(message).toContain('--firewall-policy-region=us-central1');
    const after = await scan({ gcpState: variant((s) => (s.firewallPolicies = [regionalDeny])) });
    expect(cartHc(after)).toEqual([]);
  });

  it('a 403 on the effective firewalls leaves the VPC-only verdict and names the permission', { timeout: T }, async () => {
    const fakes = await startFakes({ gcpState: gcpState() });
    try {
      fakes.gcp.faults.push({ match: '/getEffectiveFirewalls', status: 403, body: { error: { code: 403, message: "Required 'compute.networks.getEffectiveFirewalls' permission for 'projects/demo-project/global/networks/default'", status: 'PERMISSION_DENIED' } } });
      const run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
      const report = JSON.parse(run.stdout) as JsonReport;
      const blocked = report.findings.filter((f) => f.ruleId === 'firewall-health-check-blocked');
      expect(blocked.length).toBeGreaterThan(0);
      for (const finding of blocked) expect(finding.message).toContain('permission compute.networks.getEffectiveFirewalls is missing');
      expect(cartHc(report)).toEqual([]);
    } finally {
      await fakes.close();
    }
  });
});

describe('scan: proxy-only subnets for an internal Ingress', () => {
  const withSubnets = (subnets: RawResource[]) => variant((s) => (s.subnetworks = [s.subnetworks![0]!, ...subnets]));
  const proxy = (cidr: string, role: string): RawResource => ({
    kind: 'compute#subnetwork',
    name: `proxy-${role.toLowerCase()}`,
    network: 'default',
    region: 'us-central1',
    ipCidrRange: cidr,
    purpose: 'REGIONAL_MANAGED_PROXY',
    role,
  });

  it('no proxy-only subnet: proxy-only-subnet-missing fires on the Ingress', { timeout: T }, async () => {
    const report = await scan({ gcpState: withSubnets([]), extraObjects: [internalIngress] });
    expect(about(report, 'proxy-only-subnet-missing', 'Ingress shop/cart-internal')).toHaveLength(1);
  });

  it('BACKUP only: fires and says so', { timeout: T }, async () => {
    const report = await scan({ gcpState: withSubnets([proxy('10.129.0.0/23', 'BACKUP')]), extraObjects: [internalIngress] });
    const [message] = about(report, 'proxy-only-subnet-missing', 'Ingress shop/cart-internal');
    expect(message).toContain('Only BACKUP proxy-only subnets exist there');
  });

  it('ACTIVE, inside default-allow-internal: both rules silent', { timeout: T }, async () => {
    const report = await scan({ gcpState: withSubnets([proxy('10.129.0.0/23', 'ACTIVE')]), extraObjects: [internalIngress] });
    expect(report.findings.filter((f) => f.ruleId === 'proxy-only-subnet-missing' || f.ruleId === 'firewall-proxy-subnet-blocked')).toEqual([]);
  });

  it('ACTIVE, but its range blocked while the health-check ranges are open: firewall-proxy-subnet-blocked fires', { timeout: T }, async () => {
    const report = await scan({ gcpState: withSubnets([proxy('10.100.0.0/23', 'ACTIVE')]), extraObjects: [internalIngress] });
    const [message] = about(report, 'firewall-proxy-subnet-blocked', 'Service shop/cart');
    expect(message).toContain('The proxies of Ingress shop/cart-internal connect to Service shop/cart port 80 (pod port 8080) from the proxy-only subnet (proxy-active 10.100.0.0/23)');
    expect(cartHc(report)).toEqual([]);
  });
});

/** A node VM of the fixture's cluster shop, as instances.aggregatedList returns it (GKE's labels and metadata). */
function nodeInstance(name: string, pool: string, tags: string[], account: string, cluster = 'shop'): RawResource {
  return {
    name,
    zone: 'us-central1-a',
    machineType: 'https://www.googleapis.com/compute/v1/projects/demo-project/zones/us-central1-a/machineTypes/e2-standard-4',
    status: 'RUNNING',
    tags: { items: tags, fingerprint: 'kqtNq4d7Hq8=' },
    networkInterfaces: [{ network: 'https://www.googleapis.com/compute/v1/projects/demo-project/global/networks/default', networkIP: '10.128.0.9' }],
    serviceAccounts: [{ email: account, scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
    metadata: { items: [{ key: 'cluster-name', value: cluster }] },
    labels: { 'goog-gke-node': '', 'goog-k8s-cluster-name': cluster, 'goog-k8s-node-pool-name': pool },
  };
}

describe('scan: the node VMs say which tags the health-check rules must target', () => {
  // The fixture's allows target gke-shop-node (the node pools' config.tags); the cluster id gives gke-shop-3f2a1b9c-node.
  it("nodes that lack the allowed tag are blocked; the finding says the tags came from the instances; only the cluster's VMs are read", { timeout: T }, async () => {
    const fakes = await startFakes({
      gcpState: variant((s) => {
        s.instances = [
          nodeInstance('gke-shop-default-pool-1a2b3c4d-x1', 'default-pool', ['gke-shop-3f2a1b9c-node'], 'shop-nodes@demo-project.iam.gserviceaccount.com'),
          nodeInstance('gke-shop-spot-pool-5e6f7a8b-y2', 'spot-pool', ['gke-shop-3f2a1b9c-node', 'spot'], '123-compute@developer.gserviceaccount.com'),
          nodeInstance('gke-shop-eu-default-pool-0a0a0a0a-z3', 'default-pool', ['gke-shop-node'], 'x@demo-project.iam.gserviceaccount.com', 'shop-eu'),
        ];
      }),
    });
    try {
      const run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as JsonReport;
      const [message] = cartHc(report);
      expect(message).toContain("the nodes' network tags and service accounts are those their instances carry");
      expect(message).toContain('--target-tags gke-shop-3f2a1b9c-node');
      const listed = fakes.gcp.requests.filter((r) => r.path.includes('/aggregated/instances') || r.path.includes('/global/instanceTemplates'));
      expect(listed.map((r) => r.method)).toEqual(['GET', 'GET']);
      expect(listed.map((r) => r.query.filter).sort()).toEqual(['labels.goog-k8s-cluster-name = "shop"', 'name eq "gke-shop-.*"']);
    } finally {
      await fakes.close();
    }
  });

  it('instance templates that carry the allowed tag: silent', { timeout: T }, async () => {
    const report = await scan({
      gcpState: variant((s) => {
        s.instanceTemplates = ['default-pool', 'spot-pool'].map((pool) => ({
          name: `gke-shop-${pool}-1a2b3c4d`,
          properties: {
            machineType: 'e2-standard-4',
            tags: { items: ['gke-shop-3f2a1b9c-node', 'gke-shop-node'] },
            serviceAccounts: [{ email: 'shop-nodes@demo-project.iam.gserviceaccount.com' }],
            labels: { 'goog-k8s-cluster-name': 'shop', 'goog-k8s-node-pool-name': pool },
          },
        }));
      }),
    });
    expect(notEvaluatedBesidesLogs(report.notEvaluated)).toEqual([]);
    expect(cartHc(report)).toEqual([]);
  });
});
