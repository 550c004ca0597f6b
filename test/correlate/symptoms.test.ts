/**
 * The symptom findings in the reports: the rollout-without-preStop scenario
 * opens with prestop-hook-missing as the root and the observed 502s under it;
 * a failing probe on `/` is put down to the missing readinessProbe.
 */
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { manifestSnapshot } from '../../src/collectors/manifests/snapshot.js';
import { gcloudInputs } from '../../src/collectors/gcloud-inputs.js';
import { resolveConfig } from '../../src/config/config.js';
import { runRules } from '../../src/engine.js';
import { RULES } from '../../src/rules/index.js';
import { renderText } from '../../src/reporters/text.js';
import { renderJson } from '../../src/reporters/json.js';
import type { Report } from '../../src/reporters/report.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/rules');

async function reportOf(dir: string, now: string): Promise<Report> {
  const root = path.join(FIXTURES, dir);
  const files = readdirSync(root).filter((f) => f !== 'expect.yaml');
  const collection = await collectManifests(files, { cwd: root });
  const { cloud } = gcloudInputs(collection.foreign, collection.explicit, collection.logs);
  const snapshot = manifestSnapshot(collection, { tool: { name: 'negdoctor', version: 'test' }, now: new Date(now), ...(cloud ? { cloud } : {}) });
  const config = resolveConfig(RULES, {}, undefined);
  return { tool: { name: 'negdoctor', version: 'test' }, snapshot, result: runRules(snapshot, { rules: RULES, config, locator: collection.sources, now: new Date(now) }), rules: RULES };
}

describe('symptoms in the reports', () => {
  it('rollout without preStop: the text report opens with prestop-hook-missing and the observed 502s under it', async () => {
    const report = await reportOf('lb-errors-at-pod-termination/fires/rollout-without-prestop', '2026-12-01T15:00:00Z');
    const lines = renderText(report, { color: false }).split('\n');
    expect(lines[0]).toBe('Root causes');
    expect(lines[1]).toMatch(/^ {2}warning {2}Deployment shop\/checkout: Container checkout .* no preStop hook.* {2}prestop-hook-missing$/);
    expect(lines[2]).toBe('    observed: 12 × 502 (backend_connection_closed_before_data_sent_to_client ×8, failed_to_connect_to_backend ×4), 2026-12-01 14:02–14:06 UTC on k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e (lb-errors-at-pod-termination)');
    expect(lines[3]).toBe('    └─ lb-errors-at-pod-termination  Service shop/checkout');
    const json = JSON.parse(renderJson(report)) as { findings: Array<{ ruleId: string; observed?: unknown }> };
    expect(json.findings.find((f) => f.ruleId === 'lb-errors-at-pod-termination')?.observed).toEqual({
      count: 12,
      first: expect.stringMatching(/^2026-12-01T14:02:/),
      last: expect.stringMatching(/^2026-12-01T14:06:/),
      statusDetails: { backend_connection_closed_before_data_sent_to_client: 8, failed_to_connect_to_backend: 4 },
      statuses: { '502': 12 },
      backends: ['k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e'],
    });
  });

  it('probes answered 404 on / are put down to the missing readinessProbe', async () => {
    const report = await reportOf('health-check-probe-failing/fires/http-404-on-default-path', '2026-12-01T10:00:00Z');
    const probe = report.result.findings.find((f) => f.ruleId === 'health-check-probe-failing')!;
    const byFp = new Map(report.result.findings.map((f) => [f.fingerprint, f.ruleId]));
    expect(probe.evidence?.reason).toBe('http-error-default-path');
    expect((probe.causedBy ?? []).map((fp) => byFp.get(fp))).toContain('readiness-probe-missing');
  });
});
