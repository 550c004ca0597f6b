/**
 * Severities the fixture harness does not assert: a missing backend Service
 * is an error when the inputs hold the namespace's Services as a whole and
 * info for a hand-written folder; a listener's missing Secret is info when
 * only some Secrets are in the inputs.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, listCases, runCase } from '../harness.js';

const cases = await listCases();
const severities = async (rule: string, kind: 'fires' | 'silent', name: string) => {
  const fixture = cases.find((c) => c.ruleId === rule && c.kind === kind && c.name === name);
  if (!fixture) throw new Error(`no fixture ${rule}/${kind}/${name} under ${path.relative(process.cwd(), FIXTURES)}`);
  return (await runCase(fixture)).findings.map((f) => f.severity);
};

describe('route-backend-unresolved: a missing Service by completeness of the inputs', () => {
  it('is info for a hand-written folder', async () => {
    expect(await severities('route-backend-unresolved', 'fires', 'service-not-in-inputs.yaml')).toEqual(['info']);
  });
  it('is an error in a kubectl dump', async () => {
    expect(await severities('route-backend-unresolved', 'fires', 'service-missing-from-kubectl-dump.yaml')).toEqual(['error']);
  });
  it('is an error next to a file stated as every Service of the namespace', async () => {
    expect(await severities('route-backend-unresolved', 'fires', 'service-missing-stated-services-file')).toEqual(['error']);
  });
  it("is an error with the controller's ResolvedRefs=False", async () => {
    expect(await severities('route-backend-unresolved', 'fires', 'live-resolved-refs-false.yaml')).toEqual(['error']);
  });
});

describe('gateway-listener-invalid severities', () => {
  it('is an error for a certificate ref GKE cannot use', async () => {
    expect(await severities('gateway-listener-invalid', 'fires', 'dumped-secret-of-wrong-type.yaml')).toEqual(['error', 'error']);
  });
});
