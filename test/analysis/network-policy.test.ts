import { describe, expect, it } from 'vitest';
import {
  evaluateIngress,
  isIsolatedForIngress,
  labelSelectorMatches,
  podInfoFromTemplate,
  policiesSelectingPod,
  policyTypesOf,
  type PodInfo,
} from '../../src/analysis/network-policy.js';

const HEALTH_CHECK_RANGES = ['130.211.0.0/22', '35.191.0.0/16'];

const pod: PodInfo = {
  namespace: 'shop',
  labels: { app: 'web', tier: 'frontend' },
  containers: [
    { name: 'web', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] },
    { name: 'dns', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] },
  ],
};

function policy(name: string, spec: unknown, namespace = 'shop'): unknown {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const denyAll = policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] });

const inClusterOnly = policy('in-cluster-only', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
  ingress: [
    {
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        { podSelector: {} },
      ],
      ports: [{ port: 8080 }],
    },
  ],
});

const healthChecks = policy('allow-health-checks', {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [
    {
      from: [{ ipBlock: { cidr: '130.211.0.0/22' } }, { ipBlock: { cidr: '35.191.0.0/16' } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    },
  ],
});

const query = { ranges: HEALTH_CHECK_RANGES, port: 8080 };

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend' };

  it('matches empty and absent selectors against everything', () => {
    expect(labelSelectorMatches({}, labels)).toBe(true);
    expect(labelSelectorMatches(undefined, labels)).toBe(true);
    expect(labelSelectorMatches(null, {})).toBe(true);
  });

  it('requires every matchLabels entry', () => {
    expect(labelSelectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { app: 'web', tier: 'backend' } }, labels)).toBe(false);
  });

  it('evaluates In, NotIn, Exists and DoesNotExist', () => {
    const match = (operator: string, key: string, values?: string[]) =>
      labelSelectorMatches({ matchExpressions: [{ key, operator, values }] }, labels);
    expect(match('In', 'app', ['web', 'api'])).toBe(true);
    expect(match('In', 'app', ['api'])).toBe(false);
    expect(match('In', 'missing', ['x'])).toBe(false);
    expect(match('NotIn', 'app', ['api'])).toBe(true);
    expect(match('NotIn', 'app', ['web'])).toBe(false);
    expect(match('NotIn', 'missing', ['x'])).toBe(true); // absent label is "not in"
    expect(match('Exists', 'tier')).toBe(true);
    expect(match('Exists', 'missing')).toBe(false);
    expect(match('DoesNotExist', 'missing')).toBe(true);
    expect(match('DoesNotExist', 'tier')).toBe(false);
  });

  it('ANDs matchLabels with matchExpressions', () => {
    expect(
      labelSelectorMatches(
        { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
        labels,
      ),
    ).toBe(false);
  });

  it('never matches with a malformed selector, and never throws', () => {
    expect(labelSelectorMatches('app=web', labels)).toBe(false);
    expect(labelSelectorMatches({ matchLabels: ['app'] }, labels)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, labels)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'In' }] }, labels)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: 'app' }, labels)).toBe(false);
  });
});

describe('policy selection and isolation', () => {
  it('selects by podSelector within the same namespace only', () => {
    const other = policy('other-namespace', { podSelector: {} }, 'payments');
    const selected = policiesSelectingPod([inClusterOnly, other, denyAll], pod);
    expect(selected.map((p) => (p['metadata'] as { name: string }).name)).toEqual(['in-cluster-only', 'deny-all']);
  });

  it('a policy in another namespace neither selects nor isolates the pod', () => {
    const other = policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }, 'payments');
    expect(isIsolatedForIngress([other], pod)).toBe(false);
    expect(evaluateIngress([other], pod, query)).toMatchObject({ isolated: false, admitted: true, policies: [] });
  });

  it('an empty podSelector selects every pod of the namespace', () => {
    expect(policiesSelectingPod([denyAll], { namespace: 'shop', labels: {} })).toHaveLength(1);
    expect(isIsolatedForIngress([denyAll], pod)).toBe(true);
  });

  it('selects with matchExpressions', () => {
    const p = policy('expr', {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] },
    });
    const q = policy('expr-no', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
    });
    expect(policiesSelectingPod([p, q], pod)).toHaveLength(1);
    expect(evaluateIngress([p, q], pod, query)).toMatchObject({ isolated: true, policies: ['expr'], admitted: false });
  });

  it('policyTypes omitted implies Ingress, and Egress only with egress rules', () => {
    expect(policyTypesOf(policy('a', { podSelector: {} }))).toEqual({ ingress: true, egress: false });
    expect(policyTypesOf(policy('b', { podSelector: {}, egress: [{}] }))).toEqual({ ingress: true, egress: true });
    expect(policyTypesOf(policy('c', { podSelector: {}, policyTypes: [] }))).toEqual({ ingress: true, egress: false });
  });

  it('an Egress-only policy does not isolate for ingress', () => {
    const egressOnly = policy('egress-only', { podSelector: {}, policyTypes: ['Egress'], egress: [] });
    expect(isIsolatedForIngress([egressOnly], pod)).toBe(false);
    const verdict = evaluateIngress([egressOnly], pod, query);
    expect(verdict).toMatchObject({ isolated: false, admitted: true, policies: ['egress-only'] });
    expect(verdict.uncovered).toBeUndefined();
  });

  it('a policy with omitted policyTypes and no ingress rules denies all ingress', () => {
    const verdict = evaluateIngress([policy('implicit', { podSelector: {} })], pod, query);
    expect(verdict).toMatchObject({ isolated: true, admitted: false });
    expect(verdict.uncovered).toEqual(HEALTH_CHECK_RANGES);
  });

  it('builds PodInfo from a pod template', () => {
    const info = podInfoFromTemplate({ metadata: { labels: { app: 'web' } }, spec: { containers: [] } }, 'shop');
    expect(info).toEqual({ namespace: 'shop', labels: { app: 'web' }, containers: [] });
    expect(podInfoFromTemplate('garbage').namespace).toBe('default');
  });
});

describe('evaluateIngress for health-check ranges', () => {
  it('no policy at all: not isolated, admitted', () => {
    expect(evaluateIngress([], pod, query)).toEqual({ isolated: false, policies: [], admitted: true, problems: [] });
  });

  it('a policy admitting only in-cluster namespaces does not admit the load balancer', () => {
    const verdict = evaluateIngress([inClusterOnly], pod, query);
    expect(verdict.isolated).toBe(true);
    expect(verdict.policies).toEqual(['in-cluster-only']);
    expect(verdict.admitted).toBe(false);
    expect(verdict.uncovered).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
    expect(verdict.admittedBy).toBeUndefined();
  });

  it('adding both health-check ranges on the serving port admits them (union across policies)', () => {
    const verdict = evaluateIngress([inClusterOnly, healthChecks], pod, query);
    expect(verdict.admitted).toBe(true);
    expect(verdict.policies).toEqual(['in-cluster-only', 'allow-health-checks']);
    expect(verdict.admittedBy).toEqual({ policy: 'allow-health-checks', ruleIndex: 0 });
    expect(verdict.uncovered).toBeUndefined();
  });

  it('the health-check policy on another port does not admit the serving port', () => {
    const verdict = evaluateIngress([inClusterOnly, healthChecks], pod, { ...query, port: 9090 });
    expect(verdict.admitted).toBe(false);
  });

  it('only one of the two ranges admitted leaves the other uncovered', () => {
    const one = policy('one-range', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '35.191.0.0/16' } }] }],
    });
    const verdict = evaluateIngress([one], pod, query);
    expect(verdict.admitted).toBe(false);
    expect(verdict.uncovered).toEqual(['130.211.0.0/22']);
    expect(verdict.admittedByRules).toEqual([{ policy: 'one-range', ruleIndex: 0 }]);
  });

  it('ranges split across rules of different policies are admitted together', () => {
    const a = policy('a', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '130.211.0.0/22' } }] }] });
    const b = policy('b', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ ports: [{ port: 1 }] }, { from: [{ ipBlock: { cidr: '35.191.0.0/16' } }] }],
    });
    const verdict = evaluateIngress([a, b], pod, query);
    expect(verdict.admitted).toBe(true);
    expect(verdict.admittedBy).toEqual({ policy: 'a', ruleIndex: 0 });
    expect(verdict.admittedByRules).toEqual([
      { policy: 'a', ruleIndex: 0 },
      { policy: 'b', ruleIndex: 1 },
    ]);
  });

  it('an ipBlock except that carves out part of a range means not wholly admitted', () => {
    const p = policy('with-except', {
      podSelector: {},
      ingress: [
        {
          from: [
            { ipBlock: { cidr: '130.211.0.0/16', except: ['130.211.2.0/24'] } },
            { ipBlock: { cidr: '35.191.0.0/16' } },
          ],
        },
      ],
    });
    const verdict = evaluateIngress([p], pod, query);
    expect(verdict.admitted).toBe(false);
    expect(verdict.uncovered).toEqual(['130.211.2.0/24']);
  });

  it('an except outside the queried ranges does not matter', () => {
    const p = policy('harmless-except', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }] }],
    });
    expect(evaluateIngress([p], pod, query).admitted).toBe(true);
  });

  it('a hole carved by except can be filled by another rule', () => {
    const p = policy('fill', {
      podSelector: {},
      ingress: [
        { from: [{ ipBlock: { cidr: '130.211.0.0/22', except: ['130.211.1.0/24'] } }] },
        { from: [{ ipBlock: { cidr: '130.211.1.0/25' } }] },
        { from: [{ ipBlock: { cidr: '130.211.1.128/25' } }] },
      ],
    });
    const verdict = evaluateIngress([p], pod, { ranges: ['130.211.0.0/22'], port: 8080 });
    expect(verdict.admitted).toBe(true);
    expect(verdict.admittedByRules).toHaveLength(3);
  });

  it('a /8 containing the ranges admits them', () => {
    const p = policy('big-blocks', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '130.0.0.0/8' } }, { ipBlock: { cidr: '35.0.0.0/8' } }], ports: [{ port: 8080 }] }],
    });
    expect(evaluateIngress([p], pod, query)).toMatchObject({ admitted: true, admittedBy: { policy: 'big-blocks', ruleIndex: 0 } });
  });

  it('a narrower block leaves the rest of the range uncovered, as CIDRs', () => {
    const p = policy('narrow', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '130.211.0.0/23' } }] }] });
    const verdict = evaluateIngress([p], pod, { ranges: ['130.211.0.0/22'], port: 8080 });
    expect(verdict.uncovered).toEqual(['130.211.2.0/23']);
  });

  it('resolves a named port against the pod container ports', () => {
    const named = policy('named', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'http' }] }],
    });
    expect(evaluateIngress([named], pod, query).admitted).toBe(true);
    expect(evaluateIngress([named], pod, { ...query, port: 9090 }).admitted).toBe(false);
  });

  it('reports a named port no container declares', () => {
    const named = policy('named', { podSelector: {}, ingress: [{ ports: [{ port: 'web' }] }] });
    const verdict = evaluateIngress([named], pod, query);
    expect(verdict.admitted).toBe(false);
    expect(verdict.problems.join('\n')).toMatch(/named port "web"/);
  });

  it('honours endPort ranges', () => {
    const ranged = policy('ranged', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8000, endPort: 8100 }] }],
    });
    expect(evaluateIngress([ranged], pod, query).admitted).toBe(true);
    expect(evaluateIngress([ranged], pod, { ...query, port: 8101 }).admitted).toBe(false);
    expect(evaluateIngress([ranged], pod, { ...query, port: 7999 }).admitted).toBe(false);
  });

  it('a UDP-only rule does not admit TCP health checks', () => {
    const udp = policy('udp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }] }] });
    expect(evaluateIngress([udp], pod, query).admitted).toBe(false);
    expect(evaluateIngress([udp], pod, { ...query, protocol: 'UDP' }).admitted).toBe(true);
  });

  it('a port entry without a port admits every port of its protocol', () => {
    const anyTcp = policy('any-tcp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP' }] }] });
    expect(evaluateIngress([anyTcp], pod, query).admitted).toBe(true);
  });

  it('an empty rule admits every source on every port', () => {
    const allowAll = policy('allow-all', { podSelector: {}, ingress: [{}] });
    expect(evaluateIngress([denyAll, allowAll], pod, query)).toMatchObject({
      admitted: true,
      admittedBy: { policy: 'allow-all', ruleIndex: 0 },
    });
  });

  it('IPv6 ranges are only admitted by IPv6 blocks', () => {
    const ranges = ['2600:2d00:1:b029::/64', '2600:2d00:1:1::/64'];
    const v4 = policy('v4', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    expect(evaluateIngress([v4], pod, { ranges, port: 8080 }).uncovered).toEqual(ranges);
    const v6 = policy('v6', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '2600:2d00::/32' } }] }] });
    expect(evaluateIngress([v6], pod, { ranges, port: 8080 }).admitted).toBe(true);
  });

  it('never throws on malformed policies and reports what it ignored', () => {
    const garbage = [
      null,
      'text',
      42,
      { kind: 'Service', metadata: { name: 'svc', namespace: 'shop' } },
      policy('bad-spec', 'nope'),
      policy('bad-rules', { podSelector: {}, ingress: 'all' }),
      policy('bad-peer', {
        podSelector: {},
        ingress: [
          'x',
          { from: 'anywhere' , ports: [{ port: 8080 }]},
          { from: [{ ipBlock: { cidr: 'not-a-cidr' } }, { ipBlock: 'x' }, 3] },
          { ports: [{ port: true }, { port: 8080, endPort: 10 }] },
        ],
      }),
    ];
    const verdict = evaluateIngress(garbage, pod, { ranges: [...HEALTH_CHECK_RANGES, 'bogus'], port: 8080 });
    expect(verdict.isolated).toBe(true);
    expect(verdict.policies).toEqual(['bad-spec', 'bad-rules', 'bad-peer']);
    // `from: 'anywhere'` is read as absent, so that rule admits every source.
    expect(verdict.admitted).toBe(true);
    const problems = verdict.problems.join('\n');
    expect(problems).toMatch(/"bogus" is not a CIDR/);
    expect(problems).toMatch(/spec.ingress is not a list/);
    expect(problems).toMatch(/not-a-cidr/);
    expect(problems).toMatch(/endPort 10/);
  });

  it('a malformed podSelector selects nothing and is reported', () => {
    const bad = policy('bad-selector', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Is' }] } });
    const verdict = evaluateIngress([bad], pod, query);
    expect(verdict.isolated).toBe(false);
    expect(verdict.problems[0]).toMatch(/bad-selector.*unknown operator/);
  });
});
