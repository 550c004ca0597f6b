/**
 * Severities the fixture harness does not assert: a missing backend Service
 * is an error when the inputs hold the namespace's Services as a whole and
 * info for a hand-written folder; a listener's missing Secret is info when
 * only some Secrets are in the inputs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

describe('route-backend-unresolved: ServiceImport backends of -mc classes', () => {
  it('is not evaluated, with the reason, when the inputs hold no ServiceImports or ServiceExports', async () => {
    // The silent case without its ServiceExport.
    const text = readFileSync(path.join(FIXTURES, 'route-backend-unresolved/silent/multi-cluster-serviceimport.yaml'), 'utf8').split('\n---\n# The fleet')[0]!;
    const root = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-mcs-'));
    writeFileSync(path.join(root, 'route.yaml'), text);
    const result = await runCase({ ruleId: 'route-backend-unresolved', kind: 'silent', name: 'mcs', root, inputs: ['route.yaml'], expect: [], config: {} });
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([
      { ruleId: 'route-backend-unresolved', reason: 'HTTPRoute shop/store routes to ServiceImport shop/store, and the inputs hold no ServiceImports or ServiceExports (net.gke.io) to resolve it against' },
    ]);
  });
});

describe('completeness of the inputs', () => {
  it('a typed list (kind: ServiceList) holds every Service it was listed from', async () => {
    const { collectManifests } = await import('../../src/collectors/manifests/index.js');
    const { manifestSnapshot } = await import('../../src/collectors/manifests/snapshot.js');
    const root = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-list-'));
    writeFileSync(path.join(root, 'svc.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', items: [{ metadata: { name: 'store-v1', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } }] }));
    const snapshot = manifestSnapshot(await collectManifests(['svc.json'], { cwd: root }), { tool: { name: 'negdoctor', version: 'test' } });
    expect(snapshot.inputs.completeKinds).toEqual(['Service']);
  });
});
