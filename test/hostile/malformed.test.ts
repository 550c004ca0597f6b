/**
 * Issue 20, item 7: malformed bundles, snapshots and configs give a one-line
 * error naming the field (exit 2), never a stack trace; the snapshot schema
 * refuses wrong types before any rule runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../e2e/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nd-malformed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noTrace = (stderr: string) => {
  expect(stderr).not.toMatch(/\n\s+at |internal error|YAMLWarning/);
};

function bundle(name: string, manifest: object): string {
  const at = path.join(dir, name);
  mkdirSync(at);
  writeFileSync(path.join(at, 'negdoctor-bundle.json'), JSON.stringify(manifest));
  writeFileSync(path.join(at, 'k8s.services.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }));
  return at;
}
const manifest = { apiVersion: 'negdoctor.dev/v1', kind: 'EvidenceBundle', capturedAt: '2026-12-01T10:00:00Z', finishedAt: '2026-12-01T10:01:00Z', tool: { name: 'negdoctor', version: '0.1.0' } };

describe('malformed evidence bundles', () => {
  it('captures: [null]', () => {
    const at = bundle('null-capture', { ...manifest, captures: [null] });
    const run = runCli(['lint', at]);
    noTrace(run.stderr);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`negdoctor: ${path.join(at, 'negdoctor-bundle.json')}: captures[0] must be an object, not null`);
  });

  it('an invalid capturedAt', () => {
    const at = bundle('bad-time', { ...manifest, capturedAt: 'last tuesday', captures: [] });
    const run = runCli(['lint', at]);
    noTrace(run.stderr);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`negdoctor: ${path.join(at, 'negdoctor-bundle.json')}: capturedAt must be an ISO 8601 time, not "last tuesday"`);
  });

  it('a capture whose file points outside the bundle', () => {
    const at = bundle('escape', { ...manifest, captures: [{ file: '../../etc/passwd', type: 'k8s:services', command: 'x', ok: true }] });
    const run = runCli(['lint', at]);
    noTrace(run.stderr);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`negdoctor: ${path.join(at, 'negdoctor-bundle.json')}: captures[0].file must name a file inside the bundle`);
  });
});

describe('snapshots with wrong types', () => {
  const demo = () => JSON.parse(readFileSync(path.join(ROOT, 'fixtures/demo/snapshot.json'), 'utf8')) as { cloud: { backendHealth: Array<{ healthStatus: Array<Record<string, unknown>> }>; negs: Array<Record<string, unknown>> } };

  it('a numeric healthState (scan): refused by the schema, naming the field', () => {
    const snapshot = demo();
    snapshot.cloud.backendHealth[0]!.healthStatus[0]!.healthState = 5;
    const file = path.join(dir, 'health.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const run = runCli(['scan', '--snapshot', file]);
    noTrace(run.stderr);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('/cloud/backendHealth/0/healthStatus/0/healthState: must be string');
  });

  for (const format of ['html', 'markdown']) {
    it(`an object as a NEG zone (${format})`, () => {
      const snapshot = demo();
      snapshot.cloud.negs[0]!.zone = { evil: true };
      const file = path.join(dir, `zone-${format}.json`);
      writeFileSync(file, JSON.stringify(snapshot));
      const run = runCli(['scan', '--snapshot', file, '--format', format]);
      noTrace(run.stderr);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('/cloud/negs/0/zone: must be string');
    });
  }
});

describe('configs', () => {
  it('a !!js/function tag: one line naming the tag and its place, no YAMLWarning trace', () => {
    const config = path.join(dir, 'negdoctor.yaml');
    writeFileSync(config, 'rules:\n  readiness-probe-missing: !!js/function "function () { return 1 }"\n');
    const run = runCli(['lint', 'fixtures/demo/shop.yaml', '--config', config]);
    noTrace(run.stderr);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`negdoctor: config ${config} is not valid YAML: tag !!js/function is not allowed; a config holds plain values (line 2, column 28)`);
  });
});
