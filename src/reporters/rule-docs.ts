/** Rule documentation generated from rule metadata (docs/rules.md, `rules`, `explain`); a test keeps docs/rules.md in step. */
import type { Category, Explains, JoinKey, Rule } from '../model/rule-contract.js';

/** The repository: SARIF's `informationUri`, and the base of the rule docs URLs. */
export const REPOSITORY_URL = 'https://github.com/negdoctor/negdoctor';

/** A rule's documentation: its anchor (the rule id) in docs/rules.md. SARIF `helpUri` and `negdoctor explain` give it. */
export function ruleDocsUrl(id: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules.md#${id}`;
}

/** How a join key reads in the docs: "on the same …". */
export const JOIN_KEY_TEXT: Record<JoinKey, string> = {
  'service-port': 'same Service port',
  service: 'same Service',
  neg: 'same NEG',
  'backend-service': 'same backend service',
  pod: 'same pod',
  node: 'same node',
  workload: 'same workload',
  ingress: 'same Ingress',
  gateway: 'same Gateway',
  listener: 'same Gateway listener',
  cluster: 'same cluster',
};

/** "same Service; only its Service findings; only from reasons A, B": the join key and the edge's filters. */
export function joinText(e: { on: JoinKey; kind?: string; fromKind?: string; reasons?: string[] }): string {
  return [JOIN_KEY_TEXT[e.on], e.kind ? `only findings about the ${e.kind}` : '', e.fromKind ? `only from findings about a ${e.fromKind}` : '', e.reasons ? `only from ${e.reasons.join(', ')}` : ''].filter(Boolean).join('; ');
}

/** The edges that end at a rule: which rules can explain its findings, and why. */
export function explainedBy(rule: Rule, rules: readonly Rule[]): Array<Explains & { by: string }> {
  const out: Array<Explains & { by: string }> = [];
  for (const r of rules) for (const e of r.meta.explains ?? []) if (e.rule === rule.meta.id) out.push({ by: r.meta.id, ...e });
  return out;
}

const CATEGORY_TITLES: Record<Category, string> = {
  input: 'Input',
  termination: 'Termination and rollout',
  wiring: 'Service, Ingress and health-check wiring',
  live: 'Live cluster',
  cloud: 'Google Cloud',
  gateway: 'GKE Gateway API',
  symptom: 'Symptoms (load balancer request logs and health-check logs)',
};

const DATA_LABELS: Array<[string, string]> = [
  ['gcp:', 'Google Cloud state'],
  ['k8s:pods', 'live cluster state'],
  ['k8s:endpointslices', 'live cluster state'],
  ['k8s:nodes', 'live cluster state'],
  ['k8s:events', 'live cluster state'],
  ['k8s:ingress-status', 'live cluster state'],
  ['k8s:workload-status', 'live cluster state'],
  ['k8s:servicenetworkendpointgroups', 'live cluster state'],
  ['k8s:gateway-status', 'live cluster state'],
];

/** What a rule needs, in the words of SPEC §5: manifests, live cluster state, or Google Cloud state. */
export function dataLabel(rule: Rule): string {
  const labels = new Set<string>();
  for (const key of rule.meta.needs) {
    const match = DATA_LABELS.find(([prefix]) => key.startsWith(prefix));
    labels.add(match ? match[1] : 'manifests');
  }
  return labels.size === 0 ? 'inputs' : [...labels].join(' + ');
}

export function renderRulesText(rules: Rule[]): string {
  const width = Math.max(...rules.map((r) => r.meta.id.length));
  const lines: string[] = [];
  for (const [category, title] of Object.entries(CATEGORY_TITLES)) {
    const inCategory = rules.filter((r) => r.meta.category === category);
    if (inCategory.length === 0) continue;
    lines.push(title);
    for (const r of inCategory) {
      lines.push(`  ${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${r.meta.title}${r.meta.fixable ? ' (fixable)' : ''}`);
    }
    lines.push('');
  }
  lines.push(`${rules.length} rules. \`negdoctor explain RULE\` describes one.`);
  return `${lines.join('\n')}\n`;
}

export function renderRuleExplanation(rule: Rule, rules: readonly Rule[] = []): string {
  const m = rule.meta;
  const explains = (m.explains ?? []).map((e) => `  ${e.rule} (${joinText(e)}): ${e.why}`);
  const by = explainedBy(rule, rules).map((e) => `  ${e.by} (${joinText(e)}): ${e.why}`);
  const options = Object.entries(m.options ?? {}).map(
    ([name, schema]) => `  ${name} (${schema.type}, default ${JSON.stringify(m.defaults[name])}): ${schema.description}`,
  );
  return [
    `${m.id} — ${m.title}`,
    `severity: ${m.severity}   category: ${CATEGORY_TITLES[m.category]}   data: ${dataLabel(rule)}${m.fixable ? '   autofix: yes' : ''}`,
    '',
    `Symptom:  ${m.symptom}`,
    `Cause:    ${m.cause}`,
    `Evidence: ${m.evidence}`,
    `Fix:      ${m.remediation}`,
    ...(options.length ? ['', 'Options (.negdoctor.yaml → rules.' + m.id + '.options):', ...options] : []),
    ...(explains.length ? ['', 'Explains (a finding of this rule is reported as the cause of):', ...explains] : []),
    ...(by.length ? ['', 'Explained by (reported as caused by):', ...by] : []),
    '',
    `Docs: ${ruleDocsUrl(m.id)}`,
    '',
  ].join('\n');
}

/** The rule docs as `negdoctor rules --format markdown` prints them: a heading per category (at `level`), one per rule below it. */
export function renderRulesMarkdown(rules: Rule[], level = 3): string {
  const out: string[] = [];
  const h = '#'.repeat(level);
  for (const [category, title] of Object.entries(CATEGORY_TITLES)) {
    const inCategory = rules.filter((r) => r.meta.category === category);
    if (inCategory.length === 0) continue;
    out.push(`${h} ${title}`, '');
    for (const r of inCategory) {
      const m = r.meta;
      // The heading `rule-id` is the rule's anchor (#rule-id), which ruleDocsUrl links to.
      out.push(`${h}# \`${m.id}\``, '');
      out.push(`**${m.title}** — default severity \`${m.severity}\`; needs ${dataLabel(r)}${m.fixable ? '; autofix available' : ''}.`, '');
      out.push(`- **Symptom:** ${m.symptom}`);
      out.push(`- **Cause:** ${m.cause}`);
      out.push(`- **Evidence:** ${m.evidence}`);
      out.push(`- **Fix:** ${m.remediation}`);
      for (const [name, schema] of Object.entries(m.options ?? {})) {
        out.push(`- **Option \`${name}\`** (default \`${JSON.stringify(m.defaults[name])}\`): ${schema.description}`);
      }
      for (const e of m.explains ?? []) out.push(`- **Explains \`${e.rule}\`** (${joinText(e)}): ${e.why}`);
      for (const e of explainedBy(r, rules)) out.push(`- **Explained by \`${e.by}\`** (${joinText(e)}): ${e.why}`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The generated part of docs/rules.md: an index of every rule (linked to its
 * anchor, in category order), then the rules by category one heading level
 * above `rules --format markdown`, as the page's own sections.
 * scripts/update-docs.mjs writes it; test/readme.test.ts keeps it in step.
 */
export function renderRulesReference(rules: Rule[]): string {
  const index = ['| rule | what it finds | default severity | needs |', '|---|---|---|---|'];
  for (const category of Object.keys(CATEGORY_TITLES)) {
    for (const r of rules.filter((x) => x.meta.category === category)) {
      const m = r.meta;
      index.push(`| [\`${m.id}\`](#${m.id}) | ${m.title}${m.fixable ? ' (autofix)' : ''} | ${m.severity} | ${dataLabel(r)} |`);
    }
  }
  return `${index.join('\n')}\n\n${renderRulesMarkdown(rules, 2)}`;
}
