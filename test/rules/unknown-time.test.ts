/**
 * Rules that judge how long a state has lasted, on inputs whose times were
 * trimmed away: they report the state at info, "pending, for an unknown time",
 * with their evidence — never nothing, never their full severity.
 */
import { describe, expect, it } from 'vitest';
import { listCases, runCase } from '../harness.js';

const cases = (await listCases()).filter((c) => c.name.startsWith('unknown-time'));

describe('unknown time', () => {
  it('has a fires case for every age-judging rule', () => {
    const fires = new Set(cases.filter((c) => c.kind === 'fires').map((c) => c.ruleId));
    expect([...fires].sort()).toEqual(['ingress-no-address', 'ingress-sync-errors', 'neg-status-missing', 'readiness-gate-stuck', 'rollout-stuck']);
  });

  for (const fixture of cases.filter((c) => c.kind === 'fires')) {
    it(`${fixture.ruleId}: ${fixture.name} reports at info, for an unknown time, with evidence`, async () => {
      const { findings } = await runCase(fixture);
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        expect(finding.severity).toBe('info');
        expect(finding.message).toContain('pending, for an unknown time');
      }
    });
  }

  it('quotes the NEG controller event as evidence for a gate of unknown age', async () => {
    const fixture = cases.find((c) => c.ruleId === 'readiness-gate-stuck' && c.kind === 'fires')!;
    const [finding] = (await runCase(fixture)).findings;
    expect(finding!.message).toMatch(/the NEG controller reported LoadBalancerNegNotReady: Waiting for pod to become healthy/);
    expect(finding!.evidence).toMatchObject({ waited: 'unknown', reason: 'LoadBalancerNegNotReady' });
  });
});
