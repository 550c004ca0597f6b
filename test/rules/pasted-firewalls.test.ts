/**
 * Firewall rules pasted without kind or stated type may not be all of the
 * network's rules (issue 21): a block then says it holds only if they are, and names the input that settles it. The same
 * rules given as a stated `gcp:firewalls` file, or as gcloud's own output
 * (with `kind`), are the whole list and the verdict stands unqualified.
 */
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listCases, runCase } from '../harness.js';

const HEDGE = "This holds if these are all the network's rules";

async function caseNamed(name: string) {
  const found = (await listCases()).find((c) => c.ruleId === 'firewall-health-check-blocked' && c.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found;
}

async function messages(fixture: Awaited<ReturnType<typeof caseNamed>>): Promise<string[]> {
  const result = await runCase(fixture);
  return result.findings.filter((f) => f.ruleId === 'firewall-health-check-blocked').map((f) => f.message);
}

describe('pasted firewall rules (no kind, no stated type)', () => {
  it('qualify a block that rests on the implied deny, naming the input that settles it', async () => {
    const [message] = await messages(await caseNamed('partial-rules-node-ports-only'));
    expect(message).toContain(HEDGE);
    expect(message).toContain('gcp:firewalls=FILE');
  });

  it('do not when the same file is stated as the whole list', async () => {
    const pasted = await caseNamed('partial-rules-node-ports-only');
    const [message] = await messages({ ...pasted, types: { ...(pasted.types ?? {}), 'firewalls.json': 'gcp:firewalls' } });
    expect(message).toMatch(/implied deny blocks it/);
    expect(message).not.toContain(HEDGE);
  });

  it("do not when they are gcloud's own output (each rule states kind compute#firewall)", async () => {
    const pasted = await caseNamed('partial-rules-node-ports-only');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'negdoctor-fw-kind-'));
    for (const file of pasted.inputs) await fs.copyFile(path.join(pasted.root, file), path.join(dir, file));
    const rules = JSON.parse(await fs.readFile(path.join(dir, 'firewalls.json'), 'utf8')) as Array<Record<string, unknown>>;
    await fs.writeFile(path.join(dir, 'firewalls.json'), JSON.stringify(rules.map((r) => ({ kind: 'compute#firewall', ...r }))));
    const [message] = await messages({ ...pasted, root: dir });
    expect(message).toMatch(/implied deny blocks it/);
    expect(message).not.toContain(HEDGE);
  });

  it('qualify a block by an explicit deny too: a left-out allow of higher priority could lift it', async () => {
    const pasted = await caseNamed('higher-priority-deny');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'negdoctor-fw-paste-'));
    for (const file of pasted.inputs) await fs.copyFile(path.join(pasted.root, file), path.join(dir, file));
    const rules = JSON.parse(await fs.readFile(path.join(dir, 'firewalls.json'), 'utf8')) as Array<Record<string, unknown>>;
    await fs.writeFile(path.join(dir, 'firewalls.json'), JSON.stringify(rules.map(({ kind: _kind, ...r }) => r)));
    expect((await messages({ ...pasted, root: dir }))[0]).toContain(HEDGE);
    expect((await messages(pasted))[0]).not.toContain(HEDGE);
  });
});
