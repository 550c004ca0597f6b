/**
 * Every firewall fix the fixtures print, replayed: each gcloud command is
 * read back by an independent parser here (not by the code that wrote it)
 * into the rule it creates or the change it makes, applied to the case's
 * snapshot, and the rule run again: the finding must be gone.
 */
import { describe, expect, it } from 'vitest';
import { caseSnapshot, listCases, runCaseOn, type FixtureCase } from './harness.js';
import type { GcpFirewall, Snapshot } from '../src/snapshot/types.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';

const FIREWALL_RULES = ['firewall-health-check-blocked', 'firewall-proxy-subnet-blocked'];

/** `--flag value` and `--flag=value` options, and the positional words, of one command. */
function parse(command: string): { words: string[]; flags: Map<string, string> } {
  const tokens = command.trim().split(/\s+/);
  const words: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('--')) {
      words.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    if (eq > 0) flags.set(token.slice(2, eq), token.slice(eq + 1));
    else if (tokens[i + 1] !== undefined && !tokens[i + 1]!.startsWith('--')) flags.set(token.slice(2), tokens[++i]!);
    else flags.set(token.slice(2), 'true');
  }
  return { words, flags };
}

const list = (value: string | undefined) => (value ? value.split(',') : []);
const portsOf = (spec: string) => {
  const [protocol, ports] = spec.split(':');
  return { protocol: protocol!, ports: ports ? [ports] : [] };
};

/** Applies one gcloud command to the snapshot's cloud evidence, as Google Cloud would. */
function apply(snapshot: Snapshot, command: string): void {
  const { words, flags } = parse(command);
  const cloud = snapshot.cloud!;
  const verb = words.slice(1, -1).join(' ');
  const name = words.at(-1)!;
  if (verb === 'compute firewall-rules create') {
    // NODE_TAG stands for the nodes' tag, which the inputs did not give: the user puts the real one in,
    // so the rule reaches every node, as one without target tags does.
    const given = list(flags.get('target-tags'));
    const tags = given.includes('NODE_TAG') ? [] : given;
    const rule: GcpFirewall = {
      name,
      direction: flags.get('direction') ?? 'INGRESS',
      allowed: list(flags.get('allow')).map((spec) => {
        const { protocol, ports } = portsOf(spec);
        return { IPProtocol: protocol, ports };
      }),
      sourceRanges: list(flags.get('source-ranges')),
      targetTags: tags,
      priority: flags.has('priority') ? Number(flags.get('priority')) : 1000,
      ...(flags.has('network') ? { network: flags.get('network')! } : {}),
    } as GcpFirewall;
    cloud.firewalls = [...(cloud.firewalls ?? []), rule];
    return;
  }
  if (verb === 'compute firewall-rules update') {
    expect(flags.get('no-disabled')).toBe('true');
    cloud.firewalls = (cloud.firewalls ?? []).map((r) => (r.name === name ? { ...r, disabled: false } : r));
    return;
  }
  if (verb === 'compute firewall-policies rules create' || verb === 'compute network-firewall-policies rules create') {
    const policyName = flags.get('firewall-policy');
    const policies = (cloud.firewallPolicies ?? []) as Array<{ name: string; rules?: unknown[] }>;
    const policy = policies.find((p) => p.name === policyName);
    expect(policy, `${command}: no policy ${policyName} in the evidence`).toBeDefined();
    const priority = Number(name);
    expect((policy!.rules ?? []).some((r) => (r as { priority: number }).priority === priority), `${command}: priority ${priority} is taken`).toBe(false);
    expect(flags.get('action')).toBe('allow');
    const accounts = list(flags.get('target-service-accounts'));
    policy!.rules = [
      ...(policy!.rules ?? []),
      {
        priority,
        action: 'allow',
        direction: flags.get('direction') ?? 'INGRESS',
        match: {
          srcIpRanges: list(flags.get('src-ip-ranges')),
          layer4Configs: list(flags.get('layer4-configs')).map((spec) => {
            const { protocol, ports } = portsOf(spec);
            return { ipProtocol: protocol, ports };
          }),
        },
        ...(accounts.length ? { targetServiceAccounts: accounts } : {}),
      },
    ];
    return;
  }
  throw new Error(`the replay does not know this command: ${command}`);
}

const cases = (await listCases()).filter((c) => FIREWALL_RULES.includes(c.ruleId) && c.kind === 'fires');

async function printedFixes(fixture: FixtureCase) {
  const { snapshot, locator } = await caseSnapshot(fixture);
  const result = runCaseOn(fixture, snapshot, locator);
  return { snapshot, findings: result.findings.filter((f) => f.ruleId === fixture.ruleId) };
}

describe('every printed firewall fix clears its finding', () => {
  it('the fixtures print firewall fixes to replay', async () => {
    let commands = 0;
    for (const fixture of cases) for (const f of (await printedFixes(fixture)).findings) if (f.evidence?.command) commands++;
    expect(commands).toBeGreaterThanOrEqual(10);
  });

  for (const fixture of cases) {
    it(`${fixture.ruleId}/${fixture.name}`, async () => {
      const { snapshot, findings } = await printedFixes(fixture);
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        const command = String(finding.evidence?.command ?? '');
        // A likely cause named without a fix (an unresolved secure-tag deny): there is no command to replay.
        if (finding.evidence?.unresolvedDenies) continue;
        if (!command) {
          // No command printed: the finding must say why no fix could be verified.
          expect(finding.message).toMatch(/no firewall command negdoctor can verify/);
          continue;
        }
        const copy = structuredClone(snapshot);
        for (const step of command.split(' && ')) apply(copy, step);
        const again = runCaseOn(fixture, copy).findings.filter((f) => f.ruleId === fixture.ruleId && f.fingerprint === finding.fingerprint);
        expect(again.map((f) => f.message), command).toEqual([]);
      }
    });
  }
});
