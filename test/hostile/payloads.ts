/**
 * Hostile values for the report sweep: each is put into every string field a
 * report can show (names, namespaces, health states, zones, messages, file
 * names, cluster names, reasons), in a snapshot and in the findings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../src/config/config.js';
import { runRules } from '../../src/engine.js';
import { render, FORMATS, type Format } from '../../src/reporters/index.js';
import type { Report } from '../../src/reporters/report.js';
import { RULES } from '../../src/rules/index.js';
import type { Snapshot } from '../../src/snapshot/types.js';

export const REPO = path.resolve(import.meta.dirname, '../..');

export const PAYLOADS: Record<string, string> = {
  script: `x"><script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2;alert(2)">`,
  attribute: `x' onmouseover='alert(3)' data-x="`,
  healthClass: `x"><img src=x onerror=alert(4)>`,
  workflow: `a\n::add-mask::x\n::stop-commands::y\n`,
  leading: `::warning::forged`,
  legacy: `##[add-mask]secret`,
  terminal: `\u001b]0;owned\u0007\u001b[2J\u001b[1A\r No problems found\u009b31m\u2028next`,
  fence: 'a\n```\n![x](https://evil.example/i.png)\n```mermaid\n',
  mermaid: `%%{init: {"theme":"dark"}}%%"] --> evil["x`,
  markdown: `[click](https://evil.example/a) ![img](https://evil.example/p.png) <img src="https://evil.example/q.png"> https://evil.example/bare www.evil.example \`code\` | cell |`,
  navigation: `<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><form action="https://evil.example/"><button>x</button></form><a href="javascript:alert(5)">y</a>`,
};
export const ALL = Object.values(PAYLOADS).join(' ');

/** Keys whose string values a reader sees in a report (names, zones, health, messages). */
const SHOWN = new Set(['name', 'namespace', 'zone', 'zones', 'message', 'reason', 'description', 'serviceName', 'generateName', 'nodeName', 'hostname']);

const demoText = readFileSync(path.join(REPO, 'fixtures/demo/snapshot.json'), 'utf8');

function walk(value: unknown, visit: (s: string, key: string) => string, key = ''): unknown {
  if (typeof value === 'string') return visit(value, key);
  if (Array.isArray(value)) return value.map((v) => walk(v, visit, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, visit, k)]));
  return value;
}

/**
 * The demo snapshot with the payload in it. `names`: appended to every shown
 * field (the same suffix everywhere, so references still resolve and the
 * demo's findings still fire) and as every health state; `every`: appended to
 * every string leaf but kinds and API versions; `health`: only as every
 * backend's health state (the boxes of the path picture then carry it).
 */
export function hostileSnapshot(payload: string, mode: 'health' | 'names' | 'every'): Snapshot {
  const snapshot = walk(JSON.parse(demoText), (s, key) => {
    if (key === 'healthState') return payload;
    if (mode === 'health' || key === 'kind' || key === 'apiVersion') return s;
    if (mode === 'every' || SHOWN.has(key)) return `${s}${payload}`;
    return s;
  }) as Snapshot;
  return snapshot;
}

/** The payload in every string a finding, an incident or a coverage line carries. */
function taint(report: Report, payload: string): Report {
  const result = report.result;
  const tainted = (s: string) => `${s}${payload}`;
  const finding = (f: Report['result']['findings'][number]) => ({
    ...f,
    message: tainted(f.message),
    path: tainted(f.path),
    object: f.object ? { ...f.object, name: tainted(f.object.name), namespace: tainted(f.object.namespace ?? '') } : null,
    location: f.location ? { ...f.location, file: tainted(f.location.file) } : { file: tainted('manifest.yaml'), line: 1, column: 1, endLine: 1, endColumn: 2, exact: true },
    cluster: tainted(f.cluster ?? 'ctx'),
    fix: f.fix ? { ...f.fix, description: tainted(f.fix.description) } : f.fix,
    evidence: { ...f.evidence, resource: tainted('resource') },
  });
  return {
    ...report,
    result: {
      ...result,
      findings: result.findings.map(finding),
      suppressed: [...result.suppressed.map((f) => ({ ...finding(f), suppressed: { kind: 'config' as const, justification: tainted('why') } })), { ...finding(result.findings[0]!), fingerprint: 'sup', suppressed: { kind: 'annotation' as const, justification: tainted('why') } }],
      notEvaluated: [...result.notEvaluated.map((n) => ({ ...n, reason: tainted(n.reason), cluster: tainted('ctx') })), { ruleId: result.findings[0]!.ruleId, reason: tainted('no data') }],
      incidents: result.incidents.map((i) => ({ ...i, title: tainted(i.title), id: tainted(i.id) })),
    },
    clusters: [
      { cluster: tainted('ctx'), collected: true },
      { cluster: tainted('other'), collected: false, error: tainted('unreachable') },
    ],
  };
}

export function reportOf(snapshot: Snapshot): Report {
  const result = runRules(snapshot, { rules: RULES, config: resolveConfig(RULES, {}, undefined) });
  return { tool: { name: 'negdoctor', version: '0.1.0' }, snapshot, result, rules: RULES };
}

export interface HostileCase {
  name: string;
  report: Report;
}

/** Per payload (and all at once): the snapshot with names, the snapshot with every leaf, the tainted findings. */
export function hostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const [name, payload] of [...Object.entries(PAYLOADS), ['all', ALL] as const]) {
    cases.push({ name: `${name}: health states in the snapshot`, report: reportOf(hostileSnapshot(payload, 'health')) });
    cases.push({ name: `${name}: names and health states in the snapshot`, report: reportOf(hostileSnapshot(payload, 'names')) });
    cases.push({ name: `${name}: every string of the snapshot`, report: reportOf(hostileSnapshot(payload, 'every')) });
    cases.push({ name: `${name}: every string of the findings`, report: taint(reportOf(hostileSnapshot(payload, 'names')), payload) });
  }
  return cases;
}

export async function renderAll(report: Report, color: boolean): Promise<Array<[Format, string]>> {
  const out: Array<[Format, string]> = [];
  for (const format of FORMATS) out.push([format, await render(format, report, { color, root: REPO })]);
  return out;
}
